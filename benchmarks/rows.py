"""The load rows of one run, and their ratios to the ceiling and to the peer. Pure data.

A :class:`Row` is one server driven with one request at one number of connections, by
an ASGI server (uvicorn, as ``mixpeek-mock`` runs; or granian, when installed).
:func:`plan_rows` lists them in the order they run; :func:`add_ratios` divides each
throughput by the ceiling's of the same answer size, connections and ASGI server, and,
where the peer served the same request, by the peer's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .stats import LoadResult, ratio

__all__ = [
    "CEILING",
    "GRANIAN",
    "MOCK",
    "PRISM",
    "STRICT",
    "UVICORN",
    "Row",
    "add_ratios",
    "asgi_comparison",
    "find_row",
    "plan_rows",
    "strict_cost",
]

CEILING = "ceiling"
MOCK = "mock"
STRICT = "mock --strict"
PRISM = "prism"
EXECUTE = "execute"
GET = "get-execution"
#: The answer size the get-execution rows read back, and the one the peer is compared at.
REFERENCE_TOP_K = 10
#: The ASGI server of mixpeek-mock, the headline rows and the targets.
UVICORN = "uvicorn"
GRANIAN = "granian"


@dataclass
class Row:
    server: str
    operation: str
    connections: int
    top_k: int | None = None
    queries: str | None = None
    """``repeated`` (one query: the result cache answers) or ``distinct`` (never twice)."""
    asgi: str = UVICORN
    """The ASGI server serving the app (the peer is not an ASGI app: always uvicorn here)."""
    result: LoadResult | None = None
    server_cpu_us: float | None = None
    """CPU the server process (and its workers) spent per request during the row."""
    answer_bytes: int | None = None
    skipped: str | None = None
    to_ceiling: float | None = None
    to_prism: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        parts = [self.server if self.asgi == UVICORN else f"{self.server} ({self.asgi})"]
        parts.append(self.operation)
        if self.top_k is not None:
            parts.append(f"top_k={self.top_k}")
        if self.queries:
            parts.append(self.queries)
        return " ".join(parts)

    @property
    def rps(self) -> float | None:
        return self.result.rps if self.result is not None else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "server": self.server,
            "operation": self.operation,
            "connections": self.connections,
            "top_k": self.top_k,
            "queries": self.queries,
            "asgi": self.asgi,
            "rps": self.rps,
            "p50_ms": self.result.p50_ms if self.result else None,
            "p99_ms": self.result.p99_ms if self.result else None,
            "requests": self.result.requests if self.result else None,
            "errors": self.result.errors if self.result else None,
            "seconds": self.result.seconds if self.result else None,
            "generator": self.result.generator if self.result else None,
            "server_cpu_us": self.server_cpu_us,
            "answer_bytes": self.answer_bytes,
            "ratio_to_ceiling": self.to_ceiling,
            "ratio_to_prism": self.to_prism,
            "skipped": self.skipped,
            "notes": self.notes,
        }


def plan_rows(
    connections: Sequence[int],
    top_ks: Sequence[int],
    *,
    with_prism: bool = True,
    asgi_servers: Sequence[str] = (),
) -> list[Row]:
    """Every row, grouped by server (each server is started once): the ceiling per answer
    size, the mock's execute (repeated and distinct queries) and get-execution, the mock
    in strict mode, and the peer; then, for each other ASGI server in ``asgi_servers``,
    the ceiling and the mock's execute and get-execution at the reference size."""
    rows: list[Row] = []
    for top_k in top_ks:
        rows += [Row(CEILING, EXECUTE, c, top_k=top_k) for c in connections]
    for top_k in top_ks:
        for queries in ("repeated", "distinct"):
            rows += [Row(MOCK, EXECUTE, c, top_k=top_k, queries=queries) for c in connections]
    rows += [Row(MOCK, GET, c) for c in connections]
    rows += [
        Row(STRICT, EXECUTE, c, top_k=REFERENCE_TOP_K, queries="repeated") for c in connections
    ]
    if with_prism:
        rows += [Row(PRISM, EXECUTE, c, top_k=REFERENCE_TOP_K) for c in connections]
        rows += [Row(PRISM, GET, c) for c in connections]
    for asgi in asgi_servers:
        if asgi == UVICORN:
            continue
        rows += [Row(CEILING, EXECUTE, c, top_k=REFERENCE_TOP_K, asgi=asgi) for c in connections]
        for queries in ("repeated", "distinct"):
            rows += [
                Row(MOCK, EXECUTE, c, top_k=REFERENCE_TOP_K, queries=queries, asgi=asgi)
                for c in connections
            ]
        rows += [Row(MOCK, GET, c, asgi=asgi) for c in connections]
    return rows


