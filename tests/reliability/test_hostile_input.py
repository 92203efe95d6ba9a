"""Hostile input, one kind per test: each gets the envelope with the right status, or an answer.

Decisions these tests pin (documented in bodies.py and the README's Reliability section):

- Duplicate JSON keys keep the last value, as ``json.loads`` does, and so the real API
  (a FastAPI service, whose body parser is ``json.loads``).
- The body is read as JSON whatever its Content-Type: ``curl -d`` (form-urlencoded) and
  ``text/plain`` bodies work, as the README's examples rely on; a body that is not JSON
  (XML, form fields) is ``400 invalid_json``.
- What JSON cannot carry back out is ``400 invalid_json``: NaN and Infinity, numbers out
  of float range, integer literals over 4,300 digits, lone surrogates.
- Too deep is ``422``: a filter deeper than the spec's ``x-max-depth`` is
  ``invalid_filter``; a body deeper than ``max_body_depth``, or than the parser can
  go (10,000 levels), is ``body_too_deep``.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from mixpeek_toolkit import spec
from mixpeek_toolkit.mockserver import Settings
from mixpeek_toolkit.mockserver.filters import max_filter_depth
from tests.reliability.conftest import (
    AUTH,
    NAMESPACE,
    PRODUCT_SEARCH,
    SETTINGS,
    assert_envelope,
    execute_path,
    execution_path,
    in_process,
)

JSON = {"Content-Type": "application/json"}
SPEC_DEPTH = max_filter_depth(spec.load_openapi())


def post(client, body: bytes, headers: dict[str, str] = JSON):
    return client.post(execute_path(), content=body, headers=headers)


def nested_filter(depth: int) -> bytes:
    condition = b'{"field": "metadata.year", "operator": "gte", "value": 2020}'
    return b'{"AND": [' * depth + condition + b"]}" * depth


def last_journal_body(client):
    return client.get("/_mock/journal", params={"limit": 1}).json()["entries"][-1]["body"]


# ---------------------------------------------------------------- malformed JSON


@pytest.mark.parametrize(
    "body",
    [b"", b"{", b'{"inputs": }', b"[1,]", b"{'inputs': {}}", b'{"inputs": {}} trailing', b"\xff"],
    ids=[
        "empty",
        "unclosed",
        "missing-value",
        "trailing-comma",
        "single-quotes",
        "garbage",
        "0xff",
    ],
)
def test_malformed_json_is_a_400_invalid_json(mock, body: bytes) -> None:
    assert_envelope(post(mock, body), 400, "invalid_json")


# ---------------------------------------------------------------- duplicate keys


def test_duplicate_keys_keep_the_last_value_as_json_loads_does(mock) -> None:
    twice = b'{"inputs": {"query": "espresso"}, "inputs": {"query": "wireless headphones"}}'
    once = b'{"inputs": {"query": "wireless headphones"}}'

    duplicated, single = post(mock, twice), post(mock, once)

    assert duplicated.status_code == single.status_code == 200, duplicated.text
    ids = [d["document_id"] for d in duplicated.json()["documents"]]
    assert ids == [d["document_id"] for d in single.json()["documents"]]


def test_a_duplicate_key_whose_last_value_is_invalid_is_a_422_there(mock) -> None:
    error = assert_envelope(post(mock, b'{"inputs": {}, "limit": 5, "limit": 0}'), 422)
    assert error["details"]["validation_errors"][0]["location"] == ["body", "limit"]


def test_the_journal_keeps_the_body_as_it_was_read(mock) -> None:
    post(mock, b'{"inputs": {"query": "a"}, "inputs": {"query": "b"}}')
    assert last_journal_body(mock) == {"inputs": {"query": "b"}}


# ---------------------------------------------------------------- content types


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "application/json; charset=utf-8"],
)
def test_a_json_body_is_read_whatever_its_content_type(mock, content_type) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = post(mock, b'{"inputs": {"query": "espresso"}}', headers)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/xml", b"<inputs><query>espresso</query></inputs>"),
        ("application/x-www-form-urlencoded", b"inputs=espresso&limit=5"),
        ("multipart/form-data; boundary=x", b'--x\r\nContent-Disposition: form-data; name="a"'),
    ],
    ids=["xml", "form-fields", "multipart"],
)
def test_a_body_that_is_not_json_is_a_400_whatever_its_content_type(mock, content_type, body):
    assert_envelope(post(mock, body, {"Content-Type": content_type}), 400, "invalid_json")


# ---------------------------------------------------------------- size and depth


def test_a_body_over_the_size_limit_is_a_422_body_too_large() -> None:
    with in_process(Settings(strict=True, max_body_bytes=1_024)) as (_, client):
        body = b'{"inputs": {"query": "' + b"x" * 2_000 + b'"}}'
        error = assert_envelope(post(client, body), 422, "body_too_large")
    assert "1024" in error["message"]


def test_a_filter_one_level_beyond_the_spec_depth_is_a_422_invalid_filter(mock) -> None:
    within = b'{"inputs": {}, "filters": ' + nested_filter(SPEC_DEPTH) + b"}"
    beyond = b'{"inputs": {}, "filters": ' + nested_filter(SPEC_DEPTH + 1) + b"}"

    assert post(mock, within).status_code == 200
    error = assert_envelope(post(mock, beyond), 422, "invalid_filter")
    assert error["details"]["validation_errors"][0]["location"][:2] == ["body", "filters"]


def test_a_filter_deeper_than_the_body_depth_cap_is_a_422_body_too_deep(mock) -> None:
    body = b'{"inputs": {}, "filters": ' + nested_filter(SETTINGS.max_body_depth) + b"}"
    assert_envelope(post(mock, body), 422, "body_too_deep")


@pytest.mark.parametrize("depth", [10_000, 50_000])
def test_a_filter_ten_thousand_levels_deep_is_a_422_body_too_deep(mock, depth: int) -> None:
    body = b'{"inputs": {}, "filters": ' + nested_filter(depth) + b"}"
    assert_envelope(post(mock, body), 422, "body_too_deep")


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize("number", [b"1e400", b"-1e400", b"1E+999"])
def test_a_float_out_of_range_is_a_400_invalid_json(mock, number: bytes) -> None:
    body = b'{"inputs": {"query": "x", "min_score": ' + number + b"}}"
    assert_envelope(post(mock, body), 400, "invalid_json")


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity"])
def test_nan_and_infinity_are_a_400_invalid_json(mock, literal: bytes) -> None:
    body = b'{"inputs": {"query": "x", "min_score": ' + literal + b"}}"
    error = assert_envelope(post(mock, body), 400, "invalid_json")
    assert literal.decode().lstrip("-") in error["message"]


def test_an_integer_of_400_digits_is_clamped_where_the_spec_has_no_bound(mock) -> None:
    huge = 10**400
    response = post(mock, b'{"inputs": {"query": "x", "top_k": ' + str(huge).encode() + b"}}")
    assert response.status_code == 200, response.text
    [limit] = response.json()["limits"]
    assert limit["name"] == "top_k" and limit["requested"] == huge
    assert limit["applied"] == SETTINGS.top_k_ceiling


def test_an_integer_of_400_digits_is_a_422_where_the_spec_bounds_it(mock) -> None:
    response = post(mock, b'{"inputs": {}, "limit": ' + str(10**400).encode() + b"}")
    error = assert_envelope(response, 422)
    [issue] = error["details"]["validation_errors"]
    assert issue["location"] == ["body", "limit"] and issue["type"] == "less_than_equal"
    assert len(response.content) < 2_000  # the 401 digits are not echoed in full


def test_an_integer_of_5000_digits_is_a_400_invalid_json(mock) -> None:
    error = assert_envelope(post(mock, b'{"inputs": {}, "offset": ' + b"9" * 5_000 + b"}"), 400)
    assert error["code"] == "invalid_json" and "5000 digits" in error["message"]


# ---------------------------------------------------------------- Unicode, NUL, traversal


@pytest.mark.parametrize(
    "query",
    [
        "a\x00b",
        "\u202eevil\u202c",
        "\u200f\u200e",
        "😀👩‍👩‍👧",
        "商品検索",
        "../../etc/passwd",
        "%00",
    ],
    ids=["nul", "rtl-override", "rtl-marks", "emoji", "cjk", "traversal", "percent-00"],
)
def test_any_unicode_query_is_answered_and_journaled(mock, query: str) -> None:
    response = mock.post(execute_path(), json={"inputs": {"query": query}})
    assert response.status_code == 200, response.text
    assert last_journal_body(mock) == {"inputs": {"query": query}}


@pytest.mark.parametrize(
    "body",
    [b'{"inputs": {"query": "\\ud800"}}', b'{"inputs": {"\\udfff": 1}}', b'{"x": "\xed\xa0\x80"}'],
    ids=["escaped-in-a-value", "escaped-in-a-key", "utf8-encoded"],
)
def test_a_lone_surrogate_is_a_400_and_the_journal_still_answers(mock, body: bytes) -> None:
    error = assert_envelope(post(mock, body), 400, "invalid_json")
    assert "surrogate" in error["message"] or "utf-8" in error["message"]
    assert mock.get("/_mock/journal").status_code == 200


def test_a_surrogate_pair_is_one_character_and_is_answered(mock) -> None:
    response = post(mock, b'{"inputs": {"query": "\\ud83d\\ude00 headphones"}}')
    assert response.status_code == 200, response.text
    assert last_journal_body(mock) == {"inputs": {"query": "😀 headphones"}}


@pytest.mark.parametrize(
    "retriever",
    ["../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "ret_product_search%00", "\u202eret", "😀"],
)
def test_a_hostile_retriever_id_is_a_404(mock, retriever: str) -> None:
    response = mock.post(execute_path(quote(retriever, safe="")), json={"inputs": {}})
    assert_envelope(response, 404)
    assert "root:" not in response.text


@pytest.mark.parametrize(
    "execution_id",
    ["../../etc/passwd", "%00", "exec_\x00", "\u202eexec", "😀", "exec_" + "a" * 10_000],
)
def test_a_hostile_execution_id_is_a_404(mock, execution_id: str) -> None:
    response = mock.get(execution_path(PRODUCT_SEARCH, quote(execution_id, safe="")))
    assert_envelope(response, 404)
    assert len(response.content) < 2_000


@pytest.mark.parametrize(
    "namespace",
    [f"{NAMESPACE}\x00", f"../{NAMESPACE}", f"\u202e{NAMESPACE}", f"😀 {NAMESPACE}", "a" * 2_000],
    ids=["nul", "traversal", "rtl-override", "emoji", "2000-chars"],
)
def test_a_hostile_namespace_is_a_namespace_of_its_own(mock, namespace: str) -> None:
    headers = {**AUTH, "X-Namespace": namespace.encode("utf-8")}
    created = mock.post(execute_path(), json={"inputs": {"query": "x"}}, headers=headers)
    assert created.status_code == 200, created.text
    read = execution_path(PRODUCT_SEARCH, created.json()["execution_id"])

    assert mock.get(read, headers=headers).status_code == 200
    assert_envelope(mock.get(read), 404, "execution_not_found")  # from NAMESPACE


@pytest.mark.parametrize(
    "path",
    [
        "/_mock/namespaces/..%2F..%2Fetc/collections/product-catalog/documents",
        "/_mock/namespaces/team/collections/..%2F..%2Fetc%2Fpasswd/documents",
        "/_mock/namespaces/%00/retrievers",
    ],
)
def test_traversal_in_control_api_names_is_a_4xx(mock, path: str) -> None:
    response = mock.post(path, json={"documents": [{"payload": {"text": "x"}}]})
    assert 400 <= response.status_code < 500, response.text


def test_a_journal_limit_written_with_a_superscript_digit_is_a_422(mock) -> None:
    assert_envelope(mock.get("/_mock/journal", params={"limit": "²"}), 422)
