"""``mixpeek-mock --workers 2 --store redis://...``: two processes answer as one mock.

The official client and the plugin's handle work against it; 64 clients at once, spread
over both workers, lose no execution, spend no credit twice and take no scenario twice.
Each client holds one keep-alive connection, so it talks to one worker, which
``/_mock/health`` names (``worker``: its process id).
"""

from __future__ import annotations

import asyncio
import itertools
import ssl
from collections.abc import Iterator

import httpx
import mixpeek
import pytest

from mixpeek_toolkit.mockserver import Settings
from mixpeek_toolkit.mockserver.scenarios import ErrorKind
from mixpeek_toolkit.mockserver.testing import MockHandle
from mixpeek_toolkit.mockserver.testing.failures import ErrorLog
from tests.redis.served_mock import ServedMock
from tests.redis_server import RedisServer, redis_server_or_skip

SEARCH = "ret_product_search"
QUERY = {"inputs": {"query": "espresso machine"}}
CREDITS = 10.0  # 20 executions of 0.5 credits per namespace
CLIENTS = 64
MAX_CONNECTS = 400
_PREFIXES = itertools.count()


@pytest.fixture(scope="module")
def served(redis_server: RedisServer, tmp_path_factory) -> Iterator[ServedMock]:
    prefix = f"workers{next(_PREFIXES)}:"
    mock = ServedMock(
        "--workers", "2",
        "--store", redis_server.url,
        "--redis-prefix", prefix,
        "--seed", "3",
        "--strict",
        "--credits-per-namespace", str(CREDITS),
        "--rate-limit", "100000",
        log=tmp_path_factory.mktemp("workers") / "mock.log",
    )  # fmt: skip
    mock.start()
    try:
        yield mock
    finally:
        mock.stop()


def headers(namespace: str) -> dict[str, str]:
    return {"Authorization": "Bearer sk_test_workers", "X-Namespace": namespace}


async def clients_on_both_workers(
    served: ServedMock, namespace: str, count: int
) -> list[tuple[int, httpx.AsyncClient]]:
    """``count`` clients, one connection each, with the worker each talks to; both workers
    among them (connections are opened until each worker has accepted some)."""
    opened: list[tuple[int, httpx.AsyncClient]] = []
    tls = ssl.create_default_context()  # one for all: each client would build its own
    for _ in range(MAX_CONNECTS):
        pids = {pid for pid, _ in opened}
        if len(opened) >= count and len(pids) == 2:
            break
        client = httpx.AsyncClient(
            base_url=served.base_url,
            headers=headers(namespace),
            limits=httpx.Limits(max_connections=1),
            timeout=30.0,
            verify=tls,
        )
        pid = (await client.get("/_mock/health")).json()["worker"]
        if len(opened) >= count and pid in pids:
            await client.aclose()  # enough of this worker: wait for the other one
            continue
        opened.append((pid, client))
    assert len({pid for pid, _ in opened}) == 2, "one worker accepted every connection"
    return opened


def test_the_official_client_executes_and_reads_back_on_two_workers(served):
    config = mixpeek.Configuration(
        host=served.base_url, access_token="sk_test_x", api_key={"NamespaceHeader": "official"}
    )
    request = mixpeek.ExecuteRetrieverRequest(inputs={"query": "espresso machine", "top_k": 5})
    seen = []
    for _ in range(6):  # a new client (connection) each time: both workers answer some
        with mixpeek.ApiClient(config) as api_client:
            api = mixpeek.RetrieversApi(api_client)
            executed = api.execute_retriever(SEARCH, request)
        with mixpeek.ApiClient(config) as api_client:
            again = mixpeek.RetrieversApi(api_client).get_execution_retrievers(
                SEARCH, executed.execution_id
            )
        assert executed.status == again.status == "completed"
        assert again.documents == executed.documents and 0 < len(executed.documents) <= 5
        seen.append([d["document_id"] for d in executed.documents])
    assert all(ids == seen[0] for ids in seen)  # one seed, one request: the same documents


