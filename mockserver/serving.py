"""Serving the mock with uvicorn, on a protocol that can close a connection on request.

``mixpeek-mock`` and the testing engine's ``MockServer`` both build their
``uvicorn.Config`` with :func:`uvicorn_config`: uvicorn's httptools protocol (its C
parser: 1.4x the executes per second of the pure-Python h11 on the bench) on asyncio's
own event loop (uvloop, which uvicorn would pick when installed, gave no more throughput
and a p99 ten times longer at 64 connections), which adds the
:data:`~mixpeek_toolkit.mockserver.faults.CLOSE_CONNECTION` ASGI extension to every
request, so scripted transport faults (``Prefer: fault=drop|truncate``) really close
the connection. :class:`ClosingH11Protocol` does the same on uvicorn's pure-Python h11
protocol (``uvicorn_config(app, http="h11")``).
"""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .faults import CLOSE_CONNECTION

__all__ = ["ClosingH11Protocol", "ClosingHttpToolsProtocol", "uvicorn_config"]


class ClosingHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, plus the ``mixpeek.connection.close`` ASGI extension."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.app = _with_close(self.app, self)


class ClosingH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, plus the ``mixpeek.connection.close`` ASGI extension."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.app = _with_close(self.app, self)


PROTOCOLS: dict[str, type[asyncio.Protocol]] = {
    "httptools": ClosingHttpToolsProtocol,
    "h11": ClosingH11Protocol,
}


def _with_close(app: ASGIApp, protocol: H11Protocol | HttpToolsProtocol) -> ASGIApp:
    async def closing_app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        scope["extensions"] = {**(scope.get("extensions") or {}), CLOSE_CONNECTION: {}}

        async def send_or_close(message: Message) -> None:
            if message["type"] == CLOSE_CONNECTION:
                protocol.transport.close()  # flushes what was written, then closes
            else:
                await send(message)

        await app(scope, receive, send_or_close)

    return closing_app


def uvicorn_config(
    app: ASGIApp, *, http: str = "httptools", loop: str = "asyncio", **options: Any
) -> uvicorn.Config:
    """``uvicorn.Config(app, **options)`` on the closing protocol named by ``http``
    (``httptools``, the default, or ``h11``) and asyncio's event loop."""
    return uvicorn.Config(app, http=PROTOCOLS[http], loop=loop, **options)
