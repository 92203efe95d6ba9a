"""The suites as a pytest user writes them: property tests with ``@schema.parametrize()``
and the stateful state machine, against the mock in process, with every rule registered."""

from __future__ import annotations

import os

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

import mixpeek_toolkit.contracts.checks  # noqa: F401  (registers the semantic rules)
from mixpeek_toolkit.contracts.target import Target, load_schema
from mixpeek_toolkit.mockserver import Settings, create_app
from mixpeek_toolkit.mockserver.testing.in_process import asgi_client

TARGET = Target(max_examples=int(os.environ.get("MIXPEEK_CONTRACT_MAX_EXAMPLES", "5")), seed=3)
MOCK_SETTINGS = Settings(strict=True, rate_limit=1_000_000)
schema = load_schema(TARGET, app=create_app(MOCK_SETTINGS))


@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_every_generated_request_keeps_every_rule(case: schemathesis.Case) -> None:
    case.call_and_validate()


@pytest.mark.timeout(120)
def test_stateful_execute_then_read_keeps_every_rule() -> None:
    # A mock of its own, so what other tests sent cannot change what this one sees, and a
    # derandomized run without Hypothesis' example database, so every run draws the same steps.
    app = create_app(MOCK_SETTINGS)
    stateful_schema = load_schema(TARGET, app=app)
    stateful_schema.as_state_machine().run(
        settings=settings(
            max_examples=10,
            stateful_step_count=4,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )

    # The spec's GetExecution link (with `header.X-Namespace`) led to successful reads.
    with asgi_client(app, base_url=TARGET.url, timeout=httpx.Timeout(10)) as client:
        entries = client.get("/_mock/journal", params={"limit": 1000}).json()["entries"]
    reads = [e for e in entries if e["method"] == "GET" and "/executions/" in e["path"]]
    assert any(e["status_code"] == 200 and e["namespace"] == TARGET.namespace for e in reads)
