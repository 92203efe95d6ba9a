"""Document fields by dot path: one document's value, or a whole collection's column.

:func:`resolve_field` walks one document. :class:`DocumentColumns` is what a collection
keeps for the filters and the engine: per field path asked for, a :class:`FieldColumn`
built on first use (one walk over the documents) and kept (at most
:data:`MAX_COLUMNS` paths per collection, least recently used first out). A column
groups the documents by the structure of their value, so a test on values runs once
per distinct value instead of once per document, and it keeps the indexes the filters
build from it on demand (:meth:`FieldColumn.derived`; see
:mod:`~mixpeek_toolkit.mockserver.column_index`). Sets of positions are
:mod:`~mixpeek_toolkit.mockserver.bitsets` integers.

Documents are never mutated, so neither is a column once built.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from .bitsets import bits_of, everything
from .bounded import BoundedDict
from .digits import is_ascii_number

if TYPE_CHECKING:
    from .world import StoredDocument

__all__ = [
    "MAX_COLUMNS",
    "MISSING",
    "DocumentColumns",
    "FieldColumn",
    "is_missing",
    "resolve_field",
    "value_key",
]

MAX_COLUMNS = 64
"""Field columns a collection keeps (least recently used first out)."""

MISSING: Any = object()
"""The value of a field a document does not have (distinct from ``None``, a JSON null)."""

_OWN_FIELDS = ("document_id", "collection_id")
T = TypeVar("T")


def resolve_field(document: StoredDocument, path: str) -> Any:
    """The value at ``path`` in the document, or :data:`MISSING`.

    ``document_id`` and ``collection_id`` are the document's own; any other path is a
    dot path into the payload (``payload.`` may prefix it unless the payload has its own
    ``payload`` key); a number indexes a list (``tags.0``).
    """
    parts = path.split(".")
    if parts[0] in _OWN_FIELDS and len(parts) == 1:
        return getattr(document, parts[0])
    value: Any = document.payload
    if parts[0] == "payload" and len(parts) > 1 and "payload" not in document.payload:
        parts = parts[1:]
    for part in parts:
        if isinstance(value, Mapping):
            value = value.get(part, MISSING)
        elif isinstance(value, list) and is_ascii_number(part) and int(part) < len(value):
            value = value[int(part)]
        else:
            return MISSING
        if value is MISSING:
            return MISSING
    return value


def is_missing(value: Any) -> bool:
    return value is MISSING


def value_key(value: Any) -> Hashable:
    """A key equal for two values exactly when they have the same structure: the same
    types, the same scalars (``-0.0`` apart from ``0.0``), in the same order. Any test
    of a filter gives such values the same answer."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return (kind, value)
    if kind is float:
        return (kind, value, math.copysign(1.0, value))
    if kind is list:
        return (kind, tuple(value_key(item) for item in value))
    if kind is dict:
        return (kind, tuple((key, value_key(item)) for key, item in value.items()))
    return (kind, id(value))  # anything else (a YAML date, ...) is its own group


class FieldColumn:
    """One field of every document of a collection (positions are document indexes).

    ``values[i]`` is document ``i``'s value (or :data:`MISSING`); ``groups`` pairs each
    distinct present value (one representative) with the positions holding it, in order
    of first appearance; ``missing`` lists the positions without the field.
    """

    __slots__ = ("_derived", "groups", "missing", "present", "size", "values")

    def __init__(self, documents: Sequence[StoredDocument], path: str) -> None:
        values = [resolve_field(document, path) for document in documents]
        by_key: dict[Hashable, tuple[Any, list[int]]] = {}
        missing: list[int] = []
        for position, value in enumerate(values):
            if value is MISSING:
                missing.append(position)
                continue
            key = value_key(value)
            group = by_key.get(key)
            if group is None:
                by_key[key] = (value, [position])
            else:
                group[1].append(position)
        self.values: list[Any] = values
        self.groups: tuple[tuple[Any, list[int]], ...] = tuple(by_key.values())
        self.missing: list[int] = missing
        self.present: int = len(values) - len(missing)
        self.size: int = len(values)
        self._derived: dict[Hashable, Any] = {}

    def absent(self) -> int:
        """The positions without the field (a :mod:`~mixpeek_toolkit.mockserver.bitsets` set)."""
        return self.derived("absent", lambda column: bits_of(column.missing, column.size))

    def derived(self, tag: Hashable, build: Callable[[FieldColumn], T]) -> T:
        """``build(self)``, computed once per ``tag`` and kept with the column (an index)."""
        found = self._derived.get(tag, MISSING)
        if found is MISSING:
            found = self._derived.setdefault(tag, build(self))
        return found

    def where(
        self, tag: Hashable, test: Callable[[Any], bool]
    ) -> tuple[tuple[Any, list[int]], ...]:
        """The groups whose value passes ``test`` (kept as ``tag``)."""
        return self.derived(
            ("where", tag), lambda column: tuple(g for g in column.groups if test(g[0]))
        )


class DocumentColumns:
    """The columns of one collection's documents, built when first asked for."""

    __slots__ = ("_columns", "documents", "size")

    def __init__(self, documents: Sequence[StoredDocument], max_columns: int = MAX_COLUMNS):
        self.documents = documents
        self.size = len(documents)
        self._columns: BoundedDict[str, FieldColumn] = BoundedDict(
            max_columns, evict="least_recent"
        )

    def column(self, path: str) -> FieldColumn:
        return self._columns.get_or_put(path, lambda: FieldColumn(self.documents, path))

    def everything(self) -> int:
        """Every position (a :mod:`~mixpeek_toolkit.mockserver.bitsets` set)."""
        return everything(self.size)
