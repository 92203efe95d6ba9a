"""One determinism story: which requests a run judged, as a digest two runs can compare.

With a seed, two runs against the same server judge the same requests, the stateful phase
included: Schemathesis' engine draws every phase from the seed (and no example database),
and the workflows draw nothing at random. What differs between runs are the identifiers the
server issues (execution ids, pagination cursors): :func:`judged_requests` reads each one as
a placeholder numbered by first appearance, so two runs compare equal when they sent the
same requests in the same order. :func:`requests_digest` hashes that list for the summary.

What no seed repeats: a server whose answers differ between runs (its data changed, a
scroll expired, an execution progressed by clock) leads Schemathesis' stateful phase and
its feedback from error answers down other paths; the digest then differs, and says so.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from .exchange import Exchange
from .pages import read_meta

__all__ = ["judged_requests", "requests_digest"]


def _issued(exchange: Exchange) -> list[str]:
    """Identifiers the server issued in this answer (execution id, next-page tokens)."""
    body = exchange.body if isinstance(exchange.body, dict) else {}
    found: list[Any] = [body.get("execution_id")]
    pagination = body.get("pagination")
    if isinstance(pagination, dict):
        found.append(read_meta(pagination).token)
    return [
        value if isinstance(value, str) else json.dumps(value, sort_keys=True)
        for value in found
        if value is not None
    ]


def judged_requests(exchanges: Iterable[Exchange]) -> list[str]:
    """Each request as ``METHOD path?query body``, issued identifiers as placeholders."""
    names: dict[str, str] = {}
    lines = []
    for exchange in exchanges:
        sent = exchange.request_content
        body = (
            sent.decode("utf-8", "replace")
            if sent is not None
            else json.dumps(exchange.request_body, sort_keys=True)
        )
        line = f"{exchange.method} {exchange.path}?{exchange.query} {body}"
        for issued, placeholder in names.items():
            line = line.replace(issued, placeholder)
        lines.append(line)
        for issued in _issued(exchange):
            names.setdefault(issued, f"<issued-{len(names) + 1}>")
    return lines


def requests_digest(exchanges: Iterable[Exchange]) -> str:
    """A short hash of :func:`judged_requests`."""
    text = "\n".join(judged_requests(exchanges))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
