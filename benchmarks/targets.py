"""The issue's targets, each judged met or not met from a run's figures. Pure functions.

A missed target never fails the run: it is reported, with its figure. A target whose
figure was not measured (its part skipped) is ``met=None``, with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

__all__ = [
    "ENGINE_GROWTH_MAX",
    "FLAT_FROM",
    "FLAT_TOLERANCE_MB",
    "Target",
    "evaluate",
]

RATIO_TO_CEILING_MIN = 0.6
RATIO_TO_PRISM_MIN = 10.0
P99_AT_ONE_MAX_MS = 10.0
STARTUP_MAX_MS = 1000.0
RSS_MAX_MB = 150.0
FLAT_FROM = 200_000
"""RSS is flat when it rose less than FLAT_TOLERANCE_MB from this many executions on."""
FLAT_TOLERANCE_MB = 10.0
ENGINE_P50_MAX_MS = 50.0
ENGINE_SIZE = 100_000
ENGINE_GROWTH_MAX = 1.1
"""Linear growth is 1.0; the 10 % above it allows for timing noise."""


@dataclass(frozen=True)
class Target:
    name: str
    wanted: str
    figure: str
    met: bool | None
    note: str = ""

    @property
    def verdict(self) -> str:
        return {True: "met", False: "NOT MET", None: "not measured"}[self.met]

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "verdict": self.verdict}


def _row(rows: Sequence[Mapping[str, Any]], **wanted: Any) -> Mapping[str, Any] | None:
    for row in rows:
        found = {**row, "asgi": row.get("asgi", "uvicorn")}
        if all(found.get(k) == v for k, v in wanted.items()) and row.get("rps") is not None:
            return row
    return None


def _headline(rows: Sequence[Mapping[str, Any]], connections: int) -> Mapping[str, Any] | None:
    return _row(
        rows,
        server="mock",
        operation="execute",
        top_k=10,
        queries="repeated",
        connections=connections,
        asgi="uvicorn",
    )


def _throughput_targets(rows: Sequence[Mapping[str, Any]], most: int) -> list[Target]:
    row = _headline(rows, most)
    targets = []
    to_ceiling = row.get("ratio_to_ceiling") if row else None
    targets.append(
        Target(
            f"execute throughput at {most} connections / ceiling",
            f">= {RATIO_TO_CEILING_MIN}",
            f"{to_ceiling:.2f} ({row['rps']:,.0f} req/s)" if to_ceiling is not None else "-",
            None if to_ceiling is None else to_ceiling >= RATIO_TO_CEILING_MIN,
            "" if to_ceiling is not None else "no ceiling or mock row",
        )
    )
    to_prism = row.get("ratio_to_prism") if row else None
    targets.append(
        Target(
            f"execute throughput at {most} connections / Prism",
            f">= {RATIO_TO_PRISM_MIN:g}",
            f"{to_prism:.1f}" if to_prism is not None else "-",
            None if to_prism is None else to_prism >= RATIO_TO_PRISM_MIN,
            "" if to_prism is not None else "Prism was skipped",
        )
    )
    single = _headline(rows, 1)
    p99 = single["p99_ms"] if single else None
    targets.append(
        Target(
            "execute p99 at 1 connection",
            f"< {P99_AT_ONE_MAX_MS:g} ms",
            f"{p99:.2f} ms" if p99 is not None else "-",
            None if p99 is None else p99 < P99_AT_ONE_MAX_MS,
            "" if p99 is not None else "no 1-connection row",
        )
    )
    return targets


def _startup_target(startup: Mapping[str, Any] | None) -> Target:
    median_ms = (startup or {}).get("median_ms")
    return Target(
        "start to first 200 (median)",
        f"< {STARTUP_MAX_MS / 1000:g} s",
        f"{median_ms:.0f} ms" if median_ms is not None else "-",
        None if median_ms is None else median_ms < STARTUP_MAX_MS,
        (startup or {}).get("skipped", ""),
    )


def _memory_target(memory: Mapping[str, Any] | None) -> Target:
    memory = memory or {}
    wanted = f"flat (rise < {FLAT_TOLERANCE_MB:g} MB after {FLAT_FROM:,}) and < {RSS_MAX_MB:g} MB"
    reached, goal = memory.get("reached", 0), memory.get("target_executions", 0)
    peak, rise = memory.get("max_rss_mb"), memory.get("rise_after_flat_from_mb")
    name = f"RSS after {goal:,} executions"
    if peak is None:
        return Target(name, wanted, "-", None, memory.get("skipped", "not run"))
    figure = f"max {peak:.1f} MB, rise {rise:+.1f} MB" if rise is not None else f"max {peak:.1f} MB"
    note = ""
    if reached < goal:
        note = f"reached {reached:,} of {goal:,} executions in the time budget"
    if rise is None:
        note = (
            note + "; " if note else ""
        ) + f"no checkpoints past {FLAT_FROM:,} to judge flatness"
        return Target(name, wanted, figure, None if peak < RSS_MAX_MB else False, note)
    met = rise < FLAT_TOLERANCE_MB and peak < RSS_MAX_MB and reached >= goal
    return Target(name, wanted, figure, met, note)


def _engine_targets(engine: Mapping[str, Any] | None) -> list[Target]:
    sizes = (engine or {}).get("sizes") or []
    if not sizes:
        reason = (engine or {}).get("skipped", "not run")
        return [
            Target("engine p50 at 100k documents, filtered", "< 50 ms", "-", None, reason),
            Target(
                "engine cost growth (linear = 1.0)", f"<= {ENGINE_GROWTH_MAX}", "-", None, reason
            ),
        ]
    largest = max(sizes, key=lambda s: s["documents"])
    at = next((s for s in sizes if s["documents"] == ENGINE_SIZE), largest)
    note = "" if at["documents"] == ENGINE_SIZE else f"measured at {at['documents']:,} documents"
    p50 = at["p50_ms"]
    factor = engine.get("growth_factor")
    smallest = min(sizes, key=lambda s: s["documents"])
    return [
        Target(
            f"engine p50 at {at['documents']:,} documents, filtered",
            f"< {ENGINE_P50_MAX_MS:g} ms",
            f"{p50:.1f} ms",
            p50 < ENGINE_P50_MAX_MS,
            note,
        ),
        Target(
            f"engine cost growth {smallest['documents']:,} -> {largest['documents']:,} "
            "documents (linear = 1.0)",
            f"<= {ENGINE_GROWTH_MAX}",
            f"{factor:.2f} (exponent {engine.get('growth_exponent') or 0:.2f})"
            if factor is not None
            else "-",
            None if factor is None else factor <= ENGINE_GROWTH_MAX,
        ),
    ]


def evaluate(results: Mapping[str, Any]) -> list[Target]:
    """Every target of the issue, in its order, from the figures of one run."""
    rows = results.get("rows", [])
    connections = [row["connections"] for row in rows] or [64]
    return [
        *_throughput_targets(rows, max(connections)),
        _startup_target(results.get("startup")),
        _memory_target(results.get("memory")),
        *_engine_targets(results.get("engine")),
    ]
