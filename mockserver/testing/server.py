"""A live mock: one app served by uvicorn in a background thread on a free 127.0.0.1 port.

It is served as ``mixpeek-mock`` serves it (:func:`~mixpeek_toolkit.mockserver.serving.uvicorn_config`),
so scripted transport faults really drop or cut the connection; the app's bugs and any
exception escaping it are kept in :attr:`MockServer.errors` for the test.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

import uvicorn

from ..serving import uvicorn_config
from .failures import (
    ErrorLog,
    MockServerFailure,
    RecordErrors,
    bug_log_of,
    describe_errors,
    secrets_of,
)

if TYPE_CHECKING:
    from ..settings import Settings

__all__ = ["MockServer"]

STARTUP_TIMEOUT_S = 15.0
SHUTDOWN_TIMEOUT_S = 10.0


def _free_socket(host: str) -> socket.socket:
    # IPPROTO_TCP, not the default 0: asyncio only turns Nagle's algorithm off
    # (TCP_NODELAY) on sockets whose proto says TCP. Without it every response body
    # waits for the client's delayed ACK, about 40 ms a request.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    sock.set_inheritable(True)
    return sock


class MockServer:
    """One mock app served by uvicorn on ``127.0.0.1:<free port>`` in a daemon thread.

    Use as a context manager, or call :meth:`start` and :meth:`stop`. Signal handlers are
    left alone (uvicorn 0.54 installs them only from the main thread, and
    ``capture_signals`` is disabled here as well), so Ctrl-C still reaches pytest.
    """

    host = "127.0.0.1"

    def __init__(self, settings: Settings, *, startup_timeout: float = STARTUP_TIMEOUT_S) -> None:
        self.settings = settings
        self.startup_timeout = startup_timeout
        self.errors = ErrorLog()
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._server: _ThreadServer | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        if not self.port:
            raise MockServerFailure("The mock server is not running: call start() first.")
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> MockServer:
        if self._thread is not None:
            raise MockServerFailure("This MockServer was started already; create a new one.")
        from .. import create_app

        mock_app = create_app(self.settings)
        bugs = bug_log_of(mock_app)
        if bugs is not None:
            self.errors.watch(bugs)
        config = uvicorn_config(
            RecordErrors(mock_app, self.errors),
            lifespan="auto",
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=2,
        )
        ready = threading.Event()
        self._server = server = _ThreadServer(config, ready)
        self._socket = _free_socket(self.host)
        self.port = self._socket.getsockname()[1]
        self._thread = threading.Thread(
            target=self._serve, name=f"mixpeek-mock:{self.port}", daemon=True
        )
        self._thread.start()
        if not ready.wait(self.startup_timeout):
            self.stop()
            raise MockServerFailure(
                f"The mock server did not start within {self.startup_timeout:g} s on "
                f"{self.base_url}."
            )
        if not server.started:
            errors = self.errors.take()
            self._join()
            raise MockServerFailure(
                "The mock server failed to start.\n"
                + describe_errors(errors, secrets=secrets_of(self.settings))
            ) from (errors[0] if errors else None)
        return self

    def _serve(self) -> None:
        try:
            self._server.run(sockets=[self._socket])
        except BaseException as error:  # SystemExit from a failed start-up included
            self.errors.add(error)
        finally:
            self._server.ready.set()

    def stop(self, timeout: float = SHUTDOWN_TIMEOUT_S) -> None:
        """Ask uvicorn to exit and wait for the thread; raise if it does not end in time."""
        if self._server is not None:
            self._server.should_exit = True
        self._join(timeout)

    def _join(self, timeout: float = SHUTDOWN_TIMEOUT_S) -> None:
        thread = self._thread
        if thread is not None and thread.is_alive():
            thread.join(timeout)
            if thread.is_alive():
                self._server.force_exit = True
                thread.join(1.0)
                raise MockServerFailure(
                    f"The mock server on port {self.port} did not stop in time."
                )
        if self._socket is not None:
            self._socket.close()

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class _ThreadServer(uvicorn.Server):
    """A uvicorn server that never touches signal handlers and reports readiness."""

    def __init__(self, config: uvicorn.Config, ready: threading.Event) -> None:
        super().__init__(config)
        self.ready = ready

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets=sockets)
        finally:
            self.ready.set()