def find_row(rows: Iterable[Row], **wanted: Any) -> Row | None:
    """The first row whose attributes equal ``wanted`` (e.g. ``server="mock"``)."""
    for row in rows:
        if all(getattr(row, name) == value for name, value in wanted.items()):
            return row
    return None


def add_ratios(rows: Sequence[Row]) -> None:
    """Fill ``to_ceiling`` of every measured row but the ceiling's (against the ceiling
    served by the same ASGI server; the peer's against uvicorn's ceiling of the reference
    size), and ``to_prism`` of the mock's rows the peer also served (get-execution, and
    execute at the reference size)."""
    for row in rows:
        if row.server == CEILING or row.result is None:
            continue
        size = row.top_k if row.operation == EXECUTE else REFERENCE_TOP_K
        ceiling = find_row(
            rows, server=CEILING, top_k=size, connections=row.connections, asgi=row.asgi
        )
        row.to_ceiling = ratio(row.rps, ceiling.rps if ceiling else None)
        if row.server != PRISM and (row.operation == GET or row.top_k == REFERENCE_TOP_K):
            peer = find_row(
                rows, server=PRISM, operation=row.operation, connections=row.connections
            )
            row.to_prism = ratio(row.rps, peer.rps if peer else None)


def strict_cost(rows: Sequence[Row]) -> list[dict[str, Any]]:
    """What strict mode costs, per number of connections: the strict rows against the same
    request without it (execute at the reference size, repeated query)."""
    costs = []
    for strict in rows:
        if strict.server != STRICT or strict.result is None:
            continue
        plain = find_row(
            rows,
            server=MOCK,
            operation=strict.operation,
            top_k=strict.top_k,
            queries=strict.queries,
            connections=strict.connections,
            asgi=strict.asgi,
        )
        if plain is None or plain.result is None:
            continue
        kept = ratio(strict.rps, plain.rps)
        costs.append(
            {
                "connections": strict.connections,
                "rps_off": plain.rps,
                "rps_strict": strict.rps,
                "throughput_lost_pct": (1 - kept) * 100 if kept is not None else None,
                "p50_added_ms": strict.result.p50_ms - plain.result.p50_ms,
                "p99_added_ms": strict.result.p99_ms - plain.result.p99_ms,
            }
        )
    return costs


def asgi_comparison(rows: Sequence[Row]) -> list[dict[str, Any]]:
    """Each row served by another ASGI server than uvicorn, beside uvicorn's row of the
    same server, request and connections: throughput, latency and server CPU of both."""
    compared = []
    for other in rows:
        if other.asgi == UVICORN or other.result is None:
            continue
        base = find_row(
            rows,
            server=other.server,
            operation=other.operation,
            top_k=other.top_k,
            queries=other.queries,
            connections=other.connections,
            asgi=UVICORN,
        )
        if base is None or base.result is None:
            continue
        compared.append(
            {
                "row": base.label,
                "connections": other.connections,
                "asgi": other.asgi,
                "rps_uvicorn": base.rps,
                "rps_other": other.rps,
                "speedup": ratio(other.rps, base.rps),
                "p99_uvicorn_ms": base.result.p99_ms,
                "p99_other_ms": other.result.p99_ms,
                "cpu_us_uvicorn": base.server_cpu_us,
                "cpu_us_other": other.server_cpu_us,
            }
        )
    return compared
