"""A clock tests drive by hand: sleeping advances it, and every sleep is remembered."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Unix time when a fake clock starts.
EPOCH = 1_800_000_000.0


@dataclass
class FakeClock:
    now: float = 0.0
    """Seconds since the clock started (the monotonic clock)."""
    sleeps: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    def wall(self) -> float:
        """Unix time."""
        return EPOCH + self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds
