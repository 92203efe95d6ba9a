"""Hypothesis strategies for hostile input: JSON values, JSON-like bytes, header values.

Keys and words come from the spec itself (every property name and every string enum or
const value it declares), so generated bodies reach deep into the schema rather than
bouncing off its first ``additionalProperties: false``.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from mixpeek_toolkit import spec
from mixpeek_toolkit.generated.models import FilterOperator
from mixpeek_toolkit.mockserver.world import StoredDocument, default_world_path, load_world

__all__ = [
    "DOCUMENT_PATHS",
    "HOSTILE_STRINGS",
    "SPEC_WORDS",
    "documents",
    "dumps_any",
    "execute_requests",
    "field_paths",
    "filter_trees",
    "json_like_bytes",
    "json_values",
    "spec_keys",
]


def _spec_vocabulary() -> tuple[list[str], list[str]]:
    keys: set[str] = set()
    words: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            properties = node.get("properties")
            if isinstance(properties, dict):
                keys.update(properties)
            for value in node.get("enum", []) or []:
                if isinstance(value, str):
                    words.add(value)
            if isinstance(node.get("const"), str):
                words.add(node["const"])
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(spec.load_openapi()["components"]["schemas"])
    return sorted(keys), sorted(words)


SPEC_KEYS, SPEC_WORDS = _spec_vocabulary()

HOSTILE_STRINGS = [
    "../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "%00",
    "a\x00b",
    "\u202eevil\u202c",  # right-to-left override
    "\u200f\u200e",  # RTL and LTR marks
    "😀👩‍👩‍👧",
    "商品検索",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "${jndi:ldap://x}",
    "\r\nX-Injected: 1",
    "",
    " ",
    "x" * 5_000,
]
"""Strings that have broken servers before; every string strategy here mixes them in."""


def spec_keys() -> st.SearchStrategy[str]:
    """Object keys: mostly the spec's property names, sometimes any text."""
    return st.one_of(st.sampled_from(SPEC_KEYS), st.text(max_size=12))


def _strings() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=20),
        st.sampled_from(SPEC_WORDS),
        st.sampled_from(HOSTILE_STRINGS),
    )


def _scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.integers(min_value=-(10**400), max_value=10**400),
        st.floats(allow_nan=False, allow_infinity=False),
        _strings(),
    )


def json_values(max_leaves: int = 25) -> st.SearchStrategy[Any]:
    """Any JSON value (finite numbers, big integers, any Unicode text but lone surrogates)."""
    return st.recursive(
        _scalars(),
        lambda children: st.one_of(
            st.lists(children, max_size=5),
            st.dictionaries(spec_keys(), children, max_size=5),
        ),
        max_leaves=max_leaves,
    )


_TOKENS = [
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b'"',
    b" ",
    b"\\",
    b'"inputs"',
    b'"query"',
    b'"filters"',
    b'"pagination"',
    b'"AND"',
    b'"\\ud800"',  # a lone surrogate, escaped
    b'"\\ud83d\\ude00"',  # a well-formed pair
    b'"\xed\xa0\x80"',  # a surrogate encoded in UTF-8 (not UTF-8)
    b"\xff\xfe",
    b"\x00",
    b"1e400",
    b"-1e400",
    b"1" + b"0" * 400,
    b"9" * 5_000,
    b"NaN",
    b"Infinity",
    b"-Infinity",
    b"true",
    b"null",
    b"0.5",
    b"-0",
]


def json_like_bytes() -> st.SearchStrategy[bytes]:
    """Bytes made of JSON's own tokens and its traps: mostly almost-JSON."""
    return st.lists(st.sampled_from(_TOKENS), max_size=40).map(b"".join)


def dumps_any(value: Any) -> bytes:
    """``value`` as JSON text, UTF-8 (non-ASCII kept as is)."""
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def _document_paths() -> list[str]:
    paths: set[str] = {"document_id", "collection_id"}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                path = f"{prefix}.{key}" if prefix else key
                paths.add(path)
                walk(path, child)
        elif isinstance(value, list) and value:
            paths.add(f"{prefix}.0")

    for collection in load_world(default_world_path()).collections:
        for document in collection.documents[:20]:
            walk("", document.payload)
    return sorted(paths)


DOCUMENT_PATHS = _document_paths()
"""Every dot path of the default world's documents (``metadata.tags.0`` indexes a list)."""
OPERATORS = [operator.value for operator in FilterOperator]


def field_paths() -> st.SearchStrategy[str]:
    """Document paths: real ones, ``payload.``-prefixed ones, made-up and hostile ones."""
    segment = st.one_of(
        st.sampled_from(["metadata", "tags", "payload", "0", "1", "99", "location", "lat"]),
        st.text(max_size=4),
    )
    return st.one_of(
        st.sampled_from(DOCUMENT_PATHS),
        st.sampled_from(DOCUMENT_PATHS).map("payload.{}".format),
        st.lists(segment, min_size=1, max_size=4).map(".".join),
        st.sampled_from(HOSTILE_STRINGS),
    )


