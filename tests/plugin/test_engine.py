"""The plugin's engine used directly: servers start and stop cleanly, one per settings, and
failures inside them reach the caller."""

from __future__ import annotations

import re

import httpx
import pytest

from mixpeek_toolkit import mockserver
from mixpeek_toolkit.mockserver import Settings
from mixpeek_toolkit.mockserver.testing import (
    InProcessMock,
    MockHandle,
    MockPool,
    MockServer,
    MockServerFailure,
)
from mixpeek_toolkit.mockserver.testing.failures import ErrorLog
from mixpeek_toolkit.mockserver.testing.journal import check_called, check_executed


def refusing_to_start(settings):
    """An ASGI app whose start-up fails (as a broken database connection would)."""

    async def app(scope, receive, send):
        if scope["type"] == "lifespan":
            await receive()
            await send({"type": "lifespan.startup.failed", "message": "no database"})

    return app


def crashing(settings):
    async def app(scope, receive, send):
        if scope["type"] == "http":
            raise RuntimeError("handler crashed")

    return app


def test_a_server_starts_on_a_free_local_port_and_stops_cleanly():
    with MockServer(Settings()) as server:
        assert server.running
        assert server.base_url.startswith("http://127.0.0.1:")
        assert httpx.get(f"{server.base_url}/_mock/health").json()["status"] == "ok"

    assert not server.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.base_url}/_mock/health")


def test_the_pool_starts_one_server_per_distinct_settings():
    pool = MockPool()
    try:
        first = pool.server(Settings(seed=1))
        assert pool.server(Settings(seed=1)) is first
        other = pool.server(Settings(seed=2))
        assert other.port != first.port
    finally:
        pool.close()

    assert not first.running
    assert not other.running


def test_a_start_up_failure_in_the_server_thread_is_raised(monkeypatch):
    monkeypatch.setattr(mockserver, "create_app", refusing_to_start)

    with pytest.raises(MockServerFailure, match="failed to start"):
        MockServer(Settings()).start()


def test_an_exception_in_the_app_is_raised_on_the_next_response(monkeypatch):
    monkeypatch.setattr(mockserver, "create_app", crashing)
    with MockServer(Settings()) as server:
        handle = MockHandle(server)

        with pytest.raises(MockServerFailure, match="RuntimeError: handler crashed") as caught:
            handle.client.get("/v1/anything")

        assert isinstance(caught.value.__cause__, RuntimeError)
        assert handle.finish(test_failed=False) is None  # already raised, not raised twice


def test_in_process_exceptions_reach_the_caller_directly(monkeypatch):
    monkeypatch.setattr(mockserver, "create_app", crashing)
    mock = InProcessMock(Settings()).start()
    try:
        with pytest.raises(RuntimeError, match="handler crashed"):
            mock.client().get("/v1/anything")
    finally:
        mock.stop()


def test_execution_assertions_match_inputs_as_a_subset():
    entries = [
        {
            "seq": 1,
            "method": "POST",
            "path": "/v1/retrievers/ret_a/execute",
            "status_code": 200,
            "body": {"inputs": {"query": "lamp", "top_k": 5}},
        }
    ]

    assert check_executed(entries, "ret_a", inputs={"query": "lamp"}, times=1) == entries
    with pytest.raises(AssertionError, match=r"Expected 1 execution\(s\) of retriever 'ret_b'"):
        check_executed(entries, "ret_b", times=1)
    with pytest.raises(
        AssertionError, match=re.escape("'ret_a' inputs={'query': 'lamp', 'top_k': 5}")
    ):
        check_executed(entries, "ret_a", inputs={"query": "sofa"})


def test_the_journal_says_which_requests_met_a_scripted_fault():
    entries = [
        {
            "seq": 1,
            "method": "POST",
            "path": "/v1/retrievers/ret_a/execute",
            "status_code": None,
            "fault": "drop",
        },
        {
            "seq": 2,
            "method": "POST",
            "path": "/v1/retrievers/ret_a/execute",
            "status_code": 200,
            "fault": "truncate",
        },
    ]

    with pytest.raises(AssertionError) as caught:
        check_called(entries, status_code=500, times=1)

    assert "POST /v1/retrievers/ret_a/execute -> connection dropped" in str(caught.value)
    assert "POST /v1/retrievers/ret_a/execute -> 200 (body truncated)" in str(caught.value)


def test_an_error_seen_by_the_app_and_escaping_it_is_reported_once():
    class Source:
        def __init__(self, errors):
            self.errors = errors

        def take(self):
            errors, self.errors = self.errors, []
            return errors

    bug, other = KeyError("bug"), ValueError("other")
    log = ErrorLog()
    log.watch(Source([bug]))
    log.add(bug)
    log.add(other)

    assert log.take() == [bug, other]
    assert log.take() == []
