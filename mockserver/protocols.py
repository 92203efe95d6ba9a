"""The narrow interfaces of the mock's state, one per piece, beside the execution store's.

Everything a request changes goes through one of these: the budget of a namespace, the
queued scenarios, the rate-limit counters, the request journal, execution ids and the
changes made to a namespace's world. Each has two implementations: this process's memory
(:mod:`mixpeek_toolkit.mockserver.memory`, the default, over the synchronous classes of
``tenancy``, ``scenarios``, ``ratelimit`` and ``journal``) and a shared Redis
(:mod:`mixpeek_toolkit.mockserver.shared`), with which any number of workers and replicas
act as one mock. The methods that may talk to another process are coroutines; handlers
await them and never learn which store they run on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from .journal import JournalEntry
    from .ratelimit import RateLimitState
    from .scenarios import QueuedScenario, Scenario
    from .store import ExecutionStore
    from .tenancy import NamespaceState
    from .world import RetrieverSpec, WorldTemplate

__all__ = [
    "Backend",
    "BudgetLedger",
    "IdMinter",
    "JournalStore",
    "RateLimitCounter",
    "ScenarioStore",
    "WorldChanges",
]


@runtime_checkable
class BudgetLedger(Protocol):
    """The credits of each namespace, spent atomically: the last credit is spent once."""

    async def charge(self, namespace: NamespaceState, cost: float) -> tuple[bool, float]:
        """Spend ``cost`` if the namespace still has it: (spent?, credits remaining after)."""
        ...

    async def remaining(self, namespace: NamespaceState) -> float: ...

    async def clear(self) -> None:
        """Refill every namespace."""
        ...


@runtime_checkable
class ScenarioStore(Protocol):
    """Scenarios queued through ``POST /_mock/scenarios``, each taken exactly once."""

    async def push(self, items: Sequence[QueuedScenario]) -> int:
        """Queue ``items`` (422 beyond the bound); the queue's length after."""
        ...

    async def take(self, namespace: str, retriever_keys: Iterable[str]) -> Scenario | None:
        """The oldest scenario meant for this namespace and retriever, removed from the queue."""
        ...

    async def clear(self) -> None: ...


@runtime_checkable
class RateLimitCounter(Protocol):
    """Requests per API key and window, counted across every worker."""

    async def hit(self, key: str) -> RateLimitState:
        """Count one request of ``key``; raise 429 beyond the limit."""
        ...

    async def peek(self, key: str | None) -> RateLimitState:
        """The state of ``key`` without counting a request."""
        ...

    async def clear(self) -> None: ...


@runtime_checkable
class JournalStore(Protocol):
    """The bounded record of every ``/v1`` request, newest last; sequence numbers never repeat."""

    async def record(self, **fields: Any) -> JournalEntry: ...

    async def entries(self, limit: int | None = None) -> list[JournalEntry]:
        """The last ``limit`` entries (all without a limit), oldest first."""
        ...

    async def clear(self) -> None: ...


@runtime_checkable
class IdMinter(Protocol):
    """Execution ids (``exec_`` + 24 hex characters), never the same twice in one mock."""

    def next(self) -> str: ...


@runtime_checkable
class WorldChanges(Protocol):
    """The namespaces' worlds as the control API changed them, seen alike by every worker.

    Errors are the world's own (``UnknownCollection``, ``DuplicateId``, ``WorldError``),
    raised before anything changes.
    """

    async def namespace(self, name: str) -> NamespaceState:
        """The namespace (created on first use), its world up to date; marks it used."""
        ...

    async def template(self) -> WorldTemplate:
        """The template world every new namespace starts from."""
        ...

    async def add_documents(
        self, name: str, collection: str, documents: Sequence[Mapping[str, Any]]
    ) -> int: ...

    async def add_retriever(self, name: str, retriever: Mapping[str, Any]) -> RetrieverSpec: ...

    async def replace_template(self, text: str) -> WorldTemplate:
        """Load a world fixture as the new template; every namespace starts afresh."""
        ...

    async def count(self) -> int:
        """Namespaces in use."""
        ...

    async def clear(self) -> None:
        """Forget every namespace (their changes and credits); the template stays."""
        ...


@dataclass(frozen=True)
class Backend:
    """One implementation of every piece of state, as ``create_app`` wires it."""

    store: ExecutionStore
    worlds: WorldChanges
    budgets: BudgetLedger
    scenarios: ScenarioStore
    limiter: RateLimitCounter
    journal: JournalStore
    ids: IdMinter
    aclose: Callable[[], Awaitable[None]]
    """Releases what the backend holds (connections); the app calls it on shutdown."""
