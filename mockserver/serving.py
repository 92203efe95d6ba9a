"""Serving the mock with uvicorn, on a protocol that can close a connection on request.

``mixpeek-mock`` and the testing engine's ``MockServer`` both build their
``uvicorn.Config`` with :func:`uvicorn_config`: uvicorn's h11 protocol, which adds the
:data:`~mixpeek_toolkit.mockserver.faults.CLOSE_CONNECTION` ASGI extension to every
request, so scripted transport faults (``Prefer: fault=drop|truncate``) really close
the connection.
"""

from __future__ import annotations

from typing import Any

import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from .faults import CLOSE_CONNECTION

__all__ = ["ClosingH11Protocol", "uvicorn_config"]


class ClosingH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, plus the ``mixpeek.connection.close`` ASGI extension."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.app = _with_close(self.app, self)


def _with_close(app: ASGIApp, protocol: H11Protocol) -> ASGIApp:
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


def uvicorn_config(app: ASGIApp, **options: Any) -> uvicorn.Config:
    """``uvicorn.Config(app, **options)`` on :class:`ClosingH11Protocol`."""
    return uvicorn.Config(app, http=ClosingH11Protocol, **options)
