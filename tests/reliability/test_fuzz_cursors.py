"""Cursors under fuzzing and forgery: only a token the mock issued, unaltered, is a page.

Any string sent as a ``cursor`` or ``scroll_id`` is a page or the documented ``400
invalid_cursor``, never a 500. A real token with any one bit flipped, a token signed
with another secret, one re-signed with a changed position, one from another query,
retriever or namespace, a scroll id past its ``scroll_ttl``: each is refused.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mixpeek_toolkit.mockserver import Settings
from mixpeek_toolkit.mockserver.paging import CursorCodec, InvalidCursor
from tests.reliability.conftest import (
    AUTH,
    SETTINGS,
    FakeClock,
    assert_envelope,
    execute_path,
    fuzz,
    in_process,
)
from tests.reliability.strategies import HOSTILE_STRINGS

QUERY = {"query": "wireless headphones"}
LOCATION = ("body", "pagination", "cursor")


def cursor_request(cursor: str | None, *, inputs: dict = QUERY, limit: int = 5) -> dict:
    return {"inputs": inputs, "pagination": {"method": "cursor", "limit": limit, "cursor": cursor}}


def scroll_request(scroll_id: str | None, *, ttl: int = 60) -> dict:
    pagination = {"method": "scroll", "limit": 5, "scroll_id": scroll_id, "scroll_ttl": ttl}
    return {"inputs": QUERY, "pagination": pagination}


def first_token(client, body: dict, field: str = "cursor", retriever: str | None = None) -> str:
    response = client.post(execute_path(retriever) if retriever else execute_path(), json=body)
    assert response.status_code == 200, response.text
    token = response.json()["pagination"][field]
    assert token, response.json()["pagination"]
    return token


@pytest.fixture(scope="module")
def issued(mock) -> str:
    """A cursor the mock issued for the second page of ``QUERY``."""
    return first_token(mock, cursor_request(None))


def flip(token: str, index: int, bit: int) -> str:
    data = bytearray(token.encode("ascii"))
    data[index] ^= 1 << bit
    return data.decode("latin-1")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


# ---------------------------------------------------------------- any string


@fuzz(max_examples=500)
@given(token=st.one_of(st.text(max_size=120), st.sampled_from(HOSTILE_STRINGS)))
def test_the_codec_answers_a_payload_or_invalid_cursor_for_any_text(token: str) -> None:
    codec = CursorCodec(SETTINGS.cursor_key)
    try:
        payload = codec.decode(token, LOCATION)
    except InvalidCursor as refused:
        assert refused.location == LOCATION and refused.reason and refused.message
    else:  # pragma: no cover - would mean Hypothesis forged an HMAC
        pytest.fail(f"An arbitrary string was accepted as a cursor: {token!r} -> {payload!r}")


@fuzz(max_examples=150)
@given(
    token=st.one_of(
        st.text(max_size=60),
        st.sampled_from(HOSTILE_STRINGS),
        st.tuples(st.binary(max_size=40), st.binary(max_size=40)).map(
            lambda parts: f"{b64(parts[0])}.{b64(parts[1])}"
        ),
    ),
    method=st.sampled_from(["cursor", "scroll"]),
)
def test_any_string_sent_as_a_token_is_the_documented_400(mock, token: str, method: str) -> None:
    body = cursor_request(token) if method == "cursor" else scroll_request(token)
    response = mock.post(execute_path(), json=body)
    assert_envelope(response, 400, "invalid_cursor")


# ---------------------------------------------------------------- altered tokens


@fuzz(max_examples=150)
@given(data=st.data())
def test_a_real_cursor_with_any_one_bit_flipped_is_refused(mock, issued: str, data) -> None:
    index = data.draw(st.integers(0, len(issued) - 1), label="index")
    bit = data.draw(st.integers(0, 7), label="bit")
    response = mock.post(execute_path(), json=cursor_request(flip(issued, index, bit)))
    assert_envelope(response, 400, "invalid_cursor")


def test_every_single_bit_flip_of_a_cursor_is_refused(mock, issued: str) -> None:
    accepted = []
    codec = CursorCodec(SETTINGS.cursor_key)
    for index in range(len(issued)):
        for bit in range(8):
            altered = flip(issued, index, bit)
            try:
                codec.decode(altered, LOCATION)
            except InvalidCursor:
                continue
            accepted.append(altered)
    assert accepted == []
    assert codec.decode(issued, LOCATION)["o"] == 5  # the unaltered one is a page


@pytest.mark.parametrize("suffix", ["=", "==", "\n", " "])
def test_a_cursor_with_padding_or_whitespace_added_is_refused(mock, issued, suffix) -> None:
    response = mock.post(execute_path(), json=cursor_request(issued + suffix))
    assert_envelope(response, 400, "invalid_cursor")


def test_a_cursor_re_signed_with_another_position_is_refused(mock, issued: str) -> None:
    body_text, _, signature = issued.partition(".")
    payload = json.loads(base64.urlsafe_b64decode(body_text + "=" * (-len(body_text) % 4)))
    forged = {**payload, "o": 0}
    token = f"{b64(json.dumps(forged, separators=(',', ':'), sort_keys=True).encode())}.{signature}"
    response = mock.post(execute_path(), json=cursor_request(token))
    assert_envelope(response, 400, "invalid_cursor")


def test_a_cursor_signed_with_another_secret_is_refused(mock) -> None:
    with in_process(Settings(seed=SETTINGS.seed + 1, strict=True)) as (_, other):
        foreign = first_token(other, cursor_request(None))
    response = mock.post(execute_path(), json=cursor_request(foreign))
    assert_envelope(response, 400, "invalid_cursor")


# ---------------------------------------------------------------- foreign tokens


def test_a_cursor_of_another_query_is_refused(mock, issued: str) -> None:
    body = cursor_request(issued, inputs={"query": "espresso machine"})
    assert_envelope(mock.post(execute_path(), json=body), 400, "invalid_cursor")


def test_a_cursor_of_another_retriever_is_refused(mock) -> None:
    token = first_token(mock, cursor_request(None, inputs={"query": "travel"}))
    response = mock.post(
        execute_path("ret_catalog_discovery"),
        json=cursor_request(token, inputs={"query": "travel"}),
    )
    assert_envelope(response, 400, "invalid_cursor")


def test_a_cursor_of_another_namespace_is_refused(mock, issued: str) -> None:
    headers = {**AUTH, "X-Namespace": "someone-else"}
    response = mock.post(execute_path(), json=cursor_request(issued), headers=headers)
    assert_envelope(response, 400, "invalid_cursor")


def test_a_scroll_id_sent_as_a_cursor_is_refused(mock) -> None:
    scroll_id = first_token(mock, scroll_request(None), field="scroll_id")
    assert_envelope(mock.post(execute_path(), json=cursor_request(scroll_id)), 400)


# ---------------------------------------------------------------- expired tokens


@pytest.mark.parametrize(("waited", "status"), [(59, 200), (60, 400), (3_600, 400)])
def test_a_scroll_id_lives_exactly_its_scroll_ttl(waited: int, status: int) -> None:
    clock = FakeClock()
    with in_process(clock=clock) as (_, client):
        scroll_id = first_token(client, scroll_request(None, ttl=60), field="scroll_id")
        clock.advance(waited)
        response = client.post(execute_path(), json=scroll_request(scroll_id, ttl=60))
    if status == 200:
        assert response.status_code == 200, response.text
    else:
        error = assert_envelope(response, 400, "invalid_cursor")
        assert "expired" in error["message"]


def test_a_forged_keyset_marker_is_refused(mock) -> None:
    after: dict[str, Any] = {"score": 0.99, "document_id": "doc_that_was_never_answered"}
    body = {"inputs": QUERY, "pagination": {"method": "keyset", "limit": 5, "after": after}}
    assert_envelope(mock.post(execute_path(), json=body), 400, "invalid_cursor")
