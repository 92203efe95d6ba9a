"""Request filters: a ``LogicalOperator`` tree compiled into a predicate over documents.

``compile_filter`` checks the whole tree once (depth, operators, operand shapes) and
raises :class:`InvalidFilter` with the location of the first problem (the service
answers ``422``); the predicate it returns never raises. A comparison between values
of incompatible types (a number with a string, a point with a list...) is simply
false.

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

import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

try:  # the parser behind `re`, used only to vet regex filters for catastrophic shapes
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - interpreters without it skip the shape check
    _sre_parse = None

from pydantic import BaseModel

from .. import spec
from ..generated.models import FilterOperator
from .scoring import tokenize
from .world import StoredDocument

__all__ = [
    "MAX_DEPTH",
    "MAX_REGEX_LENGTH",
    "InvalidFilter",
    "Predicate",
    "compile_filter",
    "filter_fields",
    "max_filter_depth",
    "resolve_field",
]

Location = tuple[str | int, ...]
Predicate = Callable[[StoredDocument], bool]

MAX_REGEX_LENGTH = 256
"""Longest regex pattern a filter may carry."""

_MAX_TEXT = 10_000  # a regex only ever sees this many characters of a field
_LOGICAL = ("AND", "OR", "NOT")
_CONDITION_KEYS = frozenset({"field", "operator", "value"})
_MISSING = object()


class InvalidFilter(ValueError):
    """A filter is malformed or too deep; ``location`` says where (for the 422 answer)."""

    def __init__(self, message: str, location: Location) -> None:
        super().__init__(message)
        self.message = message
        self.location = location


def max_filter_depth(openapi: Mapping[str, Any]) -> int:
    """The nesting limit of filters: ``x-max-depth`` of the spec's ``LogicalOperator``."""
    return int(openapi["components"]["schemas"]["LogicalOperator"]["x-max-depth"])


MAX_DEPTH: int = max_filter_depth(spec.load_openapi())
"""The spec's filter depth limit, read once at import (an immutable int)."""


# --------------------------------------------------------------------------- values


def resolve_field(document: StoredDocument, path: str) -> Any:
    """The value at ``path`` in the document, or the module's missing marker."""
    parts = path.split(".")
    if parts[0] in ("document_id", "collection_id") and len(parts) == 1:
        return getattr(document, parts[0])
    value: Any = document.payload
    if parts[0] == "payload" and len(parts) > 1 and "payload" not in document.payload:
        parts = parts[1:]
    for part in parts:
        if isinstance(value, Mapping):
            value = value.get(part, _MISSING)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return _MISSING
        if value is _MISSING:
            return _MISSING
    return value


def is_missing(value: Any) -> bool:
    return value is _MISSING


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


def _membership(options: list[Any], case_sensitive: bool) -> Callable[[Any], bool]:
    """``v in options`` by :func:`_equal`: one set lookup for scalars, so a long list of
    options costs one lookup per field value, not one comparison per option."""
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

    return member


def _elements(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _text_of(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return " ".join(value)
    return None


# --------------------------------------------------------------------------- geo


def _point(value: Any) -> tuple[float, float] | None:
    if isinstance(value, Mapping):
        lat, lon = value.get("lat"), value.get("lon")
        if _is_number(lat) and _is_number(lon) and -90 <= lat <= 90 and -180 <= lon <= 180:
            return float(lat), float(lon)
    return None


def _require_point(value: Any, location: Location) -> tuple[float, float]:
    point = _point(value)
    if point is None:
        raise InvalidFilter(
            "Expected a point {lat, lon} with -90 <= lat <= 90 and -180 <= lon <= 180", location
        )
    return point


def _haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(h)))


