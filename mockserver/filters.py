"""Request filters: a ``LogicalOperator`` tree compiled into a filter over documents.

``compile_filter`` checks the whole tree once (depth, operators, operand shapes) and
raises :class:`InvalidFilter` with the location of the first problem (the service
answers ``422``); the filter it returns never raises. It judges one document
(``compiled(document)``) or selects the passing documents of a whole collection from
its field columns (``compiled.select(columns)``, see
:mod:`~mixpeek_toolkit.mockserver.filter_nodes`), with the same answers. A comparison
between values of incompatible types (a number with a string, a point with a list...)
is simply false.

- ``AND``: every operand holds; ``OR``: at least one holds; ``NOT``: none holds.
  Every key of one operator must hold together (they are AND-ed).
- Any other key is shorthand for equality: ``{"metadata.category": "AI"}``; but an
  object whose keys are ``field`` and at most ``operator`` and ``value`` is one
  condition, at the top level as anywhere else.
- ``case_sensitive`` (default false) applies to the operator and to the operators
  nested in it unless they set their own.
- Field paths are dot paths into the document: ``metadata.year`` and
  ``payload.metadata.year`` name the same field; ``document_id`` and
  ``collection_id`` name the document's own; a number indexes a list (``tags.0``).
- When the field holds a list, ``eq``, ``in``, ``gt``... hold when one element
  matches, and ``ne``/``nin`` when no element does.
"""

from __future__ import annotations

import bisect
import functools
import operator
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel

from .. import spec
from ..generated.models import FilterOperator
from .column_index import Lookup, Ordering
from .fields import FieldColumn, is_missing, resolve_field
from .filter_nodes import (
    AllOf,
    Always,
    AnyOf,
    Filter,
    Index,
    NoneOf,
    Presence,
    Selection,
    Test,
    matching,
)
from .filter_operands import (
    MAX_REGEX_LENGTH,
    InvalidFilter,
    Location,
    compile_regex,
    geo_matcher,
)
from .scoring import tokenize

__all__ = [
    "MAX_DEPTH",
    "MAX_REGEX_LENGTH",
    "Filter",
    "InvalidFilter",
    "Predicate",
    "compile_filter",
    "filter_fields",
    "is_missing",
    "max_filter_depth",
    "resolve_field",
]

Predicate = Filter
"""What :func:`compile_filter` answers (a callable on one document, and more)."""

_MAX_TEXT = 10_000  # a regex only ever sees this many characters of a field
_LOGICAL = ("AND", "OR", "NOT")
_CONDITION_KEYS = frozenset({"field", "operator", "value"})
_ALWAYS = Always()


def max_filter_depth(openapi: Mapping[str, Any]) -> int:
    """The nesting limit of filters: ``x-max-depth`` of the spec's ``LogicalOperator``."""
    return int(openapi["components"]["schemas"]["LogicalOperator"]["x-max-depth"])


MAX_DEPTH: int = max_filter_depth(spec.load_openapi())
"""The spec's filter depth limit, read once at import (an immutable int)."""


# --------------------------------------------------------------------------- values


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _fold(value: Any, case_sensitive: bool) -> Any:
    return value if case_sensitive or not isinstance(value, str) else value.casefold()


def _equal(a: Any, b: Any, case_sensitive: bool) -> bool:
    if _is_number(a) and _is_number(b):
        return a == b
    if type(a) is not type(b):
        return False
    return _fold(a, case_sensitive) == _fold(b, case_sensitive)


def _order(a: Any, b: Any, case_sensitive: bool) -> int | None:
    """-1, 0 or 1 comparing ``a`` with ``b``; None when they cannot be ordered."""
    if _is_number(a) and _is_number(b):
        pass
    elif isinstance(a, str) and isinstance(b, str):
        a, b = _fold(a, case_sensitive), _fold(b, case_sensitive)
    else:
        return None
    return (a > b) - (a < b)


