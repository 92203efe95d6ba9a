"""Filters: every operator of the spec's FilterOperator, nesting, depth and malformed operands.

The pantry holds four documents: doc_apple (Fruit, 2020, 1.5, Paris), doc_pear (fruit,
2021, 2, London, note: null), doc_cake (Baking, year "2019" as a string, 12.0, no
location) and doc_bread (Baking, 2022, 8, New York).
"""

from __future__ import annotations

from typing import Any

import pytest

from mixpeek_toolkit import spec
from mixpeek_toolkit.generated.models import ExecuteRetrieverRequest, FilterOperator
from mixpeek_toolkit.mockserver.filters import (
    MAX_DEPTH,
    InvalidFilter,
    compile_filter,
    filter_fields,
    max_filter_depth,
)
from mixpeek_toolkit.mockserver.world import NamespaceWorld

from .helpers import LONDON, PARIS


def matching(world: NamespaceWorld, filters: Any) -> list[str]:
    predicate = compile_filter(filters)
    collection = world.find_collection("pantry")
    assert collection is not None
    return sorted(d.document_id for d in collection.documents if predicate(d))


def cond(field: str, operator: str, value: Any = None) -> dict[str, Any]:
    condition: dict[str, Any] = {"field": field, "operator": operator}
    if value is not None:
        condition["value"] = value
    return {"AND": [condition]}


CASES: list[tuple[str, dict[str, Any], list[str]]] = [
    ("eq", cond("metadata.category", "eq", "baking"), ["doc_bread", "doc_cake"]),
    ("ne", cond("metadata.category", "ne", "fruit"), ["doc_bread", "doc_cake"]),
    ("gt", cond("metadata.price", "gt", 2), ["doc_bread", "doc_cake"]),
    ("lt", cond("metadata.price", "lt", 2), ["doc_apple"]),
    ("gte", cond("metadata.year", "gte", 2021), ["doc_bread", "doc_pear"]),
    ("lte", cond("metadata.price", "lte", 2), ["doc_apple", "doc_pear"]),
    ("in", cond("metadata.year", "in", [2020, 2022]), ["doc_apple", "doc_bread"]),
    ("nin", cond("metadata.year", "nin", [2020, 2022]), ["doc_cake", "doc_pear"]),
    ("contains", cond("text", "contains", "BANANA"), ["doc_bread"]),
    ("starts_with", cond("title", "starts_with", "carrot"), ["doc_cake"]),
    ("ends_with", cond("title", "ends_with", "PEAR"), ["doc_pear"]),
    ("regex", cond("title", "regex", r"^(red|green) "), ["doc_apple", "doc_pear"]),
    ("exists", cond("metadata.location", "exists", True), ["doc_apple", "doc_bread", "doc_pear"]),
    (
        "is_null",
        cond("metadata.note", "is_null", True),
        ["doc_apple", "doc_bread", "doc_cake", "doc_pear"],
    ),
    ("text", cond("text", "text", "walnuts banana"), ["doc_bread"]),
    ("phrase", cond("text", "phrase", "carrot cake"), ["doc_cake"]),
    ("words", cond("text", "words", ["walnuts", "orchards"]), ["doc_apple", "doc_bread"]),
    (
        "geo_radius",
        cond("metadata.location", "geo_radius", {**PARIS, "radius_m": 400_000}),
        ["doc_apple", "doc_pear"],
    ),
    (
        "geo_bounding_box",
        cond(
            "metadata.location",
            "geo_bounding_box",
            {"top_left": {"lat": 52, "lon": -1}, "bottom_right": {"lat": 48, "lon": 3}},
        ),
        ["doc_apple", "doc_pear"],
    ),
    (
        "geo_polygon",
        cond(
            "metadata.location",
            "geo_polygon",
            {"points": [{"lat": 50, "lon": -80}, {"lat": 50, "lon": -70}, {"lat": 30, "lon": -75}]},
        ),
        ["doc_bread"],
    ),
]


def test_the_cases_cover_every_operator_of_the_spec() -> None:
    assert {name for name, _, _ in CASES} == {op.value for op in FilterOperator}


