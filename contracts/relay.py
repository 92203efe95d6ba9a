"""Schemathesis' way to the target: an ASGI app that relays each request through the runner's client.

Schemathesis calls an app it is given in process. The runner gives it a :class:`Relay`, which
sends every request it receives to the target through the run's one ``httpx`` client (the
:class:`~.transport.PoliteTransport`: pacing, waits for limited answers, retries of
transport faults, the time budget) and answers what the target answered, byte for byte.
So Schemathesis' phases, its probes and its extra requests (``ignored_auth``) are as polite
as the workflows, and a limited answer or a flaky connection never reaches a check.

A request that fails for good (a :class:`~.transport.TransportFault`, the end of the time or
waiting budget) is raised inside the app: Schemathesis reports it as an error of that call,
not as a broken check.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import anyio.to_thread
import httpx

__all__ = ["Relay"]

#: Hop-by-hop headers (RFC 9110), and those the relay recomputes, are not passed on.
_NOT_RELAYED = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"transfer-encoding",
        b"te",
        b"trailer",
        b"upgrade",
        b"host",
        b"content-length",
        b"content-encoding",  # httpx hands over the decoded body
    }
)


class Relay:
    """An ASGI app relaying each HTTP request to ``base_url``'s origin through ``client``."""

    def __init__(self, client: httpx.Client, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.client = client
        self.origin = f"{parts.scheme}://{parts.netloc}"

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                kind = message["type"].rsplit(".", 1)[-1]  # startup | shutdown
                await send({"type": f"lifespan.{kind}.complete"})
                if kind == "shutdown":
                    return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        path = scope.get("raw_path") or scope["path"].encode()
        query = scope.get("query_string") or b""
        url = (
            self.origin + path.decode("latin-1") + (f"?{query.decode('latin-1')}" if query else "")
        )
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in _NOT_RELAYED]
        request = self.client.build_request(scope["method"], url, headers=headers, content=body)
        # A fault that outlived every retry, or the end of a budget, is raised here.
        response = await anyio.to_thread.run_sync(self.client.send, request)
        answer = [(k, v) for k, v in response.headers.raw if k.lower() not in _NOT_RELAYED]
        answer.append((b"content-length", str(len(response.content)).encode()))
        await send(
            {"type": "http.response.start", "status": response.status_code, "headers": answer}
        )
        await send({"type": "http.response.body", "body": response.content})
