"""Execute a retriever with the official client, wait for it, return the documents' titles."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import mixpeek

__all__ = ["RateLimited", "SearchError", "SearchFailed", "SearchTimedOut", "search_titles"]

IN_FLIGHT = frozenset({"pending", "processing"})
RETRYABLE_STATUSES = frozenset({429, 503})
DEFAULT_RETRY_AFTER_S = 1.0
MAX_RETRY_AFTER_S = 60.0


class SearchError(RuntimeError):
    """The search did not produce results."""


class SearchFailed(SearchError):
    """The retriever execution ended ``failed``; ``error`` is the API's message."""

    def __init__(self, execution_id: str, error: str | None) -> None:
        self.execution_id = execution_id
        self.error = error or "no error message"
        super().__init__(f"Search {execution_id} failed: {self.error}")


class SearchTimedOut(SearchError):
    """The execution was still in flight after the allowed number of polls."""

    def __init__(self, execution_id: str, polls: int, status: str) -> None:
        self.execution_id = execution_id
        super().__init__(f"Search {execution_id} still {status!r} after {polls} polls; giving up.")


class RateLimited(SearchError):
    """The API kept answering 429/503 after every attempt."""

    def __init__(self, attempts: int, status: int) -> None:
        super().__init__(f"The Mixpeek API answered {status} to all {attempts} attempts.")


def search_titles(
    config: mixpeek.Configuration,
    retriever_id: str,
    query: str,
    *,
    sleep: Callable[[float], None] = time.sleep,
    poll_interval_s: float = 0.5,
    max_polls: int = 20,
    max_attempts: int = 3,
) -> list[str]:
    """The titles of the documents ``retriever_id`` finds for ``query``, best first.

    Waits for an in-flight execution (at most ``max_polls`` reads, ``poll_interval_s``
    apart); retries a request answered 429 or 503 after its ``Retry-After`` (at most
    ``max_attempts`` tries). ``sleep`` is injectable so tests never wait.
    """
    if max_attempts < 1 or max_polls < 0:
        raise ValueError("max_attempts must be at least 1 and max_polls at least 0.")
    import mixpeek

    with mixpeek.ApiClient(config) as api_client:
        api = mixpeek.RetrieversApi(api_client)
        request = mixpeek.ExecuteRetrieverRequest(inputs={"query": query})
        result: Any = _with_retries(
            lambda: api.execute_retriever(retriever_id, request), sleep, max_attempts
        )
        execution_id = result.execution_id
        polls = 0
        while result.status in IN_FLIGHT:
            if polls >= max_polls:
                raise SearchTimedOut(execution_id, polls, result.status)
            sleep(poll_interval_s)
            result = _with_retries(
                lambda: api.get_execution_retrievers(retriever_id, execution_id),
                sleep,
                max_attempts,
            )
            polls += 1
    if result.status != "completed":
        raise SearchFailed(execution_id, result.error)
    return [
        document["payload"]["title"]
        for document in result.documents or []
        if isinstance(document.get("payload"), dict) and "title" in document["payload"]
    ]


def _with_retries(call: Callable[[], Any], sleep: Callable[[float], None], attempts: int) -> Any:
    import mixpeek

    attempt = 1
    while True:
        try:
            return call()
        except mixpeek.ApiException as error:
            if error.status not in RETRYABLE_STATUSES:
                raise
            if attempt >= attempts:
                raise RateLimited(attempts, error.status) from error
            wait_s = _retry_after(error)
        sleep(wait_s)
        attempt += 1


def _retry_after(error: Any) -> float:
    """Seconds the server asks us to wait (``Retry-After``), bounded."""
    raw = (error.headers or {}).get("Retry-After")
    try:
        seconds = float(raw)
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER_S
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)
