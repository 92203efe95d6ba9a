"""The Redis connection of a shared mock, its key names, and what a Redis failure answers.

The only module of the toolkit that imports the ``redis`` client (the ``[redis]`` extra):
the other ``shared`` modules get the client from here, so a plain install, which has no
``redis``, is told which extra to install instead of failing on an import deep inside.

A command that cannot reach Redis (refused, reset, timed out, Redis still loading) raises
:class:`StoreUnavailable`: the API answers ``503 ServiceUnavailableError`` with
``Retry-After``, never a 500, and the next request reconnects.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

from ..errors import ServiceUnavailable
from ..settings import Settings

try:
    import redis.asyncio as aioredis
    from redis.asyncio.retry import Retry
    from redis.backoff import ExponentialWithJitterBackoff
    from redis.exceptions import ConnectionError as _RedisConnectionError
    from redis.exceptions import TimeoutError as _RedisTimeoutError
except ImportError as missing:  # a plain install: say which extra brings the client
    raise ImportError(
        "A Redis store (--store redis://...) needs the Redis client: "
        "pip install 'mixpeek-retriever-toolkit[redis]'."
    ) from missing

__all__ = [
    "RETRY_AFTER_S",
    "Keys",
    "Redis",
    "StoreUnavailable",
    "connect",
    "delete_matching",
    "guarded",
    "key_part",
]

Redis = aioredis.Redis
RETRY_AFTER_S = 1
CONNECT_TIMEOUT_S = 1.0
COMMAND_TIMEOUT_S = 2.0
RETRIES = 2
"""One retry reconnects a pooled connection that a Redis restart closed; a down Redis
fails within a fraction of a second instead of the client's default ten retries."""
_UNAVAILABLE = (_RedisConnectionError, _RedisTimeoutError)
_SAFE_PART = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_GLOB = re.compile(r"([*?\[\]\\])")

P = ParamSpec("P")
T = TypeVar("T")


class StoreUnavailable(ServiceUnavailable):
    """503: the shared store (Redis) did not answer; the client should retry."""

    default_code = "store_unavailable"

    def __init__(self, cause: BaseException) -> None:
        super().__init__(
            f"The mock's shared store (Redis) is unavailable ({type(cause).__name__}: "
            f"{cause}). Retry after {RETRY_AFTER_S} second.",
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )


def guarded(method: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """Turn a Redis connection failure inside ``method`` into :class:`StoreUnavailable`."""

    @functools.wraps(method)
    async def call(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await method(*args, **kwargs)
        except _UNAVAILABLE as failure:
            raise StoreUnavailable(failure) from failure

    return call


def connect(settings: Settings) -> Redis:
    """A client of ``settings.store`` (no connection is made until the first command)."""
    return aioredis.Redis.from_url(
        settings.store,
        socket_connect_timeout=CONNECT_TIMEOUT_S,
        socket_timeout=COMMAND_TIMEOUT_S,
        retry=Retry(ExponentialWithJitterBackoff(base=0.01, cap=0.1), RETRIES),
    )


def key_part(name: str) -> str:
    """A name (namespace, API key...) as one part of a key: itself when short and plain,
    else ``#`` + 32 hex characters of its SHA-256 (bounded, and never a plain name)."""
    if _SAFE_PART.fullmatch(name):
        return name
    return "#" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class Keys:
    """Every key of one mock: ``<prefix><name>``, the prefix from ``Settings.redis_prefix``."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __call__(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    def pattern(self, *parts: str) -> str:
        """A SCAN pattern: the prefix (its glob characters escaped) + ``parts`` as given."""
        return _GLOB.sub(r"\\\1", self.prefix) + ":".join(parts)


async def delete_matching(client: Redis, pattern: str, batch: int = 500) -> int:
    """Delete every key matching ``pattern`` (SCAN, then UNLINK in batches); how many."""
    found: list[Any] = []
    deleted = 0
    async for key in client.scan_iter(match=pattern, count=1000):
        found.append(key)
        if len(found) >= batch:
            deleted += await client.unlink(*found)
            found.clear()
    if found:
        deleted += await client.unlink(*found)
    return deleted
