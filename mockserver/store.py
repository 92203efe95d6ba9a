"""Where executions live: a narrow :class:`ExecutionStore` protocol and a bounded in-memory store.

Handlers only use ``get``/``put``/``clear``/``len``, so a shared store (Redis, for
many workers or CI jobs) can replace :class:`InMemoryExecutionStore` without
touching them. Records are immutable values: advancing an execution means putting
the new record back.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from mockserver.executions import Execution

__all__ = ["ExecutionStore", "InMemoryExecutionStore"]


@runtime_checkable
class ExecutionStore(Protocol):
    def get(self, execution_id: str) -> Execution | None: ...
    def put(self, execution: Execution) -> None: ...
    def clear(self) -> None: ...
    def __len__(self) -> int: ...


class InMemoryExecutionStore:
    """At most ``max_size`` executions; the oldest one is evicted first."""

    def __init__(self, max_size: int) -> None:
        if max_size < 1:
            raise ValueError("max_size must be at least 1.")
        self._max_size = max_size
        self._items: OrderedDict[str, Execution] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, execution_id: str) -> Execution | None:
        return self._items.get(execution_id)

    def put(self, execution: Execution) -> None:
        with self._lock:
            # Updating keeps the creation order: eviction is by age, not by use.
            self._items[execution.execution_id] = execution
            while len(self._items) > self._max_size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
