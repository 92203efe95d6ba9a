"""A mock whose state lives in Redis, so any number of workers and replicas act as one.

``Settings(store="redis://HOST:PORT/DB")`` (``--store``) makes ``create_app`` build
:func:`redis_backend`: one implementation of each state protocol
(:mod:`mixpeek_toolkit.mockserver.protocols`) per module here, all on one Redis client.
Keys start with ``Settings.redis_prefix``; every key is bounded, by trimming or by
``Settings.redis_ttl_s``. Each atomic step (spending credits, taking a scenario,
counting a request, numbering a journal entry, advancing an execution, appending a
world change) is one Lua script, so it is one round trip and no two workers interleave
inside it. docs/scaling.md lists the keys and the round trips of each operation.

Needs the ``[redis]`` extra (the ``redis`` client); only :mod:`.connection` imports it.
"""

from __future__ import annotations

from collections.abc import Callable

from ..protocols import Backend
from ..settings import Settings
from ..store import ExecutionStore
from ..tenancy import NamespaceRegistry
from .budgets import RedisBudgets
from .connection import Keys, StoreUnavailable, connect
from .executions import RedisExecutionStore
from .ids import RandomExecutionIds
from .journal import RedisJournal
from .ratelimit import RedisRateLimits
from .scenarios import RedisScenarios
from .worlds import RedisWorlds

__all__ = [
    "RandomExecutionIds",
    "RedisBudgets",
    "RedisExecutionStore",
    "RedisJournal",
    "RedisRateLimits",
    "RedisScenarios",
    "RedisWorlds",
    "StoreUnavailable",
    "redis_backend",
]


def redis_backend(
    settings: Settings,
    registry: NamespaceRegistry,
    clock: Callable[[], float],
    store: ExecutionStore | None = None,
) -> Backend:
    """Every piece of state in the Redis of ``settings.store`` (``store`` replaces the
    execution store)."""
    client = connect(settings)
    keys = Keys(settings.redis_prefix)
    ttl = settings.redis_ttl_s
    return Backend(
        store=store
        if store is not None
        else RedisExecutionStore(client, keys, settings.max_executions, ttl),
        worlds=RedisWorlds(client, keys, registry, settings),
        budgets=RedisBudgets(client, keys, settings.credits_per_namespace, ttl),
        scenarios=RedisScenarios(client, keys, ttl),
        limiter=RedisRateLimits(
            client, keys, settings.rate_limit, settings.rate_limit_window_s, clock
        ),
        journal=RedisJournal(client, keys, settings.journal_size, ttl),
        ids=RandomExecutionIds(settings.seed),
        aclose=client.aclose,
    )
