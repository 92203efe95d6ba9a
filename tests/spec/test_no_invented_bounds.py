"""No invented bounds: the contract claims no limit the real API does not publish.

A bound the real service does not have turns a valid request into a "broken rule" (the
suites send it and expect a 422 that never comes) or refuses what a faithful server
accepts. The only bounds left on the request are the ones FACTS.md publishes: the page
sizes of the four pagination methods (and `limit`/`page_size`, their top-level aliases)
and the scroll context's lifetime. A server that caps more for its own safety clamps and
reports it in `limits`, or says so in its error; it does not make it the contract.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mixpeek_toolkit import spec

OPENAPI = spec.load_openapi()
SCHEMAS = OPENAPI["components"]["schemas"]
PARAMETERS = OPENAPI["components"]["parameters"]
BOUNDING = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "pattern")
# FACTS.md, "Pagination": the only upper bounds the real API publishes for a request.
PUBLISHED = {
    ("OffsetPaginationParams", "page_size", "maximum"): 500,
    ("CursorPaginationParams", "limit", "maximum"): 500,
    ("ScrollPaginationParams", "limit", "maximum"): 1000,
    ("ScrollPaginationParams", "scroll_ttl", "maximum"): 3600,
    ("KeysetPaginationParams", "limit", "maximum"): 500,
    ("ExecuteRetrieverRequest", "limit", "maximum"): 500,  # the official client's bound
    ("ExecuteRetrieverRequest", "page_size", "maximum"): 500,  # an alias of limit (0.82)
}


def bounds(node: Any, schema: str, field: str | None, seen: set[str]) -> Iterator[tuple]:
    """Every bounding keyword reachable from ``node``: (schema, property, keyword, value)."""
    if isinstance(node, list):
        for item in node:
            yield from bounds(item, schema, field, seen)
        return
    if not isinstance(node, dict):
        return
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            seen.add(name)
            yield from bounds(SCHEMAS[name], name, None, seen)
        return
    for keyword in BOUNDING:
        if keyword in node:
            yield schema, field, keyword, node[keyword]
    for key, child in node.items():
        if key == "properties":
            for name, sub in child.items():
                yield from bounds(sub, schema, name, seen)
        elif key not in ("examples", "default", "description"):
            yield from bounds(child, schema, field, seen)


def test_the_request_body_carries_only_the_bounds_the_real_api_publishes():
    found = list(bounds({"$ref": "#/components/schemas/ExecuteRetrieverRequest"}, "", None, set()))
    assert {(s, f, k): v for s, f, k, v in found} == PUBLISHED


@pytest.mark.parametrize("component", ["RetrieverId", "ExecutionId", "Namespace"])
def test_the_path_parameters_and_x_namespace_are_plain_strings(component):
    # A retriever is addressed by id or by its name (spaces, any Unicode); an unknown one
    # is 404, never 422; a namespace is an ID or any name.
    assert PARAMETERS[component]["schema"] == {"type": "string", "minLength": 1}


@pytest.mark.parametrize(
    ("schema", "field"),
    [
        ("RetrieverInputs", "query"),
        ("RetrieverInputs", "embedding"),
        ("ExecuteRetrieverRequest", "session_id"),
        ("ExecuteRetrieverRequest", "description"),
    ],
)
def test_free_text_and_vectors_are_uncapped(schema, field):
    prop = SCHEMAS[schema]["properties"][field]
    assert not set(BOUNDING) & set(prop)


def test_top_k_has_no_upper_bound_a_larger_one_is_clamped_and_reported():
    top_k = SCHEMAS["RetrieverInputs"]["properties"]["top_k"]
    assert top_k["minimum"] == 1
    assert "maximum" not in top_k
    assert "clamped" in top_k["description"] and "`limits`" in top_k["description"]
    limits = SCHEMAS["ExecuteRetrieverResponse"]["properties"]["limits"]
    assert limits["items"] == {"$ref": "#/components/schemas/LimitEntry"}
    assert {"name", "requested", "applied", "ceiling", "stage"} <= set(
        SCHEMAS["LimitEntry"]["properties"]
    )
