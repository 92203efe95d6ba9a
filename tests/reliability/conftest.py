"""Shared pieces of the reliability tests: the mock under test, clients, the fuzz profile.

Every test here is deterministic: Hypothesis runs derandomized without its example
database (``fuzz``), the mock is seeded and its clock injected where time matters, and
waits on a live server are bounded waits for a condition, never sleeps that hope.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, settings

from mixpeek_toolkit.mockserver import Settings, create_app
from mixpeek_toolkit.mockserver.testing.in_process import asgi_client
from tests.mock_clock import FakeClock

API_KEY = "sk_test_reliability"
NAMESPACE = "reliability"
AUTH = {"Authorization": f"Bearer {API_KEY}", "X-Namespace": NAMESPACE}
PRODUCT_SEARCH = "ret_product_search"
"""A retriever of the default world with no required input."""
BASE_URL = "http://mock.invalid"

SETTINGS = Settings(seed=7, strict=True, rate_limit=10**9)
"""The mock under test: strict (every answer checked against the spec), never rate limited."""


FUZZ_SCALE = int(os.environ.get("RELIABILITY_FUZZ_SCALE", "1"))
"""Multiplies every property's examples; ``make soak`` raises it, ``make test`` never does."""


def fuzz(max_examples: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Hypothesis settings of every property here: the same examples on every run."""
    return settings(
        max_examples=max_examples * FUZZ_SCALE,
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=False,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )


@contextlib.contextmanager
def in_process(
    settings: Settings = SETTINGS, clock: FakeClock | None = None
) -> Iterator[tuple[Any, httpx.Client]]:
    """A fresh mock app and a sync client that calls it in process (no socket)."""
    clock = clock or FakeClock()
    app = create_app(settings, clock=clock, sleep=clock.sleep)
    with asgi_client(app, base_url=BASE_URL, headers=AUTH, timeout=30) as client:
        yield app, client


@pytest.fixture(scope="module")
def mock() -> Iterator[httpx.Client]:
    """One in-process mock per module, shared by its examples (its state is bounded)."""
    with in_process() as (_, client):
        yield client


def execute_path(retriever: str = PRODUCT_SEARCH) -> str:
    return f"/v1/retrievers/{retriever}/execute"


def execution_path(retriever: str, execution_id: str) -> str:
    return f"/v1/retrievers/{retriever}/executions/{execution_id}"


def assert_answer_or_envelope(response: httpx.Response) -> None:
    """A 2xx/3xx answer, or a 4xx in the error envelope: never a server error."""
    assert response.status_code < 500, response.text[:2000]
    if response.status_code >= 400:
        body = response.json()
        assert body["success"] is False, body
        assert body["status"] == response.status_code, body
        assert body["error"]["type"] and body["error"]["message"], body


def assert_envelope(response: httpx.Response, status: int, code: str | None = None) -> dict:
    """The documented error envelope with this status (and code); its ``error`` object."""
    assert response.status_code == status, response.text[:2000]
    body = response.json()
    assert body["success"] is False
    assert body["status"] == status
    assert body["error"]["type"] and body["error"]["message"]
    if code is not None:
        assert body["error"].get("code") == code, body
    return body["error"]


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after ``timeout`` seconds.

    For facts a live server settles on its own (a closed socket); the outcome never
    depends on timing, only how soon the test sees it.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Not within {timeout:g} s: {what}")
        time.sleep(0.01)
