"""HTTP caching of execute answers: ``ETag``, ``Cache-Control``, ``X-Cache`` and ``304``.

An execute answer that carries a result (completed or degraded, answered at once, not
streamed, not a scroll page) gets an entity tag: a digest of what decides the result
(the seed, the namespace and the state of its world, the retriever, the canonical
request, the query switches, the outcome and the mock's caps), never of the execution
id. Sending it back as ``If-None-Match`` answers ``304`` with no body while the result
is unchanged; a ``304`` creates no execution and spends no credit.

``X-Cache`` says whether the result came from the engine's result cache
(:mod:`mixpeek_toolkit.mockserver.engine_cache`): ``HIT`` or ``MISS``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

__all__ = [
    "CACHE_CONTROL",
    "NO_STORE",
    "cache_headers",
    "canonical_items",
    "canonical_json",
    "entity_tag",
    "etag_matches",
    "tag_of_parts",
]

CACHE_CONTROL = "private, max-age=0, must-revalidate"
"""Directives of an answer with an ``ETag``: keep it, but revalidate before reuse."""

NO_STORE = "no-store"
"""Directives of an answer without one (in flight, failed, a scroll page)."""

_TAG_DIGITS = 32
_CANONICAL = json.JSONEncoder(separators=(",", ":"), sort_keys=True, default=str)
"""``json.dumps`` with these options builds an encoder per call; this one is built once."""


def entity_tag(*material: Any) -> str:
    """A strong entity tag (``"<hex>"``) of JSON-like ``material``."""
    return tag_of_parts([canonical_items(*material)])


def canonical_json(value: Any) -> str:
    """``value`` as the entity tag reads it: compact JSON, keys sorted, the rest as text."""
    return _CANONICAL.encode(value)


def canonical_items(*values: Any) -> str:
    """The parts of ``values`` for :func:`tag_of_parts`, in one: their canonical JSON,
    joined by commas (the canonical JSON of the list of them, without its brackets)."""
    return _CANONICAL.encode(values)[1:-1]


def tag_of_parts(parts: Sequence[str]) -> str:
    """:func:`entity_tag` of material already rendered, item by item, by :func:`canonical_json`
    (the same tag: the canonical JSON of a list is its items' joined by commas)."""
    canonical = "[" + ",".join(parts) + "]"
    return '"' + hashlib.sha256(canonical.encode()).hexdigest()[:_TAG_DIGITS] + '"'


def etag_matches(if_none_match: str | None, etag: str | None) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (weak comparison, as RFC 9110 says) or is ``*``."""
    if not if_none_match or etag is None:
        return False
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == etag:
            return True
    return False


def cache_headers(etag: str | None, *, hit: bool | None) -> dict[str, str]:
    """``ETag`` (when there is one), ``Cache-Control`` and ``X-Cache`` (when ``hit`` is known)."""
    headers = {"Cache-Control": CACHE_CONTROL if etag is not None else NO_STORE}
    if etag is not None:
        headers["ETag"] = etag
    if hit is not None:
        headers["X-Cache"] = "HIT" if hit else "MISS"
    return headers
