"""Memory across calls, for rules that compare an answer with earlier ones.

One :class:`ExecutionLedger` lives for one run (a Schemathesis check instance, one
workflow, one test): never in a module global. Record each exchange *after* the rules
have judged it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from .exchange import Exchange
from .facts import DOCUMENT_STATUSES, PAGE_SIZE_ALIAS, STATUS_RANK, TERMINAL

__all__ = ["ExecutionLedger"]


@dataclass
class _Seen:
    namespace: str | None
    status: str | None = None
    created_documents: tuple[str, ...] | None = None
    created_total: int | None = None
    read_documents: tuple[str, ...] | None = None
    created_with_default_page: bool = False


def _document_ids(execution: dict[str, Any]) -> tuple[str, ...]:
    documents = execution.get("documents")
    if not isinstance(documents, list):
        return ()
    return tuple(str(d.get("document_id")) for d in documents if isinstance(d, dict))


def _asks_default_page(request_body: Any) -> bool:
    if not isinstance(request_body, dict):
        return False
    return not any(
        key in request_body for key in ("pagination", "limit", "offset", PAGE_SIZE_ALIAS)
    )


def _total(execution: dict[str, Any]) -> int | None:
    pagination = execution.get("pagination")
    total = pagination.get("total") if isinstance(pagination, dict) else None
    return total if isinstance(total, int) and not isinstance(total, bool) else None


@dataclass
class ExecutionLedger:
    """What one run has seen: executions (owner, furthest status, documents) and budgets."""

    _executions: dict[str, _Seen] = field(default_factory=dict)
    _remaining: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def knows(self, execution_id: str) -> bool:
        return execution_id in self._executions

    def namespace_of(self, execution_id: str) -> str | None:
        seen = self._executions.get(execution_id)
        return seen.namespace if seen else None

    def status_of(self, execution_id: str) -> str | None:
        seen = self._executions.get(execution_id)
        return seen.status if seen else None

    def completed_documents_of(self, execution_id: str) -> tuple[str, ...] | None:
        """The documents a finished execution answered before, when they are comparable."""
        seen = self._executions.get(execution_id)
        if seen is None:
            return None
        if seen.read_documents is not None:
            return seen.read_documents
        if seen.created_with_default_page:
            return seen.created_documents
        return None

    def created_counts_of(self, execution_id: str) -> tuple[int, int | None] | None:
        """How many documents a finished execution answered when it ran, and its result's
        `pagination.total` (when it said)."""
        seen = self._executions.get(execution_id)
        if seen is None or seen.created_documents is None:
            return None
        return len(seen.created_documents), seen.created_total

    def credits_remaining(self, namespace: str) -> float | None:
        return self._remaining.get(namespace)

    def record(self, exchange: Exchange) -> None:
        """Remember what this exchange showed (call after judging it)."""
        execution = exchange.execution
        if execution is None:
            return
        execution_id = execution.get("execution_id")
        if not isinstance(execution_id, str):
            return
        status = execution.get("status")
        with self._lock:
            seen = self._executions.get(execution_id)
            if seen is None:
                if exchange.operation != "execute":
                    # Only a creation proves who owns an execution.
                    seen = _Seen(namespace=None)
                else:
                    seen = _Seen(namespace=exchange.namespace)
                self._executions[execution_id] = seen
            moves_forward = status in STATUS_RANK and (
                seen.status is None or STATUS_RANK[status] >= STATUS_RANK[seen.status]
            )
            if moves_forward and seen.status not in TERMINAL:
                seen.status = status
            if status in DOCUMENT_STATUSES:
                if exchange.operation == "execute":
                    seen.created_documents = _document_ids(execution)
                    seen.created_total = _total(execution)
                    seen.created_with_default_page = _asks_default_page(exchange.request_body)
                elif (
                    seen.read_documents is None and execution.get("documents_retained") is not False
                ):
                    seen.read_documents = _document_ids(execution)
            budget = execution.get("budget")
            remaining = budget.get("credits_remaining") if isinstance(budget, dict) else None
            if (
                exchange.operation == "execute"
                and exchange.namespace is not None
                and isinstance(remaining, int | float)
                and not isinstance(remaining, bool)
            ):
                self._remaining[exchange.namespace] = remaining
