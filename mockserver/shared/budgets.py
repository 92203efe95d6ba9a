"""Namespaces' credits in Redis, spent by one script: two workers never both spend the last one.

Key: ``<prefix>budget:<namespace>``, the credits used (INCRBYFLOAT), expiring
``redis_ttl_s`` after the last spend; absent means untouched (the full budget). Every
namespace starts with ``Settings.credits_per_namespace``.
"""

from __future__ import annotations

from ..tenancy import NamespaceState
from .connection import Keys, Redis, delete_matching, guarded, key_part

__all__ = ["RedisBudgets"]

# -> {1 if spent else 0, credits used after}
CHARGE = """
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > tonumber(ARGV[2]) - used + 1e-9 then
  return {0, tostring(used)}
end
local after = redis.call('INCRBYFLOAT', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {1, after}
"""


class RedisBudgets:
    def __init__(self, client: Redis, keys: Keys, credits_per_namespace: float, ttl_s: int):
        self._client = client
        self._keys = keys
        self._total = credits_per_namespace
        self._ttl = ttl_s
        self._charge = client.register_script(CHARGE)

    def _key(self, namespace: NamespaceState) -> str:
        return self._keys("budget", key_part(namespace.name))

    def _remaining(self, used: bytes | str | None) -> float:
        return max(self._total - float(used or 0), 0.0)

    @guarded
    async def charge(self, namespace: NamespaceState, cost: float) -> tuple[bool, float]:
        spent, used = await self._charge(
            keys=[self._key(namespace)], args=[repr(cost), repr(self._total), self._ttl]
        )
        return bool(spent), self._remaining(used)

    @guarded
    async def remaining(self, namespace: NamespaceState) -> float:
        return self._remaining(await self._client.get(self._key(namespace)))

    @guarded
    async def clear(self) -> None:
        await delete_matching(self._client, self._keys.pattern("budget:*"))
