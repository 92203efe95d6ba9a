"""The ranked result as the answer shows it: documents shaped only when read.

A run's :class:`RankedDocuments` holds references to the stored documents (never
mutated), their scores and group keys. Reading an index or a slice answers
response-ready dicts (keys in the order of the spec's ``Document``, ``group_key``
added, ``select`` applied). Two ways to read:

- the result itself answers fresh dicts with copied payloads: a caller may change them;
- its :meth:`RankedDocuments.shared` view answers dicts that share the stored payloads
  and are shaped once per position, then answered again to every later read: the
  server only serializes them, so every execution of a cached result shares one set of
  dicts (a page of 20 costs nothing after the first, and 10,000 stored executions of
  one query hold one copy of its documents). They must never be changed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, overload

from .world import StoredDocument

__all__ = ["RankedDocuments", "copy_json"]

Ranked = tuple[StoredDocument, float, Any]
"""A document, its score and its group key (None without ``group_by``)."""


class RankedDocuments(Sequence[dict[str, Any]]):
    """The whole ranked result, shaped for the response only when read (see the module
    docstring). Immutable: safe to share between requests."""

    __slots__ = ("_copy", "_grouped", "_items", "_select", "_shaped", "_view")

    def __init__(
        self,
        items: Sequence[Ranked],
        select: Sequence[str] | None,
        *,
        grouped: bool,
        copy: bool = True,
    ) -> None:
        self._items = tuple(items)
        self._select = tuple(select) if select is not None else None
        self._grouped = grouped
        self._copy = copy
        self._shaped: list[dict[str, Any] | None] | None = None  # the shared view's dicts
        self._view: RankedDocuments | None = None

    def shared(self) -> RankedDocuments:
        """The same result, shaped without copying payloads, each position once: the
        dicts it answers are shared (with the stored documents and with every other
        read), so they must never be changed (the server only serializes them)."""
        if self._view is None:
            view = RankedDocuments((), self._select, grouped=self._grouped, copy=False)
            view._items = self._items
            view._shaped = [None] * len(self._items)
            self._view = view
        return self._view

    def _shape(self, item: Ranked) -> dict[str, Any]:
        stored, score, group_key = item
        copy = self._copy
        document: dict[str, Any] = {  # keys in the order of the spec's Document
            "document_id": stored.document_id,
            "score": score,
            "payload": copy_json(stored.payload) if copy else stored.payload,
            "collection_id": stored.collection_id,
        }
        if self._grouped:
            document["group_key"] = copy_json(group_key) if copy else group_key
        if self._select is not None:
            document = _selected(document, self._select)
        return document

    def _at(self, position: int) -> dict[str, Any]:
        shaped = self._shaped
        if shaped is None:
            return self._shape(self._items[position])
        document = shaped[position]
        if document is None:
            document = shaped[position] = self._shape(self._items[position])
        return document

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self._at(position) for position in range(*index.indices(len(self._items)))]
        return self._at(range(len(self._items))[index])

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (self._at(position) for position in range(len(self._items)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RankedDocuments):
            return list(self) == list(other)
        if isinstance(other, list | tuple):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to lists, so unhashable like them

    def __repr__(self) -> str:
        return f"RankedDocuments({len(self._items)} documents)"


_SCALARS = frozenset({str, int, float, bool, type(None)})


def copy_json(value: Any) -> Any:
    """A deep copy of JSON-like data (dicts, lists, scalars), faster than ``copy.deepcopy``.

    Scalars are shared (immutable); exact ``dict``/``list`` types take the fast path
    without abstract-base-class checks.
    """
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict or isinstance(value, Mapping):
        return {k: v if type(v) in _SCALARS else copy_json(v) for k, v in value.items()}
    if kind is list or isinstance(value, list | tuple):
        return [v if type(v) in _SCALARS else copy_json(v) for v in value]
    return value


def _selected(document: dict[str, Any], select: Sequence[str]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    payload: dict[str, Any] = {}
    for path in select:
        if path in ("document_id", "score"):
            continue
        if path in ("collection_id", "group_key"):
            if path in document:
                kept[path] = document[path]
            continue
        parts = path.split(".")
        if parts[0] == "payload" and len(parts) > 1 and "payload" not in document["payload"]:
            parts = parts[1:]
        elif parts == ["payload"]:
            payload = document["payload"]
            continue
        source: Any = document["payload"]
        for part in parts:
            if not isinstance(source, Mapping) or part not in source:
                break
            source = source[part]
        else:
            target = payload
            for part in parts[:-1]:
                target = target.setdefault(part, {})
            target[parts[-1]] = source
    if "group_key" in document:
        kept["group_key"] = document["group_key"]
    out: dict[str, Any] = {  # keys in the order of the spec's Document
        "document_id": document["document_id"],
        "score": document["score"],
        "payload": payload,
    }
    for name in ("collection_id", "group_key"):
        if name in kept:
            out[name] = kept[name]
    return out