def _filter_values() -> st.SearchStrategy[Any]:
    point = st.fixed_dictionaries(
        {"lat": st.floats(-100, 100) | st.integers(), "lon": st.floats(-200, 200)},
        optional={"radius_m": st.floats(-1, 1e7) | st.integers()},
    )
    return st.one_of(
        _scalars(),
        st.lists(_scalars(), max_size=4),
        point,
        st.fixed_dictionaries({"top_left": point, "bottom_right": point}),
        st.fixed_dictionaries({"points": st.lists(point, max_size=5)}),
        st.sampled_from(["^a.*b$", "(a+)+$", "(a|a)*", "[", "(?=x)", "\\1", "x" * 300]),
        json_values(max_leaves=4),
    )


def _conditions() -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        st.fixed_dictionaries(
            {"field": field_paths()},
            optional={
                "operator": st.one_of(st.sampled_from(OPERATORS), st.text(max_size=5)),
                "value": _filter_values(),
            },
        ),
        st.dictionaries(field_paths(), _filter_values(), min_size=1, max_size=2),
    )


def filter_trees() -> st.SearchStrategy[Any]:
    """Filters: well-formed trees of every operator, malformed ones and any JSON at all."""
    trees = st.recursive(
        _conditions(),
        lambda children: st.fixed_dictionaries(
            {},
            optional={
                "AND": st.lists(children, max_size=3),
                "OR": st.lists(children, max_size=3),
                "NOT": st.lists(children, max_size=3) | _scalars(),
                "case_sensitive": st.booleans() | _scalars(),
            },
        ),
        max_leaves=8,
    )
    return st.one_of(trees, json_values(max_leaves=8))


def documents() -> st.SearchStrategy[StoredDocument]:
    """Documents whose payloads hold anything at the paths filters name."""
    anything = st.one_of(_scalars(), st.lists(_scalars(), max_size=3), _filter_values())
    payload = st.fixed_dictionaries(
        {},
        optional={
            "metadata": st.dictionaries(
                st.sampled_from(["category", "tags", "year", "location", "0", "payload"]),
                anything,
                max_size=3,
            ),
            "tags": st.lists(_scalars(), max_size=3),
            "title": _strings(),
            "payload": anything,
        },
    )
    return st.builds(
        StoredDocument,
        document_id=st.text(min_size=1, max_size=8),
        collection_id=st.sampled_from(["col_a", "col_b"]),
        payload=payload,
    )


def _sizes() -> st.SearchStrategy[int]:
    return st.one_of(st.integers(-2, 600), st.just(10**400), st.just(2**63))


def _paginations() -> st.SearchStrategy[dict[str, Any]]:
    token = st.one_of(st.none(), st.text(max_size=40), st.sampled_from(HOSTILE_STRINGS))
    return st.one_of(
        st.fixed_dictionaries(
            {"method": st.just("offset")},
            optional={"page_size": _sizes(), "page_number": _sizes()},
        ),
        st.fixed_dictionaries(
            {}, optional={"method": st.just("cursor"), "limit": _sizes(), "cursor": token}
        ),
        st.fixed_dictionaries(
            {"method": st.just("scroll")},
            optional={"limit": _sizes(), "scroll_id": token, "scroll_ttl": _sizes()},
        ),
        st.fixed_dictionaries(
            {"method": st.just("keyset")},
            optional={"limit": _sizes(), "after": st.none() | json_values(max_leaves=4)},
        ),
        st.dictionaries(spec_keys(), json_values(max_leaves=4), max_size=3),
    )


def execute_requests() -> st.SearchStrategy[dict[str, Any]]:
    """Execute bodies shaped like the spec's request, with hostile values in every field."""
    inputs = st.fixed_dictionaries(
        {},
        optional={
            "query": _strings(),
            "top_k": _sizes(),
            "min_score": st.floats(allow_nan=False, allow_infinity=False),
            "embedding": st.lists(st.floats(-1, 1), max_size=8),
            "media_type": st.sampled_from(["image", "video", "nothing"]),
            "language": _strings(),
        },
    )
    sort = st.fixed_dictionaries(
        {"field": field_paths()}, optional={"direction": st.sampled_from(["asc", "desc", "up"])}
    )
    return st.fixed_dictionaries(
        {"inputs": inputs},
        optional={
            "filters": filter_trees(),
            "pagination": _paginations(),
            "sort": sort,
            "limit": _sizes(),
            "offset": _sizes(),
            "page_size": _sizes(),
            "select": st.lists(field_paths(), max_size=3),
            "group_by": st.fixed_dictionaries(
                {"field": field_paths()}, optional={"max_features": _sizes(), "sort": sort}
            ),
            "collection_identifiers": st.lists(
                st.sampled_from(["col_product_catalog", "help-articles", "nope", "../x"]),
                max_size=3,
            ),
            "retriever_id": _strings(),
            "stream": st.booleans(),
            "explain": st.booleans(),
            "skip_cache": st.booleans(),
        },
    )
