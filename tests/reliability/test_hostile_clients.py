"""Hostile clients against a live mock (uvicorn in a thread, 127.0.0.1 only).

Floods of headers, slow and vanishing clients: whatever one client does, the mock stays
up, answers the next client, records no bug (``MockServer.errors``: exceptions that
escaped the app and the bugs it answered with a 500), logs no error and keeps no
connection open once its client is gone.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mixpeek_toolkit.mockserver import Settings
from mixpeek_toolkit.mockserver.testing import MockServer
from tests.reliability.conftest import (
    API_KEY,
    AUTH,
    execute_path,
    execution_path,
    wait_until,
)

SETTLE_S = 15.0
"""Bound on how long the server may take to settle (answer, close) under a loaded CI host."""
PROC_TCP = Path("/proc/net/tcp")
OPEN_STATES = {"01": "ESTABLISHED", "08": "CLOSE_WAIT"}


@pytest.fixture(scope="module")
def live() -> Iterator[MockServer]:
    with MockServer(Settings(seed=3, strict=True, rate_limit=10**9)) as server:
        yield server


class ErrorRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def clean(live: MockServer) -> Iterator[None]:
    """Each test starts on a reset mock and ends with no bug, no error log, no open socket."""
    httpx.post(f"{live.base_url}/_mock/reset", timeout=SETTLE_S).raise_for_status()
    handler = ErrorRecords()
    loggers = [logging.getLogger(name) for name in ("uvicorn.error", "mixpeek_toolkit")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield
        wait_until(
            lambda: server_connections(live.port) == 0,
            timeout=SETTLE_S,
            what=f"the mock closes every connection of gone clients ({live.port})",
        )
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
    assert live.errors.take() == []
    assert [r.getMessage() for r in handler.records] == []


def server_connections(port: int) -> int:
    """Connections the server side still holds open on ``port`` (Linux ``/proc/net/tcp``)."""
    if not PROC_TCP.exists():  # pragma: no cover - other systems: nothing to count
        return 0
    count = 0
    for line in PROC_TCP.read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].rsplit(":", 1)[1], 16)
        if local_port == port and fields[3] in OPEN_STATES:
            count += 1
    return count


def head(body: bytes, *, extra: bytes = b"", path: bytes | None = None) -> bytes:
    target = path or execute_path().encode()
    return (
        b"POST " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Authorization: Bearer " + API_KEY.encode() + b"\r\nX-Namespace: hostile\r\n"
        b"Content-Type: application/json\r\n" + extra + b"Content-Length: %d\r\n\r\n" % len(body)
    )


def exchange(port: int, data: bytes) -> bytes:
    """Send ``data`` on a new connection; the answer's head, or b"" if the server closed."""
    with socket.create_connection(("127.0.0.1", port), timeout=SETTLE_S) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(data)
        received = b""
        with contextlib.suppress(ConnectionResetError):
            while b"\r\n\r\n" not in received:
                chunk = sock.recv(65_536)
                if not chunk:
                    break
                received += chunk
    return received.partition(b"\r\n\r\n")[0]


def exchange_whole(port: int, data: bytes) -> tuple[bytes, bytes]:
    """Send ``data`` on a new connection; the answer's head and its whole body."""
    with socket.create_connection(("127.0.0.1", port), timeout=SETTLE_S) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(data)
        received = b""
        while b"\r\n\r\n" not in received and (chunk := sock.recv(65_536)):
            received += chunk
        answer_head, _, body = received.partition(b"\r\n\r\n")
        length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", answer_head)
        while length and len(body) < int(length.group(1)) and (chunk := sock.recv(65_536)):
            body += chunk
    return answer_head, body


def status_of(answer_head: bytes) -> int | None:
    return int(answer_head.split(b" ", 2)[1]) if answer_head.startswith(b"HTTP/1.1 ") else None


def assert_the_next_client_is_answered(live: MockServer) -> None:
    with httpx.Client(base_url=live.base_url, headers=AUTH, timeout=SETTLE_S) as client:
        response = client.post(execute_path(), json={"inputs": {"query": "headphones"}})
    assert response.status_code == 200, response.text


BODY = b'{"inputs": {"query": "headphones"}}'


# ---------------------------------------------------------------- headers


