"""Fixtures of the mock server's HTTP tests: an app in strict mode, a fake clock, a client."""

from __future__ import annotations

import importlib
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest

try:  # DOMAIN's paging module; a stand-in until it lands (see _fake_paging.py).
    importlib.import_module("mockserver.paging")
except ImportError:
    from tests.mockserver import _fake_paging

    sys.modules["mockserver.paging"] = _fake_paging

from mockserver import Settings, create_app

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
