"""Queued scenarios in Redis, each taken exactly once by whichever worker takes it.

Key: ``<prefix>scenarios``, a list of JSON items ``{"n": namespace, "r": retriever,
"s": scenario}``, oldest first, at most 10,000, expiring ``redis_ttl_s`` after the last
push. Taking is one script: it finds the oldest item meant for the namespace and
retriever and removes it in the same step, so no two workers get the same one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..errors import RequestValidationFailed
from ..scenarios import QueuedScenario, Scenario
from .codec import decode_queued, encode_queued
from .connection import Keys, Redis, guarded

__all__ = ["MAX_QUEUED", "RedisScenarios"]

MAX_QUEUED = 10_000

# -> the queue's length after, or -1 when the items do not fit
PUSH = """
local size = redis.call('LLEN', KEYS[1]) + #ARGV - 2
if size > tonumber(ARGV[1]) then return -1 end
for i = 3, #ARGV do redis.call('RPUSH', KEYS[1], ARGV[i]) end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return size
"""

# ARGV: the namespace, then the retriever's id and name -> the item taken, or nil
TAKE = """
if redis.call('LLEN', KEYS[1]) == 0 then return false end
for _, raw in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  local item = cjson.decode(raw)
  if item['n'] == cjson.null or item['n'] == ARGV[1] then
    local meant = item['r'] == cjson.null
    for i = 2, #ARGV do
      if item['r'] == ARGV[i] then meant = true end
    end
    if meant then
      redis.call('LREM', KEYS[1], 1, raw)
      return raw
    end
  end
end
return false
"""


class RedisScenarios:
    def __init__(self, client: Redis, keys: Keys, ttl_s: int, max_size: int = MAX_QUEUED):
        self._client = client
        self._key = keys("scenarios")
        self._ttl = ttl_s
        self._max_size = max_size
        self._push = client.register_script(PUSH)
        self._take = client.register_script(TAKE)

    @guarded
    async def push(self, items: Sequence[QueuedScenario]) -> int:
        size = await self._push(
            keys=[self._key], args=[self._max_size, self._ttl, *map(encode_queued, items)]
        )
        if size < 0:
            raise RequestValidationFailed(
                [
                    {
                        "type": "too_long",
                        "location": ["body", "scenarios"],
                        "message": f"At most {self._max_size} scenarios may be queued; "
                        "DELETE /_mock/scenarios first.",
                    }
                ]
            )
        return size

    @guarded
    async def take(self, namespace: str, retriever_keys: Iterable[str]) -> Scenario | None:
        raw = await self._take(keys=[self._key], args=[namespace, *retriever_keys])
        return None if raw is None else decode_queued(raw)

    @guarded
    async def clear(self) -> None:
        await self._client.delete(self._key)