def test_ten_thousand_headers_are_refused_in_the_envelope_and_the_mock_stays_up(live) -> None:
    headers = b"".join(b"X-Flood-%d: v\r\n" % i for i in range(10_000))
    answer_head, body = exchange_whole(live.port, head(BODY, extra=headers) + BODY)

    assert status_of(answer_head) == 400, answer_head
    assert json.loads(body)["error"]["code"] == "headers_too_large"
    assert_the_next_client_is_answered(live)


def test_a_one_megabyte_header_is_refused_in_the_envelope_and_the_mock_stays_up(live) -> None:
    big = b"X-Big: " + b"a" * 1_048_576 + b"\r\n"
    answer_head, body = exchange_whole(live.port, head(BODY, extra=big) + BODY)

    assert status_of(answer_head) == 400, answer_head
    assert json.loads(body)["error"]["code"] == "headers_too_large"
    assert_the_next_client_is_answered(live)


def test_headers_up_to_the_limit_are_answered(live) -> None:
    near = b"X-Big: " + b"a" * 30_000 + b"\r\n"  # under the default 32 KiB, with the rest
    assert status_of(exchange(live.port, head(BODY, extra=near) + BODY)) == 200


# ---------------------------------------------------------------- slow and vanishing clients


@pytest.mark.parametrize("clients", [1, 200])
def test_slowloris_clients_do_not_stop_the_mock_answering_others(live, clients: int) -> None:
    partial = head(b" " * 1_000) + b'{"inputs": {"query": "never fini'
    sockets = []
    try:
        for _ in range(clients):
            sock = socket.create_connection(("127.0.0.1", live.port), timeout=SETTLE_S)
            sockets.append(sock)
            sock.sendall(partial)

        assert_the_next_client_is_answered(live)  # within SETTLE_S, while they all hang
    finally:
        for sock in sockets:
            sock.close()

    def journaled() -> int:
        entries = httpx.get(f"{live.base_url}/_mock/journal", timeout=SETTLE_S).json()["entries"]
        return sum(1 for e in entries if e["status_code"] == 400)

    # Each vanished client is answered 400 client_disconnected (journaled), not a bug.
    wait_until(lambda: journaled() == clients, timeout=SETTLE_S, what="every slowloris journaled")


def test_a_body_declared_over_the_limit_is_refused_before_it_is_sent(live) -> None:
    declared = head(b"").replace(b"Content-Length: 0", b"Content-Length: 10485760")
    answer = exchange(live.port, declared)  # no body follows: the answer must not wait for it
    assert status_of(answer) == 422


def test_a_client_that_disconnects_mid_stream_leaves_no_error_and_no_connection(live) -> None:
    body = b'{"inputs": {"query": "travel"}, "stream": true}'
    request = head(body, path=execute_path("ret_catalog_discovery").encode()) + body
    execution_ids = []
    for _ in range(20):
        with socket.create_connection(("127.0.0.1", live.port), timeout=SETTLE_S) as sock:
            sock.sendall(request)
            received = b""
            while b"\n\n" not in received.partition(b"\r\n\r\n")[2]:  # one whole event
                chunk = sock.recv(256)
                assert chunk, received
                received += chunk
        answer_head, _, first_event = received.partition(b"\r\n\r\n")
        assert status_of(answer_head) == 200 and first_event.startswith(b"data: ")
        execution_ids.append(
            next(
                line.split(b":", 1)[1].strip().decode()
                for line in answer_head.split(b"\r\n")
                if line.lower().startswith(b"x-execution-id:")
            )
        )

    assert_the_next_client_is_answered(live)
    with httpx.Client(base_url=live.base_url, timeout=SETTLE_S) as client:
        for execution_id in execution_ids:  # every streamed execution was kept
            read = client.get(
                execution_path("ret_catalog_discovery", execution_id),
                headers={**AUTH, "X-Namespace": "hostile"},
            )
            assert read.status_code == 200 and read.json()["status"] == "completed"


def test_the_journal_names_a_client_that_vanished_mid_body(live) -> None:
    with socket.create_connection(("127.0.0.1", live.port), timeout=SETTLE_S) as sock:
        sock.sendall(head(b" " * 500) + b'{"inputs"')

    def entries() -> list[dict]:
        return httpx.get(f"{live.base_url}/_mock/journal", timeout=SETTLE_S).json()["entries"]

    wait_until(lambda: len(entries()) == 1, timeout=SETTLE_S, what="the request is journaled")
    [entry] = entries()
    assert entry["status_code"] == 400 and entry["namespace"] == "hostile"
