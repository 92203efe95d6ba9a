"""Filters under fuzzing: any JSON compiles or is refused, and evaluation never raises.

``compile_filter`` checks a whole tree once and raises :class:`InvalidFilter` (a 422
naming where); the predicate it returns must then hold or not on any document, whatever
the document holds at the paths the filter names.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mixpeek_toolkit import spec
from mixpeek_toolkit.mockserver.filters import InvalidFilter, compile_filter, max_filter_depth
from mixpeek_toolkit.mockserver.world import StoredDocument, default_world_path, load_world
from tests.reliability.conftest import execute_path, fuzz, in_process
from tests.reliability.strategies import documents, filter_trees

SPEC_DEPTH = max_filter_depth(spec.load_openapi())
WORLD_DOCUMENTS = [
    d for c in load_world(default_world_path()).collections for d in c.documents[::10]
]
"""A tenth of the default world's documents, every collection: real shapes to evaluate on."""
CONDITION = {"field": "metadata.year", "operator": "gte", "value": 2020}


def nested(depth: int, operator: str = "AND") -> dict[str, Any]:
    """A condition inside ``depth`` logical operators (built without recursion)."""
    tree: dict[str, Any] = CONDITION
    for _ in range(depth):
        tree = {operator: [tree]}
    return tree


def evaluate_everywhere(predicate, extra: list[StoredDocument]) -> None:
    for document in [*extra, *WORLD_DOCUMENTS]:
        assert isinstance(predicate(document), bool)


@fuzz(max_examples=400)
@given(filters=filter_trees(), extra=st.lists(documents(), max_size=3))
def test_any_filter_compiles_or_is_refused_and_its_predicate_never_raises(
    filters: Any, extra: list[StoredDocument]
) -> None:
    try:
        predicate = compile_filter(filters)
    except InvalidFilter as refused:
        assert refused.message
        assert refused.location[:2] == ("body", "filters")
        return
    evaluate_everywhere(predicate, extra)


@fuzz(max_examples=60)
@given(depth=st.integers(1, 3 * SPEC_DEPTH), operator=st.sampled_from(["AND", "OR", "NOT"]))
def test_a_filter_compiles_exactly_up_to_the_spec_depth(depth: int, operator: str) -> None:
    if depth <= SPEC_DEPTH:
        evaluate_everywhere(compile_filter(nested(depth, operator)), [])
    else:
        with pytest.raises(InvalidFilter, match=f"at most {SPEC_DEPTH} levels"):
            compile_filter(nested(depth, operator))


def test_a_filter_ten_thousand_levels_deep_is_refused_without_recursing() -> None:
    with pytest.raises(InvalidFilter, match=f"at most {SPEC_DEPTH} levels"):
        compile_filter(nested(10_000))


SUPERSCRIPT_PATH = "metadata.tags.²"  # isdigit() says a digit, int() says no
CLAUSES = {
    "filters": {"field": SUPERSCRIPT_PATH, "operator": "eq", "value": "x"},
    "sort": {"field": SUPERSCRIPT_PATH},
    "group_by": {"field": SUPERSCRIPT_PATH},
}


@pytest.mark.parametrize("clause", sorted(CLAUSES))
def test_a_path_segment_written_with_a_superscript_digit_names_nothing(clause: str) -> None:
    with in_process() as (_, client):
        body = {"inputs": {"query": "travel"}, clause: CLAUSES[clause]}
        response = client.post(execute_path(), json=body)
    assert response.status_code == 200, response.text
