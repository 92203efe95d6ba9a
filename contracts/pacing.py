"""How long the runner waits, so that it stays a polite client of the target.

A :class:`Pacer` answers two questions, on a clock it is given (so tests drive it with a fake
one and never sleep):

- *before a request*: how long to wait to stay below the target's rate limit. It reads what
  the target said last (``X-RateLimit-Remaining``, ``X-RateLimit-Reset``,
  ``X-RateLimit-Window``): at full speed while plenty of requests remain, spreading the last
  tenth of the window's allowance over the time left, and waiting for the reset when none
  remains. ``max_rps`` caps requests per second on top (a polite run against production).
- *after a limited answer* (``429``, or ``503`` with ``Retry-After``): how long to wait before
  retrying, as the target said (``Retry-After`` in seconds or as an HTTP date; a ``429``
  without one waits for ``X-RateLimit-Reset``, else backs off), within a total waiting budget
  for the whole run (``max_wait``). Past it, :class:`WaitBudgetExhausted`.

It counts what it did (:class:`PacingStats`), for the run's summary.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

__all__ = ["LIMITED_STATUSES", "Pacer", "PacingStats", "WaitBudgetExhausted", "retry_after"]

#: Answers that mean "not now": the target limits the caller, or is briefly unavailable.
LIMITED_STATUSES = frozenset({429, 503})
#: Share of a window's allowance below which requests are spread over the time left.
LOW_WATER = 0.1
#: Seconds added to a reset time, so the first request of a window lands in the new one.
RESET_MARGIN = 0.05
#: Shortest wait before retrying a limited answer (a ``Retry-After: 0`` loop is no retry).
MIN_RETRY_WAIT = 0.05
#: Back-off of a ``429`` that says neither ``Retry-After`` nor ``X-RateLimit-Reset``.
DEFAULT_BACKOFF = 1.0


class WaitBudgetExhausted(RuntimeError):
    """The target kept limiting the run beyond the waiting budget (``max_wait``)."""


@dataclass
class PacingStats:
    """What the pacer did in one run."""

    limited: dict[int, int] = field(default_factory=dict)
    """Limited answers (waited out and retried), by HTTP status."""
    waited_s: float = 0.0
    """Seconds waited before retrying limited answers."""
    paced_s: float = 0.0
    """Seconds waited before requests, to stay below the limit or ``max_rps``."""
    paced_requests: int = 0
    """Requests that waited before they were sent."""

    @property
    def limited_total(self) -> int:
        return sum(self.limited.values())


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def _number(headers: Mapping[str, str], name: str) -> float | None:
    raw = _header(headers, name)
    try:
        value = float(raw) if raw is not None else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def retry_after(headers: Mapping[str, str], *, now: float) -> float | None:
    """Seconds ``Retry-After`` asks to wait (delay-seconds or an HTTP date; ``now`` is unix
    time), or ``None`` when the answer has none that can be read."""
    raw = _header(headers, "Retry-After")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(raw).timestamp() - now
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    return max(0.0, seconds) if math.isfinite(seconds) else None


@dataclass
class _Allowance:
    """The rate-limit window as the target last described it."""

    remaining: float
    reset: float  # unix time
    window: float | None
    limit: float | None


class Pacer:
    """Waits before requests and before retries of limited answers (see the module)."""

    def __init__(
        self,
        *,
        max_rps: float | None = None,
        max_wait: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_rps is not None and max_rps <= 0:
            raise ValueError(
                f"max_rps must be a positive number of requests per second, got {max_rps}."
            )
        if max_wait < 0:
            raise ValueError(f"max_wait must be 0 or more seconds, got {max_wait}.")
        self.max_rps = max_rps
        self.max_wait = max_wait
        self.stats = PacingStats()
        self._clock, self._wall, self._sleep = clock, wall, sleep
        self._allowance: _Allowance | None = None
        self._last_sent: float | None = None
        self._lock = threading.Lock()

    # --- before a request -------------------------------------------------------------------

    def delay(self) -> float:
        """Seconds to wait before the next request (0 when it may go now)."""
        now = self._clock()
        delay = 0.0
        if self.max_rps is not None and self._last_sent is not None:
            delay = max(delay, self._last_sent + 1 / self.max_rps - now)
        allowance = self._allowance
        if allowance is None:
            return delay
        until_reset = allowance.reset - self._wall()
        if allowance.window is not None:
            until_reset = min(until_reset, allowance.window)
        if until_reset <= 0:
            return delay  # a new window began: what we knew is stale
        if allowance.remaining <= 0:
            return max(delay, until_reset + RESET_MARGIN)
        low_water = max(1.0, (allowance.limit or 0) * LOW_WATER)
        if allowance.remaining <= low_water and self._last_sent is not None:
            spacing = until_reset / allowance.remaining
            delay = max(delay, self._last_sent + spacing - now)
        return delay

    def before_request(self, *, deadline: float | None = None) -> None:
        """Wait as long as :meth:`delay` says (never past ``deadline``, a clock time), then
        count the request against the allowance."""
        with self._lock:
            delay = self.delay()
            if deadline is not None:
                delay = min(delay, max(0.0, deadline - self._clock()))
            if delay > 0:
                self._sleep(delay)
                self.stats.paced_s += delay
                self.stats.paced_requests += 1
            self._last_sent = self._clock()
            if self._allowance is not None:
                self._allowance.remaining -= 1

    def observe(self, headers: Mapping[str, str]) -> None:
        """Remember what an answer says about the rate limit (when it says anything)."""
        remaining = _number(headers, "X-RateLimit-Remaining")
        reset = _number(headers, "X-RateLimit-Reset")
        if remaining is None or reset is None:
            return
        with self._lock:
            self._allowance = _Allowance(
                remaining=remaining,
                reset=reset,
                window=_number(headers, "X-RateLimit-Window"),
                limit=_number(headers, "X-RateLimit-Limit"),
            )

    # --- after a limited answer -------------------------------------------------------------

    def retry_delay(self, status: int, headers: Mapping[str, str]) -> float | None:
        """Seconds to wait before retrying an answer the target limited, or ``None`` when it
        is no such answer (a ``503`` without ``Retry-After`` is a fault, not a limit)."""
        if status not in LIMITED_STATUSES:
            return None
        told = retry_after(headers, now=self._wall())
        if told is None and status == 429:
            reset = _number(headers, "X-RateLimit-Reset")
            told = reset - self._wall() + RESET_MARGIN if reset is not None else DEFAULT_BACKOFF
        if told is None:
            return None
        return max(MIN_RETRY_WAIT, told)

    def wait_to_retry(self, status: int, delay: float, *, deadline: float | None = None) -> None:
        """Wait ``delay`` seconds before retrying a limited answer, within the run's waiting
        budget (:class:`WaitBudgetExhausted` past it) and never past ``deadline``."""
        with self._lock:
            if self.stats.waited_s + delay > self.max_wait + 1e-9:
                raise WaitBudgetExhausted(
                    f"the target answered {status} and asked to wait {delay:.1f} s, beyond what "
                    f"is left of the waiting budget ({self.max_wait - self.stats.waited_s:.1f} s "
                    f"of --max-wait {self.max_wait:g} s)"
                )
            self.stats.limited[status] = self.stats.limited.get(status, 0) + 1
        if deadline is not None:
            delay = min(delay, max(0.0, deadline - self._clock()))
        self._sleep(delay)
        with self._lock:
            self.stats.waited_s += delay
            # The wait was the target's reset: what we knew of the window is stale now.
            self._allowance = None