def _in_polygon(point: tuple[float, float], polygon: Sequence[tuple[float, float]]) -> bool:
    lat, lon = point
    inside = False
    j = len(polygon) - 1
    for i in range(len(polygon)):
        (lat_i, lon_i), (lat_j, lon_j) = polygon[i], polygon[j]
        if (lat_i > lat) != (lat_j > lat):
            crossing = lon_i + (lat - lat_i) * (lon_j - lon_i) / (lat_j - lat_i)
            if lon < crossing:
                inside = not inside
        j = i
    return inside


def _geo_matcher(operator: str, value: Any, location: Location) -> Callable[[Any], bool]:
    if not isinstance(value, Mapping):
        raise InvalidFilter(f"'{operator}' takes an object", location)
    if operator == "geo_radius":
        center = _require_point(value, location)
        radius = value.get("radius_m")
        if not _is_number(radius) or radius < 0:
            raise InvalidFilter(
                "'geo_radius' needs radius_m, a number >= 0", (*location, "radius_m")
            )
        return lambda field: (p := _point(field)) is not None and _haversine_m(center, p) <= radius
    if operator == "geo_bounding_box":
        top_left = _require_point(value.get("top_left"), (*location, "top_left"))
        bottom_right = _require_point(value.get("bottom_right"), (*location, "bottom_right"))
        if top_left[0] < bottom_right[0]:
            raise InvalidFilter(
                "top_left.lat must not be below bottom_right.lat", (*location, "top_left", "lat")
            )

        def in_box(field: Any) -> bool:
            p = _point(field)
            if p is None or not bottom_right[0] <= p[0] <= top_left[0]:
                return False
            west, east = top_left[1], bottom_right[1]
            return west <= p[1] <= east if west <= east else (p[1] >= west or p[1] <= east)

        return in_box
    points = value.get("points")
    if not isinstance(points, list) or len(points) < 3:
        raise InvalidFilter(
            "'geo_polygon' needs points, a list of at least 3 {lat, lon}", (*location, "points")
        )
    polygon = [_require_point(p, (*location, "points", i)) for i, p in enumerate(points)]
    return lambda field: (p := _point(field)) is not None and _in_polygon(p, polygon)


# --------------------------------------------------------------------------- regex


def _has_nested_repeat(parsed: Any, inside_repeat: bool = False) -> bool:
    for op, arg in parsed:
        name = str(op)
        if name in ("MAX_REPEAT", "MIN_REPEAT"):
            _low, high, body = arg
            unbounded = high > 1
            if inside_repeat and unbounded:
                return True
            if _has_nested_repeat(body, inside_repeat or unbounded):
                return True
        elif name == "SUBPATTERN":
            if _has_nested_repeat(arg[-1], inside_repeat):
                return True
        elif name == "BRANCH":
            if any(_has_nested_repeat(branch, inside_repeat) for branch in arg[1]):
                return True
        elif name in ("GROUPREF", "GROUPREF_EXISTS", "ASSERT", "ASSERT_NOT"):
            return True  # backreferences and lookarounds are outside the safe subset
    return False


def _compile_regex(pattern: Any, case_sensitive: bool, location: Location) -> re.Pattern[str]:
    if not isinstance(pattern, str):
        raise InvalidFilter("'regex' takes a string pattern", location)
    if len(pattern) > MAX_REGEX_LENGTH:
        raise InvalidFilter(
            f"Regex patterns are limited to {MAX_REGEX_LENGTH} characters", location
        )
    flags = 0 if case_sensitive else re.IGNORECASE
    try:
        compiled = re.compile(pattern, flags)
    except re.error as exc:
        raise InvalidFilter(f"Invalid regex: {exc}", location) from None
    if _sre_parse is not None and _has_nested_repeat(_sre_parse.parse(pattern, flags)):
        raise InvalidFilter(
            "Regex refused: nested repetition, backreferences and lookarounds can take "
            "exponential time; simplify the pattern",
            location,
        )
    return compiled


# --------------------------------------------------------------------------- conditions


