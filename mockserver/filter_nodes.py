"""A compiled filter: a tree of nodes that judge one document, or a whole collection at once.

:func:`~mixpeek_toolkit.mockserver.filters.compile_filter` builds the tree. Each node
answers two questions with the same answer:

- ``node(document)``: does this document pass? One walk of its fields: the reference
  semantics, and what a caller with a single document uses.
- ``node.select(columns)``: the positions of the collection's documents that pass,
  read from the collection's field columns
  (:class:`~mixpeek_toolkit.mockserver.fields.DocumentColumns`): a test runs once per
  distinct value of the field, or not at all when an index answers it (equality,
  membership and order, :mod:`~mixpeek_toolkit.mockserver.column_index`, built once per
  column), and the logical nodes combine sets of positions, which are
  :mod:`~mixpeek_toolkit.mockserver.bitsets` integers (``&``, ``|``, ``^`` in C). This is
  what the engine uses: no document is visited, only distinct values and matches.
"""

from __future__ import annotations

import functools
import itertools
import operator
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from .bitsets import bits_of
from .fields import MISSING, DocumentColumns, FieldColumn, resolve_field

if TYPE_CHECKING:
    from .world import StoredDocument

__all__ = [
    "AllOf",
    "Always",
    "AnyOf",
    "Filter",
    "Index",
    "NoneOf",
    "Presence",
    "Selection",
    "Test",
    "matching",
]

Matcher = Callable[[Any], bool]
Selection = int
"""A set of positions (:mod:`~mixpeek_toolkit.mockserver.bitsets`)."""
Index = Callable[[FieldColumn], Selection]


def matching(
    column: FieldColumn, groups: Iterable[tuple[Any, Sequence[int]]], matcher: Matcher
) -> Selection:
    """The positions of every group (of ``column``) whose value ``matcher`` accepts."""
    chosen = [positions for value, positions in groups if matcher(value)]
    return bits_of(itertools.chain.from_iterable(chosen), column.size) if chosen else 0


def _union(selections: Iterable[Selection]) -> Selection:
    return functools.reduce(operator.or_, selections, 0)


class Filter:
    """A node of a compiled filter (see the module docstring)."""

    __slots__ = ()
    always = False
    """True for the filter that keeps every document (no filter at all)."""

    def __call__(self, document: StoredDocument) -> bool:
        raise NotImplementedError

    def select(self, columns: DocumentColumns) -> Selection:
        raise NotImplementedError


class Always(Filter):
    """No filter: every document passes."""

    __slots__ = ()
    always = True

    def __call__(self, document: StoredDocument) -> bool:
        return True

    def select(self, columns: DocumentColumns) -> Selection:
        return columns.everything()


class Test(Filter):
    """A condition on one field. ``matcher`` tests a present value; a document without
    the field fails. With ``negate`` the answer is the opposite (``ne``, ``nin``): a
    document without the field passes. ``index``, when given, answers the positions
    whose value the matcher accepts from the column's indexes, without testing each
    distinct value."""

    __slots__ = ("field", "index", "matcher", "negate")

    def __init__(
        self, field: str, matcher: Matcher, *, negate: bool = False, index: Index | None = None
    ) -> None:
        self.field = field
        self.matcher = matcher
        self.negate = negate
        self.index = index

    def __call__(self, document: StoredDocument) -> bool:
        value = resolve_field(document, self.field)
        if value is MISSING:
            return self.negate
        return not self.matcher(value) if self.negate else bool(self.matcher(value))

    def select(self, columns: DocumentColumns) -> Selection:
        column = columns.column(self.field)
        if self.index is not None:
            hits = self.index(column)
        else:
            hits = matching(column, column.groups, self.matcher)
        return columns.everything() ^ hits if self.negate else hits


class Presence(Filter):
    """``exists`` (the field is present) or, with ``null_counts``, ``is_null`` (the field
    is absent or null), compared with ``wanted``."""

    __slots__ = ("field", "null_counts", "wanted")

    def __init__(self, field: str, wanted: bool, *, null_counts: bool) -> None:
        self.field = field
        self.wanted = wanted
        self.null_counts = null_counts

    def __call__(self, document: StoredDocument) -> bool:
        value = resolve_field(document, self.field)
        if self.null_counts:
            return (value in (MISSING, None)) == self.wanted
        return (value is not MISSING) == self.wanted

    def select(self, columns: DocumentColumns) -> Selection:
        column = columns.column(self.field)
        absent = column.absent()
        if self.null_counts:
            absent |= matching(column, column.groups, lambda value: value in (MISSING, None))
        holds = self.wanted if self.null_counts else not self.wanted  # whether `absent` passes
        return absent if holds else columns.everything() ^ absent


class AllOf(Filter):
    """``AND`` (and the keys of one operator): every part passes."""

    __slots__ = ("parts",)

    def __init__(self, parts: Sequence[Filter]) -> None:
        self.parts = tuple(parts)

    def __call__(self, document: StoredDocument) -> bool:
        return all(part(document) for part in self.parts)

    def select(self, columns: DocumentColumns) -> Selection:
        selections = (part.select(columns) for part in self.parts)
        return functools.reduce(operator.and_, selections, columns.everything())


class AnyOf(Filter):
    """``OR``: at least one part passes."""

    __slots__ = ("parts",)

    def __init__(self, parts: Sequence[Filter]) -> None:
        self.parts = tuple(parts)

    def __call__(self, document: StoredDocument) -> bool:
        return any(part(document) for part in self.parts)

    def select(self, columns: DocumentColumns) -> Selection:
        return _union(part.select(columns) for part in self.parts)


class NoneOf(Filter):
    """``NOT``: no part passes."""

    __slots__ = ("parts",)

    def __init__(self, parts: Sequence[Filter]) -> None:
        self.parts = tuple(parts)

    def __call__(self, document: StoredDocument) -> bool:
        return not any(part(document) for part in self.parts)

    def select(self, columns: DocumentColumns) -> Selection:
        return columns.everything() ^ _union(part.select(columns) for part in self.parts)
