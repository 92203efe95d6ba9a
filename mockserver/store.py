"""Where executions live: a narrow :class:`ExecutionStore` protocol and a bounded in-memory store.

Handlers only use ``get``/``put``/``advance``/``clear``/``count``, so a shared store
(Redis, for many workers or CI jobs: :mod:`mixpeek_toolkit.mockserver.shared`) replaces
:class:`InMemoryExecutionStore` without touching them. The methods are coroutines, so a
store may talk to another process; the in-memory one answers at once. Records are
immutable values: advancing an execution means storing the moved record, and a record
only ever moves forward.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from .executions import Execution

from .bounded import BoundedDict

__all__ = ["ExecutionStore", "InMemoryExecutionStore"]

Move = Callable[["Execution"], "Execution"]
"""What a read does to an execution (``executions.advance`` with the read's time)."""


@runtime_checkable
class ExecutionStore(Protocol):
    async def get(self, execution_id: str) -> Execution | None:
        """The stored record, or None."""
        ...

    async def put(self, execution: Execution) -> None:
        """Store a new record (the oldest is evicted beyond the store's bound)."""
        ...

    async def advance(self, execution: Execution, move: Move) -> Execution:
        """Apply ``move`` to the stored record of ``execution`` as one step: two reads at
        the same time, on any worker, each move it once. Answers the moved record."""
        ...

    async def clear(self) -> None: ...

    async def count(self) -> int:
        """How many executions are stored."""
        ...


class InMemoryExecutionStore:
    """At most ``max_size`` executions; the oldest one is evicted first."""

    def __init__(self, max_size: int) -> None:
        # Updating keeps the creation order: eviction is by age, not by use.
        self._items: BoundedDict[str, Execution] = BoundedDict(max_size, evict="oldest")

    async def get(self, execution_id: str) -> Execution | None:
        return self._items.get(execution_id)

    async def put(self, execution: Execution) -> None:
        self._items.put(execution.execution_id, execution)

    async def advance(self, execution: Execution, move: Move) -> Execution:
        # One event loop and no await in between: reading, moving and storing is one step.
        current = self._items.peek(execution.execution_id) or execution
        moved = move(current)
        if moved is not current:
            self._items.put(moved.execution_id, moved)
        return moved

    async def clear(self) -> None:
        self._items.clear()

    async def count(self) -> int:
        return len(self._items)

    def __len__(self) -> int:
        return len(self._items)