def test_the_plugins_handle_drives_the_two_worker_mock(served):
    class External:  # what MockHandle needs of a mock: settings, base_url, errors
        settings = Settings(seed=3, strict=True)
        base_url = served.base_url
        errors = ErrorLog()

    handle = MockHandle(External(), namespace="plugin").start()
    try:
        handle.queue_failure("Stage 'rerank' timed out")
        handle.add_documents("product-catalog", [{"text": "a zebra striped espresso machine"}])
        failed = handle.client.post(f"/v1/retrievers/{SEARCH}/execute", json=QUERY).json()
        assert failed["status"] == "failed" and "rerank" in failed["error"]
        found = handle.client.post(
            f"/v1/retrievers/{SEARCH}/execute", json={"inputs": {"query": "zebra"}}
        ).json()
        assert "zebra" in found["documents"][0]["payload"]["text"]
        handle.assert_executed(SEARCH, times=2)
        assert handle.execution(found["execution_id"])["status"] == "completed"
        with mixpeek.ApiClient(handle.mixpeek_configuration()) as api_client:
            read = mixpeek.RetrieversApi(api_client).get_execution_retrievers(
                SEARCH, found["execution_id"]
            )
        assert read.status == "completed"
    finally:
        handle.finish(test_failed=False)


@pytest.mark.anyio
async def test_64_clients_at_once_lose_nothing_and_double_nothing(served):
    namespace = "race"
    scenarios = [{"outcome": "failed", "error": f"scenario {n}"} for n in range(16)]
    async with httpx.AsyncClient(base_url=served.base_url) as control:
        queued = await control.post(
            "/_mock/scenarios", json={"namespace": namespace, "scenarios": scenarios}
        )
        assert queued.status_code == 201
        journal_before = len((await control.get("/_mock/journal")).json()["entries"])
    clients = await clients_on_both_workers(served, namespace, CLIENTS)
    try:

        async def execute_twice(pid: int, client: httpx.AsyncClient) -> list[tuple[int, dict]]:
            answers = []
            for _ in range(2):
                response = await client.post(f"/v1/retrievers/{SEARCH}/execute", json=QUERY)
                assert response.status_code == 200, response.text
                answers.append((pid, response.json()))
            return answers

        runs = await asyncio.gather(*(execute_twice(pid, client) for pid, client in clients))
        made = [pair for run in runs for pair in run]
        answers = [answer for _, answer in made]
        assert len(answers) == 2 * len(clients)

        # No execution lost: each reads back, the same, on the worker that did not make it.
        on_worker = {pid: client for pid, client in clients}
        for pid, answer in made:
            other = next(client for each, client in on_worker.items() if each != pid)
            read = await other.get(f"/v1/retrievers/{SEARCH}/executions/{answer['execution_id']}")
            assert read.status_code == 200, read.text
            assert read.json()["status"] == answer["status"]
        assert len({answer["execution_id"] for answer in answers}) == len(answers)

        # Each scenario taken once; the 20 credits spent once each; the rest refused.
        failed = [a["error"] for a in answers if a["status"] == "failed"]
        from_scenarios = sorted(e for e in failed if e.startswith("scenario "))
        assert from_scenarios == sorted(s["error"] for s in scenarios)
        completed = [a for a in answers if a["status"] == "completed"]
        assert len(completed) == int(CREDITS / 0.5)
        refused = [e for e in failed if not e.startswith("scenario ")]
        assert refused == [ErrorKind.BUDGET_EXCEEDED.message] * (len(answers) - 16 - 20)
        assert sorted(a["budget"]["credits_remaining"] for a in completed) == [
            0.5 * n for n in range(20)
        ]
        entries = (await clients[0][1].get("/_mock/journal")).json()["entries"]
        executes = [e for e in entries[journal_before:] if e["method"] == "POST"]
        assert len(executes) == len(answers)
    finally:
        for _, client in clients:
            await client.aclose()


@pytest.mark.anyio
async def test_a_redis_restart_answers_503_on_both_workers_then_they_recover(tmp_path):
    own_redis = redis_server_or_skip(tmp_path / "redis")
    mock = ServedMock(
        "--workers", "2", "--store", own_redis.url, "--strict", log=tmp_path / "mock.log"
    )  # fmt: skip
    try:
        mock.start()
        clients = await clients_on_both_workers(mock, "fault", 2)
        try:
            path = f"/v1/retrievers/{SEARCH}/execute"
            for _, client in clients:
                assert (await client.post(path, json=QUERY)).status_code == 200
            own_redis.stop()
            for _, client in clients:
                down = await client.post(path, json=QUERY)
                assert down.status_code == 503, down.text
                assert down.json()["error"]["type"] == "ServiceUnavailableError"
                assert down.headers["Retry-After"] == "1"
            own_redis.start()  # same port, empty
            for _, client in clients:
                back = await client.post(path, json=QUERY)
                assert back.status_code == 200, back.text
                assert back.json()["status"] == "completed"
        finally:
            for _, client in clients:
                await client.aclose()
    finally:
        mock.stop()
        own_redis.stop()
