"""Pagination: the four methods, legacy limit/offset, precedence, walks and refused tokens."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mixpeek_toolkit import spec
from mixpeek_toolkit.generated.models import ExecuteRetrieverRequest
from mixpeek_toolkit.mockserver.paging import (
    IMPLICIT_LIMIT,
    CursorCodec,
    InvalidCursor,
    Page,
    paginate,
    request_fingerprint,
)

CODEC = CursorCodec(b"test-secret")
NOW = 1_800_000_000.0
COMPONENTS = spec.load_openapi()["components"]
METHODS = ("offset", "cursor", "scroll", "keyset")


def schema_of(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}", "components": COMPONENTS}


def ranked(n: int) -> list[dict[str, Any]]:
    """A ranked result as the engine answers it: scores descending (with ties), ids ascending."""
    return [
        {
            "document_id": f"doc_{i:04d}",
            "score": round(1 - (i // 3) / (n + 1), 6),
            "payload": {"n": i},
        }
        for i in range(n)
    ]


def request(body: dict[str, Any] | None = None) -> ExecuteRetrieverRequest:
    return ExecuteRetrieverRequest.model_validate({"inputs": {"query": "q"}, **(body or {})})


def page(
    result: list[dict[str, Any]], body: dict[str, Any] | None = None, *, now: float = NOW
) -> Page:
    req = request(body)
    return paginate(
        result, req, codec=CODEC, fingerprint=request_fingerprint("ns", "ret_x", req), now=now
    )


def walk(result: list[dict[str, Any]], method: str, size: int) -> list[Page]:
    """Follow one method from its first page to its last, as a client would."""
    pages: list[Page] = []
    pagination: dict[str, Any] = {"method": method}
    pagination["page_size" if method == "offset" else "limit"] = size
    while True:
        current = page(result, {"pagination": pagination})
        pages.append(current)
        assert len(pages) <= len(result) + 1, "the walk does not end"
        meta = current.metadata
        if not meta["has_next"]:
            return pages
        if method == "offset":
            pagination["page_number"] = meta["page_number"] + 1
        elif method == "cursor":
            pagination["cursor"] = meta["cursor"]
        elif method == "scroll":
            pagination["scroll_id"] = meta["scroll_id"]
        else:
            pagination["after"] = meta["next_cursor"]


# --------------------------------------------------------------------------- walks


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 120), size=st.integers(1, 40), method=st.sampled_from(METHODS))
def test_walking_every_page_yields_each_document_exactly_once(
    n: int, size: int, method: str
) -> None:
    result = ranked(n)
    pages = walk(result, method, size)
    seen = [d["document_id"] for p in pages for d in p.documents]
    assert seen == [d["document_id"] for d in result]
    for p in pages:
        meta = p.metadata
        assert meta["method"] == method
        assert meta["total"] == n
        assert meta["returned"] == len(p.documents) <= size
        jsonschema.validate(meta, schema_of("PaginationResponse"))
    assert [p.metadata["has_next"] for p in pages] == [True] * (len(pages) - 1) + [False]


@pytest.mark.parametrize(
    ("method", "schema"),
    [
        ("offset", "OffsetPaginationResponse"),
        ("cursor", "CursorPaginationResponse"),
        ("scroll", "ScrollPaginationResponse"),
        ("keyset", "KeysetPaginationResponse"),
    ],
)
def test_each_method_answers_its_spec_metadata_shape(method: str, schema: str) -> None:
    for p in walk(ranked(25), method, 10):
        jsonschema.validate(p.metadata, schema_of(schema))


def test_offset_pages_are_numbered_from_one() -> None:
    meta = page(
        ranked(25), {"pagination": {"method": "offset", "page_size": 10, "page_number": 3}}
    ).metadata
    assert meta == {
        "method": "offset",
        "total": 25,
        "limit": 10,
        "offset": 20,
        "has_next": False,
        "has_previous": True,
        "page_number": 3,
        "page_size": 10,
        "returned": 5,
    }


def test_a_page_past_the_end_is_empty_and_says_so() -> None:
    p = page(ranked(5), {"pagination": {"method": "offset", "page_size": 10, "page_number": 4}})
    assert p.documents == [] and p.metadata["has_next"] is False and p.metadata["returned"] == 0


def test_keyset_markers_carry_the_sort_fields() -> None:
    result = ranked(12)
    meta = page(result, {"pagination": {"method": "keyset", "limit": 5}}).metadata
    assert meta["next_cursor"] == {"score": result[4]["score"], "document_id": "doc_0004"}
    by_title = [{**d, "payload": {"metadata": {"year": 2000 + i}}} for i, d in enumerate(result)]
    body = {"pagination": {"method": "keyset", "limit": 5}, "sort": {"field": "metadata.year"}}
    assert page(by_title, body).metadata["next_cursor"] == {
        "metadata.year": 2004,
        "document_id": "doc_0004",
    }


# --------------------------------------------------------------------------- defaults and precedence


@pytest.mark.parametrize(
    ("method", "expected"), [("offset", 10), ("cursor", 10), ("scroll", 100), ("keyset", 10)]
)
def test_page_sizes_default_to_the_models_defaults(method: str, expected: int) -> None:
    p = page(ranked(300), {"pagination": {"method": method}})
    assert p.metadata["returned"] == expected


def test_without_pagination_the_legacy_fields_page_by_offset() -> None:
    p = page(ranked(50), {"limit": 7, "offset": 14})
    assert [d["document_id"] for d in p.documents] == [f"doc_{i:04d}" for i in range(14, 21)]
    assert p.metadata == {
        "method": "offset",
        "total": 50,
        "limit": 7,
        "offset": 14,
        "has_next": True,
        "has_previous": True,
        "returned": 7,
    }
    assert page(ranked(50), {"offset": 45}).metadata["limit"] == IMPLICIT_LIMIT == 20
    assert p.warnings == []


def test_without_any_paging_field_the_answer_is_a_cursor_page_of_20() -> None:
    p = page(ranked(50))
    assert p.metadata["method"] == "cursor"
    assert p.metadata["page_size"] == p.metadata["returned"] == 20
    assert p.metadata["cursor"] is not None


def test_pagination_wins_over_legacy_fields_with_a_warning() -> None:
    p = page(
        ranked(50), {"pagination": {"method": "offset", "page_size": 5}, "limit": 30, "offset": 10}
    )
    assert p.metadata["offset"] == 0 and p.metadata["returned"] == 5
    assert p.warnings == [
        "Ignored legacy fields 'limit' and 'offset': 'pagination' takes precedence."
    ]


def test_a_top_level_page_size_sizes_the_implicit_cursor_page_or_the_legacy_offset_page() -> None:
    cursor = page(ranked(50), {"page_size": 7})
    assert cursor.metadata["method"] == "cursor" and len(cursor.documents) == 7
    legacy = page(ranked(50), {"page_size": 7, "offset": 14})
    assert (legacy.metadata["method"], legacy.metadata["limit"]) == ("offset", 7)
    assert legacy.documents[0]["document_id"] == "doc_0014"
    assert len(page(ranked(50), {"page_size": 7, "limit": 3}).documents) == 3  # limit wins


def test_page_size_is_no_part_of_the_request_fingerprint() -> None:
    assert request_fingerprint("ns", "ret_x", request({"page_size": 7})) == request_fingerprint(
        "ns", "ret_x", request()
    )


def test_pagination_ignores_every_legacy_field_and_names_them() -> None:
    p = page(ranked(50), {"pagination": {"limit": 5}, "limit": 30, "offset": 10, "page_size": 2})
    assert p.metadata["method"] == "cursor" and p.metadata["returned"] == 5
    assert p.warnings == [
        "Ignored legacy fields 'limit', 'offset' and 'page_size': 'pagination' takes precedence."
    ]


# --------------------------------------------------------------------------- refused tokens


def first_token(method: str) -> str:
    meta = page(ranked(30), {"pagination": {"method": method, "limit": 10}}).metadata
    return meta["cursor" if method == "cursor" else "scroll_id"]


def refused(
    method: str, token: str, *, body: dict[str, Any] | None = None, now: float = NOW
) -> InvalidCursor:
    key = "cursor" if method == "cursor" else "scroll_id"
    with pytest.raises(InvalidCursor) as caught:
        page(ranked(30), {**(body or {}), "pagination": {"method": method, key: token}}, now=now)
    assert caught.value.location == ("body", "pagination", key)
    return caught.value


@pytest.mark.parametrize("method", ["cursor", "scroll"])
def test_an_altered_token_is_refused(method: str) -> None:
    token = first_token(method)
    body, signature = token.split(".")
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    assert refused(method, f"{flipped}.{signature}").reason in {"signature", "malformed"}


@pytest.mark.parametrize("method", ["cursor", "scroll"])
def test_a_token_signed_with_another_secret_is_refused(method: str) -> None:
    forged = CursorCodec(b"other-secret").encode({"m": method[0], "o": 10, "r": "x", "x": NOW + 60})
    assert refused(method, forged).reason == "signature"


@pytest.mark.parametrize("method", ["cursor", "scroll"])
def test_a_token_replayed_with_another_request_is_refused(method: str) -> None:
    error = refused(method, first_token(method), body={"inputs": {"query": "something else"}})
    assert error.reason == "foreign"


def test_a_cursor_is_not_a_scroll_id() -> None:
    assert refused("scroll", first_token("cursor")).reason == "method"


def test_a_scroll_expires_after_its_ttl() -> None:
    token = first_token("scroll")  # default scroll_ttl: 300 s
    page(ranked(30), {"pagination": {"method": "scroll", "scroll_id": token}}, now=NOW + 299)
    assert refused("scroll", token, now=NOW + 300).reason == "expired"


@pytest.mark.parametrize("garbage", ["", "nodot", "###.###", "e30.e30"])
def test_garbage_is_refused(garbage: str) -> None:
    assert refused("cursor", garbage).reason in {"malformed", "signature"}


@pytest.mark.parametrize(
    "after",
    [
        {"document_id": "doc_0004"},  # no score
        {"score": 0.5},  # no document_id
        {"score": 0.123, "document_id": "doc_0004"},  # altered score
        {"score": 1.0, "document_id": "doc_missing"},  # names no document of this result
    ],
)
def test_a_keyset_marker_without_the_sort_fields_of_a_document_is_refused(
    after: dict[str, Any],
) -> None:
    with pytest.raises(InvalidCursor) as caught:
        page(ranked(30), {"pagination": {"method": "keyset", "after": after}})
    assert caught.value.reason == "marker"
    assert caught.value.location == ("body", "pagination", "after")


def test_the_fingerprint_ignores_paging_fields_only() -> None:
    base = request_fingerprint("ns", "ret_x", request())
    paged = request({"pagination": {"method": "cursor", "limit": 3}, "limit": 5, "offset": 1})
    assert request_fingerprint("ns", "ret_x", paged) == base
    assert request_fingerprint("other", "ret_x", request()) != base
    assert request_fingerprint("ns", "ret_y", request()) != base
    assert request_fingerprint("ns", "ret_x", request({"sort": {"field": "score"}})) != base
