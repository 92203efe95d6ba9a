"""Every fault the mock can inject, as a client sees it: latency, 429 (Retry-After and the
rate-limit headers), 500, 503 (Retry-After), a dropped connection and a truncated body.

Transport faults run against a live uvicorn server (the testing engine's ``MockServer``,
served as ``mixpeek-mock`` serves it); waits are bounded socket reads, never sleeps.
Scripted faults are answers, never bugs of the mock.
"""

from __future__ import annotations

import logging
import re
import socket
from collections.abc import Iterator

import httpx
import pytest

from mixpeek_toolkit.mockserver import Settings
from mixpeek_toolkit.mockserver.errors import InvalidPreference
from mixpeek_toolkit.mockserver.scenarios import Fault, Scenario, ScenarioParser
from mixpeek_toolkit.mockserver.testing import InProcessMock, MockHandle, MockServer
from tests.mockserver.conftest import assert_envelope, execute_path, execution_path

RETRIEVER = "ret_product_search"
QUERY = {"inputs": {"query": "kettle"}}
READ_TIMEOUT_S = 10.0
RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
PARSER = ScenarioParser([400, 401, 403, 404, 422, 429, 500, 503])


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer(Settings(strict=True, seed=42)) as live:
        yield live


@pytest.fixture
def mock(server: MockServer, caplog: pytest.LogCaptureFixture) -> Iterator[MockHandle]:
    """A reset handle; after the test, nothing went wrong inside the server or uvicorn."""
    handle = MockHandle(server).start()
    with caplog.at_level(logging.WARNING):
        yield handle
    assert handle.finish(test_failed=False) is None  # raises if the mock saw a bug
    logged = [r for r in caplog.records if r.name.startswith(("uvicorn", "mixpeek_toolkit"))]
    assert not logged, caplog.text


def execute(mock: MockHandle, **headers: str) -> httpx.Response:
    return mock.client.post(execute_path(RETRIEVER), json=QUERY, headers=headers)


