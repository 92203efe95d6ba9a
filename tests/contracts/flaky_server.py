"""A flaky front for a live server: it misbehaves on a fixed share of requests, by count.

:class:`FlakyFront` listens on a free 127.0.0.1 port and relays each request to an upstream
base URL, one request per connection (``Connection: close``). A ``schedule`` picks what it
does with the n-th request (1-based), deterministically:

- ``Fault.OK``: relay it and answer what the upstream answered;
- ``Fault.UNAVAILABLE``: answer ``503`` with ``Retry-After: 0`` in the error envelope;
- ``Fault.DROP``: close the connection without answering;
- ``Fault.TRUNCATE``: relay it, then send the headers and only half the body, and close;
- ``Fault.HANG``: never answer (until the front stops).

:func:`every_seventh` is the default schedule: a 503 on every 7th request, a dropped
connection three requests later, a truncated body two after that. No two faults are
consecutive, so one retry always gets through.
"""

from __future__ import annotations

import enum
import json
import socketserver
import threading
from collections.abc import Callable
from types import TracebackType

import httpx

__all__ = ["Fault", "FlakyFront", "every_seventh"]

_NOT_RELAYED = {"host", "connection", "content-length", "transfer-encoding", "content-encoding"}


class Fault(enum.Enum):
    OK = "ok"
    UNAVAILABLE = "503 with Retry-After"
    DROP = "dropped connection"
    TRUNCATE = "truncated body"
    HANG = "no answer"


def every_seventh(number: int) -> Fault:
    """A fault on 3 of every 7 requests, never two in a row."""
    return {0: Fault.UNAVAILABLE, 3: Fault.DROP, 5: Fault.TRUNCATE}.get(number % 7, Fault.OK)


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        request_line = self.rfile.readline().decode("latin-1").strip()
        if not request_line:
            return
        method, target, _ = request_line.split(" ", 2)
        headers: list[tuple[str, str]] = []
        while (line := self.rfile.readline().decode("latin-1").strip()) != "":
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
        length = int(next((v for k, v in headers if k.lower() == "content-length"), "0"))
        body = self.rfile.read(length) if length else b""
        fault = self.server.next_fault()
        if fault is Fault.DROP:
            return
        if fault is Fault.HANG:
            self.server.stopping.wait()
            return
        if fault is Fault.UNAVAILABLE:
            envelope = {
                "success": False,
                "status": 503,
                "error": {"type": "ServiceUnavailableError", "message": "Try again."},
            }
            self._answer(503, [("Retry-After", "0"), ("Content-Type", "application/json")],
                         json.dumps(envelope).encode())  # fmt: skip
            return
        try:
            upstream = self.server.upstream.request(
                method,
                target,
                headers=[(k, v) for k, v in headers if k.lower() not in _NOT_RELAYED],
                content=body,
            )
        except httpx.LocalProtocolError:  # a probe's illegal header: refused, as uvicorn does
            self._answer(400, [("Content-Type", "text/plain")], b"Invalid HTTP request received.")
            return
        relayed = [
            (k, v) for k, v in upstream.headers.multi_items() if k.lower() not in _NOT_RELAYED
        ]
        content = upstream.content
        self._answer(upstream.status_code, relayed, content, truncate=fault is Fault.TRUNCATE)

    def _answer(
        self, status: int, headers: list[tuple[str, str]], content: bytes, *, truncate: bool = False
    ) -> None:
        head = [f"HTTP/1.1 {status} {httpx.codes.get_reason_phrase(status)}"]
        head += [f"{name}: {value}" for name, value in headers]
        head += [f"Content-Length: {len(content)}", "Connection: close", "", ""]
        sent = content[: len(content) // 2] if truncate else content
        self.wfile.write("\r\n".join(head).encode("latin-1") + sent)
        self.wfile.flush()


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, upstream: str, schedule: Callable[[int], Fault]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream = httpx.Client(base_url=upstream, timeout=30)
        self.schedule = schedule
        self.count = 0
        self.faults: dict[Fault, int] = {}
        self.stopping = threading.Event()
        self._lock = threading.Lock()

    def next_fault(self) -> Fault:
        with self._lock:
            self.count += 1
            fault = self.schedule(self.count)
            self.faults[fault] = self.faults.get(fault, 0) + 1
            return fault


class FlakyFront:
    """A flaky front for ``upstream`` (see the module), as a context manager."""

    def __init__(self, upstream: str, schedule: Callable[[int], Fault] = every_seventh) -> None:
        self._server = _Server(upstream, schedule)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def faults(self) -> dict[Fault, int]:
        """How many requests met each behaviour so far."""
        return dict(self._server.faults)

    def __enter__(self) -> FlakyFront:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._server.upstream.close()
        self._thread.join(5)
