"""The result cache and HTTP caching of execute answers, as the real API answers them.

The same request answered again comes from the engine's result cache (``cache_hit``,
``cached_at``, ``X-Cache: HIT``); ``skip_cache`` always misses. A completed answer
carries an ``ETag`` of its result; sending it back as ``If-None-Match`` answers ``304``
with no body, no execution and no credit spent.
"""

from __future__ import annotations

import pytest

from mixpeek_toolkit.mockserver.caching import CACHE_CONTROL, etag_matches
from mixpeek_toolkit.mockserver.errors import ContractViolation
from tests.mockserver.conftest import assert_envelope, execute_path

pytestmark = pytest.mark.anyio

RETRIEVER = "ret_product_search"
QUERY = {"inputs": {"query": "espresso machine"}}
RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


async def execute(client, body=QUERY, **headers):
    return await client.post(execute_path(RETRIEVER), json=body, headers=headers)


# --- the result cache ------------------------------------------------------------------------


async def test_a_first_request_misses_and_the_same_request_then_hits(client, clock):
    first = await execute(client)
    assert first.headers["X-Cache"] == "MISS"
    assert first.json()["cache_hit"] is False and first.json()["cached_at"] is None
    computed_at = clock.now
    clock.advance(30)
    again = await execute(client)
    assert again.headers["X-Cache"] == "HIT"
    assert again.json()["cache_hit"] is True
    assert again.json()["cached_at"] == computed_at  # when the kept result was computed
    assert again.json()["documents"] == first.json()["documents"]


async def test_another_page_of_the_same_query_is_answered_from_the_cache(client):
    first = (await execute(client, {**QUERY, "pagination": {"limit": 5}})).json()
    cursor = first["pagination"]["cursor"]
    second = await execute(client, {**QUERY, "pagination": {"limit": 5, "cursor": cursor}})
    assert second.headers["X-Cache"] == "HIT"


@pytest.mark.parametrize("how", ["body", "query"])
async def test_skip_cache_always_misses(client, how):
    body, path = QUERY, execute_path(RETRIEVER)
    if how == "body":
        body = {**QUERY, "skip_cache": True}
    else:
        path += "?skip_cache=true"
    await client.post(path, json=body)
    for _ in range(2):
        response = await client.post(path, json=body)
        assert response.headers["X-Cache"] == "MISS"
        assert response.json()["cache_hit"] is False and response.json()["cached_at"] is None


async def test_a_read_back_answers_the_cache_facts_of_its_run(client):
    await execute(client)
    hit = (await execute(client)).json()
    read = (await client.get(f"/v1/retrievers/{RETRIEVER}/executions/{hit['execution_id']}")).json()
    assert (read["cache_hit"], read["cached_at"]) == (hit["cache_hit"], hit["cached_at"])


# --- ETag, Cache-Control and 304 -------------------------------------------------------------


async def test_a_completed_answer_carries_an_etag_of_its_result_not_of_the_execution(client):
    first, again = await execute(client), await execute(client)
    assert first.json()["execution_id"] != again.json()["execution_id"]
    assert first.headers["ETag"] == again.headers["ETag"]
    assert first.headers["ETag"].startswith('"')
    assert first.headers["Cache-Control"] == CACHE_CONTROL
    other = await execute(client, {"inputs": {"query": "running shoes"}})
    next_page = await execute(client, {**QUERY, "offset": 20})
    assert len({first.headers["ETag"], other.headers["ETag"], next_page.headers["ETag"]}) == 3


async def test_if_none_match_with_the_etag_answers_304_without_a_body(client):
    etag = (await execute(client)).headers["ETag"]
    response = await execute(client, **{"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["ETag"] == etag
    assert all(name in response.headers for name in RATE_HEADERS)


async def test_a_304_creates_no_execution_and_spends_no_credit(client):
    first = await execute(client)
    executions = (await client.get("/_mock/health")).json()["executions"]
    for _ in range(3):
        assert (
            await execute(client, **{"If-None-Match": first.headers["ETag"]})
        ).status_code == 304
    assert (await client.get("/_mock/health")).json()["executions"] == executions
    later = (await execute(client)).json()
    spent = later["budget"]["credits_used"]
    assert (
        later["budget"]["credits_remaining"] == first.json()["budget"]["credits_remaining"] - spent
    )
    journal = (await client.get("/_mock/journal")).json()["entries"]
    not_modified = [e for e in journal if e["status_code"] == 304]
    assert len(not_modified) == 3 and all(e["execution_id"] is None for e in not_modified)


async def test_an_etag_that_does_not_match_answers_the_execution(client):
    response = await execute(client, **{"If-None-Match": '"not-this-one"'})
    assert response.status_code == 200 and response.json()["documents"]


async def test_a_changed_world_changes_the_etag(client):
    etag = (await execute(client)).headers["ETag"]
    added = await client.post(
        "/_mock/namespaces/team-a/collections/product-catalog/documents",
        json={"documents": [{"payload": {"text": "an espresso machine"}}]},
    )
    assert added.status_code == 201
    response = await execute(client, **{"If-None-Match": etag})
    assert response.status_code == 200
    assert response.headers["ETag"] != etag


async def test_answers_without_a_settled_result_carry_no_etag(client):
    in_flight = await execute(client, Prefer="respond-async")
    failed = await execute(client, Prefer="outcome=failed")
    scroll = await execute(client, {**QUERY, "pagination": {"method": "scroll"}})
    for response in (in_flight, failed, scroll):
        assert "ETag" not in response.headers
        assert response.headers["Cache-Control"] == "no-store"
    assert (
        await execute(client, Prefer="respond-async", **{"If-None-Match": "*"})
    ).status_code == 200


async def test_a_streamed_answer_is_not_cached(client):
    response = await execute(client, {**QUERY, "stream": True}, **{"If-None-Match": "*"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert "ETag" not in response.headers and "X-Cache" not in response.headers


async def test_if_none_match_is_checked_after_the_request_is_validated(client):
    response = await execute(client, {"inputs": {"top_k": "many"}}, **{"If-None-Match": "*"})
    assert_envelope(response, 422, "ValidationError")


def test_if_none_match_compares_weakly_and_accepts_lists_and_a_star():
    etag = '"abc"'
    assert etag_matches('"abc"', etag)
    assert etag_matches('W/"abc"', etag)
    assert etag_matches('"x", W/"abc"', etag)
    assert etag_matches("*", etag)
    assert not etag_matches('"abcd"', etag)
    assert not etag_matches(None, etag)
    assert not etag_matches("*", None)


def test_strict_mode_accepts_a_bodiless_304_and_refuses_a_bodiless_200(app):
    operation = app.state.mock.contract.operations["executeRetriever"]
    operation.check_response(304, None, None)
    with pytest.raises(ContractViolation):
        operation.check_response(200, None, None)
    with pytest.raises(ContractViolation):
        operation.check_response(418, None, None)