@pytest.mark.parametrize(("operator", "filters", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_operator_selects_its_documents(
    pantry: NamespaceWorld, operator: str, filters: dict, expected: list[str]
) -> None:
    assert matching(pantry, filters) == expected


def test_a_list_field_matches_when_one_element_does(pantry: NamespaceWorld) -> None:
    assert matching(pantry, cond("metadata.tags", "eq", "sweet")) == ["doc_apple", "doc_bread"]
    assert matching(pantry, cond("metadata.tags", "contains", "green")) == ["doc_pear"]
    assert matching(pantry, cond("metadata.tags", "nin", ["sweet"])) == ["doc_cake", "doc_pear"]


def test_negations_and_is_null_cover_absent_fields(pantry: NamespaceWorld) -> None:
    assert matching(pantry, cond("metadata.location", "exists", False)) == ["doc_cake"]
    assert matching(pantry, cond("metadata.note", "exists", True)) == ["doc_pear"]
    assert matching(pantry, cond("metadata.note", "is_null", False)) == []
    assert matching(pantry, cond("metadata.missing", "ne", "x")) == matching(pantry, {})


def test_incompatible_types_never_match_and_never_raise(pantry: NamespaceWorld) -> None:
    # doc_cake's year is the string "2019": numeric comparisons skip it.
    assert "doc_cake" not in matching(pantry, cond("metadata.year", "gt", 2000))
    assert matching(pantry, cond("metadata.year", "gt", "2000")) == ["doc_cake"]
    assert matching(pantry, cond("metadata.location", "starts_with", "P")) == []
    assert matching(pantry, cond("title", "geo_radius", {**PARIS, "radius_m": 10})) == []
    assert matching(pantry, cond("metadata.price", "eq", "2")) == []


def test_numbers_compare_by_value_and_booleans_are_not_numbers(pantry: NamespaceWorld) -> None:
    assert matching(pantry, cond("metadata.price", "eq", 2.0)) == ["doc_pear"]
    assert matching(pantry, cond("metadata.price", "eq", True)) == []


def test_shorthand_keys_mean_equality(pantry: NamespaceWorld) -> None:
    assert matching(pantry, {"metadata.category": "Baking", "metadata.year": 2022}) == ["doc_bread"]


def test_a_bare_condition_at_the_top_level_is_one_condition_not_shorthand(
    pantry: NamespaceWorld,
) -> None:
    bare = {"field": "metadata.category", "operator": "eq", "value": "baking"}
    model = ExecuteRetrieverRequest.model_validate({"filters": bare}).filters

    assert matching(pantry, bare) == matching(pantry, model) == ["doc_bread", "doc_cake"]


def test_payload_prefixed_and_document_fields_resolve(pantry: NamespaceWorld) -> None:
    assert matching(pantry, {"payload.metadata.year": 2020}) == ["doc_apple"]
    assert matching(pantry, {"document_id": "doc_cake"}) == ["doc_cake"]
    assert matching(pantry, {"metadata.tags.0": "red"}) == ["doc_apple"]


def test_strings_compare_case_insensitively_unless_asked(pantry: NamespaceWorld) -> None:
    assert matching(pantry, {"metadata.category": "fruit"}) == ["doc_apple", "doc_pear"]
    assert matching(pantry, {"metadata.category": "fruit", "case_sensitive": True}) == ["doc_pear"]
    nested = {
        "case_sensitive": True,
        "AND": [{"OR": [{"field": "title", "operator": "regex", "value": "^red"}]}],
    }
    assert matching(pantry, nested) == []  # the nested operator inherits case sensitivity


def test_and_or_not_nest(pantry: NamespaceWorld) -> None:
    filters = {
        "OR": [
            {
                "AND": [
                    {"field": "metadata.category", "value": "fruit"},
                    {"field": "metadata.price", "operator": "gt", "value": 1.8},
                ]
            },
            {
                "NOT": [
                    {"field": "metadata.category", "value": "fruit"},
                    {"field": "metadata.price", "operator": "gt", "value": 10},
                ]
            },
        ]
    }
    assert matching(pantry, filters) == ["doc_bread", "doc_pear"]


def test_the_generated_model_compiles_like_the_raw_mapping(pantry: NamespaceWorld) -> None:
    raw = {
        "AND": [{"field": "metadata.year", "operator": "gte", "value": 2021}],
        "NOT": [{"metadata.category": "Baking"}],
    }
    model = ExecuteRetrieverRequest.model_validate({"filters": raw}).filters
    assert matching(pantry, model) == matching(pantry, raw) == ["doc_pear"]


def nested(levels: int) -> dict[str, Any]:
    node: dict[str, Any] = {"AND": [{"field": "title", "operator": "exists"}]}
    for _ in range(levels - 1):
        node = {"AND": [node]}
    return node


def test_depth_is_limited_by_the_spec() -> None:
    assert MAX_DEPTH == max_filter_depth(spec.load_openapi()) == 5
    compile_filter(nested(MAX_DEPTH))
    with pytest.raises(InvalidFilter, match="at most 5 levels") as caught:
        compile_filter(nested(MAX_DEPTH + 1))
    assert caught.value.location == ("body", "filters", *(["AND", 0] * MAX_DEPTH))


@pytest.mark.parametrize(
    ("filters", "location", "message"),
    [
        (cond("metadata.year", "in", 2020), ("AND", 0, "value"), "array"),
        (cond("metadata.year", "gt", [1]), ("AND", 0, "value"), "number or a string"),
        (cond("title", "starts_with", 3), ("AND", 0, "value"), "string"),
        (cond("title", "regex", "(unclosed"), ("AND", 0, "value"), "Invalid regex"),
        (cond("title", "regex", "(a+)+$"), ("AND", 0, "value"), "exponential"),
        (cond("title", "regex", "a" * 300), ("AND", 0, "value"), "limited to 256"),
        (cond("title", "exists", "yes"), ("AND", 0, "value"), "true or false"),
        (cond("title", "contains", ["a"]), ("AND", 0, "value"), "single value"),
        (cond("title", "text", "the of"), ("AND", 0, "value"), "at least one word"),
        (
            cond("metadata.location", "geo_radius", {**LONDON}),
            ("AND", 0, "value", "radius_m"),
            "radius_m",
        ),
        (
            cond("metadata.location", "geo_radius", {"lat": 91, "lon": 0, "radius_m": 1}),
            ("AND", 0, "value"),
            "point",
        ),
        (
            cond("metadata.location", "geo_bounding_box", {"top_left": {"lat": 1, "lon": 0}}),
            ("AND", 0, "value", "bottom_right"),
            "point",
        ),
        (
            cond("metadata.location", "geo_polygon", {"points": [PARIS, LONDON]}),
            ("AND", 0, "value", "points"),
            "at least 3",
        ),
        (cond("metadata.location", "geo_polygon", [PARIS]), ("AND", 0, "value"), "object"),
        (
            {"AND": [{"field": "title", "operator": "like"}]},
            ("AND", 0, "operator"),
            "Unknown operator",
        ),
        ({"AND": "title"}, ("AND",), "array"),
        ({"OR": [42]}, ("OR", 0), "condition or a logical operator"),
        ({"case_sensitive": "yes"}, ("case_sensitive",), "true or false"),
    ],
)
def test_malformed_operands_are_refused_with_their_location(
    filters: dict, location: tuple, message: str
) -> None:
    with pytest.raises(InvalidFilter, match=message) as caught:
        compile_filter(filters)
    assert caught.value.location == ("body", "filters", *location)


def test_no_filter_keeps_everything(pantry: NamespaceWorld) -> None:
    assert len(matching(pantry, None)) == 4


def test_in_and_nin_keep_equality_semantics_over_many_options(pantry: NamespaceWorld) -> None:
    # Numbers by value, strings case-folded, booleans are not numbers, arrays still compare.
    assert matching(pantry, cond("metadata.price", "in", [2.0, True])) == ["doc_pear"]
    assert matching(pantry, cond("metadata.category", "in", ["FRUIT"])) == ["doc_apple", "doc_pear"]
    assert matching(pantry, cond("metadata.year", "in", ["2019", [2020]])) == ["doc_cake"]
    assert matching(pantry, cond("metadata.note", "in", [None])) == ["doc_pear"]
    assert matching(pantry, cond("metadata.year", "nin", list(range(2_000, 2_021)))) == [
        "doc_bread",
        "doc_cake",
        "doc_pear",
    ]


def test_in_looks_options_up_instead_of_comparing_each(
    pantry: NamespaceWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long ``in`` list costs one lookup per document, not one comparison per option
    (a 1 MB list of options used to keep the event loop busy for seconds)."""
    import mixpeek_toolkit.mockserver.filters as filters

    comparisons = 0
    compare = filters._equal

    def counting(a: Any, b: Any, case_sensitive: bool) -> bool:
        nonlocal comparisons
        comparisons += 1
        return compare(a, b, case_sensitive)

    monkeypatch.setattr(filters, "_equal", counting)
    options: list[Any] = [*range(10_000), "Fruit"]
    assert matching(pantry, cond("metadata.category", "in", options)) == ["doc_apple", "doc_pear"]
    assert comparisons == 0


def test_filter_fields_lists_every_field_once_in_order() -> None:
    tree = {
        "metadata.a": 1,
        "OR": [
            {"field": "metadata.b", "operator": "gt", "value": 2},
            {"NOT": [{"metadata.a": 3}, {"field": "metadata.c"}]},
        ],
        "case_sensitive": True,
    }
    assert filter_fields(tree) == ["metadata.a", "metadata.b", "metadata.c"]
    assert filter_fields({"field": "year", "operator": "gte", "value": 2020}) == ["year"]
    assert filter_fields(None) == []
