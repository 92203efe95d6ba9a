"""Fixtures of the mock server's HTTP tests: an app in strict mode, a fake clock, a client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest

from mixpeek_toolkit.mockserver import Settings, create_app

API_KEY = "sk_test_mock"
NAMESPACE = "team-a"
AUTH = {"Authorization": f"Bearer {API_KEY}", "X-Namespace": NAMESPACE}


@dataclass
class FakeClock:
    """Unix time that only moves when a test says so."""

    now: float = 1_800_000_000.0
    slept: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings() -> Settings:
    return Settings(seed=42, strict=True)


@pytest.fixture
def app(settings: Settings, clock: FakeClock):
    return create_app(settings, clock=clock, sleep=clock.sleep)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    """Talks to the app in-process, authenticated in namespace ``team-a``."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mock", headers=AUTH) as http:
        yield http


@pytest.fixture
def retriever_id(app) -> str:
    """The default world's first retriever."""
    return app.state.mock.namespaces.template.retrievers[0].retriever_id


def execute_path(retriever: str) -> str:
    return f"/v1/retrievers/{retriever}/execute"


def execution_path(retriever: str, execution_id: str) -> str:
    return f"/v1/retrievers/{retriever}/executions/{execution_id}"


def assert_envelope(response: httpx.Response, status: int, error_type: str) -> dict:
    """The response is the documented error envelope with this status and type."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False
    assert body["status"] == status
    assert body["error"]["type"] == error_type
    assert body["error"]["message"]
    return body["error"]
