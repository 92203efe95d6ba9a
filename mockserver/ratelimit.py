"""Fixed-window rate limiting per API key, on an injected clock."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

from .bounded import BoundedDict
from .errors import TooManyRequests

__all__ = ["RateLimitState", "RateLimiter"]

MAX_TRACKED_KEYS = 10_000


@dataclass(frozen=True)
class RateLimitState:
    limit: int
    remaining: int
    reset: int
    window: int

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
            "X-RateLimit-Window": str(self.window),
        }


class RateLimiter:
    """``limit`` requests per ``window_s`` seconds for each key."""

    def __init__(self, limit: int, window_s: int, clock: Callable[[], float]) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        # key -> (window start, used); the least recently counted keys are forgotten first
        self._counters: BoundedDict[str, tuple[int, int]] = BoundedDict(
            MAX_TRACKED_KEYS, evict="least_recent"
        )
        self._lock = threading.Lock()

    def _window_start(self) -> int:
        now = self._clock()
        return int(math.floor(now / self.window_s) * self.window_s)

    def peek(self, key: str | None) -> RateLimitState:
        """The state of ``key`` without counting a request (for unauthenticated answers)."""
        start = self._window_start()
        used = 0
        if key is not None:
            window, count = self._counters.peek(key) or (start, 0)
            used = count if window == start else 0
        return RateLimitState(
            self.limit, max(self.limit - used, 0), start + self.window_s, self.window_s
        )

    def hit(self, key: str) -> RateLimitState:
        """Count one request of ``key``; raise 429 (with the state's headers) beyond the limit."""
        start = self._window_start()
        with self._lock:
            window, used = self._counters.peek(key) or (start, 0)
            if window != start:
                used = 0
            allowed = used < self.limit
            if allowed:
                used += 1
            self._counters.put(key, (start, used))
        state = RateLimitState(self.limit, self.limit - used, start + self.window_s, self.window_s)
        if not allowed:
            retry_after = max(1, math.ceil(start + self.window_s - self._clock()))
            error = TooManyRequests(limit=self.limit, window=self.window_s, retry_after=retry_after)
            error.headers.update(state.headers())
            raise error
        return state

    def clear(self) -> None:
        with self._lock:
            self._counters.clear()
