"""A request sent again is not checked again, and is answered exactly as the first time.

The mock keeps each execute request it accepted, parsed and checked, under the bytes
that decide it: the path's retriever id, the query string and the body. The same
bytes sent again go straight to the execution. This changes nothing a client can see:
the same sequence of requests, sent to a mock that keeps nothing, gets the same
answers byte for byte, and the same journal. A refused request is never kept, and a
large body neither.
"""

from __future__ import annotations

import json

import httpx
import pytest

from mixpeek_toolkit.generated.models import ExecuteRetrieverRequest
from mixpeek_toolkit.mockserver import Settings
from mixpeek_toolkit.mockserver.caching import entity_tag
from mixpeek_toolkit.mockserver.edge import JOURNALED_BODY_BYTES
from mixpeek_toolkit.mockserver.paging import request_fingerprint
from mixpeek_toolkit.mockserver.prepared import (
    PREPARED_BODY_BYTES,
    PreparedRequests,
    prepared_from_model,
)
from tests.mockserver.conftest import AUTH, execute_path

pytestmark = pytest.mark.anyio

RETRIEVER = "ret_product_search"
QUERY = {"inputs": {"query": "wireless headphones", "top_k": 5}}
HEADERS_COMPARED = ("content-type", "etag", "cache-control", "x-cache", "x-ratelimit-remaining")

# (path suffix, raw body[, Prefer]): repeats, switches in the query string, refusals, odd
# bodies, scripted outcomes (the entity tag depends on them).
SEQUENCE: list[tuple[str, ...]] = [
    ("", json.dumps(QUERY)),
    ("", json.dumps(QUERY)),
    ("?explain=true", json.dumps(QUERY)),
    ("?explain=true", json.dumps(QUERY)),
    ("", json.dumps({"inputs": {"query": "wireless headphones", "top_k": 5.0}})),
    ("", json.dumps({"inputs": {"query": "wireless headphones", "top_k": 5.0}})),
    ("", json.dumps({**QUERY, "pagination": {"method": "offset", "page_size": 2}})),
    ("", json.dumps({**QUERY, "pagination": {"method": "offset", "page_size": 2}})),
    ("", json.dumps({"inputs": {"query": "x", "top_k": "five"}})),  # 422
    ("", json.dumps({"inputs": {"query": "x", "top_k": "five"}})),
    ("", '{"inputs": {"query": '),  # 400 invalid JSON
    ("", '{"inputs": {"query": '),
    ("", json.dumps({"inputs": {"query": "q" * PREPARED_BODY_BYTES}})),  # too large to keep
    ("", json.dumps({"inputs": {"query": "q" * PREPARED_BODY_BYTES}})),
    ("?skip_cache=true", json.dumps(QUERY)),
    ("", json.dumps(QUERY), "outcome=degraded"),
    ("", json.dumps(QUERY), "stages=4"),
    ("", json.dumps(QUERY), "respond-async"),
    ("", json.dumps(QUERY)),
]


def _mock_that_keeps_nothing(app) -> None:
    """Wrap the app's kept requests so that each one is forgotten at once."""
    kept = app.state.mock.prepared
    original = kept.keep

    def keep(key, prepared) -> None:
        original(key, prepared)
        kept.clear()

    kept.keep = keep


async def _answers(app, retrievers: list[str]) -> tuple[list[tuple], dict]:
    transport = httpx.ASGITransport(app=app)
    answers = []
    async with httpx.AsyncClient(transport=transport, base_url="http://mock", headers=AUTH) as c:
        for retriever in retrievers:
            for suffix, body, *prefer in SEQUENCE:
                response = await c.post(
                    execute_path(retriever) + suffix,
                    content=body,
                    headers={"Content-Type": "application/json", "Prefer": ", ".join(prefer)},
                )
                headers = {name: response.headers.get(name) for name in HEADERS_COMPARED}
                answers.append((suffix, body[:40], response.status_code, headers, response.content))
        journal = (await c.get("/_mock/journal")).json()
    return answers, journal


async def test_the_same_requests_get_the_same_answers_whether_or_not_they_were_kept(make_app):
    settings = Settings(seed=7, strict=True)
    keeping, forgetting = make_app(settings), make_app(settings)
    _mock_that_keeps_nothing(forgetting)
    retrievers = [RETRIEVER, "ret_support_kb"]

    kept_answers, kept_journal = await _answers(keeping, retrievers)
    fresh_answers, fresh_journal = await _answers(forgetting, retrievers)

    assert [a[2] for a in kept_answers].count(200) >= 20  # the sequence mostly succeeds
    assert {a[2] for a in kept_answers} == {200, 400, 422}
    for kept, fresh in zip(kept_answers, fresh_answers, strict=True):
        assert kept == fresh
    assert kept_journal == fresh_journal
    assert len(forgetting.state.mock.prepared) == 0
    assert len(keeping.state.mock.prepared) > 0


