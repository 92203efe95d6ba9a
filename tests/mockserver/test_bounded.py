"""Every store and cache of the mock is a BoundedDict: it never holds more than its size."""

from __future__ import annotations

import pytest

from mixpeek_toolkit.mockserver.bounded import BoundedDict


def test_oldest_eviction_forgets_in_insertion_order_even_after_reads_and_updates():
    store: BoundedDict[str, int] = BoundedDict(2, evict="oldest")
    store.put("a", 1)
    store.put("b", 2)
    store.get("a")
    store.put("a", 10)  # an update keeps its place
    store.put("c", 3)

    assert (store.get("a"), store.get("b"), store.get("c"), len(store)) == (None, 2, 3, 2)


def test_least_recent_eviction_keeps_what_was_just_read():
    cache: BoundedDict[str, int] = BoundedDict(2, evict="least_recent")
    cache.put("a", 1)
    cache.put("b", 2)
    cache.get("a")
    cache.put("c", 3)

    assert (cache.get("a"), cache.get("b"), cache.get("c"), len(cache)) == (1, None, 3, 2)


def test_a_size_below_one_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        BoundedDict(0, evict="oldest")


def test_get_or_put_makes_a_value_once_and_counts_as_a_use():
    made = []
    cache: BoundedDict[str, str] = BoundedDict(2, evict="least_recent")
    cache.get_or_put("a", lambda: made.append("a") or "A")
    cache.put("b", "B")
    assert cache.get_or_put("a", lambda: made.append("again") or "X") == "A"
    cache.put("c", "C")

    assert made == ["a"]
    assert (cache.peek("a"), cache.peek("b"), cache.peek("c")) == ("A", None, "C")


def test_peek_does_not_count_as_a_use():
    cache: BoundedDict[str, int] = BoundedDict(2, evict="least_recent")
    cache.put("a", 1)
    cache.put("b", 2)
    cache.peek("a")
    cache.put("c", 3)

    assert cache.peek("a") is None
