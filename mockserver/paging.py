"""Slicing one ranked result into pages, with the spec's four pagination methods.

Precedence (the spec's ``executeRetriever`` description):

1. ``pagination`` (``offset``, ``cursor``, ``scroll`` or ``keyset``; without
   ``method`` it is cursor pagination) when present; it wins over the legacy
   ``limit``/``offset`` and the top-level ``page_size``, and a warning names the
   ignored fields;
2. otherwise the legacy ``offset`` (default 0) and ``limit`` (or its alias
   ``page_size``; default: the spec's ``x-default-page-size``, 20), answered with
   offset metadata;
3. otherwise cursor pagination with ``limit`` ``page_size`` or
   ``x-default-page-size``.

Defaults of each method (``page_size``, ``limit``, ``scroll_ttl``) are the generated
models' field defaults. ``cursor`` and ``scroll_id`` tokens are opaque:
``base64url(compact JSON) "." base64url(HMAC-SHA256)``, carrying the position, a
digest of the request fingerprint (so a token replayed with another request is
refused) and, for scroll, the expiry time (``now + scroll_ttl``, renewed on each
page). A token is accepted only as written, character for character: any altered bit
is refused, even one base64 would ignore (padding, the unused low bits of the last
character). Keyset markers (``next_cursor`` / ``after``) are plain objects carrying the
sort fields of the last document seen plus its ``document_id``.

Every walk (following ``cursor``, ``scroll_id``, ``next_cursor`` or the next page
number / offset) yields each document of the result exactly once, and the metadata
(``total``, ``returned``, ``has_next``) always agrees with the page.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from .. import spec
from ..generated.models import (
    CursorPaginationParams,
    ExecuteRetrieverRequest,
    KeysetPaginationParams,
    OffsetPaginationParams,
    ScrollPaginationParams,
)
from .engine import sort_key_fields

__all__ = [
    "IMPLICIT_LIMIT",
    "CursorCodec",
    "InvalidCursor",
    "Page",
    "empty_metadata",
    "fingerprint_json",
    "fingerprint_of",
    "paginate",
    "request_fingerprint",
]

IMPLICIT_LIMIT: int = spec.load_openapi()["components"]["schemas"]["ExecuteRetrieverRequest"][
    "x-default-page-size"
]
"""Page size of the legacy ``limit`` and of the implicit cursor pagination: the spec's
``x-default-page-size`` on ``ExecuteRetrieverRequest``."""

_PAGING_FIELDS = frozenset({"pagination", "limit", "offset", "page_size"})
_LEGACY_FIELDS = ("limit", "offset", "page_size")
_FINGERPRINT_DIGITS = 16
_CANONICAL = json.JSONEncoder(separators=(",", ":"), sort_keys=True)


class InvalidCursor(ValueError):
    """A cursor, scroll id or keyset marker is forged, altered, foreign or expired (-> 400).

    ``reason`` is one of ``malformed``, ``signature``, ``method``, ``foreign``,
    ``expired``, ``marker``; ``location`` names the request field.
    """

    def __init__(self, message: str, *, reason: str, location: tuple[str, ...]) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.location = location


@dataclass(frozen=True)
class Page:
    documents: list[dict[str, Any]]
    metadata: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CursorCodec:
    """Signs and checks opaque page tokens with HMAC-SHA256 under one secret."""

    __slots__ = ("_secret",)

    def __init__(self, secret: bytes) -> None:
        if not secret:
            raise ValueError("CursorCodec needs a non-empty secret")
        self._secret = bytes(secret)

    @classmethod
    def from_seed(cls, seed: int) -> CursorCodec:
        """A codec whose secret is derived from a seed (two mocks with one seed agree)."""
        return cls(hashlib.sha256(f"mockserver-cursor-secret:{seed}".encode()).digest())

    def _sign(self, body: bytes) -> bytes:
        return hmac.new(self._secret, body, hashlib.sha256).digest()

    def encode(self, payload: Mapping[str, Any]) -> str:
        body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
        return f"{_b64encode(body)}.{_b64encode(self._sign(body))}"

    def decode(self, token: str, location: tuple[str, ...]) -> dict[str, Any]:
        """The payload of a token this codec issued; :class:`InvalidCursor` otherwise."""
        body_text, dot, signature_text = token.partition(".")
        try:
            body = _b64decode(body_text)
            signature = _b64decode(signature_text)
        except (binascii.Error, ValueError):
            body, signature = b"", b""
        if not dot or not body:
            raise InvalidCursor(
                "The token is malformed; pass back the value of the previous response unchanged.",
                reason="malformed",
                location=location,
            )
        # Base64 is malleable (unused low bits of the last character, padding, characters
        # outside the alphabet): only the exact text this codec wrote is the token.
        canonical = f"{_b64encode(body)}.{_b64encode(signature)}"
        if canonical != token or not hmac.compare_digest(signature, self._sign(body)):
            raise InvalidCursor(
                "The token was altered or was not issued by this server.",
                reason="signature",
                location=location,
            )
        payload = json.loads(body)
        if not isinstance(payload, dict):  # pragma: no cover - we only sign dicts
            raise InvalidCursor("The token is malformed.", reason="malformed", location=location)
        return payload


def request_fingerprint(namespace: str, retriever_id: str, request: ExecuteRetrieverRequest) -> str:
    """A digest of the request minus its paging fields: every page of one walk shares it.

    Pass the retriever's id (not its name), so both address the same walk.
    """
    return fingerprint_of(namespace, retriever_id, fingerprint_json(request))


def fingerprint_json(request: ExecuteRetrieverRequest) -> str:
    """The request minus its paging fields as canonical JSON: what the fingerprint digests."""
    body = request.model_dump(
        mode="json", exclude_none=True, exclude=set(_PAGING_FIELDS), warnings=False
    )
    return _CANONICAL.encode(body)


def fingerprint_of(namespace: str, retriever_id: str, request_json: str) -> str:
    """:func:`request_fingerprint` of a request already rendered by :func:`fingerprint_json`
    (the digest of ``[namespace, retriever_id, request]`` as canonical JSON)."""
    canonical = f"[{_CANONICAL.encode((namespace, retriever_id))[1:-1]},{request_json}]"
    return hashlib.sha256(canonical.encode()).hexdigest()


def _field_or_default(params: BaseModel, name: str) -> Any:
    value = getattr(params, name)
    return type(params).model_fields[name].default if value is None else value


def _value_at(document: Mapping[str, Any], path: str) -> Any:
    if path in document:
        return document[path]
    parts = path.split(".")
    payload = document.get("payload") or {}
    if parts[0] == "payload" and len(parts) > 1 and "payload" not in payload:
        parts = parts[1:]
    value: Any = payload
    for part in parts:
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


class _Slicer:
    """One paginate call: the result, the request and the token machinery."""

    def __init__(
        self,
        result: Sequence[dict[str, Any]],
        request: ExecuteRetrieverRequest,
        codec: CursorCodec,
        fingerprint: str,
        now: float,
    ) -> None:
        self.result = result
        self.request = request
        self.codec = codec
        self.binding = fingerprint[:_FINGERPRINT_DIGITS]
        self.now = now

    def window(self, offset: int, limit: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        page = list(self.result[offset : offset + limit])
        total = len(self.result)
        return page, {"has_next": offset + len(page) < total, "returned": len(page), "total": total}

    def token_offset(self, token: str, kind: str, location: tuple[str, ...]) -> dict[str, Any]:
        payload = self.codec.decode(token, location)
        if payload.get("m") != kind:
            raise InvalidCursor(
                f"This token belongs to another pagination method; send it back as the "
                f"{'cursor' if payload.get('m') == 'c' else 'scroll_id'} it was issued as.",
                reason="method",
                location=location,
            )
        if payload.get("r") != self.binding:
            raise InvalidCursor(
                "This token was issued for another request; a walk must keep the same "
                "query, filters, sort and collections.",
                reason="foreign",
                location=location,
            )
        offset = payload.get("o")
        if not isinstance(offset, int) or offset < 0:  # pragma: no cover - we only sign ints
            raise InvalidCursor("The token is malformed.", reason="malformed", location=location)
        return payload

    def offset_page(self, offset: int, limit: int, extra: Mapping[str, Any]) -> Page:
        page, facts = self.window(offset, limit)
        metadata = {
            "method": "offset",
            "total": facts["total"],
            "limit": limit,
            "offset": offset,
            "has_next": facts["has_next"],
            "has_previous": offset > 0,
            **extra,
            "returned": facts["returned"],
        }
        return Page(page, metadata)

    def cursor_page(
        self, params: CursorPaginationParams | None, implicit_limit: int = IMPLICIT_LIMIT
    ) -> Page:
        limit = implicit_limit if params is None else _field_or_default(params, "limit")
        offset = 0
        if params is not None and params.cursor is not None:
            offset = self.token_offset(params.cursor, "c", ("body", "pagination", "cursor"))["o"]
        page, facts = self.window(offset, limit)
        cursor = None
        if facts["has_next"]:
            cursor = self.codec.encode({"m": "c", "o": offset + len(page), "r": self.binding})
        metadata = {
            "method": "cursor",
            "cursor": cursor,
            "has_next": facts["has_next"],
            "page_size": limit,
            "limit": limit,
            "returned": facts["returned"],
            "total": facts["total"],
        }
        return Page(page, metadata)

    def scroll_page(self, params: ScrollPaginationParams) -> Page:
        limit = _field_or_default(params, "limit")
        ttl = _field_or_default(params, "scroll_ttl")
        offset = 0
        if params.scroll_id is not None:
            location = ("body", "pagination", "scroll_id")
            payload = self.token_offset(params.scroll_id, "s", location)
            if not isinstance(payload.get("x"), int | float) or payload["x"] <= self.now:
                raise InvalidCursor(
                    "The scroll expired (scroll_ttl passed since the previous page); start "
                    "a new scroll with scroll_id null.",
                    reason="expired",
                    location=location,
                )
            offset = payload["o"]
        page, facts = self.window(offset, limit)
        scroll_id = None
        if facts["has_next"]:
            scroll_id = self.codec.encode(
                {
                    "m": "s",
                    "o": offset + len(page),
                    "r": self.binding,
                    "x": round(self.now + ttl, 3),
                }
            )
        metadata = {
            "method": "scroll",
            "scroll_id": scroll_id,
            "has_next": facts["has_next"],
            "limit": limit,
            "returned": facts["returned"],
            "total": facts["total"],
        }
        return Page(page, metadata)

    def keyset_page(self, params: KeysetPaginationParams) -> Page:
        limit = _field_or_default(params, "limit")
        fields = sort_key_fields(self.request)
        offset = 0
        if params.after is not None:
            offset = self.position_after(params.after, fields)
        page, facts = self.window(offset, limit)
        next_cursor = None
        if facts["has_next"]:
            last = page[-1]
            next_cursor = {f: _value_at(last, f) for f in fields}
        metadata = {
            "method": "keyset",
            "next_cursor": next_cursor,
            "has_next": facts["has_next"],
            "limit": limit,
            "returned": facts["returned"],
            "total": facts["total"],
        }
        return Page(page, metadata)

    def position_after(self, after: Mapping[str, Any], fields: Sequence[str]) -> int:
        location = ("body", "pagination", "after")
        missing = [f for f in fields if f not in after]
        if missing:
            raise InvalidCursor(
                f"'after' must carry the sort fields of the last document seen: "
                f"{', '.join(repr(f) for f in fields)} (missing {', '.join(map(repr, missing))}); "
                "pass back next_cursor unchanged.",
                reason="marker",
                location=location,
            )
        for index, document in enumerate(self.result):
            if document.get("document_id") == after["document_id"]:
                if all(_value_at(document, f) == after[f] for f in fields):
                    return index + 1
                break
        raise InvalidCursor(
            "'after' names no document of this result (it was altered, or comes from "
            "another request); pass back next_cursor unchanged.",
            reason="marker",
            location=location,
        )


def paginate(
    result: Sequence[dict[str, Any]],
    request: ExecuteRetrieverRequest,
    *,
    codec: CursorCodec,
    fingerprint: str,
    now: float,
) -> Page:
    """The page of ``result`` the request asks for (see the module docstring).

    ``fingerprint`` comes from :func:`request_fingerprint`; ``now`` is the current
    unix time (injected, for scroll expiry). Raises :class:`InvalidCursor`.
    """
    slicer = _Slicer(result, request, codec, fingerprint, now)
    params = request.pagination.root if request.pagination is not None else None
    if params is None:
        # The top-level page_size is an alias of limit (API 0.82); limit wins.
        size = request.limit or request.page_size or IMPLICIT_LIMIT
        if request.limit is None and request.offset is None:
            return slicer.cursor_page(None, size)
        return slicer.offset_page(request.offset or 0, size, {})
    warnings = []
    ignored = [name for name in _LEGACY_FIELDS if getattr(request, name) is not None]
    if ignored:
        quoted = [f"'{n}'" for n in ignored]
        names = " and ".join([", ".join(quoted[:-1]), quoted[-1]] if len(quoted) > 1 else quoted)
        warnings.append(
            f"Ignored legacy field{'s' if len(ignored) > 1 else ''} {names}: "
            "'pagination' takes precedence."
        )
    if isinstance(params, OffsetPaginationParams):
        page_size = _field_or_default(params, "page_size")
        page_number = _field_or_default(params, "page_number")
        page = slicer.offset_page(
            (page_number - 1) * page_size,
            page_size,
            {"page_number": page_number, "page_size": page_size},
        )
    elif isinstance(params, CursorPaginationParams):
        page = slicer.cursor_page(params)
    elif isinstance(params, ScrollPaginationParams):
        page = slicer.scroll_page(params)
    else:
        page = slicer.keyset_page(params)
    return Page(page.documents, page.metadata, warnings)


def empty_metadata(like: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Pagination of an answer without documents (in flight, failed), in the shape and size
    of ``like`` (an issued page's metadata), or the implicit cursor page without it."""
    like = like or {}
    method = like.get("method", "cursor")
    limit = like.get("limit") or like.get("page_size") or IMPLICIT_LIMIT
    if method == "offset":
        return {
            "method": "offset",
            "total": 0,
            "limit": limit,
            "offset": like.get("offset", 0),
            "has_next": False,
            "has_previous": False,
            "returned": 0,
        }
    if method == "scroll":
        return {
            "method": "scroll",
            "scroll_id": None,
            "has_next": False,
            "limit": limit,
            "returned": 0,
            "total": 0,
        }
    if method == "keyset":
        return {
            "method": "keyset",
            "next_cursor": None,
            "has_next": False,
            "limit": limit,
            "returned": 0,
            "total": 0,
        }
    return {
        "method": "cursor",
        "cursor": None,
        "has_next": False,
        "page_size": limit,
        "limit": limit,
        "returned": 0,
        "total": 0,
    }
