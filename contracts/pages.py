"""Reading pagination in every shape the contract accepts: the seeds' and API 0.82's.

Requests: a ``pagination`` object (its ``method``; cursor when it has none), or the legacy
``limit``/``offset`` of the query API, or the top-level ``page_size`` (0.82's alias of
``limit``). Responses: seed 002's metadata (offset ``{total, limit, offset, has_next,
has_previous}``, cursor ``{cursor, has_next, page_size}``, keyset ``{next_cursor,
has_next}``) or 0.82's (offset ``{method, page_number, page_size, returned, total,
has_next}``, keyset ``{method, limit, returned, total, after}`` where ``after`` is the next
page's marker, ...). The rules and the pagination walks read both through :func:`read_meta`,
so neither ever takes one shape for a broken page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .facts import DEFAULT_METHOD, DEFAULT_PAGE_SIZE, PAGE_SIZE_ALIAS, PAGE_SIZE_FIELD

__all__ = [
    "LEGACY",
    "METHODS",
    "TOKEN_REQUEST_FIELD",
    "PageMeta",
    "is_number",
    "read_meta",
    "request_method",
    "requested_page_size",
]

#: The four pagination methods, as the request's ``method`` names them.
METHODS = frozenset(PAGE_SIZE_FIELD)
#: The query API's ``limit``/``offset`` without ``pagination``: answered as an offset page.
LEGACY = "legacy"
#: The request field that carries each method's next-page token.
TOKEN_REQUEST_FIELD = {"cursor": "cursor", "scroll": "scroll_id", "keyset": "after"}
#: The response fields that may carry each method's next-page token, preferred first
#: (keyset: the seeds' ``next_cursor``, else 0.82's ``after``).
_TOKEN_RESPONSE_FIELDS = {
    "cursor": ("cursor",),
    "scroll": ("scroll_id",),
    "keyset": ("next_cursor", "after"),
}


def is_number(value: Any) -> bool:
    """A finite JSON number (booleans are not numbers)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def request_method(request: dict[str, Any]) -> str | None:
    """The method a request asks for: ``pagination.method`` (cursor when absent), ``legacy``
    for ``limit``/``offset`` without ``pagination``, else the default cursor; ``None`` when
    ``pagination`` names no method the contract knows."""
    pagination = request.get("pagination")
    if isinstance(pagination, dict):
        method = pagination.get("method", DEFAULT_METHOD)
        return method if method in METHODS else None
    if "limit" in request or "offset" in request:
        return LEGACY
    return DEFAULT_METHOD


def requested_page_size(request: dict[str, Any]) -> int | None:
    """The page size a request asks for: its method's size field (or default), else the
    legacy ``limit``, else the top-level ``page_size``, else the contract's default."""
    pagination = request.get("pagination")
    if isinstance(pagination, dict):
        method = pagination.get("method", DEFAULT_METHOD)
        if method not in PAGE_SIZE_FIELD:
            return None
        name, default = PAGE_SIZE_FIELD[method]
        size = pagination.get(name, default)
    elif "limit" in request:
        size = request["limit"]
    else:
        size = request.get(PAGE_SIZE_ALIAS, DEFAULT_PAGE_SIZE)
    return int(size) if is_number(size) and size >= 1 else None


@dataclass(frozen=True)
class PageMeta:
    """One answer's pagination metadata, whatever its shape."""

    method: str | None
    """``offset``, ``cursor``, ``scroll`` or ``keyset``; ``None`` when the shape says none."""
    total: Any
    returned: Any
    has_next: Any
    """As stated; for a token method without ``has_next``, whether a next token is given."""
    has_next_stated: bool
    has_previous: Any
    offset: Any = None
    """Offset shapes: the position of the page's first document (stated, or from
    ``page_number`` and ``page_size``)."""
    token_field: str | None = None
    """Token methods: the response field carrying the next page's token, when present."""
    token: Any = None


def _method_of(meta: dict[str, Any]) -> str | None:
    if meta.get("method") in METHODS:
        return meta["method"]
    if "offset" in meta or "page_number" in meta:
        return "offset"
    for method, fields in _TOKEN_RESPONSE_FIELDS.items():
        if any(name in meta for name in fields):
            return method
    return None


def read_meta(meta: dict[str, Any]) -> PageMeta:
    """Read pagination metadata in the seeds' shape or API 0.82's."""
    method = _method_of(meta)
    has_next = meta.get("has_next")
    stated = isinstance(has_next, bool)
    common = {
        "method": method,
        "total": meta.get("total"),
        "returned": meta.get("returned"),
        "has_previous": meta.get("has_previous"),
    }
    if method == "offset":
        offset = meta.get("offset")
        number, size = meta.get("page_number"), meta.get("page_size")
        if not is_number(offset) and is_number(number) and is_number(size):
            offset = (number - 1) * size
        return PageMeta(**common, has_next=has_next, has_next_stated=stated, offset=offset)
    field = next((f for f in _TOKEN_RESPONSE_FIELDS.get(method or "", ()) if f in meta), None)
    token = meta.get(field) if field else None
    if not stated and field is not None:
        has_next = token is not None
    return PageMeta(
        **common, has_next=has_next, has_next_stated=stated, token_field=field, token=token
    )
