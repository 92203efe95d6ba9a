"""Filter operands that need more than a type check: geo shapes and regex patterns.

:func:`geo_matcher` checks a ``geo_*`` operand and answers the test of a field value;
:func:`compile_regex` compiles a ``regex`` operand within the safe subset. Both raise
:class:`InvalidFilter`, the error of every malformed filter (with its location, for the
``422`` answer).
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

__all__ = ["MAX_REGEX_LENGTH", "InvalidFilter", "Location", "compile_regex", "geo_matcher"]

Location = tuple[str | int, ...]

MAX_REGEX_LENGTH = 256
"""Longest regex pattern a filter may carry."""


class InvalidFilter(ValueError):
    """A filter is malformed or too deep; ``location`` says where (for the 422 answer)."""

    def __init__(self, message: str, location: Location) -> None:
        super().__init__(message)
        self.message = message
        self.location = location


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


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


def geo_matcher(operator: str, value: Any, location: Location) -> Callable[[Any], bool]:
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


def compile_regex(pattern: Any, case_sensitive: bool, location: Location) -> re.Pattern[str]:
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
