"""``degraded``: the run finished but skipped something. Terminal, not an error.

A scenario asks for it (``Prefer: outcome=degraded`` or a queued scenario), or the
chaos rate ``degraded_rate`` draws it. Its documents are usable, ``error`` is null and
``degraded`` lists what was skipped and what to do about it.
"""

from __future__ import annotations

import httpx
import pytest

from mixpeek_toolkit.mockserver import Settings, create_app
from mixpeek_toolkit.mockserver.scenarios import Outcome, Scenario, ScenarioParser
from tests.mockserver.conftest import AUTH, execute_path, execution_path
from tests.mockserver.test_state_limits_stream_control import sse_events

pytestmark = pytest.mark.anyio

TWO_COLLECTIONS = "ret_catalog_discovery"  # products and media
ONE_COLLECTION = "ret_product_search"
DEGRADED = {"Prefer": "outcome=degraded"}


async def execute(client, retriever, body=None, **headers) -> dict:
    response = await client.post(
        execute_path(retriever), json=body or {"inputs": {}}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_outcome_degraded_is_a_preference():
    parsed = ScenarioParser([400]).from_prefer(["respond-async, outcome=degraded"])
    assert parsed == Scenario(outcome=Outcome.DEGRADED, respond_async=True)


async def test_a_degraded_execution_skips_a_collection_and_says_so(client):
    complete = await execute(client, TWO_COLLECTIONS)
    degraded = await execute(client, TWO_COLLECTIONS, **DEGRADED)
    assert degraded["status"] == "degraded" and degraded["error"] is None
    [entry] = degraded["degraded"]
    assert entry == {
        "resource": "collection",
        "id": "col_media_assets",
        "reason": "Collection 'media-assets' did not answer in time; its documents are "
        "missing from the result.",
        "next_step": "Retry the execution, or leave the collection out with "
        "collection_identifiers.",
        "stage": "semantic_search",
    }
    assert degraded["documents"]  # usable documents, none from the skipped collection
    assert {d["collection_id"] for d in degraded["documents"]} == {"col_product_catalog"}
    searched = [
        run["stage_statistics"]["stages"]["semantic_search"]["input_count"]
        for run in (complete, degraded)
    ]
    assert searched == [160 + 100, 160]  # products and media, then products only
    assert degraded["stages_completed"] == degraded["total_stages"]
    assert degraded["completed_at"] is not None
    assert degraded["budget"]["credits_used"] == 1.5  # it ran: it costs what a run costs


async def test_with_one_collection_the_semantic_model_is_what_was_skipped(client):
    complete = await execute(client, ONE_COLLECTION)
    degraded = await execute(client, ONE_COLLECTION, **DEGRADED)
    [entry] = degraded["degraded"]
    assert entry["resource"] == "inference_service" and entry["id"] is None
    assert entry["next_step"]
    assert degraded["documents"] == complete["documents"]


async def test_a_completed_execution_has_no_degraded_list(client):
    assert "degraded" not in await execute(client, TWO_COLLECTIONS)


async def test_an_in_flight_execution_may_end_degraded_and_reads_back_the_same(client):
    started = await execute(client, TWO_COLLECTIONS, Prefer="respond-async, outcome=degraded")
    path = execution_path(TWO_COLLECTIONS, started["execution_id"])
    statuses = [started["status"]]
    while statuses[-1] in ("pending", "processing"):
        read = (await client.get(path)).json()
        assert read["status"] == "degraded" or "degraded" not in read
        statuses.append(read["status"])
    assert statuses == ["pending", "processing", "processing", "processing", "degraded"]
    again = (await client.get(path)).json()
    assert again == read
    assert again["degraded"][0]["id"] == "col_media_assets"


async def test_a_queued_scenario_can_ask_for_degraded(client):
    queued = await client.post(
        "/_mock/scenarios",
        json={"retriever": TWO_COLLECTIONS, "scenarios": [{"outcome": "degraded"}]},
    )
    assert queued.status_code == 201
    assert (await execute(client, TWO_COLLECTIONS))["status"] == "degraded"
    assert (await execute(client, TWO_COLLECTIONS))["status"] == "completed"


async def test_a_degraded_stream_ends_with_execution_complete(client):
    response = await client.post(
        execute_path(TWO_COLLECTIONS), json={"inputs": {}, "stream": True}, headers=DEGRADED
    )
    events = sse_events(response.text)
    assert [e["event_type"] for e in events] == ["stage_start", "stage_complete"] * 3 + [
        "execution_complete"
    ]
    final = events[-1]
    assert final["documents"] and final["degraded"][0]["resource"] == "collection"
    stored = await client.get(execution_path(TWO_COLLECTIONS, final["execution_id"]))
    assert stored.json()["status"] == "degraded"


async def test_the_degraded_rate_draws_degraded_outcomes_deterministically(clock):
    settings = Settings(seed=11, strict=True, degraded_rate=0.4, failure_rate=0.2)
    runs = []
    for _ in range(2):
        app = create_app(settings, clock=clock, sleep=clock.sleep)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://m", headers=AUTH) as c:
            runs.append(
                [
                    (await execute(c, TWO_COLLECTIONS, {"inputs": {"query": f"theme {n}"}}))[
                        "status"
                    ]
                    for n in range(30)
                ]
            )
    assert runs[0] == runs[1]
    assert {"completed", "failed", "degraded"} == set(runs[0])


def test_the_chaos_rates_together_must_not_exceed_one():
    with pytest.raises(ValueError, match="degraded_rate"):
        Settings(failure_rate=0.5, in_flight_rate=0.3, degraded_rate=0.3)
    with pytest.raises(ValueError, match="degraded_rate"):
        Settings(degraded_rate=1.5)


def test_the_pytest_handle_queues_a_degraded_execution(mixpeek_mock_asgi):
    mixpeek_mock_asgi.queue_degraded(retriever=TWO_COLLECTIONS)
    response = mixpeek_mock_asgi.client.post(execute_path(TWO_COLLECTIONS), json={"inputs": {}})
    assert response.json()["status"] == "degraded"
    assert response.json()["degraded"][0]["id"] == "col_media_assets"
