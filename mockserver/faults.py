"""Transport faults: a connection closed without an answer, or in the middle of the body.

``Prefer: fault=drop`` / ``fault=truncate`` (or a queued ``{"fault": ...}``) turns the
answer the mock prepared into a :class:`FaultResponse`. ASGI has no message to close a
connection, so the server advertises one: the ASGI extension :data:`CLOSE_CONNECTION`
in ``scope["extensions"]``, and the app sends ``{"type": CLOSE_CONNECTION}`` to close the
connection at once (after what was already written). The mock's uvicorn protocol
(:mod:`.serving`, used by ``mixpeek-mock`` and the testing engine's ``MockServer``) and the
in-process transport of the testing engine provide it.

- ``drop``: nothing is sent; the connection is closed. A client sees the server
  disconnect without a response (httpx: ``RemoteProtocolError``).
- ``truncate``: the status and headers (``Content-Length`` of the whole body) and the
  first half of the body are sent, then the connection is closed (httpx:
  ``RemoteProtocolError``, "peer closed connection without sending complete message
  body"). An answer without a body has nothing to cut: it is dropped instead.

A server without the extension cannot close a connection on request: the app then
returns without finishing the answer, which such servers answer with their own 500
(nothing started) or by closing the connection (a body started), logging an error.
Faults are scripted answers, never bugs of the mock.
"""

from __future__ import annotations

import anyio
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .scenarios import Fault

__all__ = ["CLOSE_CONNECTION", "DISCONNECT_WAIT_S", "FaultResponse", "supports_close"]

CLOSE_CONNECTION = "mixpeek.connection.close"
"""The ASGI extension (and message type) that closes the connection at once."""
DISCONNECT_WAIT_S = 10.0
"""How long the app waits for the server to report the closed connection (it does at once)."""


def supports_close(scope: Scope) -> bool:
    """Whether the server serving ``scope`` closes connections on request."""
    return CLOSE_CONNECTION in (scope.get("extensions") or {})


class FaultResponse(Response):
    """Sends ``answer`` broken by ``fault``: not at all, or cut in the middle of its body."""

    def __init__(self, answer: Response, fault: Fault) -> None:
        self.answer = answer
        self.fault = fault
        self.status_code = answer.status_code
        self.background = None
        self.raw_headers = answer.raw_headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = bytes(getattr(self.answer, "body", b""))
        if self.fault is Fault.TRUNCATE and body:
            await send(
                {
                    "type": "http.response.start",
                    "status": self.status_code,
                    "headers": self.raw_headers,
                }
            )
            await send(
                {"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True}
            )
        if not supports_close(scope):
            return  # the server closes (or answers 500) on its own: see the module's docstring
        await send({"type": CLOSE_CONNECTION})
        with anyio.move_on_after(DISCONNECT_WAIT_S):
            while (await receive())["type"] != "http.disconnect":
                pass  # the rest of a request body nobody will read
