"""Scenarios: the Prefer header (RFC 7240), queued scenarios and chaos rates."""

from __future__ import annotations

import httpx
import pytest

from mixpeek_toolkit.mockserver import Settings
from mixpeek_toolkit.mockserver.errors import InvalidPreference
from mixpeek_toolkit.mockserver.scenarios import ErrorKind, Outcome, Scenario, ScenarioParser
from tests.mockserver.conftest import AUTH, assert_envelope, execute_path

pytestmark = pytest.mark.anyio
BOTH_STORES = True  # each test that builds an app runs on memory and on Redis

RETRIEVER = "ret_product_search"
QUERY = {"inputs": {"query": "kettle"}}
PARSER = ScenarioParser([400, 401, 403, 404, 409, 422, 429, 500, 503])


def prefer(*headers: str) -> Scenario | None:
    return PARSER.from_prefer(headers)


def test_the_prefer_header_is_parsed_into_a_typed_frozen_scenario():
    scenario = prefer('respond-async, outcome=failed; foo=bar, error="Stage a, then b", stages=4')
    assert scenario == Scenario(
        outcome=Outcome.FAILED, respond_async=True, error="Stage a, then b", stages=4
    )
    with pytest.raises(AttributeError):
        scenario.stages = 1  # type: ignore[misc]


def test_several_prefer_headers_add_up_and_unknown_preferences_are_ignored():
    scenario = prefer("handling=lenient, wait=10", "error-kind=collection_not_found", "latency=250")
    assert scenario == Scenario(error_kind=ErrorKind.COLLECTION_NOT_FOUND, latency_ms=250)
    assert scenario.failure_message == "Retriever execution failed: Collection not found"
    assert prefer("return=minimal") is None


@pytest.mark.parametrize(
    "header",
    [
        "outcome=maybe",
        "stages=0",
        "stages=21",
        "latency=-1",
        "status=418",
        "status=abc",
        'error=""',
    ],
)
def test_a_known_preference_with_a_malformed_value_is_refused(header):
    with pytest.raises(InvalidPreference):
        prefer(header)


async def test_a_malformed_known_preference_answers_400(client):
    response = await client.post(
        execute_path(RETRIEVER), json=QUERY, headers={"Prefer": "stages=99"}
    )
    error = assert_envelope(response, 400, "BadRequestError")
    assert "stages" in error["message"]


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (400, "BadRequestError"),
        (401, "UnauthorizedError"),
        (403, "ForbiddenError"),
        (404, "NotFoundError"),
        (422, "ValidationError"),
        (500, "InternalServerError"),
        (503, "ServiceUnavailableError"),
    ],
)
async def test_a_forced_status_answers_the_envelope(client, status, error_type):
    response = await client.post(
        execute_path(RETRIEVER), json=QUERY, headers={"Prefer": f"status={status}"}
    )
    assert_envelope(response, status, error_type)


async def test_forced_statuses_are_the_error_statuses_the_spec_declares(app):
    declared = app.state.mock.contract.operations["executeRetriever"].error_statuses
    assert app.state.mock.parser.allowed_statuses == declared
    assert {400, 401, 404, 422, 429, 500, 503} <= set(declared)


async def test_a_forced_429_carries_retry_after_and_rate_limit_details(client):
    response = await client.post(
        execute_path(RETRIEVER), json=QUERY, headers={"Prefer": "status=429, retry-after=7"}
    )
    error = assert_envelope(response, 429, "TooManyRequestsError")
    assert response.headers["Retry-After"] == "7"
    assert error["details"] == {"limit": 600, "window": 60, "retry_after": 7}
    for header in (
        "X-RateLimit-Limit",
        "X-RateLimit-Remaining",
        "X-RateLimit-Reset",
        "X-RateLimit-Window",
    ):
        assert header in response.headers


async def test_a_forced_503_carries_retry_after(client):
    response = await client.post(
        execute_path(RETRIEVER), json=QUERY, headers={"Prefer": "status=503"}
    )
    assert_envelope(response, 503, "ServiceUnavailableError")
    assert response.headers["Retry-After"] == "1"


async def test_latency_is_added_before_answering(client, clock):
    await client.post(execute_path(RETRIEVER), json=QUERY, headers={"Prefer": "latency=250"})
    assert clock.slept == [0.25]


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("budget_exceeded", "Budget exceeded: Maximum credits limit reached"),
        ("timeout", "Retriever execution failed: Stage 'rerank' timed out"),
    ],
)
async def test_error_kind_picks_a_canned_failure(client, kind, message):
    response = await client.post(
        execute_path(RETRIEVER), json=QUERY, headers={"Prefer": f"error-kind={kind}"}
    )
    assert response.json()["status"] == "failed"
    assert response.json()["error"] == message


async def test_queued_scenarios_are_taken_first_in_first_out(client):
    queued = await client.post(
        "/_mock/scenarios",
        json={"scenarios": [{"outcome": "failed", "error": "first"}, {"status": 503}]},
    )
    assert queued.status_code == 201
    first = await client.post(execute_path(RETRIEVER), json=QUERY)
    assert first.json()["error"] == "first"
    assert_envelope(
        await client.post(execute_path(RETRIEVER), json=QUERY), 503, "ServiceUnavailableError"
    )
    assert (await client.post(execute_path(RETRIEVER), json=QUERY)).json()["status"] == "completed"


async def test_queued_scenarios_can_target_a_namespace_and_a_retriever(client):
    await client.post(
        "/_mock/scenarios",
        json={
            "namespace": "team-b",
            "retriever": "product-search",
            "scenarios": [{"outcome": "failed"}],
        },
    )
    assert (await client.post(execute_path(RETRIEVER), json=QUERY)).json()["status"] == "completed"
    other = await client.post(
        execute_path(RETRIEVER), json=QUERY, headers={"X-Namespace": "team-b"}
    )
    assert other.json()["status"] == "failed"


async def test_a_prefer_header_wins_over_the_queue(client):
    await client.post("/_mock/scenarios", json={"scenarios": [{"outcome": "failed"}]})
    forced = await client.post(
        execute_path(RETRIEVER), json=QUERY, headers={"Prefer": "outcome=completed"}
    )
    assert forced.json()["status"] == "completed"


async def test_queued_scenarios_can_be_cleared(client):
    await client.post("/_mock/scenarios", json={"scenarios": [{"outcome": "failed"}]})
    assert (await client.delete("/_mock/scenarios")).status_code == 204
    assert (await client.post(execute_path(RETRIEVER), json=QUERY)).json()["status"] == "completed"


@pytest.mark.parametrize(
    "body",
    [
        {"scenarios": []},
        {"scenarios": [{"outcome": "sideways"}]},
        {"scenarios": [{"stages": "3"}]},
        {"x": 1},
    ],
)
async def test_malformed_queued_scenarios_are_a_422(client, body):
    assert_envelope(await client.post("/_mock/scenarios", json=body), 422, "ValidationError")


async def test_chaos_rates_draw_outcomes_deterministically_per_request(clock, make_app):
    settings = Settings(seed=7, strict=True, failure_rate=0.3, in_flight_rate=0.3)
    outcomes = []
    for _ in range(2):
        app = make_app(settings)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://m", headers=AUTH
        ) as client:
            statuses = []
            for n in range(30):
                body = {"inputs": {"query": f"query number {n}"}}
                statuses.append(
                    (await client.post(execute_path(RETRIEVER), json=body)).json()["status"]
                )
            outcomes.append(statuses)
    assert outcomes[0] == outcomes[1]
    assert {"completed", "failed", "pending"} <= set(outcomes[0])
