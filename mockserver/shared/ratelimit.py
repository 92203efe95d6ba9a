"""Rate-limit counters in Redis: the limit is per API key across every worker, as on the real API.

Key: ``<prefix>rate:<sha256 of the API key>:<window start>``, the requests counted in
that fixed window, expiring when the window is over. A refused request is not counted
(as in one process). The window comes from the app's clock.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable

from ..errors import TooManyRequests
from ..ratelimit import RateLimitState
from .connection import Keys, Redis, delete_matching, guarded

__all__ = ["RedisRateLimits"]

# -> {1 if counted else 0, requests counted in the window}
HIT = """
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used >= tonumber(ARGV[1]) then return {0, used} end
used = redis.call('INCR', KEYS[1])
if used == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return {1, used}
"""


class RedisRateLimits:
    """``limit`` requests per ``window_s`` seconds for each key."""

    def __init__(
        self,
        client: Redis,
        keys: Keys,
        limit: int,
        window_s: int,
        clock: Callable[[], float],
    ) -> None:
        self._client = client
        self._keys = keys
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._hit = client.register_script(HIT)

    def _window_start(self) -> int:
        return int(math.floor(self._clock() / self.window_s) * self.window_s)

    def _key(self, key: str, start: int) -> str:
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]  # no API key is stored
        return self._keys("rate", digest, str(start))

    def _state(self, used: int, start: int) -> RateLimitState:
        return RateLimitState(
            self.limit, max(self.limit - used, 0), start + self.window_s, self.window_s
        )

    @guarded
    async def hit(self, key: str) -> RateLimitState:
        start = self._window_start()
        counted, used = await self._hit(
            keys=[self._key(key, start)], args=[self.limit, self.window_s + 1]
        )
        state = self._state(int(used), start)
        if not counted:
            retry_after = max(1, math.ceil(start + self.window_s - self._clock()))
            error = TooManyRequests(limit=self.limit, window=self.window_s, retry_after=retry_after)
            error.headers.update(state.headers())
            raise error
        return state

    @guarded
    async def peek(self, key: str | None) -> RateLimitState:
        start = self._window_start()
        used = 0 if key is None else int(await self._client.get(self._key(key, start)) or 0)
        return self._state(used, start)

    @guarded
    async def clear(self) -> None:
        await delete_matching(self._client, self._keys.pattern("rate:*"))
