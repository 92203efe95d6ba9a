"""A mock served with no socket: httpx clients whose transport calls the ASGI app directly."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx

from .failures import ErrorLog, MockServerFailure

if TYPE_CHECKING:
    from anyio.from_thread import BlockingPortal
    from starlette.types import ASGIApp

    from ..settings import Settings

__all__ = ["InProcessMock", "asgi_client"]


class _PortalTransport(httpx.BaseTransport):
    """A sync httpx transport that calls an ASGI app on an anyio portal's event loop."""

    def __init__(self, app: ASGIApp, portal: BlockingPortal) -> None:
        self._transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
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

    App exceptions propagate straight into the calling test (``raise_app_exceptions``).
    The official ``mixpeek`` client needs a real socket: use :class:`MockServer` for it.
    """

    base_url = "http://mixpeek-mock.invalid"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.app: Any = None
        self.errors = ErrorLog()  # stays empty: app exceptions reach the caller directly
        self._exit_stack = contextlib.ExitStack()
        self._portal: BlockingPortal | None = None

    def start(self) -> InProcessMock:
        from anyio.from_thread import start_blocking_portal

        from .. import create_app

        self.app = create_app(self.settings)
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
        transport = httpx.ASGITransport(app=self.app, client=("127.0.0.1", 50000))
        return httpx.AsyncClient(base_url=self.base_url, transport=transport, **kwargs)


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
