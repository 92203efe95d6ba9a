"""Executions and their lifecycle: ``pending -> processing -> completed | failed | degraded``.

An :class:`Execution` is an immutable record. Its position in the lifecycle is a
*step*: 0 is ``pending``, ``1..N`` is ``processing`` with stage ``step`` running
(``stages_completed = step - 1``), ``N + 1`` is terminal (the planned ``outcome``).
Steps advance by polls (each read advances one) or by clock (one step per
``stage_duration_ms`` since creation), never backwards; terminal records never change.

:func:`view` renders a record as the API answers it: the execute answer, or a
read-back, whose documents depend on the read-back mode (``Settings.readback``):
``retained`` answers the documents the run returned (``documents_retained: true``),
``statistics`` answers ``documents: []``, ``documents_retained: false`` and
``total_returned`` (as the API does since 0.82).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from ..generated.models import KnownExecutionStatus
from .paging import empty_metadata
from .settings import ReadBack

__all__ = ["RESULT_STATUSES", "Execution", "advance", "view"]

RESULT_STATUSES = frozenset({KnownExecutionStatus.COMPLETED, KnownExecutionStatus.DEGRADED})
"""Terminal statuses whose run produced documents (``degraded`` is not an error)."""


def iso(timestamp: float) -> str:
    """``timestamp`` (unix seconds) as the API writes it: ``2026-01-02T03:04:05.678901Z``.

    The same text as ``datetime.fromtimestamp(timestamp, UTC).isoformat()`` with ``Z``
    for ``+00:00``: microseconds rounded half to even, left out when zero. Every answer
    writes two or three of these, so the date and time of the last second are kept.
    """
    fraction, whole = math.modf(timestamp)
    micros = round(fraction * 1e6)
    if micros >= 1_000_000:
        micros -= 1_000_000
        whole += 1
    elif micros < 0:
        micros += 1_000_000
        whole -= 1
    seconds = int(whole)
    text = _second_text(seconds)
    return f"{text}.{micros:06d}Z" if micros else f"{text}Z"


@functools.lru_cache(maxsize=4)
def _second_text(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")


@dataclass(frozen=True)
class Execution:
    execution_id: str
    namespace: str
    retriever_id: str
    created_at: float
    stage_names: tuple[str, ...]
    # Final outcome, reached at step len(stage_names) + 1.
    final_status: KnownExecutionStatus
    error: str | None
    step: int
    completed_at: float | None
    # What the completed execution answers (kept from creation: reads answer the same page).
    documents: tuple[dict[str, Any], ...]
    pagination: dict[str, Any]
    stage_statistics: dict[str, dict[str, Any]]
    total_time_ms: float
    credits_used: float
    credits_remaining: float
    warnings: tuple[str, ...] = ()
    # Stages a failed execution finished before failing (an in-flight one fails in its last).
    failed_stages_completed: int = 0
    # The step the execution was created at (clock mode counts steps from it).
    start_step: int = 0
    extras: tuple[tuple[str, Any], ...] = ()
    trace_id: str | None = None
    # What a degraded execution skipped (DegradedEntry objects), and the caps that clamped it.
    degraded: tuple[dict[str, Any], ...] = ()
    limits: tuple[dict[str, Any], ...] = ()
    # Whether the result came from the result cache, and when that result was computed.
    cache_hit: bool = False
    cached_at: float | None = None

    @property
    def total_stages(self) -> int:
        return len(self.stage_names)

    @property
    def terminal_step(self) -> int:
        return self.total_stages + 1

    @property
    def is_terminal(self) -> bool:
        return self.step >= self.terminal_step

    @property
    def status(self) -> KnownExecutionStatus:
        if self.is_terminal:
            return self.final_status
        return KnownExecutionStatus.PENDING if self.step == 0 else KnownExecutionStatus.PROCESSING

    @property
    def has_result(self) -> bool:
        """Terminal with documents to answer: completed or degraded."""
        return self.is_terminal and self.final_status in RESULT_STATUSES

    @property
    def stages_completed(self) -> int:
        if self.is_terminal:
            if self.final_status in RESULT_STATUSES:
                return self.total_stages
            return self.failed_stages_completed
        return max(self.step - 1, 0)


def advance(
    execution: Execution,
    *,
    now: float,
    progression: Literal["poll", "clock"],
    stage_duration_ms: int,
) -> Execution:
    """The execution one read later (poll mode) or at ``now`` (clock mode)."""
    if execution.is_terminal:
        return execution
    if progression == "poll":
        step = execution.step + 1
    else:
        elapsed_ms = max(now - execution.created_at, 0.0) * 1000.0
        step = max(execution.step, execution.start_step + int(elapsed_ms // stage_duration_ms))
    step = min(step, execution.terminal_step)
    if step == execution.step:
        return execution
    completed_at = now if step == execution.terminal_step else None
    if completed_at is not None:
        completed_at = max(completed_at, execution.created_at)
    return dataclasses.replace(execution, step=step, completed_at=completed_at)


def view(execution: Execution, *, readback: ReadBack | None = None) -> dict[str, Any]:
    """The execution as the API answers it (``ExecutionDetail``), as plain data.

    ``readback`` is None for the answer of execute, else the read-back mode of
    get-execution (see the module docstring).
    """
    status = execution.status
    terminal = execution.is_terminal
    has_result = execution.has_result
    done = execution.stages_completed
    if has_result:
        stages = execution.stage_statistics
        total_time = execution.total_time_ms
    else:
        names = execution.stage_names[:done]
        stages = {
            name: execution.stage_statistics[name]
            for name in names
            if name in execution.stage_statistics
        }
        total_time = float(sum(s["duration_ms"] for s in stages.values()))
    credits = execution.credits_used if has_result else 0.0
    retained = readback != "statistics"
    documents = list(execution.documents) if has_result and retained else []
    # Keys in the order of ExecutionDetail's fields (how the generated model serializes).
    body: dict[str, Any] = {
        "created_at": iso(execution.created_at),
        "completed_at": iso(execution.completed_at)
        if terminal and execution.completed_at
        else None,
        "current_stage": None
        if terminal or execution.step == 0
        else execution.stage_names[execution.step - 1],
        "stages_completed": done,
        "total_stages": execution.total_stages,
        "retriever_id": execution.retriever_id,
        "execution_id": execution.execution_id,
        "status": status.value,
        "documents": documents,
        "pagination": execution.pagination if has_result else empty_metadata(execution.pagination),
        "stage_statistics": {
            "stages": stages,
            "total_time_ms": total_time,
            "credits_used": credits,
        },
        "budget": {
            "credits_used": credits,
            "credits_remaining": execution.credits_remaining,
            "time_used_ms": total_time,
        },
        "error": execution.error if status is KnownExecutionStatus.FAILED else None,
    }
    if terminal and execution.completed_at is None:
        body["completed_at"] = iso(execution.created_at)
    if execution.warnings:
        body["warnings"] = list(execution.warnings)
    if terminal and execution.degraded:
        body["degraded"] = list(execution.degraded)
    if execution.limits:
        body["limits"] = list(execution.limits)
    body["trace_id"] = execution.trace_id
    body["cache_hit"] = execution.cache_hit
    body["cached_at"] = execution.cached_at
    if readback is not None and terminal:
        body["documents_retained"] = retained
        body["total_returned"] = len(execution.documents) if has_result else 0
    if has_result:
        extras = dict(execution.extras)
        if "explain_plan" in extras:
            body["explain_plan"] = extras["explain_plan"]
        if "results" in extras:
            body["results"] = documents if readback is not None else extras["results"]
    return body
