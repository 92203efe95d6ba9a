"""Reading request bodies: at most ``Settings.max_body_bytes``, parsed as strict JSON.

A body over the limit is refused (:class:`~mixpeek_toolkit.mockserver.errors.BodyTooLarge`) before it
is held in memory: a declared ``Content-Length`` is checked first, a streamed body is
cut as soon as it passes the limit. JSON is strict: no ``NaN``/``Infinity`` and no
number out of float range (``1e400``), which no answer or journal could render again.
"""

from __future__ import annotations

import json
import math
from typing import Any

from starlette.requests import Request

from .errors import BodyTooLarge, InvalidJson

__all__ = ["loads_json", "preview", "read_body"]

PREVIEW_CHARS = 2_000


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, or :class:`BodyTooLarge` once it passes ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def loads_json(raw: bytes | str) -> Any:
    """``json.loads`` that refuses what JSON does not allow, as :class:`InvalidJson` (400)."""
    try:
        return json.loads(raw, parse_constant=_reject_constant, parse_float=_finite_float)
    except (ValueError, RecursionError) as problem:
        raise InvalidJson(f"The request body is not valid JSON: {problem}") from None


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
