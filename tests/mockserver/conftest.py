"""Fixtures of the mock server's HTTP tests: an app in strict mode, a fake clock, a client.

A module that sets ``BOTH_STORES = True`` runs each of its tests that builds an app (through
``app``, ``client`` or ``make_app``) twice: on the in-memory store and on a real Redis (a
fresh key prefix per test), so the same behaviour is proven on both.
"""

from __future__ import annotations

import dataclasses
import inspect
import itertools
from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import pytest
from starlette.applications import Starlette

from mixpeek_toolkit.mockserver import Settings, create_app
from tests.mock_clock import FakeClock

API_KEY = "sk_test_mock"
NAMESPACE = "team-a"
AUTH = {"Authorization": f"Bearer {API_KEY}", "X-Namespace": NAMESPACE}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings() -> Settings:
    return Settings(seed=42, strict=True)


STORES = ("memory", "redis")
_PREFIXES = itertools.count()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if (
        getattr(metafunc.module, "BOTH_STORES", False)
        and "store_kind" in metafunc.fixturenames
        and inspect.iscoroutinefunction(metafunc.function)  # Redis needs the test's event loop
    ):
        metafunc.parametrize("store_kind", STORES)


@pytest.fixture
def store_kind() -> str:
    """Where the apps of a test keep their state (both, in a ``BOTH_STORES`` module)."""
    return "memory"


MakeApp = Callable[..., Starlette]


@pytest.fixture
def make_app(store_kind: str, clock: FakeClock, request: pytest.FixtureRequest) -> MakeApp:
    """``make_app(settings)``: ``create_app`` on the test's store, with the fake clock.

    On Redis every app of one test shares one fresh key prefix (two apps are two workers
    of one mock); their connections are closed when the test ends.
    """
    if store_kind == "memory":
        return lambda settings, **options: create_app(
            settings, **{"clock": clock, "sleep": clock.sleep, **options}
        )
    return request.getfixturevalue("_redis_apps")


@pytest.fixture
async def _redis_apps(request: pytest.FixtureRequest, clock: FakeClock) -> AsyncIterator[MakeApp]:
    server = request.getfixturevalue("redis_server")
    prefix = f"test{next(_PREFIXES)}-{request.node.name[:60]}:"
    made: list[Starlette] = []

    def make(settings: Settings, **options) -> Starlette:
        shared = dataclasses.replace(settings, store=server.url, redis_prefix=prefix)
        made.append(create_app(shared, **{"clock": clock, "sleep": clock.sleep, **options}))
        return made[-1]

    yield make
    for app in made:
        await app.state.mock.aclose()
    await forget_prefix(server.url, prefix)


async def forget_prefix(url: str, prefix: str) -> None:
    """Delete every key of ``prefix``, so the session's Redis stays small."""
    import redis.asyncio

    from mixpeek_toolkit.mockserver.shared.connection import Keys, delete_matching

    client = redis.asyncio.Redis.from_url(url)
    try:
        await delete_matching(client, Keys(prefix).pattern("*"))
    finally:
        await client.aclose()


@pytest.fixture
def app(settings: Settings, make_app: MakeApp) -> Iterator[Starlette]:
    yield make_app(settings)


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
