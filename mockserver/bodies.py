"""Reading request bodies: at most ``Settings.max_body_bytes``, parsed as strict JSON.

A body over the limit is refused (:class:`~mixpeek_toolkit.mockserver.errors.BodyTooLarge`) before it
is held in memory: a declared ``Content-Length`` is checked first, a streamed body is
cut as soon as it passes the limit. A client that disconnects before sending the whole
body is answered ``400`` (code ``client_disconnected``; nobody reads it, the journal
does): a client going away is not a bug of the mock.

JSON is strict: no ``NaN``/``Infinity``, no number out of float range (``1e400``), no
integer literal longer than Python converts (4,300 digits) and no lone surrogate
(``"\\ud800"``: not Unicode, RFC 8259 section 8.2), none of which an answer or the
journal could render again; each is ``400 invalid_json``. Whatever the Content-Type,
the body is read as JSON (``curl -d`` sends ``application/x-www-form-urlencoded``).
Duplicate keys keep the last value, as ``json.loads`` (and so the real API, a
FastAPI service) does. A body nested deeper than the parser can go (thousands of
levels) is ``422 body_too_deep``, like one deeper than ``Settings.max_body_depth``.
"""

from __future__ import annotations

import json
import math
import re
import sys
from typing import Any

from starlette.requests import ClientDisconnect, Request

from .digits import is_ascii_number
from .errors import BadRequest, BodyTooLarge, InvalidJson, RequestValidationFailed

__all__ = ["loads_json", "preview", "read_body"]

PREVIEW_CHARS = 2_000
MAX_INT_DIGITS = sys.get_int_max_str_digits() or 4_300
"""Longest integer literal read (Python's own conversion limit)."""

# A JSON escape of a UTF-16 surrogate: only a text holding one can decode to a lone one.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, or :class:`BodyTooLarge` once it passes ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if is_ascii_number(declared) and int(declared) > limit:
        raise BodyTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge(limit)
            chunks.append(chunk)
    except ClientDisconnect:
        raise BadRequest(
            f"The client disconnected after sending {size} bytes of the body.",
            code="client_disconnected",
        ) from None
    return b"".join(chunks)


def loads_json(raw: bytes | str) -> Any:
    """``json.loads`` that refuses what JSON does not allow, as :class:`InvalidJson` (400).

    A document nested too deep to parse is a 422 (code ``body_too_deep``).
    """
    try:
        # Strictly decoded (json.loads itself lets UTF-8-encoded surrogates through).
        text = raw if isinstance(raw, str) else raw.decode(json.detect_encoding(raw))
        if isinstance(raw, str) and not _is_unicode(raw):
            raise ValueError("the text holds a lone surrogate")
        value = json.loads(
            text,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            parse_int=_bounded_int,
        )
    except RecursionError:
        message = "The body nests deeper than this server can parse."
        raise RequestValidationFailed(
            [{"type": "too_deep", "location": ["body"], "message": message}],
            message,
            code="body_too_deep",
        ) from None
    except ValueError as problem:  # UnicodeDecodeError included
        raise InvalidJson(f"The request body is not valid JSON: {problem}") from None
    if _SURROGATE_ESCAPE.search(text) is not None and _holds_lone_surrogate(value):
        raise InvalidJson(
            "The request body is not valid JSON: a string holds a lone UTF-16 surrogate "
            "(e.g. \\ud800 without its pair), which is not Unicode text."
        )
    return value


def preview(raw: bytes) -> str:
    """The start of a body as text, for the journal."""
    return raw[:PREVIEW_CHARS].decode("utf-8", "replace")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is out of range")
    return value


def _bounded_int(text: str) -> int:
    digits = len(text) - text.startswith("-")
    if digits > MAX_INT_DIGITS:
        raise ValueError(
            f"an integer of {digits} digits is longer than this server reads ({MAX_INT_DIGITS})"
        )
    return int(text)


def _holds_lone_surrogate(value: Any) -> bool:
    """Whether a string (key or value) anywhere in ``value`` holds a lone surrogate."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not _is_unicode(item):
                return True
        elif isinstance(item, dict):
            for key, child in item.items():
                if not _is_unicode(key):
                    return True
                stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
