"""Fixtures of the shared-store tests: apps that share one Redis prefix act as workers of one mock.

``workers(n, **settings)`` builds ``n`` apps in this process on the session's Redis with one
fresh key prefix: each is a separate worker (its own memory, caches and copies of the
worlds), so what one does and another sees can only have gone through Redis. Their
clients are authenticated in namespace ``team-a``; everything is closed and the prefix's
keys deleted when the test ends.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx
import pytest
from starlette.applications import Starlette

from mixpeek_toolkit.mockserver import Settings, create_app
from tests.mockserver.conftest import AUTH, FakeClock, forget_prefix
from tests.redis_server import RedisServer

_PREFIXES = itertools.count()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@dataclass
class Worker:
    app: Starlette
    client: httpx.AsyncClient

    @property
    def mock(self):
        return self.app.state.mock


MakeWorkers = Callable[..., list[Worker]]


@pytest.fixture
def prefix(request: pytest.FixtureRequest) -> str:
    return f"shared{next(_PREFIXES)}-{request.node.name[:50]}:"


@pytest.fixture
async def workers(
    redis_server: RedisServer, clock: FakeClock, prefix: str
) -> AsyncIterator[MakeWorkers]:
    made: list[Worker] = []

    def make(count: int = 2, **options) -> list[Worker]:
        settings = Settings(
            seed=42, strict=True, store=redis_server.url, redis_prefix=prefix, **options
        )
        group = []
        for _ in range(count):
            app = create_app(settings, clock=clock, sleep=clock.sleep)
            client = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://mock", headers=AUTH
            )
            group.append(Worker(app, client))
        made.extend(group)
        return group

    yield make
    for worker in made:
        await worker.client.aclose()
        await worker.mock.aclose()
    await forget_prefix(redis_server.url, prefix)
