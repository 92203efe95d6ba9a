"""Text scores read each query token's weights as one column over the documents.

A column is built on the first query that uses its token and kept (a bounded number per
collection). The scores are the same, to the bit, as the sum over each document's own
weights, in the order of the query's tokens, for every document or for a subset.
"""

from __future__ import annotations

from operator import mul

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.engine_scaling import synthetic_documents
from mixpeek_toolkit.mockserver.scoring import TOKEN_COLUMNS_KEPT, CollectionIndex

PAYLOADS = [document["payload"] for document in synthetic_documents(400, seed=3)]
INDEX = CollectionIndex.build(PAYLOADS)
WORDS = ["wireless", "noise", "cancelling", "headphones", "laptops", "the", "unknown", "rugged"]


def per_document(index: CollectionIndex, query: str, positions) -> list[float]:
    """The plain computation: each document's own weights, token by token."""
    terms = index.query_vector(query)
    tokens, weights = list(terms), list(terms.values())
    vectors = index.vectors if positions is None else [index.vectors[p] for p in positions]
    return [
        min(1.0, sum(map(mul, weights, (v.weights.get(t, 0.0) for t in tokens)))) for v in vectors
    ]


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(" ".join),
    st.none() | st.lists(st.integers(0, len(PAYLOADS) - 1), unique=True).map(sorted),
)
def test_column_scores_equal_the_per_document_sums_to_the_bit(query, positions):
    scores = INDEX.text_scores(query, positions)
    expected = per_document(INDEX, query, positions)
    assert [repr(s) for s in scores] == [repr(s) for s in expected]


def test_a_query_of_stop_words_scores_zero_everywhere():
    assert INDEX.text_scores("the and of", [0, 1, 2]) == [0, 0, 0]


def test_a_token_no_document_has_gets_no_column():
    index = CollectionIndex.build(PAYLOADS)
    scores = index.text_scores("q7x123 zzzunknown")
    assert scores == [0.0] * len(PAYLOADS)
    index.text_scores("wireless q7x123")
    assert len(index.columns) == 1 and index.columns.peek("wireless") is not None


def test_columns_are_built_once_and_bounded():
    index = CollectionIndex.build(PAYLOADS)
    index.text_scores("wireless headphones")
    first = index.column("wireless")
    assert index.column("wireless") is first
    for n in range(TOKEN_COLUMNS_KEPT + 5):
        index.column(f"token{n}")
    assert len(index.columns) == TOKEN_COLUMNS_KEPT
    assert index.column("token0").tolist() == [0.0] * len(PAYLOADS)


@pytest.mark.parametrize("positions", [None, [], [5, 2, 9]])
def test_scores_come_in_the_order_of_the_positions(positions):
    scores = INDEX.text_scores("wireless noise", positions)
    assert len(scores) == (len(PAYLOADS) if positions is None else len(positions))
