"""Request parsing under fuzzing: any bytes become a request or a 4xx, never an exception.

Three layers, each fed by Hypothesis (derandomized, no example database): the body
parser (``bodies.loads_json``), the spec validator (``validation.validate_body``) and
the whole app over HTTP (in process, strict mode: every answer is checked against the
spec), with any body, any content type, any retriever and any query string, and with
bodies shaped like the spec's request whose every field holds something hostile.
"""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st

from mixpeek_toolkit import spec
from mixpeek_toolkit.mockserver.bodies import loads_json
from mixpeek_toolkit.mockserver.errors import InvalidJson, RequestValidationFailed
from mixpeek_toolkit.mockserver.validation import SpecContract
from tests.reliability.conftest import (
    assert_answer_or_envelope,
    execute_path,
    execution_path,
    fuzz,
)
from tests.reliability.strategies import (
    HOSTILE_STRINGS,
    dumps_any,
    execute_requests,
    json_like_bytes,
    json_values,
    spec_keys,
)

EXECUTE = SpecContract(spec.load_openapi()).operations["executeRetriever"]

CONTENT_TYPES = [
    None,
    "application/json",
    "application/json; charset=utf-8",
    "text/plain",
    "application/x-www-form-urlencoded",
    "application/xml",
    "multipart/form-data; boundary=x",
    "application/octet-stream",
]
RETRIEVERS = ["ret_product_search", "support-kb", "ret_media_library", "catalog-discovery"]
QUERY_FLAGS = ["explain", "skip_cache", "include_legacy_results", "unknown"]


def bodies() -> st.SearchStrategy[bytes]:
    """Raw bytes, almost-JSON, any JSON value, and objects shaped like execute requests."""
    request_like = st.dictionaries(spec_keys(), json_values(), max_size=6)
    return st.one_of(
        st.binary(max_size=200),
        json_like_bytes(),
        json_values().map(dumps_any),
        request_like.map(dumps_any),
    )


@fuzz(max_examples=400)
@given(raw=st.one_of(st.binary(max_size=300), json_like_bytes()))
def test_the_body_parser_answers_a_value_or_a_refusal_for_any_bytes(raw: bytes) -> None:
    try:
        loads_json(raw)
    except InvalidJson as refused:
        assert refused.status == 400 and refused.code == "invalid_json"
    except RequestValidationFailed as refused:
        assert refused.code == "body_too_deep"


@fuzz(max_examples=250)
@given(body=st.one_of(json_values(), st.dictionaries(spec_keys(), json_values(), max_size=6)))
def test_the_validator_accepts_or_lists_every_problem_for_any_json(body: object) -> None:
    try:
        EXECUTE.validate_body(body)
    except RequestValidationFailed as refused:
        assert refused.status == 422
        assert refused.issues
        for issue in refused.issues:
            assert issue["location"][0] == "body"
            assert issue["type"] and issue["message"]


@fuzz(max_examples=250)
@given(
    body=bodies(),
    content_type=st.sampled_from(CONTENT_TYPES),
    retriever=st.one_of(st.sampled_from(RETRIEVERS), st.sampled_from(HOSTILE_STRINGS)),
    query=st.dictionaries(st.sampled_from(QUERY_FLAGS), st.text(max_size=6), max_size=2),
)
def test_any_execute_request_gets_an_answer_or_a_4xx_envelope(
    mock, body: bytes, content_type: str | None, retriever: str, query: dict[str, str]
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = mock.post(
        execute_path(quote(retriever, safe="")), content=body, headers=headers, params=query
    )
    assert_answer_or_envelope(response)


@fuzz(max_examples=300)
@given(body=execute_requests(), retriever=st.sampled_from(RETRIEVERS))
def test_any_request_shaped_like_the_spec_gets_an_answer_or_a_4xx_envelope(
    mock, body: dict, retriever: str
) -> None:
    response = mock.post(execute_path(retriever), json=body)
    assert_answer_or_envelope(response)


@fuzz(max_examples=150)
@given(
    retriever=st.one_of(st.sampled_from(RETRIEVERS), st.sampled_from(HOSTILE_STRINGS), st.text()),
    execution_id=st.one_of(st.sampled_from(HOSTILE_STRINGS), st.text()),
)
def test_any_execution_id_and_retriever_get_an_answer_or_a_4xx_envelope(
    mock, retriever: str, execution_id: str
) -> None:
    path = execution_path(quote(retriever, safe=""), quote(execution_id, safe=""))
    assert_answer_or_envelope(mock.get(path))


def test_after_the_fuzzing_the_journal_and_health_still_answer(mock) -> None:
    mock.post(execute_path(), content=b'{"inputs": {"query": "\\ud800"}, "\\udfff": 1}')
    assert mock.get("/_mock/journal", params={"limit": 1000}).status_code == 200
    assert mock.get("/_mock/health").json()["status"] == "ok"
