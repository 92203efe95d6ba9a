"""Executions are completed, failed or in flight, and only ever move forward."""

from __future__ import annotations

import pytest

from mixpeek_toolkit.mockserver import Settings
from tests.mockserver.conftest import AUTH, execute_path, execution_path

pytestmark = pytest.mark.anyio
BOTH_STORES = True  # each test that builds an app runs on memory and on Redis

RETRIEVER = "ret_catalog_discovery"  # three stages
QUERY = {"inputs": {"query": "travel mug"}}
IN_FLIGHT = ("pending", "processing")


async def start(client, prefer: str | None = None, body=QUERY) -> dict:
    headers = {"Prefer": prefer} if prefer else {}
    response = await client.post(execute_path(RETRIEVER), json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def poll(client, execution_id: str) -> dict:
    response = await client.get(execution_path(RETRIEVER, execution_id))
    assert response.status_code == 200, response.text
    return response.json()


def assert_in_flight_shape(execution: dict) -> None:
    assert execution["status"] in IN_FLIGHT
    assert execution["documents"] == []
    assert execution["completed_at"] is None
    assert execution["error"] is None
    assert 0 <= execution["stages_completed"] <= execution["total_stages"]


async def test_an_execution_completes_at_once_by_default(client):
    execution = await start(client)
    assert execution["status"] == "completed"
    assert execution["documents"]
    assert execution["completed_at"] is not None and execution["current_stage"] is None
    assert execution["stages_completed"] == execution["total_stages"] == 3
    assert execution["error"] is None


async def test_an_in_flight_execution_advances_one_stage_per_poll(client):
    execution = await start(client, "respond-async")
    assert_in_flight_shape(execution)
    assert execution["status"] == "pending" and execution["current_stage"] is None
    seen = []
    for _ in range(3):
        execution = await poll(client, execution["execution_id"])
        assert_in_flight_shape(execution)
        assert execution["status"] == "processing"
        seen.append((execution["current_stage"], execution["stages_completed"]))
    assert seen == [
        ("semantic_search", 0),
        ("attribute_filter", 1),
        ("cross_encoder_rerank", 2),
    ]
    execution = await poll(client, execution["execution_id"])
    assert execution["status"] == "completed"
    assert execution["documents"] and execution["stages_completed"] == 3


async def test_processing_starts_one_step_further_than_pending(client):
    execution = await start(client, "outcome=processing")
    assert execution["status"] == "processing"
    assert execution["current_stage"] == "semantic_search"


async def test_in_flight_statistics_show_only_the_stages_done(client):
    execution = await start(client, "respond-async")
    for _ in range(3):
        execution = await poll(client, execution["execution_id"])
    stages = execution["stage_statistics"]["stages"]
    assert list(stages) == ["semantic_search", "attribute_filter"]


async def test_terminal_states_never_change_and_answer_exactly_their_documents(client):
    first = await start(client)
    reads = [await poll(client, first["execution_id"]) for _ in range(3)]
    for read in reads:
        assert read["status"] == "completed"
        assert read["documents"] == first["documents"]
        assert read["pagination"] == first["pagination"]
        assert read["completed_at"] == first["completed_at"]


async def test_a_failed_execution_carries_its_error_and_no_documents(client):
    execution = await start(client, 'outcome=failed, error="Stage exploded"')
    assert execution["status"] == "failed"
    assert execution["error"] == "Stage exploded"
    assert execution["documents"] == []
    assert (await poll(client, execution["execution_id"]))["status"] == "failed"


async def test_an_in_flight_execution_may_end_failed(client):
    execution = await start(client, "respond-async, outcome=failed")
    statuses = []
    for _ in range(5):
        execution = await poll(client, execution["execution_id"])
        statuses.append(execution["status"])
        assert (execution["error"] is not None) == (execution["status"] == "failed")
    assert statuses == ["processing", "processing", "processing", "failed", "failed"]


async def test_pending_failed_and_completed_states_never_move_backwards(client):
    order = {"pending": 0, "processing": 1, "completed": 2, "failed": 2}
    execution = await start(client, "respond-async, stages=5")
    previous = (order[execution["status"]], execution["stages_completed"])
    for _ in range(8):
        execution = await poll(client, execution["execution_id"])
        current = (order[execution["status"]], execution["stages_completed"])
        assert current >= previous
        previous = current
    assert execution["status"] == "completed" and execution["total_stages"] == 5


async def test_in_clock_mode_executions_advance_with_time_not_reads(clock, make_app):
    settings = Settings(strict=True, progression="clock", stage_duration_ms=100)
    app = make_app(settings)
    import httpx

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://mock", headers=AUTH
    ) as client:
        execution = await start(client, "respond-async")
        execution_id = execution["execution_id"]
        assert (await poll(client, execution_id))["status"] == "pending"
        assert (await poll(client, execution_id))["status"] == "pending"
        clock.advance(0.15)
        assert (await poll(client, execution_id))["current_stage"] == "semantic_search"
        clock.advance(0.2)
        assert (await poll(client, execution_id))["current_stage"] == "cross_encoder_rerank"
        clock.advance(10)
        done = await poll(client, execution_id)
        assert done["status"] == "completed"
        assert done["completed_at"] is not None


async def test_execution_ids_are_exec_tokens_and_unique(client):
    ids = {(await start(client))["execution_id"] for _ in range(20)}
    assert len(ids) == 20
    assert all(i.startswith("exec_") and i[5:].isalnum() for i in ids)