def _lookup_key(value: Any, case_sensitive: bool) -> tuple[str, Any] | None:
    """A hashable key equal for values :func:`_equal` calls equal (None for arrays/objects)."""
    if isinstance(value, bool) or value is None:
        return ("literal", value)
    if _is_number(value):
        return ("number", value)  # 2 and 2.0 hash and compare alike
    if isinstance(value, str):
        return ("string", _fold(value, case_sensitive))
    return None


def _membership(
    options: list[Any], case_sensitive: bool
) -> tuple[Callable[[Any], bool], set[tuple[str, Any]]]:
    """``v in options`` by :func:`_equal`, and the lookup keys of the scalar options: one
    set lookup for scalars, so a long list of options costs one lookup per field value,
    not one comparison per option."""
    keys: set[tuple[str, Any]] = set()
    others: list[Any] = []
    for option in options:
        key = _lookup_key(option, case_sensitive)
        if key is None:
            others.append(option)
        else:
            keys.add(key)

    def member(value: Any) -> bool:
        key = _lookup_key(value, case_sensitive)
        if key is not None:
            return key in keys
        return any(_equal(value, option, case_sensitive) for option in others)

    return member, keys


def _elements(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _text_of(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return " ".join(value)
    return None


# --------------------------------------------------------------------------- indexes
# Each answers, from a column, the positions whose value a condition's matcher accepts:
# scalars through a lookup or an ordering of the column (column_index), arrays and
# objects (and NaN, which orders with nothing) through the matcher itself, once per
# distinct value. Either way the same positions as the matcher on every document.


def _is_compound(value: Any) -> bool:
    return _lookup_key(value, True) is None


def _compound(column: FieldColumn) -> tuple[tuple[Any, list[int]], ...]:
    return column.where("compound", _is_compound)


def _scalar_lookup(column: FieldColumn, cs: bool) -> Lookup:
    return column.derived(
        ("scalar", cs), lambda c: Lookup(c.groups, c.size, lambda v: _lookup_key(v, cs))
    )


def _equality_index(value: Any, cs: bool, matcher: Callable[[Any], bool]) -> Index | None:
    """Positions of the values equal to a scalar ``value`` (None for others, and NaN)."""
    key = _lookup_key(value, cs)
    if key is None or value != value:
        return None

    def index(column: FieldColumn) -> Selection:
        return _scalar_lookup(column, cs).bits(key) | matching(column, _compound(column), matcher)

    return index


def _membership_index(
    keys: set[tuple[str, Any]], cs: bool, matcher: Callable[[Any], bool]
) -> Index:
    """Positions of the values among the scalar options' ``keys`` (arrays: by matcher)."""

    def index(column: FieldColumn) -> Selection:
        lookup = _scalar_lookup(column, cs)
        if len(keys) < len(lookup):
            found = [lookup.bits(k) for k in keys]
        else:
            found = [lookup.bits(k) for k in lookup if k in keys]
        hits = functools.reduce(operator.or_, found, 0)
        return hits | matching(column, _compound(column), matcher)

    return index


def _number(value: Any) -> Any:
    return value if _is_number(value) and value == value else None


def _unordered_number(value: Any) -> bool:
    return _is_compound(value) or (_is_number(value) and value != value)


def _order_index(
    operator_name: str, value: Any, cs: bool, matcher: Callable[[Any], bool]
) -> Index | None:
    """Positions of the values ordered so against ``value`` (a number, not NaN, or a string)."""
    if _is_number(value) and value == value:
        tag: Any = "number"
        key: Callable[[Any], Any] = _number
        rest: Callable[[Any], bool] = _unordered_number
        bound = value
    elif isinstance(value, str):
        tag = ("string", cs)
        key = lambda v: _fold(v, cs) if isinstance(v, str) else None  # noqa: E731
        rest = _is_compound
        bound = _fold(value, cs)
    else:
        return None
    search = bisect.bisect_right if operator_name in ("gt", "lte") else bisect.bisect_left

    def index(column: FieldColumn) -> Selection:
        ordering: Ordering = column.derived(
            ("ordered", tag), lambda c: Ordering(c.groups, c.size, key)
        )
        at = search(ordering.keys, bound)
        hits = ordering.from_(at) if operator_name in ("gt", "gte") else ordering.below(at)
        return hits | matching(column, column.where(("unordered", tag), rest), matcher)

    return index


# --------------------------------------------------------------------------- conditions


def _any_element(test: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda field: any(test(v) for v in _elements(field))


def _condition(field: str, operator: str, value: Any, cs: bool, location: Location) -> Filter:
    where = (*location, "value")
    matcher: Callable[[Any], bool]
    if operator in ("eq", "ne"):
        if isinstance(value, list):
            matcher = lambda f: (  # noqa: E731
                isinstance(f, list)
                and len(f) == len(value)
                and all(_equal(a, b, cs) for a, b in zip(f, value, strict=True))
            )
            index = None
        else:
            matcher = _any_element(lambda v: _equal(v, value, cs))
            index = _equality_index(value, cs, matcher)
        return Test(field, matcher, negate=operator == "ne", index=index)
    if operator in ("gt", "gte", "lt", "lte"):
        if not (_is_number(value) or isinstance(value, str)):
            raise InvalidFilter(f"'{operator}' compares with a number or a string", where)
        accept = {"gt": (1,), "gte": (0, 1), "lt": (-1,), "lte": (-1, 0)}[operator]
        matcher = _any_element(lambda v: _order(v, value, cs) in accept)
        return Test(field, matcher, index=_order_index(operator, value, cs, matcher))
    if operator in ("in", "nin"):
        if not isinstance(value, list):
            raise InvalidFilter(f"'{operator}' takes an array of values", where)
        member, keys = _membership(value, cs)
        matcher = _any_element(member)
        index = _membership_index(keys, cs, matcher)
        return Test(field, matcher, negate=operator == "nin", index=index)
    if operator in ("exists", "is_null"):
        if value is not None and not isinstance(value, bool):
            raise InvalidFilter(f"'{operator}' takes true or false", where)
        wanted = True if value is None else value
        return Presence(field, wanted, null_counts=operator == "is_null")
    if operator == "contains":
        if value is None or isinstance(value, list | Mapping):
            raise InvalidFilter(
                "'contains' takes a single value (a substring or an element)", where
            )

        def matcher(f: Any) -> bool:
            if isinstance(f, str):
                return isinstance(value, str) and _fold(value, cs) in _fold(f, cs)
            return isinstance(f, list) and any(_equal(v, value, cs) for v in f)
    elif operator in ("starts_with", "ends_with"):
        if not isinstance(value, str):
            raise InvalidFilter(f"'{operator}' takes a string", where)
        affix = _fold(value, cs)
        method = str.startswith if operator == "starts_with" else str.endswith
        matcher = _any_element(lambda v: isinstance(v, str) and method(_fold(v, cs), affix))
    elif operator == "regex":
        compiled = compile_regex(value, cs, where)
        matcher = _any_element(
            lambda v: isinstance(v, str) and compiled.search(v[:_MAX_TEXT]) is not None
        )
    elif operator in ("text", "phrase", "words"):
        matcher = _words_matcher(operator, value, where)
    else:  # geo_radius, geo_bounding_box, geo_polygon
        matcher = geo_matcher(operator, value, where)
    return Test(field, matcher)


def _words_matcher(operator: str, value: Any, where: Location) -> Callable[[Any], bool]:
    words = value if operator == "words" and isinstance(value, list) else [value]
    if not words or not all(isinstance(w, str) for w in words):
        raise InvalidFilter(
            f"'{operator}' takes a string" + (" or strings" if operator == "words" else ""),
            where,
        )
    wanted_tokens = [t for w in words for t in tokenize(w)]
    if not wanted_tokens:
        raise InvalidFilter(f"'{operator}' needs at least one word", where)

    def matcher(f: Any) -> bool:
        text = _text_of(f)
        if text is None:
            return False
        tokens = tokenize(text)
        if operator == "text":
            return set(wanted_tokens) <= set(tokens)
        if operator == "words":
            return not set(wanted_tokens).isdisjoint(tokens)
        n = len(wanted_tokens)
        return any(tokens[i : i + n] == wanted_tokens for i in range(len(tokens) - n + 1))

    return matcher


# --------------------------------------------------------------------------- tree


def _compile_operand(
    operand: Any, cs: bool, depth: int, max_depth: int, location: Location
) -> Filter:
    if isinstance(operand, BaseModel):
        operand = operand.model_dump(exclude_unset=True, warnings=False)
    if not isinstance(operand, Mapping):
        raise InvalidFilter("A filter operand must be a condition or a logical operator", location)
    if "field" in operand and set(operand) <= _CONDITION_KEYS:
        field = operand["field"]
        if not isinstance(field, str) or not field:
            raise InvalidFilter("'field' must be a non-empty dot path", (*location, "field"))
        operator = operand.get("operator") or "eq"
        if operator not in FilterOperator._value2member_map_:
            allowed = ", ".join(m.value for m in FilterOperator)
            raise InvalidFilter(
                f"Unknown operator {operator!r}; use one of {allowed}", (*location, "operator")
            )
        return _condition(field, str(operator), operand.get("value"), cs, location)
    return _compile_logical(operand, cs, depth + 1, max_depth, location)


_COMBINE = {"AND": AllOf, "OR": AnyOf, "NOT": NoneOf}


def _compile_logical(
    node: Mapping[str, Any], cs: bool, depth: int, max_depth: int, location: Location
) -> Filter:
    if depth > max_depth:
        raise InvalidFilter(f"Filters may nest at most {max_depth} levels deep", location)
    case_sensitive = node.get("case_sensitive")
    if case_sensitive is not None and not isinstance(case_sensitive, bool):
        raise InvalidFilter("'case_sensitive' must be true or false", (*location, "case_sensitive"))
    cs = cs if case_sensitive is None else case_sensitive
    parts: list[Filter] = []
    for key, value in node.items():
        if key == "case_sensitive":
            continue
        if key in _LOGICAL:
            if value is None:
                continue
            if not isinstance(value, list):
                raise InvalidFilter(f"'{key}' takes an array of operands", (*location, key))
            operands = [
                _compile_operand(item, cs, depth, max_depth, (*location, key, i))
                for i, item in enumerate(value)
            ]
            parts.append(_COMBINE[key](operands))
        else:
            parts.append(_condition(key, "eq", value, cs, (*location, key)))
    return AllOf(parts)


def compile_filter(
    filters: BaseModel | Mapping[str, Any] | None,
    *,
    max_depth: int = MAX_DEPTH,
    location: Location = ("body", "filters"),
) -> Filter:
    """Check a filter tree and compile it (no filter: one that keeps every document).

    Raises :class:`InvalidFilter` (with ``location``) when it nests deeper than
    ``max_depth`` levels or an operator or operand is malformed.
    """
    if filters is None:
        return _ALWAYS
    if isinstance(filters, BaseModel):
        filters = filters.model_dump(exclude_unset=True, warnings=False)
    if not isinstance(filters, Mapping):
        raise InvalidFilter("A filter must be an object (a logical operator)", location)
    # The top level may itself be one condition ({"field", "operator", "value"}), not shorthand.
    return _compile_operand(filters, False, 0, max_depth, location)


def filter_fields(filters: BaseModel | Mapping[str, Any] | None) -> list[str]:
    """Every field path a filter tree names, once each, in order of first appearance.

    Call it on a filter :func:`compile_filter` accepted (its depth is bounded).
    """
    found: dict[str, None] = {}

    def walk(node: Any) -> None:
        if isinstance(node, BaseModel):
            node = node.model_dump(exclude_unset=True, warnings=False)
        if not isinstance(node, Mapping):
            return
        if "field" in node and set(node) <= _CONDITION_KEYS:
            if isinstance(node["field"], str):
                found.setdefault(node["field"], None)
            return
        for key, value in node.items():
            if key in _LOGICAL:
                for operand in value if isinstance(value, list) else ():
                    walk(operand)
            elif key != "case_sensitive":
                found.setdefault(key, None)

    walk(filters)
    return list(found)