def _any_element(test: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda field: any(test(v) for v in _elements(field))


def _condition(field: str, operator: str, value: Any, cs: bool, location: Location) -> Predicate:
    where = (*location, "value")
    matcher: Callable[[Any], bool]
    if operator in ("eq", "ne"):
        eq = (
            _any_element(lambda v: _equal(v, value, cs))
            if not isinstance(value, list)
            else (
                lambda f: (
                    isinstance(f, list)
                    and len(f) == len(value)
                    and all(_equal(a, b, cs) for a, b in zip(f, value, strict=True))
                )
            )
        )
        matcher = eq if operator == "eq" else (lambda f: not eq(f))
        if operator == "ne":
            return lambda d: (f := resolve_field(d, field)) is _MISSING or matcher(f)
    elif operator in ("gt", "gte", "lt", "lte"):
        if not (_is_number(value) or isinstance(value, str)):
            raise InvalidFilter(f"'{operator}' compares with a number or a string", where)
        accept = {"gt": (1,), "gte": (0, 1), "lt": (-1,), "lte": (-1, 0)}[operator]
        matcher = _any_element(lambda v: _order(v, value, cs) in accept)
    elif operator in ("in", "nin"):
        if not isinstance(value, list):
            raise InvalidFilter(f"'{operator}' takes an array of values", where)
        member = _any_element(_membership(value, cs))
        if operator == "nin":
            return lambda d: (f := resolve_field(d, field)) is _MISSING or not member(f)
        matcher = member
    elif operator == "contains":
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
        compiled = _compile_regex(value, cs, where)
        matcher = _any_element(
            lambda v: isinstance(v, str) and compiled.search(v[:_MAX_TEXT]) is not None
        )
    elif operator in ("exists", "is_null"):
        if value is not None and not isinstance(value, bool):
            raise InvalidFilter(f"'{operator}' takes true or false", where)
        wanted = True if value is None else value
        if operator == "exists":
            return lambda d: (resolve_field(d, field) is not _MISSING) == wanted
        return lambda d: (resolve_field(d, field) in (_MISSING, None)) == wanted
    elif operator in ("text", "phrase", "words"):
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
    else:  # geo_radius, geo_bounding_box, geo_polygon
        matcher = _geo_matcher(operator, value, where)
    return lambda d: (f := resolve_field(d, field)) is not _MISSING and matcher(f)


# --------------------------------------------------------------------------- tree


def _compile_operand(
    operand: Any, cs: bool, depth: int, max_depth: int, location: Location
) -> Predicate:
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


def _compile_logical(
    node: Mapping[str, Any], cs: bool, depth: int, max_depth: int, location: Location
) -> Predicate:
    if depth > max_depth:
        raise InvalidFilter(f"Filters may nest at most {max_depth} levels deep", location)
    case_sensitive = node.get("case_sensitive")
    if case_sensitive is not None and not isinstance(case_sensitive, bool):
        raise InvalidFilter("'case_sensitive' must be true or false", (*location, "case_sensitive"))
    cs = cs if case_sensitive is None else case_sensitive
    parts: list[Predicate] = []
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
            if key == "AND":
                parts.append(lambda d, ops=operands: all(p(d) for p in ops))
            elif key == "OR":
                parts.append(lambda d, ops=operands: any(p(d) for p in ops))
            else:
                parts.append(lambda d, ops=operands: not any(p(d) for p in ops))
        else:
            parts.append(_condition(key, "eq", value, cs, (*location, key)))
    return lambda d: all(p(d) for p in parts)


def compile_filter(
    filters: BaseModel | Mapping[str, Any] | None,
    *,
    max_depth: int = MAX_DEPTH,
    location: Location = ("body", "filters"),
) -> Predicate:
    """Check a filter tree and compile it into a predicate (no filter: always true).

    Raises :class:`InvalidFilter` (with ``location``) when it nests deeper than
    ``max_depth`` levels or an operator or operand is malformed.
    """
    if filters is None:
        return lambda _d: True
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
