"""The world, the engine's semantics through HTTP, pagination and the namespace budget."""

from __future__ import annotations

import itertools

import httpx
import pytest

from mixpeek_toolkit.mockserver import Settings
from tests.mockserver.conftest import AUTH, assert_envelope, execute_path, execution_path

pytestmark = pytest.mark.anyio
BOTH_STORES = True  # each test that builds an app runs on memory and on Redis

RETRIEVER = "ret_product_search"


async def test_the_world_lists_retrievers_and_collections(client):
    world = (await client.get("/_mock/world")).json()
    ids = [r["retriever_id"] for r in world["retrievers"]]
    assert RETRIEVER in ids
    retriever = world["retrievers"][ids.index(RETRIEVER)]
    assert {"name", "description", "collections", "inputs", "stages"} <= set(retriever)
    assert all(c["document_count"] > 0 for c in world["collections"])


async def test_an_unknown_collection_fails_the_execution_with_200(client):
    response = await client.post(
        execute_path(RETRIEVER),
        json={"inputs": {"query": "x"}, "collection_identifiers": ["col_nope"]},
    )
    assert response.status_code == 200
    assert response.json()["status"] == "failed"
    assert response.json()["error"] == "Retriever execution failed: Collection not found"


async def test_collection_names_and_ids_both_resolve(client):
    body = {
        "inputs": {"query": "espresso"},
        "collection_identifiers": ["product-catalog", "col_product_catalog"],
    }
    assert (await client.post(execute_path(RETRIEVER), json=body)).json()["status"] == "completed"


async def test_relevance_top_k_and_min_score_shape_the_result(client):
    body = {"inputs": {"query": "espresso machine", "top_k": 5, "min_score": 0.01}}
    execution = (await client.post(execute_path(RETRIEVER), json=body)).json()
    documents = execution["documents"]
    assert 0 < len(documents) <= 5
    scores = [d["score"] for d in documents]
    assert scores == sorted(scores, reverse=True) and min(scores) >= 0.01
    assert "espresso" in documents[0]["payload"]["text"].lower()


async def test_filters_keep_only_matching_documents(client):
    body = {
        "inputs": {"query": "coffee"},
        "filters": {"AND": [{"field": "metadata.in_stock", "operator": "eq", "value": True}]},
    }
    execution = (await client.post(execute_path(RETRIEVER), json=body)).json()
    assert execution["documents"]
    assert all(d["payload"]["metadata"]["in_stock"] is True for d in execution["documents"])


async def test_an_invalid_filter_is_a_422(client):
    body = {
        "inputs": {"query": "coffee"},
        "filters": {"AND": [{"field": "metadata.year", "operator": "in", "value": 3}]},
    }
    error = assert_envelope(
        await client.post(execute_path(RETRIEVER), json=body), 422, "ValidationError"
    )
    assert error["details"]["validation_errors"][0]["location"][:2] == ["body", "filters"]


async def test_stage_statistics_chain_and_add_up(client):
    execution = (
        await client.post(execute_path("ret_catalog_discovery"), json={"inputs": {}})
    ).json()
    stats = execution["stage_statistics"]
    stages = list(stats["stages"].values())
    assert len(stages) == 3
    for before, after in itertools.pairwise(stages):
        assert after["input_count"] == before["output_count"]
    assert sum(s["duration_ms"] for s in stages) == pytest.approx(stats["total_time_ms"])


async def test_walking_cursor_pages_sees_each_document_once(client):
    seen: list[str] = []
    pagination = {"method": "cursor", "limit": 7}
    body = {"inputs": {"query": "coffee", "top_k": 30}}
    for _ in range(10):
        page = (
            await client.post(execute_path(RETRIEVER), json={**body, "pagination": pagination})
        ).json()
        seen += [d["document_id"] for d in page["documents"]]
        if not page["pagination"]["has_next"]:
            break
        pagination = {"method": "cursor", "limit": 7, "cursor": page["pagination"]["cursor"]}
    assert len(seen) == len(set(seen)) == page["pagination"]["total"]


async def test_an_altered_cursor_is_a_400(client):
    body = {"inputs": {"query": "coffee"}, "pagination": {"method": "cursor", "limit": 2}}
    cursor = (await client.post(execute_path(RETRIEVER), json=body)).json()["pagination"]["cursor"]
    forged = {**body, "pagination": {"method": "cursor", "limit": 2, "cursor": cursor[:-2] + "xx"}}
    assert_envelope(await client.post(execute_path(RETRIEVER), json=forged), 400, "BadRequestError")


async def test_reading_an_execution_later_answers_the_page_it_produced(client):
    body = {
        "inputs": {"query": "coffee"},
        "pagination": {"method": "offset", "page_size": 3, "page_number": 2},
    }
    created = (await client.post(execute_path(RETRIEVER), json=body)).json()
    read = (await client.get(execution_path(RETRIEVER, created["execution_id"]))).json()
    assert read["documents"] == created["documents"]
    assert read["pagination"]["page_number"] == 2


async def test_each_execution_costs_credits_and_reports_them(client):
    first = (await client.post(execute_path(RETRIEVER), json={"inputs": {}})).json()
    second = (await client.post(execute_path(RETRIEVER), json={"inputs": {}})).json()
    assert first["budget"]["credits_used"] == 0.5
    assert first["budget"]["credits_remaining"] == 999.5
    assert second["budget"]["credits_remaining"] == 999.0


async def test_once_credits_are_spent_executions_fail_and_cost_nothing(clock, make_app):
    app = make_app(Settings(strict=True, credits_per_namespace=1.0))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://m", headers=AUTH) as client:
        statuses = []
        for _ in range(3):
            execution = (await client.post(execute_path(RETRIEVER), json={"inputs": {}})).json()
            statuses.append(execution["status"])
        assert statuses == ["completed", "completed", "failed"]
        assert execution["error"] == "Budget exceeded: Maximum credits limit reached"
        assert execution["budget"] == {
            "credits_used": 0.0,
            "credits_remaining": 0.0,
            "time_used_ms": 0.0,
        }
        other = await client.post(
            execute_path(RETRIEVER), json={"inputs": {}}, headers={"X-Namespace": "fresh"}
        )
        assert other.json()["status"] == "completed"


async def test_the_same_request_answers_the_same_documents_whatever_came_before(
    client, clock, make_app
):
    body = {"inputs": {"query": "kettle"}}
    first = (await client.post(execute_path(RETRIEVER), json=body)).json()
    await client.post(execute_path(RETRIEVER), json={"inputs": {"query": "something else"}})
    again = (await client.post(execute_path(RETRIEVER), json=body)).json()
    assert again["documents"] == first["documents"]
    other_app = make_app(Settings(seed=42, strict=True))
    transport = httpx.ASGITransport(app=other_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://m", headers=AUTH) as other:
        elsewhere = (await other.post(execute_path(RETRIEVER), json=body)).json()
    assert elsewhere["documents"] == first["documents"]
    assert elsewhere["stage_statistics"] == first["stage_statistics"]
