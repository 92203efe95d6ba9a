"""The official ``mixpeek`` client (PyPI 1.3.783) runs against the mock over a real socket."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import mixpeek
import pytest
import uvicorn

from mixpeek_toolkit.mockserver import Settings, create_app

SEARCH = "ret_product_search"
TWO_COLLECTIONS = "ret_catalog_discovery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve(settings: Settings) -> Iterator[str]:
    """The mock served by uvicorn in a thread (signal handlers off), stopped with should_exit."""
    port = free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="error")
    server = uvicorn.Server(config)
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the mock did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serve(Settings(seed=3, strict=True)) as url:
        yield url


@pytest.fixture(scope="module", params=["retained", "statistics"])
def any_readback_url(request) -> Iterator[tuple[str, str]]:
    """A mock in each read-back mode: (base URL, mode)."""
    with serve(Settings(seed=3, strict=True, readback=request.param)) as url:
        yield url, request.param


def retrievers(
    base_url: str, token: str = "sk_test_x", namespace: str = "ns"
) -> mixpeek.RetrieversApi:
    config = mixpeek.Configuration(
        host=base_url, access_token=token, api_key={"NamespaceHeader": namespace}
    )
    return mixpeek.RetrieversApi(mixpeek.ApiClient(config))


def error_of(raised: pytest.ExceptionInfo) -> mixpeek.ErrorResponse:
    exc = raised.value
    return (
        exc.data
        if isinstance(exc.data, mixpeek.ErrorResponse)
        else mixpeek.ErrorResponse.from_json(exc.body)
    )


def test_the_official_client_executes_and_reads_back(base_url):
    api = retrievers(base_url)
    request = mixpeek.ExecuteRetrieverRequest(inputs={"query": "espresso machine", "top_k": 5})
    executed = api.execute_retriever("ret_product_search", request)
    assert executed.status == "completed"
    assert executed.execution_id.startswith("exec_")
    assert 0 < len(executed.documents) <= 5
    again = api.get_execution_retrievers("ret_product_search", executed.execution_id)
    assert again.status == "completed"
    assert again.execution_id == executed.execution_id
    assert [d["document_id"] for d in again.documents] == [
        d["document_id"] for d in executed.documents
    ]
    assert again.stages_completed == again.total_stages >= 1


def test_the_official_client_parses_a_401(base_url):
    with pytest.raises(mixpeek.ApiException) as raised:
        retrievers(base_url, token="not-a-key").execute_retriever(
            "ret_product_search", mixpeek.ExecuteRetrieverRequest(inputs={})
        )
    assert raised.value.status == 401
    assert error_of(raised).error.type == "UnauthorizedError"


def test_the_official_client_parses_a_404(base_url):
    with pytest.raises(mixpeek.ApiException) as raised:
        retrievers(base_url).get_execution_retrievers("ret_product_search", "exec_doesnotexist")
    assert raised.value.status == 404
    assert error_of(raised).status == 404


def test_the_official_client_parses_a_422(base_url):
    with pytest.raises(mixpeek.ApiException) as raised:
        retrievers(base_url).execute_retriever(
            "ret_support_kb", mixpeek.ExecuteRetrieverRequest(inputs={})
        )
    assert raised.value.status == 422
    assert error_of(raised).error.type == "ValidationError"


def test_the_official_client_reads_back_in_both_readback_modes(any_readback_url):
    base_url, mode = any_readback_url
    api = retrievers(base_url)
    request = mixpeek.ExecuteRetrieverRequest(inputs={"query": "espresso machine"}, limit=6)
    executed = api.execute_retriever(SEARCH, request)
    assert len(executed.documents) == 6 and executed.status == "completed"
    read = api.get_execution_retrievers(SEARCH, executed.execution_id)
    assert read.total_returned == 6
    assert read.trace_id and read.stages_completed == read.total_stages
    if mode == "retained":
        assert read.documents_retained is True and read.documents == executed.documents
    else:
        assert read.documents_retained is False and read.documents == []


def test_the_official_client_parses_limits_warnings_and_the_cache(base_url):
    api = retrievers(base_url)
    request = mixpeek.ExecuteRetrieverRequest(
        inputs={"query": "kettle", "top_k": 5000}, filters={"metadata.colour": "red"}
    )
    first = api.execute_retriever(SEARCH, request)
    [limit] = first.limits
    assert (limit.name, limit.requested, limit.applied, limit.ceiling) == (
        "top_k",
        5000,
        1000,
        1000,
    )
    assert first.warnings and "metadata.colour" in first.warnings[0]
    again = api.execute_retriever(SEARCH, request)
    assert (first.cache_hit, again.cache_hit) == (False, True)
    assert isinstance(again.cached_at, float | int)


def test_the_official_client_parses_a_degraded_execution(any_readback_url):
    base_url, _ = any_readback_url
    api = retrievers(base_url)
    request = mixpeek.ExecuteRetrieverRequest(inputs={"query": "travel"})
    executed = api.execute_retriever(
        TWO_COLLECTIONS, request, _headers={"Prefer": "outcome=degraded"}
    )
    assert executed.status == "degraded" and executed.error is None
    [entry] = executed.degraded
    assert isinstance(entry, mixpeek.DegradedEntry)
    assert entry.resource == "collection" and entry.next_step
    read = api.get_execution_retrievers(TWO_COLLECTIONS, executed.execution_id)
    assert read.status == "degraded" and read.degraded == executed.degraded
    assert read.total_returned == len(executed.documents)


def test_the_official_client_polls_an_in_flight_execution_to_the_end(any_readback_url):
    base_url, _ = any_readback_url
    api = retrievers(base_url)
    request = mixpeek.ExecuteRetrieverRequest(inputs={})
    started = api.execute_retriever(
        TWO_COLLECTIONS, request, _headers={"Prefer": "respond-async, outcome=degraded"}
    )
    seen = [started.status]
    while seen[-1] in ("pending", "processing"):
        seen.append(api.get_execution_retrievers(TWO_COLLECTIONS, started.execution_id).status)
    assert seen[0] == "pending" and seen[-1] == "degraded"
