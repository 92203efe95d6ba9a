"""A synchronous httpx client that calls an ASGI app in process (no sockets).

Starlette's TestClient is deprecated with ``httpx``; this is the same idea in a few lines:
an anyio blocking portal runs the app's event loop in a thread, and a transport hands
each request to ``httpx.ASGITransport`` on that loop.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import anyio.from_thread
import httpx

__all__ = ["asgi_client"]


class _PortalTransport(httpx.BaseTransport):
    def __init__(self, app: Any, portal: Any) -> None:
        self._transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        self._portal = portal

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def call() -> httpx.Response:
            # httpx.ASGITransport reads the request body as an async stream.
            request.stream = httpx.ByteStream(request.read())
            response = await self._transport.handle_async_request(request)
            content = await response.aread()
            return httpx.Response(
                response.status_code, headers=response.headers, content=content, request=request
            )

        return self._portal.call(call)


@contextmanager
def asgi_client(app: Any, *, base_url: str, timeout: httpx.Timeout) -> Iterator[httpx.Client]:
    """An ``httpx.Client`` whose requests go to ``app`` in process."""
    with anyio.from_thread.start_blocking_portal() as portal:
        transport = _PortalTransport(app, portal)
        with httpx.Client(transport=transport, base_url=base_url, timeout=timeout) as client:
            yield client
