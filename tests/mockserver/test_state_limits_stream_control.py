"""Bounded state, rate limits, the journal, streaming and the control API."""

from __future__ import annotations

import json
import os

import httpx
import pytest

from mixpeek_toolkit.mockserver import InMemoryExecutionStore, Settings, create_app
from mixpeek_toolkit.mockserver.store import ExecutionStore
from tests.mockserver.conftest import AUTH, assert_envelope, execute_path, execution_path

pytestmark = pytest.mark.anyio
BOTH_STORES = True  # each test that builds an app runs on memory and on Redis

RETRIEVER = "ret_product_search"
QUERY = {"inputs": {"query": "kettle"}}
RATE_HEADERS = (
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "X-RateLimit-Window",
)


def client_for(app, **headers) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://m", headers={**AUTH, **headers}
    )


async def test_the_store_keeps_at_most_max_executions_evicting_the_oldest(clock, make_app):
    app = make_app(Settings(strict=True, max_executions=3))
    async with client_for(app) as client:
        ids = [
            (await client.post(execute_path(RETRIEVER), json=QUERY)).json()["execution_id"]
            for _ in range(5)
        ]
        assert (await client.get("/_mock/health")).json()["executions"] == 3
        assert_envelope(await client.get(execution_path(RETRIEVER, ids[0])), 404, "NotFoundError")
        assert (await client.get(execution_path(RETRIEVER, ids[-1]))).status_code == 200


def test_the_in_memory_store_fits_the_narrow_store_protocol():
    assert isinstance(InMemoryExecutionStore(1), ExecutionStore)


async def test_namespaces_are_bounded_least_recently_used_first(clock):
    # Reads this process's registry: memory only (tests/redis prove the bound on Redis).
    app = create_app(Settings(strict=True, max_namespaces=2), clock=clock)
    async with client_for(app) as client:
        for namespace in ("a", "b", "a", "c"):
            await client.post(
                execute_path(RETRIEVER), json=QUERY, headers={"X-Namespace": namespace}
            )
        registry = app.state.mock.namespaces
        assert len(registry) == 2
        assert registry.peek("b") is None and registry.peek("a") is not None


async def test_the_journal_is_bounded_and_records_every_v1_request(clock, make_app):
    app = make_app(Settings(strict=True, journal_size=3))
    async with client_for(app) as client:
        for _ in range(4):
            await client.post(execute_path(RETRIEVER), json=QUERY, headers={"Prefer": "stages=2"})
        await client.get(execution_path(RETRIEVER, "exec_missing"))
        entries = (await client.get("/_mock/journal")).json()["entries"]
        assert [e["seq"] for e in entries] == [3, 4, 5]
        assert entries[-1]["status_code"] == 404 and entries[-1]["method"] == "GET"
        assert entries[0]["body"] == QUERY and entries[0]["prefer"] == "stages=2"
        assert entries[0]["namespace"] == "team-a" and entries[0]["execution_id"].startswith(
            "exec_"
        )
        assert len((await client.get("/_mock/journal?limit=1")).json()["entries"]) == 1
        assert (await client.delete("/_mock/journal")).status_code == 204
        assert (await client.get("/_mock/journal")).json()["entries"] == []


async def test_every_v1_response_carries_the_rate_limit_headers(client):
    for response in (
        await client.post(execute_path(RETRIEVER), json=QUERY),
        await client.post(execute_path(RETRIEVER), json={"bad": 1}),
        await client.post(execute_path(RETRIEVER), json=QUERY, headers={"Authorization": ""}),
    ):
        assert all(name in response.headers for name in RATE_HEADERS), response.headers


async def test_beyond_the_rate_limit_a_key_gets_429_until_the_window_resets(clock, make_app):
    app = make_app(Settings(strict=True, rate_limit=2, rate_limit_window_s=60))
    async with client_for(app) as client:
        first = await client.post(execute_path(RETRIEVER), json=QUERY)
        assert first.headers["X-RateLimit-Remaining"] == "1"
        await client.post(execute_path(RETRIEVER), json=QUERY)
        limited = await client.post(execute_path(RETRIEVER), json=QUERY)
        error = assert_envelope(limited, 429, "TooManyRequestsError")
        assert int(limited.headers["Retry-After"]) >= 1
        assert error["details"]["limit"] == 2 and error["details"]["window"] == 60
        other_key = await client.post(
            execute_path(RETRIEVER), json=QUERY, headers={"Authorization": "Bearer sk_other"}
        )
        assert other_key.status_code == 200
        clock.advance(60)
        assert (await client.post(execute_path(RETRIEVER), json=QUERY)).status_code == 200


