"""Hostile request bodies: too large, out-of-range numbers, huge values, huge filter lists.

Each answers a clear error in the envelope (or a correct answer) without holding on to
the body: the size limit is ``Settings.max_body_bytes``, the journal keeps a short
preview of a large body, and validation messages never echo a huge value back.
"""

from __future__ import annotations

import json

import httpx
import pytest

from mixpeek_toolkit.mockserver import Settings, create_app
from tests.mockserver.conftest import AUTH, assert_envelope, execute_path

pytestmark = pytest.mark.anyio

LIMIT = 4_096


@pytest.fixture
def settings() -> Settings:
    return Settings(seed=42, strict=True, max_body_bytes=LIMIT)


def oversized_body() -> bytes:
    return json.dumps({"inputs": {"query": "x"}, "session_id": "s" * (2 * LIMIT)}).encode()


async def test_a_body_over_the_size_limit_is_a_422_naming_the_limit(client, retriever_id):
    response = await client.post(
        execute_path(retriever_id),
        content=oversized_body(),
        headers={"Content-Type": "application/json"},
    )
    error = assert_envelope(response, 422, "ValidationError")
    assert error["code"] == "body_too_large"
    assert str(LIMIT) in error["message"]
    [issue] = error["details"]["validation_errors"]
    assert issue["location"] == ["body"]
    assert len(response.content) < 1_000


async def test_a_streamed_body_without_content_length_is_cut_at_the_limit(client, retriever_id):
    async def chunks():
        yield b'{"inputs": {"query": "'
        for _ in range(100):
            yield b"x" * 1_000
        yield b'"}}'

    response = await client.post(
        execute_path(retriever_id), content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert assert_envelope(response, 422, "ValidationError")["code"] == "body_too_large"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/_mock/world"),
        ("POST", "/_mock/scenarios"),
        ("POST", "/_mock/namespaces/team-a/retrievers"),
        ("POST", "/_mock/namespaces/team-a/collections/product-catalog/documents"),
    ],
)
async def test_the_control_api_has_the_same_size_limit(client, method, path):
    response = await client.request(method, path, content=oversized_body())
    assert assert_envelope(response, 422, "ValidationError")["code"] == "body_too_large"


async def test_a_body_just_under_the_limit_is_read(client, retriever_id):
    body = json.dumps({"inputs": {"query": "headphones"}}).encode()
    body += b" " * (LIMIT - len(body))
    response = await client.post(
        execute_path(retriever_id), content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("number", [b"1e400", b"-1e400"])
async def test_numbers_out_of_float_range_are_invalid_json(client, retriever_id, number):
    body = b'{"inputs": {"query": "x", "boost": ' + number + b"}}"
    response = await client.post(
        execute_path(retriever_id), content=body, headers={"Content-Type": "application/json"}
    )
    assert assert_envelope(response, 400, "BadRequestError")["code"] == "invalid_json"
    # The journal keeps answering JSON afterwards (an infinity in it used to make it a 500).
    journal = await client.get("/_mock/journal")
    assert journal.status_code == 200
    assert journal.json()["entries"][-1]["status_code"] == 400


async def test_the_control_api_refuses_out_of_range_numbers(client):
    response = await client.post(
        "/_mock/scenarios", content=b'{"scenarios": [{"latency_ms": 1e400}]}'
    )
    assert assert_envelope(response, 400, "BadRequestError")["code"] == "invalid_json"


async def test_validation_messages_do_not_echo_a_huge_value(client, retriever_id):
    huge = "9" * 3_000  # under the size limit; a string where the spec wants an integer
    response = await client.post(execute_path(retriever_id), json={"inputs": {"top_k": huge}})
    error = assert_envelope(response, 422, "ValidationError")
    [issue] = error["details"]["validation_errors"]
    assert issue["location"] == ["body", "inputs", "top_k"]
    assert issue["type"] == "type_error"
    assert huge not in response.text
    assert len(response.content) < 1_500


async def test_the_journal_keeps_a_preview_of_a_large_body(clock):
    app = create_app(Settings(strict=True), clock=clock, sleep=clock.sleep)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mock", headers=AUTH) as c:
        retriever = app.state.mock.namespaces.template.retrievers[0].retriever_id
        body = {"inputs": {"query": "headphones"}, "session_id": "s" * 200_000}
        assert (await c.post(execute_path(retriever), json=body)).status_code == 200
        small = {"inputs": {"query": "headphones"}}
        assert (await c.post(execute_path(retriever), json=small)).status_code == 200
        large_entry, small_entry = (await c.get("/_mock/journal")).json()["entries"]
    assert isinstance(large_entry["body"], str)
    assert large_entry["body"].startswith('{"inputs"')
    assert len(large_entry["body"]) < 10_000
    assert small_entry["body"] == small
