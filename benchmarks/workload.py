"""What the bench sends: the requests of each row, one value each, for any load generator.

A :class:`Workload` is one HTTP request (method, path, headers, body). With
``vary_query`` its body holds :data:`QUERY_SLOT` where each request puts a query never
sent before (:func:`distinct_query`), so the mock's result cache cannot answer it; the
wrk script (``wrk_request.lua``) builds the same queries.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

__all__ = [
    "API_KEY",
    "NAMESPACE",
    "QUERY",
    "QUERY_SLOT",
    "RETRIEVER",
    "WORDS",
    "Workload",
    "distinct_query",
    "execute",
    "execute_body",
    "get_execution",
]

API_KEY = "sk_bench"
NAMESPACE = "bench"
RETRIEVER = "ret_product_search"
QUERY = "wireless noise cancelling headphones"
QUERY_SLOT = "__QUERY__"
#: Words of the distinct queries (kept in the same order in wrk_request.lua).
WORDS = (
    "wireless",
    "headphones",
    "espresso",
    "machine",
    "laptop",
    "camera",
    "running",
    "shoes",
    "backpack",
    "smartwatch",
    "travel",
    "battery",
    "noise",
    "cancelling",
    "lightweight",
    "waterproof",
)


def distinct_query(thread: int, n: int) -> str:
    """The ``n``-th query (n >= 1) of load thread ``thread``: two catalogue words that
    change from one request to the next, and a suffix that makes it unique."""
    first = WORDS[n % len(WORDS)]
    second = WORDS[(n // len(WORDS)) % len(WORDS)]
    return f"{first} {second} q{thread}x{n}"


@dataclass(frozen=True)
class Workload:
    """One request, sent again and again."""

    method: str
    path: str
    body: str | None = None
    vary_query: bool = False
    headers: dict[str, str] = field(
        default_factory=lambda: {"Authorization": f"Bearer {API_KEY}", "X-Namespace": NAMESPACE}
    )

    def __post_init__(self) -> None:
        if self.vary_query and (self.body is None or QUERY_SLOT not in self.body):
            raise ValueError(f"a workload that varies its query needs {QUERY_SLOT} in its body")

    def all_headers(self) -> dict[str, str]:
        """The headers sent, Content-Type included when there is a body."""
        if self.body is None:
            return dict(self.headers)
        return {**self.headers, "Content-Type": "application/json"}

    def body_for(self, thread: int = 0, n: int = 1) -> str | None:
        """The body of the ``n``-th request of load thread ``thread``."""
        if self.body is None or not self.vary_query:
            return self.body
        return self.body.replace(QUERY_SLOT, distinct_query(thread, n))


def execute_body(top_k: int, query: str = QUERY) -> str:
    """An execute body answering ``top_k`` documents on one page (offset pagination)."""
    return json.dumps(
        {
            "inputs": {"query": query, "top_k": top_k},
            "pagination": {"method": "offset", "page_size": top_k},
        },
        separators=(",", ":"),
    )


def execute(top_k: int, *, distinct: bool = False, retriever: str = RETRIEVER) -> Workload:
    """POST execute with ``top_k`` documents; ``distinct`` sends a new query each time."""
    return Workload(
        "POST",
        f"/v1/retrievers/{retriever}/execute",
        execute_body(top_k, QUERY_SLOT if distinct else QUERY),
        vary_query=distinct,
    )


def get_execution(execution_id: str, *, retriever: str = RETRIEVER) -> Workload:
    return Workload("GET", f"/v1/retrievers/{retriever}/executions/{execution_id}")
