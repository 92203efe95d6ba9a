"""Runs one execute request: plans its outcome, runs DOMAIN's engine, charges the budget.

The handler hands over a parsed request, the namespace and the scenario; the
executor answers an :class:`~mockserver.executions.Execution` record (and stores it).
Domain errors become API errors here: missing inputs and invalid filters -> 422,
an invalid cursor -> 400.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..generated.models import ExecuteRetrieverRequest, KnownExecutionStatus
from .engine import EngineResult, InvalidFilter, run_retriever
from .engine_cache import EngineResultCache
from .errors import InvalidCursorError, RequestValidationFailed
from .executions import Execution
from .paging import (
    CursorCodec,
    InvalidCursor,
    empty_metadata,
    paginate,
    request_fingerprint,
)
from .randomness import ExecutionIds, derive_rng
from .scenarios import ErrorKind, Outcome, Scenario
from .settings import Settings
from .store import ExecutionStore
from .tenancy import NamespaceState
from .world import MissingInputs, RetrieverSpec, resolve_inputs

__all__ = ["ExecutionOptions", "Executor"]


@dataclass(frozen=True)
class ExecutionOptions:
    """Query-string switches that change what a completed execution answers."""

    include_legacy_results: bool = False
    explain: bool = False


@dataclass(frozen=True)
class Plan:
    """What the execution will end as, and where it starts."""

    final_status: KnownExecutionStatus
    start: Outcome
    error: str | None


class Executor:
    def __init__(
        self,
        settings: Settings,
        store: ExecutionStore,
        clock: Callable[[], float],
    ) -> None:
        self._settings = settings
        self._store = store
        self._clock = clock
        self._ids = ExecutionIds(settings.seed)
        self._codec = CursorCodec(settings.cursor_key)
        self.engine_results = EngineResultCache()

    def execute(
        self,
        namespace: NamespaceState,
        retriever: RetrieverSpec,
        request: ExecuteRetrieverRequest,
        scenario: Scenario | None,
        options: ExecutionOptions,
        *,
        run_to_end: bool = False,
    ) -> Execution:
        now = self._clock()
        inputs = self._inputs(retriever, request)
        fingerprint = request_fingerprint(namespace.name, retriever.retriever_id, request)
        scenario = scenario or Scenario()
        plan = self._plan(fingerprint, scenario, run_to_end)

        collections, unknown = (
            namespace.world.resolve_collections([c.root for c in request.collection_identifiers])
            if request.collection_identifiers
            else (namespace.world.collections_of(retriever), [])
        )
        if unknown:
            return self._store_failure(
                namespace, retriever, now, ErrorKind.COLLECTION_NOT_FOUND.message, stage_names=None
            )

        result = self._run_engine(
            retriever, collections, request, inputs, fingerprint, scenario.stages
        )
        stage_names = tuple(stage.name for stage in result.stages)
        page = self._paginate(result, request, fingerprint, now)

        cost = retriever.credits_per_execution
        if plan.final_status is KnownExecutionStatus.COMPLETED and not namespace.try_charge(cost):
            return self._store_failure(
                namespace,
                retriever,
                now,
                ErrorKind.BUDGET_EXCEEDED.message,
                stage_names=stage_names,
            )
        completed = plan.final_status is KnownExecutionStatus.COMPLETED
        start_step = {Outcome.PENDING: 0, Outcome.PROCESSING: 1}.get(
            plan.start, len(stage_names) + 1
        )
        execution = Execution(
            execution_id=self._ids.next(),
            namespace=namespace.name,
            retriever_id=retriever.retriever_id,
            created_at=now,
            stage_names=stage_names,
            final_status=plan.final_status,
            error=plan.error,
            step=start_step,
            start_step=start_step,
            completed_at=now + result.total_time_ms / 1000.0
            if start_step > len(stage_names)
            else None,
            documents=tuple(page.documents),
            pagination=page.metadata,
            stage_statistics=_stage_statistics(result),
            total_time_ms=result.total_time_ms,
            credits_used=cost if completed else 0.0,
            credits_remaining=namespace.credits_remaining,
            warnings=tuple(page.warnings),
            failed_stages_completed=0
            if start_step > len(stage_names)
            else max(len(stage_names) - 1, 0),
            extras=_extras(page.documents, result, options),
        )
        self._store.put(execution)
        return execution

    # ------------------------------------------------------------------ steps

    def _inputs(self, retriever: RetrieverSpec, request: ExecuteRetrieverRequest) -> dict[str, Any]:
        given = (
            request.inputs.model_dump(exclude_unset=True) if request.inputs is not None else None
        )
        try:
            return resolve_inputs(retriever, given)
        except MissingInputs as missing:
            raise RequestValidationFailed(
                [
                    {
                        "type": "missing",
                        "location": ["body", "inputs", name],
                        "message": f"Retriever {retriever.retriever_id!r} requires input {name!r}.",
                    }
                    for name in missing.names
                ],
                str(missing),
                code="missing_inputs",
            ) from None

    def _plan(self, fingerprint: str, scenario: Scenario, run_to_end: bool) -> Plan:
        settings = self._settings
        failed = scenario.ends_failed
        in_flight = scenario.starts_in_flight
        unscripted = scenario.outcome is None and not scenario.respond_async and not failed
        if unscripted and (settings.failure_rate or settings.in_flight_rate):
            draw = derive_rng(settings.seed, "chaos", fingerprint).random()
            if draw < settings.failure_rate:
                failed = True
            elif draw < settings.failure_rate + settings.in_flight_rate:
                in_flight = True
        start = Outcome.COMPLETED
        if in_flight and not run_to_end:
            start = (
                Outcome.PROCESSING if scenario.outcome is Outcome.PROCESSING else Outcome.PENDING
            )
        if failed:
            return Plan(KnownExecutionStatus.FAILED, start, scenario.failure_message)
        return Plan(KnownExecutionStatus.COMPLETED, start, None)

    def _run_engine(
        self, retriever, collections, request, inputs, fingerprint, stages
    ) -> EngineResult:
        def run() -> EngineResult:
            rng = derive_rng(self._settings.seed, "engine", fingerprint)
            return run_retriever(
                retriever, collections, request, inputs, rng=rng, stage_count=stages
            )

        try:
            return self.engine_results.get_or_run(fingerprint, stages, retriever, collections, run)
        except InvalidFilter as invalid:
            location = list(getattr(invalid, "location", ()) or ())
            if not location or location[0] != "body":
                location = (
                    ["body", "filters", *location]
                    if "filters" not in location[:1]
                    else ["body", *location]
                )
            raise RequestValidationFailed(
                [{"type": "invalid_filter", "location": location, "message": str(invalid)}],
                f"Invalid filter: {invalid}",
                code="invalid_filter",
            ) from None

    def _paginate(self, result: EngineResult, request, fingerprint: str, now: float):
        try:
            return paginate(  # answers are only serialized: share the stored payloads
                result.documents.shared(),
                request,
                codec=self._codec,
                fingerprint=fingerprint,
                now=now,
            )
        except InvalidCursor as invalid:
            raise InvalidCursorError(f"Invalid pagination cursor: {invalid}") from None

    def _store_failure(
        self,
        namespace: NamespaceState,
        retriever: RetrieverSpec,
        now: float,
        message: str,
        *,
        stage_names: tuple[str, ...] | None,
    ) -> Execution:
        names = stage_names if stage_names is not None else tuple(s.name for s in retriever.stages)
        execution = Execution(
            execution_id=self._ids.next(),
            namespace=namespace.name,
            retriever_id=retriever.retriever_id,
            created_at=now,
            stage_names=names,
            final_status=KnownExecutionStatus.FAILED,
            error=message,
            step=len(names) + 1,
            completed_at=now,
            documents=(),
            pagination=empty_metadata(),
            stage_statistics={},
            total_time_ms=0.0,
            credits_used=0.0,
            credits_remaining=namespace.credits_remaining,
        )
        self._store.put(execution)
        return execution


def _stage_statistics(result: EngineResult) -> dict[str, dict[str, Any]]:
    stats: dict[str, dict[str, Any]] = {}
    for stage in result.stages:
        stats[stage.name] = {
            "input_count": stage.input_count,
            "output_count": stage.output_count,
            "duration_ms": stage.duration_ms,
            "efficiency": stage.output_count / stage.input_count if stage.input_count else 0.0,
        }
    return stats


def _extras(
    documents, result: EngineResult, options: ExecutionOptions
) -> tuple[tuple[str, Any], ...]:
    extras: list[tuple[str, Any]] = []
    if options.include_legacy_results:
        extras.append(("results", list(documents)))
    if options.explain:
        extras.append(
            (
                "explain_plan",
                {
                    "stages": [
                        {
                            "name": s.name,
                            "input_count": s.input_count,
                            "output_count": s.output_count,
                        }
                        for s in result.stages
                    ],
                    "total_time_ms": result.total_time_ms,
                },
            )
        )
    return tuple(extras)
