"""Executions in Redis: created on one worker, read and advanced on any.

Keys: ``<prefix>exec:<id>``, a hash of the record's immutable part ``r`` (JSON, written
once) and the two fields a read moves, ``s`` (step) and ``d`` (completed_at); and
``<prefix>execs``, the ids oldest first, trimmed to ``max_executions`` (the trimmed
ones are deleted with them). Every key expires ``redis_ttl_s`` after its last write.

Advancing is a compare-and-set on the step (one script): two reads at the same time,
on two workers, advance an execution twice, as in one process, and never backwards.
"""

from __future__ import annotations

import dataclasses

from ..executions import Execution
from ..store import Move
from .codec import decode_execution, decode_time, encode_execution, encode_time
from .connection import Keys, Redis, guarded

__all__ = ["RedisExecutionStore"]

PUT = """
local new = redis.call('EXISTS', KEYS[1]) == 0
redis.call('HSET', KEYS[1], 'r', ARGV[2], 's', ARGV[3], 'd', ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[6])
if new then
  redis.call('RPUSH', KEYS[2], ARGV[1])
  local over = redis.call('LLEN', KEYS[2]) - tonumber(ARGV[5])
  while over > 0 do
    redis.call('DEL', ARGV[7] .. redis.call('LPOP', KEYS[2]))
    over = over - 1
  end
  redis.call('EXPIRE', KEYS[2], ARGV[6])
end
return 1
"""

# 1: moved; 0: another read moved it first (its step and completed_at follow); -1: gone.
ADVANCE = """
local step = redis.call('HGET', KEYS[1], 's')
if not step then return {-1, '', ''} end
if tonumber(step) ~= tonumber(ARGV[1]) then
  return {0, step, redis.call('HGET', KEYS[1], 'd')}
end
redis.call('HSET', KEYS[1], 's', ARGV[2], 'd', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return {1, ARGV[2], ARGV[3]}
"""

CLEAR = """
local ids = redis.call('LRANGE', KEYS[1], 0, -1)
for _, id in ipairs(ids) do redis.call('DEL', ARGV[1] .. id) end
redis.call('DEL', KEYS[1])
return #ids
"""


class RedisExecutionStore:
    """At most ``max_size`` executions; the oldest one is evicted first."""

    def __init__(self, client: Redis, keys: Keys, max_size: int, ttl_s: int) -> None:
        self._client = client
        self._list = keys("execs")
        self._each = keys("exec", "")  # + the execution id
        self._max_size = max_size
        self._ttl = ttl_s
        self._put = client.register_script(PUT)
        self._advance = client.register_script(ADVANCE)
        self._clear = client.register_script(CLEAR)

    def _key(self, execution_id: str) -> str:
        return self._each + execution_id

    @guarded
    async def get(self, execution_id: str) -> Execution | None:
        raw, step, done = await self._client.hmget(self._key(execution_id), "r", "s", "d")
        if raw is None:
            return None
        return decode_execution(raw, int(step), decode_time(done))

    @guarded
    async def put(self, execution: Execution) -> None:
        await self._put(
            keys=[self._key(execution.execution_id), self._list],
            args=[
                execution.execution_id,
                encode_execution(execution),
                execution.step,
                encode_time(execution.completed_at),
                self._max_size,
                self._ttl,
                self._each,
            ],
        )

    @guarded
    async def advance(self, execution: Execution, move: Move) -> Execution:
        current = execution
        # Each conflict means another read moved it further: at most one try per step.
        for _ in range(execution.terminal_step + 2):
            moved = move(current)
            if moved.step == current.step and moved.completed_at == current.completed_at:
                return current
            status, step, done = await self._advance(
                keys=[self._key(current.execution_id)],
                args=[current.step, moved.step, encode_time(moved.completed_at), self._ttl],
            )
            if status != 0:  # moved here, or evicted meanwhile (answer what this read saw)
                return moved
            current = dataclasses.replace(current, step=int(step), completed_at=decode_time(done))
        return current

    @guarded
    async def clear(self) -> None:
        await self._clear(keys=[self._list], args=[self._each])

    @guarded
    async def count(self) -> int:
        return await self._client.llen(self._list)
