"""The official ``mixpeek`` client (PyPI 1.3.783) runs against the mock over a real socket."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import mixpeek
import pytest
import uvicorn

from mixpeek_toolkit.mockserver import Settings, create_app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """The mock served by uvicorn in a thread (signal handlers off), stopped with should_exit."""
    port = free_port()
    config = uvicorn.Config(
        create_app(Settings(seed=3, strict=True)), host="127.0.0.1", port=port, log_level="error"
    )
    server = uvicorn.Server(config)
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the mock did not start"
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


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
