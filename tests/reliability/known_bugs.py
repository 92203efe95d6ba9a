"""Bugs these tests found in modules other teams own, until those teams fix them.

Each bug has a strict ``xfail`` test that reproduces it (it fails the suite the day the
bug is fixed, so the marker comes off) and, here, a predicate the fuzz tests use to
step around it, so a known bug does not stop them from finding the next one. When a
bug is fixed: delete its predicate and its ``xfail`` marker.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mixpeek_toolkit.mockserver.scenarios import split_preferences

NUMERIC_PREFERENCES = ("stages", "latency", "status", "retry-after")

__all__ = [
    "KNOWN",
    "hits_a_non_ascii_digit_path",
    "hits_a_non_ascii_digit_preference",
    "paths_in",
]

KNOWN = {
    "filters-non-ascii-digit": (
        "mockserver/filters.py resolve_field (line 97) tests a path segment with "
        "str.isdigit() and then calls int() on it: a segment such as '²' (a digit to "
        "isdigit, not to int) raises ValueError, a 500, from a filter, sort or group_by "
        "on a list field. Fix: `part.isdecimal()` (or `part.isascii() and part.isdigit()`)."
    ),
    "prefer-non-ascii-digit": (
        "mockserver/scenarios.py _bounded and ScenarioParser._status test a preference "
        "value with str.isdigit() and then call int(): `Prefer: stages=²` (byte 0xB2) "
        "raises ValueError, a 500 instead of 400 invalid_preference. Fix: "
        "`raw.isascii() and raw.isdigit()`."
    ),
    "prefer-redos": (
        "mockserver/scenarios.py _ELEMENT backtracks catastrophically. Its params group "
        '`(?:\\s*;\\s*[^,;"]*(?:"...")?)*` can split a run of spaces between '
        "`[^,;\"]*` and the next piece's `\\s*` in many ways, so an element that then "
        "fails (an unclosed quote) costs time exponential in its `;  ` pieces: "
        '`Prefer: a;  ;  ;  ;  ;  ;  ;  ;  ;  ;  "` (31 bytes) takes about 20 s of CPU, '
        "34 bytes about 40 s, and holds the event loop: one request stalls the mock for "
        "every client. The adjacent `\\s*` around `=` are quadratic too (`a =` + 8,000 "
        'spaces + `"`: 0.7 s). Fix (linear, and the same result as today on 30,000 '
        "generated headers): possessive `\\s*+` before the name, around `=` and before "
        '`(?:,|$)`, and the params group atomic: `(?P<params>(?>(?:\\s*;\\s*[^,;"]*'
        '(?:"(?:[^"\\\\]|\\\\.)*")?)*))` (Python 3.11+).'
    ),
    "control-journal-limit": (
        "mockserver/control.py get_journal (line 170) checks `?limit=` with "
        "str.isdigit() and then calls int(): `/_mock/journal?limit=%C2%B2` ('²') raises "
        "ValueError, a 500 instead of 422. Fix: `raw.isascii() and raw.isdigit()`."
    ),
}


def _non_ascii_digit(text: str) -> bool:
    return text.isdigit() and not text.isdecimal()


def hits_a_non_ascii_digit_path(paths: Iterable[str]) -> bool:
    """Whether a dot path has a segment like '²' (``filters-non-ascii-digit``)."""
    return any(_non_ascii_digit(part) for path in paths for part in path.split("."))


def hits_a_non_ascii_digit_preference(headers: Iterable[str]) -> bool:
    """Whether a numeric preference's value is all digits, one like '²'
    (``prefer-non-ascii-digit``)."""
    preferences = split_preferences(headers)
    return any(
        preferences.get(name) is not None and _non_ascii_digit(preferences[name])
        for name in NUMERIC_PREFERENCES
    )


def paths_in(body: Any) -> list[str]:
    """Every string of a request body that could be used as a field path."""
    found: list[str] = []
    stack = [body]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found