async def test_only_accepted_requests_with_small_bodies_are_kept(client, app):
    kept = app.state.mock.prepared
    await client.post(execute_path(RETRIEVER), json=QUERY)
    await client.post(execute_path(RETRIEVER), json=QUERY)
    assert len(kept) == 1
    refused = await client.post(execute_path(RETRIEVER), json={"inputs": {"top_k": "five"}})
    assert refused.status_code == 422
    assert len(kept) == 1
    large = await client.post(execute_path(RETRIEVER), json={"inputs": {"query": "q" * 9_000}})
    assert large.status_code == 200
    assert len(kept) == 1


async def test_the_path_and_the_query_string_are_part_of_what_is_kept(client, app):
    plain = await client.post(execute_path(RETRIEVER), json=QUERY)
    explained = await client.post(execute_path(RETRIEVER) + "?explain=true", json=QUERY)
    other = await client.post(execute_path("ret_support_kb"), json=QUERY)
    assert "explain_plan" not in plain.json()
    assert "explain_plan" in explained.json()
    assert other.json()["retriever_id"] == "ret_support_kb"
    assert len(app.state.mock.prepared) == 3


async def test_a_kept_request_is_journaled_with_its_body_each_time(client):
    for _ in range(2):
        await client.post(execute_path(RETRIEVER), json=QUERY)
    entries = (await client.get("/_mock/journal")).json()["entries"]
    assert [entry["body"] for entry in entries[-2:]] == [QUERY, QUERY]


def test_kept_bodies_are_small_enough_to_be_journaled_whole():
    assert PREPARED_BODY_BYTES <= JOURNALED_BODY_BYTES


def test_the_kept_requests_are_bounded_and_the_least_recently_used_goes_first():
    kept = PreparedRequests(max_size=2)
    prepared = prepared_from_model(QUERY, ExecuteRetrieverRequest.model_validate(QUERY))
    for name in ("a", "b"):
        kept.keep((name, b"", b"{}"), prepared)
    kept.get(("a", b"", b"{}"))
    kept.keep(("c", b"", b"{}"), prepared)
    assert len(kept) == 2
    assert kept.get(("b", b"", b"{}")) is None
    assert kept.get(("a", b"", b"{}")) is prepared


def test_a_prepared_request_has_the_fingerprint_of_its_request_in_each_namespace():
    body = {**QUERY, "pagination": {"method": "offset", "page_size": 3}, "skip_cache": True}
    request = ExecuteRetrieverRequest.model_validate(body)
    prepared = prepared_from_model(body, request)
    for namespace in ("team-a", "team-b", "équipe"):
        for retriever in (RETRIEVER, "ret_support_kb"):
            assert prepared.fingerprint(namespace, retriever) == request_fingerprint(
                namespace, retriever, request
            )
    assert prepared.fingerprint("team-a", RETRIEVER) != prepared.fingerprint("team-b", RETRIEVER)


def test_the_entity_tag_digests_the_request_as_before():
    """The tag is built from parts rendered apart; it is the digest of the whole material."""
    from mixpeek_toolkit.mockserver.caching import canonical_items, tag_of_parts

    request = ExecuteRetrieverRequest.model_validate({**QUERY, "stream": False})
    prepared = prepared_from_model(QUERY, request)
    canonical = request.model_dump(
        mode="json", exclude_none=True, exclude={"skip_cache", "stream"}, warnings=False
    )
    material = (42, "team-a", (1, 0), RETRIEVER)
    tail = ([False, True], ["completed", None], [100, "s3cret"])
    assert tag_of_parts(
        [canonical_items(*material), prepared.etag_json, canonical_items(*tail)]
    ) == entity_tag(*material, canonical, *tail)


async def test_a_prepared_request_shared_by_two_apps_gets_each_apps_entity_tag(make_app):
    """What a prepared request derives is keyed by every input, the app's settings too."""
    first, second = make_app(Settings(seed=1)), make_app(Settings(seed=2))
    prepared = prepared_from_model(QUERY, ExecuteRetrieverRequest.model_validate(QUERY))
    tags = []
    for app in (first, second, first):
        mock = app.state.mock
        namespace = await mock.worlds.namespace("team-a")
        retriever = namespace.world.find_retriever(RETRIEVER)
        answer = await mock.executor.execute(namespace, retriever, prepared, None)
        tags.append(answer.etag)
    assert tags[0] == tags[2] != tags[1]
