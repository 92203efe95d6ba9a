"""Two workers of one mock on a real Redis act as one mock: nothing is per worker.

Each test builds apps that share one Redis key prefix (``workers``): separate workers with
their own memory, so whatever one sees of another's work went through Redis. Requests run
concurrently (``asyncio.gather``) where a race could lose or double something.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from mixpeek_toolkit.mockserver.scenarios import ErrorKind
from tests.mockserver.conftest import assert_envelope, execute_path, execution_path

pytestmark = pytest.mark.anyio

SEARCH = "ret_product_search"
QUERY = {"inputs": {"query": "kettle"}}
BUDGET_EXCEEDED = ErrorKind.BUDGET_EXCEEDED.message
TINY_WORLD = {
    "collections": [
        {"collection_id": "col_tiny", "name": "tiny", "documents": [{"payload": {"text": "hi"}}]}
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


async def execute(worker, retriever: str = SEARCH, body=QUERY, **headers) -> dict:
    response = await worker.client.post(execute_path(retriever), json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def poll(worker, execution_id: str, retriever: str = SEARCH) -> dict:
    response = await worker.client.get(execution_path(retriever, execution_id))
    assert response.status_code == 200, response.text
    return response.json()


def step_of(execution: dict) -> int:
    """0 pending, 1..N processing stage k, N + 1 terminal."""
    if execution["status"] == "pending":
        return 0
    if execution["status"] == "processing":
        return execution["stages_completed"] + 1
    return execution["total_stages"] + 1


async def test_an_execution_created_on_one_worker_is_read_and_advanced_on_another(workers):
    a, b = workers(2)
    created = await execute(a, **{"Prefer": "respond-async, stages=3"})
    seen = [created]
    for worker in (b, a, b, a):
        seen.append(await poll(worker, created["execution_id"]))
    assert [step_of(e) for e in seen] == [0, 1, 2, 3, 4]
    assert seen[-1]["status"] == "completed" and seen[-1]["documents"]
    assert (await poll(b, created["execution_id"])) == (await poll(a, created["execution_id"]))


async def test_polls_at_the_same_time_on_two_workers_each_advance_it_once(workers):
    a, b = workers(2)
    created = await execute(a, **{"Prefer": "respond-async, stages=5"})
    polls = [poll(worker, created["execution_id"]) for worker in (a, b) * 3]
    answered = await asyncio.gather(*polls)
    assert sorted(step_of(e) for e in answered) == [1, 2, 3, 4, 5, 6]


async def test_the_last_credit_is_spent_once_across_workers(workers):
    a, b = workers(2, credits_per_namespace=5.0)  # 10 executions of 0.5 credits
    answers = await asyncio.gather(*(execute(w) for w in (a, b) * 15))
    completed = [e for e in answers if e["status"] == "completed"]
    refused = [e for e in answers if e["status"] == "failed"]
    assert len(completed) == 10 and len(refused) == 20
    assert all(e["error"] == BUDGET_EXCEEDED for e in refused)
    assert sorted(e["budget"]["credits_remaining"] for e in completed) == [
        0.5 * n for n in range(10)
    ]
    assert (await execute(b))["budget"]["credits_remaining"] == 0.0


async def test_each_queued_scenario_is_taken_exactly_once(workers):
    a, b = workers(2)
    scenarios = [{"outcome": "failed", "error": f"scenario {n}"} for n in range(10)]
    queued = await a.client.post("/_mock/scenarios", json={"scenarios": scenarios})
    assert queued.json() == {"queued": 10}
    answers = await asyncio.gather(*(execute(w) for w in (a, b) * 12))
    errors = sorted(e["error"] for e in answers if e["status"] == "failed")
    assert errors == sorted(s["error"] for s in scenarios)
    assert sum(e["status"] == "completed" for e in answers) == 14


async def test_queued_scenarios_are_taken_first_in_first_out_by_any_worker(workers):
    a, b = workers(2)
    body = {"namespace": "team-a", "retriever": SEARCH, "scenarios": [{"error": "one"}]}
    await a.client.post("/_mock/scenarios", json=body)
    await b.client.post("/_mock/scenarios", json={**body, "scenarios": [{"error": "two"}]})
    assert (await execute(b, "ret_support_kb", {"inputs": {"query": "x"}}))["status"] != "failed"
    assert [(await execute(w))["error"] for w in (b, a, b)] == ["one", "two", None]


async def test_the_rate_limit_of_a_key_counts_requests_on_every_worker(workers):
    a, b = workers(2, rate_limit=5, rate_limit_window_s=60)
    answers = []
    for worker in (a, b) * 4:
        answers.append(await worker.client.post(execute_path(SEARCH), json=QUERY))
    assert [r.status_code for r in answers] == [200] * 5 + [429] * 3
    assert [int(r.headers["X-RateLimit-Remaining"]) for r in answers[:5]] == [4, 3, 2, 1, 0]
    assert_envelope(answers[-1], 429, "TooManyRequestsError")
    assert int(answers[-1].headers["Retry-After"]) >= 1


async def test_the_journal_is_one_for_every_worker_and_bounded(workers):
    a, b = workers(2, journal_size=4)
    for worker in (a, b, a, b, a, b):
        await execute(worker)
    entries = (await a.client.get("/_mock/journal")).json()["entries"]
    assert [e["seq"] for e in entries] == [3, 4, 5, 6]
    assert entries == (await b.client.get("/_mock/journal")).json()["entries"]
    assert (await b.client.delete("/_mock/journal")).status_code == 204
    assert (await a.client.get("/_mock/journal")).json()["entries"] == []
    await execute(a)
    [entry] = (await b.client.get("/_mock/journal")).json()["entries"]
    assert entry["seq"] == 7 and entry["body"] == QUERY and entry["namespace"] == "team-a"


async def test_documents_and_retrievers_added_on_one_worker_are_seen_by_every_worker(workers):
    a, b = workers(2)
    path = "/_mock/namespaces/team-a/collections/product-catalog/documents"
    document = {"document_id": "doc_zebra", "payload": {"text": "a zebra striped kettle"}}
    assert (await b.client.post(path, json={"documents": [document]})).status_code == 201
    retriever = {
        "retriever_id": "ret_added",
        "name": "added",
        "collections": ["product-catalog"],
        "stages": [{"name": "search", "kind": "search"}],
    }
    added = await b.client.post("/_mock/namespaces/team-a/retrievers", json=retriever)
    assert added.status_code == 201
    found = await execute(a, "ret_added", {"inputs": {"query": "zebra"}})
    assert found["documents"][0]["document_id"] == "doc_zebra"
    assert_envelope(
        await a.client.post(path, json={"documents": [document]}), 409, "AlreadyExistsError"
    )
    assert_envelope(
        await a.client.post(execute_path("ret_added"), json=QUERY, headers={"X-Namespace": "b"}),
        404,
        "NotFoundError",
    )


async def test_changes_made_at_once_on_two_workers_are_all_kept_in_one_order(workers):
    a, b = workers(2)
    path = "/_mock/namespaces/team-a/collections/product-catalog/documents"

    async def add(worker, n: int) -> int:
        document = {"document_id": f"doc_new_{n}", "payload": {"text": f"new kettle {n}"}}
        response = await worker.client.post(path, json={"documents": [document]})
        assert response.status_code == 201, response.text
        return n

    before = await a.client.get("/_mock/world?namespace=team-a")
    await asyncio.gather(*(add(w, n) for n, w in enumerate((a, b) * 5)))
    worlds = [(await w.client.get("/_mock/world?namespace=team-a")).json() for w in (a, b)]
    assert worlds[0] == worlds[1]
    count = {c["name"]: c["document_count"] for c in before.json()["collections"]}
    after = {c["name"]: c["document_count"] for c in worlds[0]["collections"]}
    assert after["product-catalog"] == count["product-catalog"] + 10
    body = {"inputs": {"query": "new kettle", "top_k": 20}}
    assert (await execute(a, body=body))["documents"] == (await execute(b, body=body))["documents"]


async def test_a_replaced_template_world_reaches_every_worker_with_the_same_etag(workers):
    a, b = workers(2)
    replaced = await a.client.put("/_mock/world", content=json.dumps(TINY_WORLD))
    assert replaced.status_code == 200, replaced.text
    assert [
        r["retriever_id"] for r in (await b.client.get("/_mock/world")).json()["retrievers"]
    ] == ["ret_tiny"]
    body = {"inputs": {"query": "hi"}}
    first = await b.client.post(execute_path("ret_tiny"), json=body)
    assert first.status_code == 200 and first.headers["ETag"]
    again = await a.client.post(
        execute_path("ret_tiny"), json=body, headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304


async def test_a_reset_on_one_worker_resets_the_whole_mock(workers):
    a, b = workers(2)
    created = await execute(a)
    await a.client.post("/_mock/scenarios", json={"scenarios": [{"outcome": "failed"}]})
    path = "/_mock/namespaces/team-a/collections/product-catalog/documents"
    await b.client.post(path, json={"documents": [{"payload": {"text": "zebra"}}]})
    assert (await b.client.post("/_mock/reset")).status_code == 204
    health = (await a.client.get("/_mock/health")).json()
    assert (health["executions"], health["namespaces"]) == (0, 0)
    assert (await a.client.get("/_mock/journal")).json()["entries"] == []
    assert_envelope(
        await a.client.get(execution_path(SEARCH, created["execution_id"])), 404, "NotFoundError"
    )
    fresh = await execute(a, body={"inputs": {"query": "zebra"}})
    assert fresh["status"] == "completed"  # the queued failure is gone
    assert fresh["budget"]["credits_remaining"] == 999.5  # the budget is full again
    assert all("zebra" not in json.dumps(d["payload"]) for d in fresh["documents"])


async def test_ids_are_unique_across_workers_and_the_documents_the_same(workers):
    a, b = workers(2)
    answers = await asyncio.gather(*(execute(w) for w in (a, b) * 25))
    assert len({e["execution_id"] for e in answers}) == 50
    assert all(
        e["execution_id"].startswith("exec_") and len(e["execution_id"]) == 29 for e in answers
    )
    assert len({json.dumps(e["documents"]) for e in answers}) == 1


async def test_a_cursor_from_one_worker_turns_the_page_on_another(workers):
    a, b = workers(2)
    body = {
        "inputs": {"query": "kettle", "top_k": 9},
        "pagination": {"method": "cursor", "limit": 3},
    }
    seen, worker = [], a
    while True:
        page = await execute(worker, body=body)
        seen += [d["document_id"] for d in page["documents"]]
        cursor = page["pagination"].get("cursor") or page["pagination"].get("next_cursor")
        if not page["pagination"]["has_next"]:
            break
        body = {**body, "pagination": {"method": "cursor", "limit": 3, "cursor": cursor}}
        worker = b if worker is a else a
    assert len(seen) == len(set(seen)) == 9


async def test_namespaces_are_bounded_least_recently_used_first_across_workers(workers):
    a, b = workers(2, max_namespaces=2)
    for worker, namespace in ((a, "a"), (b, "b"), (b, "a"), (a, "c")):
        await execute(worker, **{"X-Namespace": namespace})
    assert (await b.client.get("/_mock/health")).json()["namespaces"] == 2
    # "a" kept what it spent; "b" was forgotten with its budget.
    assert (await execute(b, **{"X-Namespace": "a"}))["budget"]["credits_remaining"] == 998.5
    assert (await execute(a, **{"X-Namespace": "b"}))["budget"]["credits_remaining"] == 999.5


async def test_every_key_carries_the_prefix_is_bounded_and_expires(workers, redis_server, prefix):
    import redis.asyncio

    a, b = workers(2, max_executions=3, journal_size=2, redis_ttl_s=600)
    for worker in (a, b, a, b, a):
        await execute(worker, **{"Prefer": "respond-async"})
    await a.client.post("/_mock/scenarios", json={"scenarios": [{"error": "x"}] * 2})
    await b.client.post(
        "/_mock/namespaces/team-a/collections/product-catalog/documents",
        json={"documents": [{"payload": {"text": "x"}}]},
    )
    await a.client.put("/_mock/world", content=json.dumps(TINY_WORLD))
    await execute(b, "ret_tiny", {"inputs": {"query": "hi"}})
    client = redis.asyncio.Redis.from_url(redis_server.url, decode_responses=True)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        ttls = {key: await client.ttl(key) for key in keys}
        assert ttls and all(0 < ttl <= 600 for ttl in ttls.values()), ttls
        assert sum(key.startswith(f"{prefix}exec:") for key in keys) <= 3
        assert await client.llen(f"{prefix}execs") <= 3
        assert await client.llen(f"{prefix}journal") == 2
    finally:
        await client.aclose()
