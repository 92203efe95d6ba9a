"""Where executions live: a narrow :class:`ExecutionStore` protocol and a bounded in-memory store.

Handlers only use ``get``/``put``/``clear``/``len``, so a shared store (Redis, for
many workers or CI jobs) can replace :class:`InMemoryExecutionStore` without
touching them. Records are immutable values: advancing an execution means putting
the new record back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from .executions import Execution

from .bounded import BoundedDict

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
        # Updating keeps the creation order: eviction is by age, not by use.
        self._items: BoundedDict[str, Execution] = BoundedDict(max_size, evict="oldest")

    def get(self, execution_id: str) -> Execution | None:
        return self._items.get(execution_id)

    def put(self, execution: Execution) -> None:
        self._items.put(execution.execution_id, execution)

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