def sse_events(text: str) -> list[dict]:
    return [
        json.loads(line[len("data: ") :]) for line in text.splitlines() if line.startswith("data: ")
    ]


async def test_streaming_answers_stage_events_then_the_documents(client):
    response = await client.post(
        execute_path("ret_catalog_discovery"), json={"inputs": {}, "stream": True}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse_events(response.text)
    kinds = [e["event_type"] for e in events]
    assert kinds == ["stage_start", "stage_complete"] * 3 + ["execution_complete"]
    final = events[-1]
    assert final["documents"] and final["pagination"]
    stored = await client.get(execution_path("ret_catalog_discovery", final["execution_id"]))
    assert stored.json()["documents"] == final["documents"]


async def test_a_failing_stream_ends_with_execution_error(client):
    response = await client.post(
        execute_path(RETRIEVER),
        json={"inputs": {}, "stream": True},
        headers={"Prefer": "outcome=failed"},
    )
    events = sse_events(response.text)
    assert events[-1]["event_type"] == "execution_error"
    assert events[-1]["error"]


async def test_health_reports_counts_and_seed(client):
    await client.post(execute_path(RETRIEVER), json=QUERY)
    assert (await client.get("/_mock/health")).json() == {
        "status": "ok",
        "executions": 1,
        "namespaces": 1,
        "seed": 42,
        "worker": os.getpid(),
    }


async def test_reset_forgets_executions_namespaces_and_queues(client):
    created = (await client.post(execute_path(RETRIEVER), json=QUERY)).json()
    await client.post("/_mock/scenarios", json={"scenarios": [{"outcome": "failed"}]})
    assert (await client.post("/_mock/reset")).status_code == 204
    assert (await client.get("/_mock/health")).json()["executions"] == 0
    assert (await client.get(execution_path(RETRIEVER, created["execution_id"]))).status_code == 404
    assert (await client.post(execute_path(RETRIEVER), json=QUERY)).json()["status"] == "completed"


async def test_the_control_api_reads_any_stored_execution(client):
    created = (await client.post(execute_path(RETRIEVER), json=QUERY)).json()
    stored = await client.get(f"/_mock/executions/{created['execution_id']}")
    assert stored.json()["documents"] == created["documents"]
    assert_envelope(await client.get("/_mock/executions/exec_none"), 404, "NotFoundError")


async def test_a_retriever_can_be_added_to_a_namespace(client):
    retriever = {
        "retriever_id": "ret_added",
        "name": "added",
        "collections": ["product-catalog"],
        "stages": [{"name": "search", "kind": "search"}],
    }
    assert (
        await client.post("/_mock/namespaces/team-a/retrievers", json=retriever)
    ).status_code == 201
    assert (await client.post(execute_path("ret_added"), json=QUERY)).status_code == 200
    assert_envelope(
        await client.post("/_mock/namespaces/team-a/retrievers", json=retriever),
        409,
        "AlreadyExistsError",
    )
    other = await client.post(
        execute_path("ret_added"), json=QUERY, headers={"X-Namespace": "team-b"}
    )
    assert_envelope(other, 404, "NotFoundError")


async def test_the_template_world_can_be_replaced(client):
    world = {
        "collections": [
            {
                "collection_id": "col_tiny",
                "name": "tiny",
                "documents": [{"payload": {"text": "hello"}}],
            }
        ],
        "retrievers": [
            {
                "retriever_id": "ret_tiny",
                "name": "tiny",
                "collections": ["tiny"],
                "stages": [{"name": "s", "kind": "search"}],
            }
        ],
    }
    replaced = await client.put("/_mock/world", content=json.dumps(world))
    assert replaced.status_code == 200, replaced.text
    assert (
        await client.post(execute_path("ret_tiny"), json={"inputs": {"query": "hello"}})
    ).status_code == 200
    assert_envelope(
        await client.put("/_mock/world", content=b"retrievers: 3"), 422, "ValidationError"
    )


async def test_adding_documents_to_an_unknown_collection_is_a_404(client):
    response = await client.post(
        "/_mock/namespaces/team-a/collections/nope/documents", json={"documents": []}
    )
    assert_envelope(response, 404, "NotFoundError")
