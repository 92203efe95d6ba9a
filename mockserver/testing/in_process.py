"""A mock served with no socket: httpx clients whose transport calls the ASGI app directly.

The transports offer the app the connection-closing ASGI extension
(:data:`~mixpeek_toolkit.mockserver.faults.CLOSE_CONNECTION`), so a scripted transport
fault reaches an in-process client as it reaches one over a socket: as
``httpx.RemoteProtocolError``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx

from ..faults import CLOSE_CONNECTION
from .failures import ErrorLog, MockServerFailure, bug_log_of

if TYPE_CHECKING:
    from anyio.from_thread import BlockingPortal
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from ..settings import Settings

__all__ = ["InProcessMock", "asgi_client"]

CLOSED_MESSAGE = "The Mixpeek mock closed the connection (a scripted fault)."


class _ConnectionClosed(Exception):
    """The app closed the connection: the client gets ``httpx.RemoteProtocolError``."""


class _ClosingConnections:
    """ASGI wrapper: the connection-closing extension, for an app served with no socket."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope["extensions"] = {**(scope.get("extensions") or {}), CLOSE_CONNECTION: {}}
        closed = False

        async def send_or_close(message: Message) -> None:
            nonlocal closed
            if message["type"] == CLOSE_CONNECTION:
                closed = True
            elif not closed:
                await send(message)

        async def receive_or_disconnect() -> Message:
            return {"type": "http.disconnect"} if closed else await receive()

        await self.app(scope, receive_or_disconnect, send_or_close)
        if closed:
            raise _ConnectionClosed(CLOSED_MESSAGE)


class _AsyncTransport(httpx.AsyncBaseTransport):
    """``httpx.ASGITransport`` on :class:`_ClosingConnections`."""

    def __init__(self, app: ASGIApp) -> None:
        self._transport = httpx.ASGITransport(
            app=_ClosingConnections(app), client=("127.0.0.1", 50000)
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self._transport.handle_async_request(request)
        except _ConnectionClosed as closed:
            raise httpx.RemoteProtocolError(str(closed), request=request) from None

    async def aclose(self) -> None:
        await self._transport.aclose()


class _PortalTransport(httpx.BaseTransport):
    """A sync httpx transport that calls an ASGI app on an anyio portal's event loop."""

    def __init__(self, app: ASGIApp, portal: BlockingPortal) -> None:
        self._transport = _AsyncTransport(app)
        self._portal = portal

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def call() -> httpx.Response:
            # ASGITransport reads the body as an async stream; a sync client's may not be one.
            request.stream = httpx.ByteStream(request.read())
            response = await self._transport.handle_async_request(request)
            content = await response.aread()
            return httpx.Response(
                response.status_code,
                headers=response.headers,
                content=content,
                extensions=response.extensions,
                request=request,
            )

        return self._portal.call(call)


class InProcessMock:
    """One mock app served with no socket; clients call the ASGI app directly.

    Exceptions that escape the app propagate straight into the calling test; bugs the
    app answered with a 500 are kept in :attr:`errors` (it drains the app's bug log).
    The official ``mixpeek`` client needs a real socket: use :class:`MockServer` for it.
    """

    base_url = "http://mixpeek-mock.invalid"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.app: Any = None
        self.errors = ErrorLog()
        self._exit_stack = contextlib.ExitStack()
        self._portal: BlockingPortal | None = None

    def start(self) -> InProcessMock:
        from anyio.from_thread import start_blocking_portal

        from .. import create_app

        self.app = create_app(self.settings)
        bugs = bug_log_of(self.app)
        if bugs is not None:
            self.errors.watch(bugs)
        self._portal = self._exit_stack.enter_context(start_blocking_portal())
        return self

    def stop(self) -> None:
        self._exit_stack.close()

    def client(self, **kwargs: Any) -> httpx.Client:
        if self._portal is None:
            raise MockServerFailure("The in-process mock is not started: call start() first.")
        return httpx.Client(
            base_url=self.base_url, transport=_PortalTransport(self.app, self._portal), **kwargs
        )

    def async_client(self, **kwargs: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.base_url, transport=_AsyncTransport(self.app), **kwargs
        )


@contextlib.contextmanager
def asgi_client(app: ASGIApp, *, base_url: str, **kwargs: Any) -> Iterator[httpx.Client]:
    """A sync ``httpx.Client`` whose requests go to any ASGI ``app`` in process.

    For code that holds an app of its own rather than a mock (the contract suites run
    against wrapped or broken apps this way); the event loop runs in a portal thread.
    """
    from anyio.from_thread import start_blocking_portal

    with (
        start_blocking_portal() as portal,
        httpx.Client(
            base_url=base_url, transport=_PortalTransport(app, portal), **kwargs
        ) as client,
    ):
        yield client
