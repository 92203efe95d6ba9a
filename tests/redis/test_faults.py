"""When Redis goes away mid-run the mock answers 503 in the envelope, and recovers when it is back.

This test owns its Redis (it restarts it); the mock is one app in process, talking to it.
"""

from __future__ import annotations

import httpx
import pytest

from mixpeek_toolkit.mockserver import Settings, create_app
from tests.mockserver.conftest import AUTH, assert_envelope, execute_path, execution_path
from tests.redis_server import RedisServer, redis_server_or_skip

pytestmark = pytest.mark.anyio

SEARCH = "ret_product_search"
QUERY = {"inputs": {"query": "kettle"}}


@pytest.fixture
def own_redis(tmp_path):
    server = redis_server_or_skip(tmp_path / "redis")
    try:
        yield server
    finally:
        server.stop()


def assert_unavailable(response: httpx.Response) -> None:
    error = assert_envelope(response, 503, "ServiceUnavailableError")
    assert error["code"] == "store_unavailable"
    assert response.headers["Retry-After"] == "1"


async def test_a_redis_restart_answers_503_then_the_mock_recovers(own_redis: RedisServer):
    app = create_app(Settings(seed=1, strict=True, store=own_redis.url, redis_prefix="fault:"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://m", headers=AUTH) as client:
        try:
            before = await client.post(execute_path(SEARCH), json=QUERY)
            assert before.status_code == 200, before.text

            own_redis.stop()
            assert_unavailable(await client.post(execute_path(SEARCH), json=QUERY))
            assert_unavailable(
                await client.get(execution_path(SEARCH, before.json()["execution_id"]))
            )
            assert_unavailable(await client.get("/_mock/health"))
            assert_unavailable(await client.post("/_mock/reset"))

            own_redis.start()  # same port, empty: what was stored is gone (no persistence)
            after = await client.post(execute_path(SEARCH), json=QUERY)
            assert after.status_code == 200, after.text
            assert after.json()["documents"] == before.json()["documents"]
            read = await client.get(execution_path(SEARCH, after.json()["execution_id"]))
            assert read.status_code == 200 and read.json()["status"] == "completed"
            assert (await client.get("/_mock/health")).json()["executions"] == 1
        finally:
            await app.state.mock.aclose()