def raw_exchange(mock: MockHandle, prefer: str) -> tuple[dict[str, str], bytes]:
    """An execute over a raw socket, read until the server closes: (headers, body bytes)."""
    body = b'{"inputs": {"query": "kettle"}}'
    request = (
        f"POST {execute_path(RETRIEVER)} HTTP/1.1\r\nHost: mock\r\n"
        f"Authorization: Bearer {mock.api_key}\r\nX-Namespace: {mock.namespace}\r\n"
        f"Prefer: {prefer}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    received = b""
    with socket.create_connection(("127.0.0.1", mock.mock.port), timeout=READ_TIMEOUT_S) as sock:
        sock.sendall(request)
        while chunk := sock.recv(65536):  # b"" once the server closed the connection
            received += chunk
    head, _, content = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return {"status-line": lines[0], **{k.lower(): v for k, v in headers.items()}}, content


# -- the grammar ---------------------------------------------------------------------------


def test_fault_is_a_typed_preference():
    assert PARSER.from_prefer(["fault=drop"]) == Scenario(fault=Fault.DROP)
    assert PARSER.from_prefer(["fault=truncate, retry-after=3"]) == Scenario(
        fault=Fault.TRUNCATE, retry_after=3
    )
    with pytest.raises(InvalidPreference, match=re.escape("drop|truncate")):
        PARSER.from_prefer(["fault=explode"])


# -- dropped connection ----------------------------------------------------------------------


def test_a_dropped_connection_closes_without_any_answer(mock):
    headers, content = raw_exchange(mock, "fault=drop")
    assert headers == {"status-line": ""} and content == b""  # not one byte


def test_an_http_client_sees_the_server_disconnect(mock):
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        execute(mock, Prefer="fault=drop")

    [entry] = mock.journal()
    assert (entry["status_code"], entry["fault"]) == (None, "drop")
    assert mock.execution(entry["execution_id"])["status"] == "completed"  # it was handled
    assert execute(mock).status_code == 200  # the next request gets a new connection


def test_a_read_back_can_be_dropped_too(mock):
    created = execute(mock).json()
    with pytest.raises(httpx.RemoteProtocolError):
        mock.client.get(
            execution_path(RETRIEVER, created["execution_id"]), headers={"Prefer": "fault=drop"}
        )


# -- truncated body --------------------------------------------------------------------------


def test_a_truncated_body_is_shorter_than_its_content_length_then_closed(mock):
    headers, content = raw_exchange(mock, "fault=truncate")

    assert headers["status-line"] == "HTTP/1.1 200 OK"
    assert headers["content-type"] == "application/json"
    assert RATE_HEADERS[0].lower() in headers
    assert 0 < len(content) < int(headers["content-length"])
    assert len(content) == int(headers["content-length"]) // 2


def test_an_http_client_sees_an_incomplete_body(mock):
    with pytest.raises(httpx.RemoteProtocolError, match="complete message body"):
        execute(mock, Prefer="fault=truncate")

    [entry] = mock.journal()
    assert (entry["status_code"], entry["fault"]) == (200, "truncate")


def test_an_error_answer_can_be_truncated(mock):
    headers, content = raw_exchange(mock, "status=503, fault=truncate")
    assert headers["status-line"] == "HTTP/1.1 503 Service Unavailable"
    assert headers["retry-after"] == "1"
    assert len(content) < int(headers["content-length"])


# -- queued, for clients that cannot set headers -------------------------------------------


def test_faults_can_be_queued_through_the_control_api(mock):
    control = mock.make_client(headers={})
    queued = control.post(
        "/_mock/scenarios", json={"scenarios": [{"fault": "drop"}, {"fault": "truncate"}]}
    )
    assert queued.status_code == 201, queued.text
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        execute(mock)
    with pytest.raises(httpx.RemoteProtocolError, match="complete message body"):
        execute(mock)
    assert execute(mock).status_code == 200
    assert [entry["fault"] for entry in mock.journal()] == ["drop", "truncate", None]


def test_a_malformed_queued_fault_is_a_422(mock):
    control = mock.make_client(headers={})
    response = control.post("/_mock/scenarios", json={"scenarios": [{"fault": "explode"}]})
    error = assert_envelope(response, 422, "ValidationError")
    assert error["details"]["validation_errors"][0]["location"] == [
        "body",
        "scenarios",
        0,
        "fault",
    ]


def test_the_handle_queues_every_fault(mock):
    mock.queue_dropped_connection()
    mock.queue_truncated_body()
    mock.queue_rate_limited(retry_after=4)
    mock.queue_unavailable(retry_after=3)
    mock.queue_server_error()

    with pytest.raises(httpx.RemoteProtocolError):
        execute(mock)
    with pytest.raises(httpx.RemoteProtocolError):
        execute(mock)
    limited = execute(mock)
    unavailable = execute(mock)
    failed = execute(mock)

    error = assert_envelope(limited, 429, "TooManyRequestsError")
    assert limited.headers["Retry-After"] == "4"
    assert error["details"]["retry_after"] == 4
    assert all(name in limited.headers for name in RATE_HEADERS)
    assert_envelope(unavailable, 503, "ServiceUnavailableError")
    assert unavailable.headers["Retry-After"] == "3"
    assert assert_envelope(failed, 500, "InternalServerError")["code"] == "forced_by_scenario"
    assert execute(mock).status_code == 200
    # the fixture's teardown checks that none of these was reported as a bug


def test_faults_reach_an_in_process_client_the_same_way():
    mock = InProcessMock(Settings(strict=True)).start()
    try:
        handle = MockHandle(mock).start()
        handle.queue_dropped_connection()
        with pytest.raises(httpx.RemoteProtocolError, match="closed the connection"):
            execute(handle)
        with pytest.raises(httpx.RemoteProtocolError):
            execute(handle, Prefer="fault=truncate")
        assert execute(handle).status_code == 200
        assert handle.finish(test_failed=False) is None
    finally:
        mock.stop()


# -- latency, on the injected clock ----------------------------------------------------------


@pytest.mark.anyio
async def test_queued_latency_is_waited_before_answering(client, clock):
    await client.post("/_mock/scenarios", json={"scenarios": [{"latency_ms": 1500}]})
    assert (await client.post(execute_path(RETRIEVER), json=QUERY)).status_code == 200
    assert (await client.post(execute_path(RETRIEVER), json=QUERY)).status_code == 200
    assert clock.slept == [1.5]


@pytest.mark.anyio
async def test_latency_is_waited_before_a_scripted_error_too(client, clock):
    response = await client.post(
        execute_path(RETRIEVER), json=QUERY, headers={"Prefer": "latency=20, status=503"}
    )
    assert_envelope(response, 503, "ServiceUnavailableError")
    assert clock.slept == [0.02]
