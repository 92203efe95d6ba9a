"""The default backend: every piece of state in this process's memory.

Each class here fits one protocol of :mod:`mixpeek_toolkit.mockserver.protocols` over the
synchronous class that does the work (``NamespaceRegistry``, ``ScenarioQueue``,
``RateLimiter``, ``Journal``, ``ExecutionIds``): a coroutine that answers at once, with no
lock, copy or serialization added, so the single-process mock stays as fast as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .journal import Journal, JournalEntry
from .protocols import Backend
from .randomness import ExecutionIds
from .ratelimit import RateLimiter, RateLimitState
from .scenarios import QueuedScenario, Scenario, ScenarioQueue
from .settings import Settings
from .store import ExecutionStore, InMemoryExecutionStore
from .tenancy import NamespaceRegistry, NamespaceState
from .world import RetrieverSpec, WorldTemplate, load_world

__all__ = [
    "InMemoryBudgets",
    "InMemoryJournal",
    "InMemoryRateLimits",
    "InMemoryScenarios",
    "InMemoryWorlds",
    "memory_backend",
]


class InMemoryBudgets:
    """Credits kept on each :class:`NamespaceState`: forgetting a namespace refills it."""

    async def charge(self, namespace: NamespaceState, cost: float) -> tuple[bool, float]:
        return namespace.try_charge(cost), namespace.credits_remaining

    async def remaining(self, namespace: NamespaceState) -> float:
        return namespace.credits_remaining

    async def clear(self) -> None:
        """Nothing of its own: ``InMemoryWorlds.clear`` forgets the namespaces and their credits."""


class InMemoryScenarios:
    def __init__(self, queue: ScenarioQueue) -> None:
        self._queue = queue

    async def push(self, items: Sequence[QueuedScenario]) -> int:
        return self._queue.push(items)

    async def take(self, namespace: str, retriever_keys: Iterable[str]) -> Scenario | None:
        return self._queue.take(namespace, retriever_keys)

    async def clear(self) -> None:
        self._queue.clear()


class InMemoryRateLimits:
    def __init__(self, limiter: RateLimiter) -> None:
        self._limiter = limiter

    async def hit(self, key: str) -> RateLimitState:
        return self._limiter.hit(key)

    async def peek(self, key: str | None) -> RateLimitState:
        return self._limiter.peek(key)

    async def clear(self) -> None:
        self._limiter.clear()


class InMemoryJournal:
    def __init__(self, journal: Journal) -> None:
        self._journal = journal

    async def record(self, **fields: Any) -> JournalEntry:
        return self._journal.record(**fields)

    async def entries(self, limit: int | None = None) -> list[JournalEntry]:
        return self._journal.entries(limit)

    async def clear(self) -> None:
        self._journal.clear()


class InMemoryWorlds:
    """The registry's namespaces, changed in place (copy-on-write from the template)."""

    def __init__(self, registry: NamespaceRegistry) -> None:
        self._registry = registry

    async def namespace(self, name: str) -> NamespaceState:
        return self._registry.get(name)

    async def template(self) -> WorldTemplate:
        return self._registry.template

    async def add_documents(
        self, name: str, collection: str, documents: Sequence[Mapping[str, Any]]
    ) -> int:
        return self._registry.get(name).world.add_documents(collection, documents)

    async def add_retriever(self, name: str, retriever: Mapping[str, Any]) -> RetrieverSpec:
        return self._registry.get(name).world.add_retriever(retriever)

    async def replace_template(self, text: str) -> WorldTemplate:
        template = load_world(text)
        self._registry.replace_template(template)
        return template

    async def count(self) -> int:
        return len(self._registry)

    async def clear(self) -> None:
        self._registry.clear()


async def _nothing_to_close() -> None:
    return None


def memory_backend(
    settings: Settings,
    registry: NamespaceRegistry,
    clock: Callable[[], float],
    store: ExecutionStore | None = None,
) -> Backend:
    """Every piece of state in this process (``store`` replaces the execution store)."""
    return Backend(
        store=store if store is not None else InMemoryExecutionStore(settings.max_executions),
        worlds=InMemoryWorlds(registry),
        budgets=InMemoryBudgets(),
        scenarios=InMemoryScenarios(ScenarioQueue()),
        limiter=InMemoryRateLimits(
            RateLimiter(settings.rate_limit, settings.rate_limit_window_s, clock)
        ),
        journal=InMemoryJournal(Journal(settings.journal_size)),
        ids=ExecutionIds(settings.seed),
        aclose=_nothing_to_close,
    )
