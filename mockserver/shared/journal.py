"""The request journal in Redis: one list for every worker, bounded, numbered as it is appended.

Keys: ``<prefix>journal``, the entries as JSON, oldest first, trimmed to
``journal_size``; ``<prefix>journal:seq``, the last sequence number. Recording is one
script: it numbers the entry, appends it and trims the list, so sequence numbers follow
the list's order across workers and never repeat (clearing keeps the counter).
"""

from __future__ import annotations

from typing import Any

from ..journal import JournalEntry
from .codec import decode_journal_entry, encode_journal_fields
from .connection import Keys, Redis, guarded

__all__ = ["RedisJournal"]

# ARGV[1] is the entry without its seq: '{"at":...}' -> '{"seq":N,"at":...}'
RECORD = """
local seq = redis.call('INCR', KEYS[2])
redis.call('RPUSH', KEYS[1], '{"seq":' .. seq .. ',' .. string.sub(ARGV[1], 2))
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return seq
"""


class RedisJournal:
    """Keeps the last ``size`` entries."""

    def __init__(self, client: Redis, keys: Keys, size: int, ttl_s: int) -> None:
        self._client = client
        self._list = keys("journal")
        self._seq = keys("journal", "seq")
        self._size = size
        self._ttl = ttl_s
        self._record = client.register_script(RECORD)

    @guarded
    async def record(self, **fields: Any) -> JournalEntry:
        seq = await self._record(
            keys=[self._list, self._seq],
            args=[encode_journal_fields(fields), self._size, self._ttl],
        )
        return JournalEntry(seq=int(seq), **fields)

    @guarded
    async def entries(self, limit: int | None = None) -> list[JournalEntry]:
        if limit == 0:
            return []
        first = 0 if limit is None else -limit
        return [
            decode_journal_entry(raw) for raw in await self._client.lrange(self._list, first, -1)
        ]

    @guarded
    async def clear(self) -> None:
        await self._client.delete(self._list)
