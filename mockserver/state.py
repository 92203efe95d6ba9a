"""Everything one app remembers, built once by ``create_app`` and kept on ``app.state.mock``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from .bugs import BugLog
from .executor import Executor
from .journal import Journal
from .ratelimit import RateLimiter
from .rendering import RenderedExecutions
from .scenarios import ScenarioParser, ScenarioQueue
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
    executor: Executor
    authenticator: Authenticator
    limiter: RateLimiter
    journal: Journal
    scenarios: ScenarioQueue
    parser: ScenarioParser
    clock: Callable[[], float]
    sleep: Callable[[float], Awaitable[None]]
    rendered: RenderedExecutions = field(default_factory=RenderedExecutions)
    bugs: BugLog = field(default_factory=BugLog)
    """Unexpected exceptions (bugs of the mock), until the testing engine takes them."""

    def reset(self) -> None:
        """Forget executions, namespaces, queued scenarios, the journal, rate-limit counters, kept engine results and rendered answers."""
        self.store.clear()
        self.namespaces.clear()
        self.scenarios.clear()
        self.journal.clear()
        self.limiter.clear()
        self.executor.engine_results.clear()
        self.rendered.clear()
