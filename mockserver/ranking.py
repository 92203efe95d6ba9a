"""Ordering a run's scored documents: sort, group_by and top_k.

Items are ``(document, score)`` pairs in candidate order (collections in order, each
collection's documents in order). :func:`rank` answers the first ``top_k`` of the
ordered (and grouped) result, each with its group key, and how many the whole result
holds; it orders only what it must: under the default order (score, highest first,
ties by ``document_id``) it finds the ``top_k``-th best score among bare floats
(``heapq.nlargest``) and sorts only the documents scoring at least that (ties
included): the same first ``top_k`` as sorting everything, without sorting everything.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..generated.models import GroupBy, SortOption
from .fields import is_missing, resolve_field
from .world import StoredDocument

__all__ = ["Item", "rank"]

Item = tuple[StoredDocument, float]
"""A candidate document and its score."""


def _by_score(item: Item) -> tuple[float, str]:
    """Score highest first, ties by ``document_id``."""
    return (-item[1], item[0].document_id)


def _by_score_ascending(item: Item) -> tuple[float, str]:
    return (item[1], item[0].document_id)


def _value(item: Item, field: str) -> Any:
    if field == "score":
        return item[1]
    value = resolve_field(item[0], field)
    return None if is_missing(value) else value


def _ordered(items: Sequence[Item], sort: SortOption | None) -> list[Item]:
    """Sort by score desc and document_id asc, then (stably) by ``sort`` when given."""
    ordered = sorted(items, key=_by_score)
    if sort is None or (sort.field == "score" and sort.direction != "asc"):
        return ordered
    descending = sort.direction != "asc"
    if sort.field == "score":
        return sorted(ordered, key=lambda item: item[1])
    ranked: list[tuple[tuple[int, Any], Item]] = []
    rest: list[Item] = []
    for item in ordered:
        value = _value(item, sort.field)
        if isinstance(value, bool):
            ranked.append(((2, value), item))
        elif isinstance(value, int | float):
            ranked.append(((0, value), item))
        elif isinstance(value, str):
            ranked.append(((1, value), item))
        else:
            rest.append(item)  # missing, null or not orderable: last
    ranked.sort(key=lambda pair: pair[0], reverse=descending)
    return [item for _, item in ranked] + rest


def _group_key(value: Any) -> Any:
    if isinstance(value, list | Mapping):
        return repr(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _grouped(items: Sequence[Item], group_by: GroupBy) -> list[tuple[Item, Any]]:
    groups: dict[Any, list[Item]] = {}
    keys: dict[Any, Any] = {}
    for item in items:  # insertion order: groups ordered by their best document
        value = _value(item, group_by.field)
        key = _group_key(value)
        groups.setdefault(key, []).append(item)
        keys.setdefault(key, value)
    limit = group_by.max_features or 1
    out: list[tuple[Item, Any]] = []
    for key, members in groups.items():
        if group_by.sort is not None:
            members = _ordered(members, group_by.sort)
        out.extend((member, keys[key]) for member in members[:limit])
    return out


def _score_order(sort: SortOption | None) -> Callable[[Item], Any] | None:
    """The key of an order by score alone (None for an order by another field)."""
    if sort is None or (sort.field == "score" and sort.direction != "asc"):
        return _by_score
    if sort.field == "score":  # ascending; ties still by document_id, as _ordered has them
        return _by_score_ascending
    return None


def rank(
    items: Sequence[Item], sort: SortOption | None, group_by: GroupBy | None, top_k: int
) -> tuple[list[tuple[Item, Any]], int]:
    """``(the first top_k of the result with their group keys, the size of the whole)``.

    The result is ``items`` ordered by ``sort`` (see :func:`_ordered`), then grouped by
    ``group_by`` (at most ``max_features`` per value of its field; group keys are None
    without it).
    """
    if group_by is not None:
        tagged = _grouped(_ordered(items, sort), group_by)
        return tagged[:top_k], len(tagged)
    key = _score_order(sort)
    if key is None:
        top = _ordered(items, sort)[:top_k]
    else:
        top = sorted(_contenders(items, top_k, descending=key is _by_score), key=key)[:top_k]
    return [(item, None) for item in top], len(items)


def _contenders(items: Sequence[Item], top_k: int, *, descending: bool) -> Sequence[Item]:
    """The items that may rank among the first ``top_k`` by score: those at least as good
    as the ``top_k``-th best score (ties included), found among bare floats."""
    if top_k >= len(items):
        return items
    scores = [item[1] for item in items]
    if descending:
        bar = heapq.nlargest(top_k, scores)[-1]
        return [item for item in items if item[1] >= bar]
    bar = heapq.nsmallest(top_k, scores)[-1]
    return [item for item in items if item[1] <= bar]
