"""Everything one app remembers, built once by ``create_app`` and kept on ``app.state.mock``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from .bugs import BugLog
from .executor import Executor
from .prepared import PreparedRequests
from .protocols import (
    BudgetLedger,
    JournalStore,
    RateLimitCounter,
    ScenarioStore,
    WorldChanges,
)
from .rendering import RenderedExecutions
from .scenarios import ScenarioParser
from .settings import Settings
from .store import ExecutionStore
from .tenancy import Authenticator, NamespaceRegistry
from .validation import SpecContract

__all__ = ["MockState"]


@dataclass
class MockState:
    settings: Settings
    contract: SpecContract
    store: ExecutionStore
    namespaces: NamespaceRegistry
    """This process's copies of the namespaces' worlds; ``worlds`` keeps them up to date."""
    executor: Executor
    authenticator: Authenticator
    limiter: RateLimitCounter
    journal: JournalStore
    scenarios: ScenarioStore
    parser: ScenarioParser
    clock: Callable[[], float]
    sleep: Callable[[float], Awaitable[None]]
    worlds: WorldChanges
    budgets: BudgetLedger
    aclose: Callable[[], Awaitable[None]]
    """Releases the connections of a shared store (called on shutdown)."""
    rendered: RenderedExecutions = field(default_factory=RenderedExecutions)
    prepared: PreparedRequests = field(default_factory=PreparedRequests)
    """Execute requests checked already, by their bytes (a pure function of them: never reset)."""
    bugs: BugLog = field(default_factory=BugLog)
    """Unexpected exceptions (bugs of the mock), until the testing engine takes them."""

    async def reset(self) -> None:
        """Forget executions, namespaces, queued scenarios, the journal, rate-limit counters, kept engine results and rendered answers."""
        await self.store.clear()
        await self.budgets.clear()
        await self.worlds.clear()
        await self.scenarios.clear()
        await self.journal.clear()
        await self.limiter.clear()
        self.executor.engine_results.clear()
        self.rendered.clear()
