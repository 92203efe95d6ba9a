"""Cassettes: the exchanges of a finding as an HTTP Archive (HAR 1.2), secrets redacted.

Any HAR viewer (a browser's developer tools, Insomnia, Charles) opens them; ``harfile`` (the
writer Schemathesis uses for its own ``--report har``) writes them. Every ``Authorization``
value, and the API key wherever else it appears (a header, the URL, a body), reads
``[REDACTED]``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import harfile

from .exchange import Exchange

__all__ = ["REDACTED", "redact", "write_cassette"]

REDACTED = "[REDACTED]"
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})


def redact(text: str, secret: str) -> str:
    """``text`` with every occurrence of ``secret`` replaced (nothing when it is empty)."""
    return text.replace(secret, REDACTED) if secret else text


def _records(headers: dict[str, str], secret: str) -> list[harfile.Record]:
    return [
        harfile.Record(
            name=name, value=REDACTED if name.lower() in _SECRET_HEADERS else redact(value, secret)
        )
        for name, value in headers.items()
    ]


def _text(content: bytes | None) -> str:
    return (content or b"").decode("utf-8", "replace")


def _entry(exchange: Exchange, base_url: str, secret: str) -> dict[str, Any]:
    url = base_url.rstrip("/") + exchange.path + (f"?{exchange.query}" if exchange.query else "")
    sent = exchange.request_content
    if sent is None and exchange.request_body is not None:
        sent = json.dumps(exchange.request_body).encode()
    request_headers = dict(exchange.request_headers)
    content_type = next(
        (v for k, v in request_headers.items() if k.lower() == "content-type"), "application/json"
    )
    request = harfile.Request(
        method=exchange.method,
        url=redact(url, secret),
        httpVersion="HTTP/1.1",
        headers=_records(request_headers, secret),
        queryString=[
            harfile.Record(name=k, value=redact(v, secret))
            for k, v in parse_qsl(exchange.query, keep_blank_values=True)
        ],
        postData=(
            harfile.PostData(mimeType=content_type, text=redact(_text(sent), secret))
            if sent
            else None
        ),
        bodySize=len(sent or b""),
    )
    body = redact(_text(exchange.response_content), secret)
    response = harfile.Response(
        status=exchange.status_code,
        statusText="",
        httpVersion="HTTP/1.1",
        headers=_records(dict(exchange.response_headers), secret),
        content=harfile.Content(
            size=len(exchange.response_content), mimeType=exchange.content_type, text=body
        ),
        bodySize=len(exchange.response_content),
    )
    return {"request": request, "response": response}


def write_cassette(
    path: Path, exchanges: Iterable[Exchange], *, base_url: str, secret: str, comment: str = ""
) -> Path:
    """Write ``exchanges`` (in order) to ``path`` as HAR 1.2, with ``secret`` redacted."""
    path.parent.mkdir(parents=True, exist_ok=True)
    creator = harfile.Creator(name="mixpeek-contracts", version="1")
    with harfile.open(path, creator=creator, comment=redact(comment, secret) or None) as har:
        for exchange in exchanges:
            parts = _entry(exchange, base_url, secret)
            elapsed_ms = round(exchange.elapsed * 1000, 3)
            har.add_entry(
                startedDateTime=datetime.now(UTC),
                time=elapsed_ms,
                request=parts["request"],
                response=parts["response"],
                timings=harfile.Timings(send=0, wait=elapsed_ms, receive=0),
            )
    return path
