"""The arithmetic of the bench: percentiles, ratios, flatness and growth. Pure functions."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "LoadResult",
    "growth_exponent",
    "growth_factor",
    "median",
    "percentile",
    "ratio",
    "rise_after",
]


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0 to 100) of ``values``, interpolated linearly between the
    two nearest ranks (numpy's default); NaN for no values."""
    if not 0 <= q <= 100:
        raise ValueError(f"q is a percentage between 0 and 100, got {q}")
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """``numerator / denominator``; None when either is missing or the denominator is 0."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    if math.isnan(numerator) or math.isnan(denominator):
        return None
    return numerator / denominator


def rise_after(series: Sequence[tuple[int, float]], start: int) -> float | None:
    """How much the value rose from the first point at or after ``start`` to the last one.

    ``series`` is ``(count, value)`` pairs in increasing count; None when no point is at
    or after ``start``, or that point is the last one (nothing to compare).
    """
    later = [value for count, value in series if count >= start]
    if len(later) < 2:
        return None
    return later[-1] - later[0]


def growth_factor(sizes: Sequence[float], costs: Sequence[float]) -> float | None:
    """How the cost grew from the smallest to the largest size, relative to the size:
    ``(cost_max / cost_min) / (size_max / size_min)``. 1.0 is linear growth; below 1 is
    slower than linear (a fixed part), above 1 faster."""
    if len(sizes) != len(costs) or len(sizes) < 2:
        return None
    pairs = sorted(zip(sizes, costs, strict=True))
    (small, small_cost), (large, large_cost) = pairs[0], pairs[-1]
    if small <= 0 or small_cost <= 0 or large == small:
        return None
    return (large_cost / small_cost) / (large / small)


def growth_exponent(sizes: Sequence[float], costs: Sequence[float]) -> float | None:
    """The exponent ``k`` of ``cost ~ size**k``: the least-squares slope in log-log."""
    points = [(math.log(s), math.log(c)) for s, c in zip(sizes, costs, strict=True) if s > 0 < c]
    if len(points) < 2:
        return None
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if spread == 0:
        return None
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread


@dataclass
class LoadResult:
    """One load row: what the generator counted while it drove one request at one load."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int = 0
    """Answers other than 2xx, and connection, read, write or timeout errors."""
    generator: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @classmethod
    def from_latencies(
        cls,
        latencies_ms: Sequence[float],
        seconds: float,
        errors: int,
        generator: str,
        **detail: Any,
    ) -> LoadResult:
        return cls(
            requests=len(latencies_ms),
            seconds=seconds,
            p50_ms=percentile(latencies_ms, 50),
            p99_ms=percentile(latencies_ms, 99),
            errors=errors,
            generator=generator,
            detail=dict(detail),
        )

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["rps"] = self.rps
        return out
