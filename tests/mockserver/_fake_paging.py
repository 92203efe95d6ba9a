"""A stand-in for DOMAIN's ``mockserver.paging`` used only until the real module lands.

conftest installs it when ``mockserver.paging`` cannot be imported; it follows the
agreed interface (tests/briefs interface) with offset and cursor pages only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    documents: list
    metadata: dict
    warnings: list


class InvalidCursor(ValueError):
    pass


class CursorCodec:
    def __init__(self, secret: bytes) -> None:
        self.secret = secret

    def encode(self, data: dict) -> str:
        raw = json.dumps(data, sort_keys=True).encode()
        sig = hmac.new(self.secret, raw, hashlib.sha256).hexdigest()[:16]
        return base64.urlsafe_b64encode(raw).decode() + "." + sig

    def decode(self, token: str) -> dict:
        try:
            body, sig = token.rsplit(".", 1)
            raw = base64.urlsafe_b64decode(body.encode())
        except Exception as exc:
            raise InvalidCursor("malformed cursor") from exc
        if not hmac.compare_digest(
            hmac.new(self.secret, raw, hashlib.sha256).hexdigest()[:16], sig
        ):
            raise InvalidCursor("altered cursor")
        return json.loads(raw)


def request_fingerprint(namespace, retriever_id, request) -> str:
    data = request.model_dump(mode="json", exclude={"pagination", "limit", "offset"})
    raw = json.dumps([namespace, retriever_id, data], sort_keys=True)
    return hashlib.sha256(raw.encode()).hexdigest()


def paginate(result, request, *, codec, fingerprint, now) -> Page:
    docs = list(result)
    pagination = request.pagination.root if request.pagination is not None else None
    if pagination is None and (request.limit is not None or request.offset is not None):
        limit, offset = request.limit or 20, request.offset or 0
        page = docs[offset : offset + limit]
        meta = {
            "method": "offset",
            "total": len(docs),
            "limit": limit,
            "offset": offset,
            "has_next": offset + limit < len(docs),
            "has_previous": offset > 0,
            "returned": len(page),
        }
        return Page(page, meta, [])
    if pagination is not None and pagination.method == "offset":
        size, number = pagination.page_size, pagination.page_number
        offset = (number - 1) * size
        page = docs[offset : offset + size]
        meta = {
            "method": "offset",
            "total": len(docs),
            "limit": size,
            "offset": offset,
            "has_next": offset + size < len(docs),
            "has_previous": offset > 0,
            "page_number": number,
            "page_size": size,
            "returned": len(page),
        }
        return Page(page, meta, [])
    limit = pagination.limit if pagination is not None else 20
    start = 0
    token = getattr(pagination, "cursor", None)
    if token:
        data = codec.decode(token)
        if data.get("f") != fingerprint:
            raise InvalidCursor("cursor of another query")
        start = data["o"]
    page = docs[start : start + limit]
    has_next = start + limit < len(docs)
    cursor = codec.encode({"f": fingerprint, "o": start + limit}) if has_next else None
    meta = {
        "method": "cursor",
        "cursor": cursor,
        "has_next": has_next,
        "page_size": limit,
        "limit": limit,
        "returned": len(page),
        "total": len(docs),
    }
    return Page(page, meta, [])
