"""Runs one execute request: plans its outcome, runs DOMAIN's engine, charges the budget.

The handler hands over a prepared request (:mod:`~mixpeek_toolkit.mockserver.prepared`:
parsed, checked, digested), the namespace and the scenario; the
executor answers an :class:`Answer`: the :class:`~mixpeek_toolkit.mockserver.executions.Execution`
record (stored), or nothing when the request's ``If-None-Match`` names the entity tag
of an unchanged result (``304``: no execution, no credit spent).
Domain errors become API errors here: missing inputs and invalid filters -> 422,
an invalid cursor -> 400.

What the request asks beyond the seeds, as the real API answers it:

- a body ``retriever_id`` naming another retriever than the path is ignored, with a
  warning (the path wins);
- an ``inputs.top_k`` above ``Settings.top_k_ceiling`` is clamped, and ``limits``
  reports it;
- a filter field that no document of the searched collections has is warned about;
- a ``degraded`` outcome (scenario or ``Settings.degraded_rate``) skips one of the
  collections (or, with one collection, the semantic model) and lists what it
  skipped in ``degraded``: terminal, not an error, its documents usable.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..generated.models import ExecuteRetrieverRequest, KnownExecutionStatus, ScrollPaginationParams
from .caching import canonical_items, etag_matches, tag_of_parts
from .engine import EngineResult, InvalidFilter, run_retriever
from .engine_cache import CachedResult, EngineResultCache
from .errors import InvalidCursorError, RequestValidationFailed
from .executions import RESULT_STATUSES, Execution
from .memory import InMemoryBudgets
from .paging import (
    CursorCodec,
    InvalidCursor,
    empty_metadata,
    paginate,
)
from .protocols import BudgetLedger, IdMinter
from .randomness import ExecutionIds, derive_rng
from .scenarios import ErrorKind, Outcome, Scenario
from .settings import Settings
from .store import ExecutionStore
from .tenancy import NamespaceState
from .world import CollectionSpec, MissingInputs, RetrieverSpec, resolve_inputs

if TYPE_CHECKING:
    from .prepared import PreparedExecute

__all__ = ["Answer", "ExecutionOptions", "Executor"]

_TRACE_DIGITS = 32


@dataclass(frozen=True)
class ExecutionOptions:
    """Query-string switches that change what a completed execution answers."""

    include_legacy_results: bool = False
    explain: bool = False
    skip_cache: bool = False


@dataclass(frozen=True)
class Plan:
    """What the execution will end as, and where it starts."""

    final_status: KnownExecutionStatus
    start: Outcome
    error: str | None


@dataclass(frozen=True)
class Answer:
    """What execute answers: the execution, or ``None`` when the result is not modified.

    ``etag`` is the entity tag of the result (``None`` when the answer has none: in
    flight, failed, streamed, a scroll page).
    """

    execution: Execution | None
    etag: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.execution is None


class Executor:
    def __init__(
        self,
        settings: Settings,
        store: ExecutionStore,
        clock: Callable[[], float],
        *,
        budgets: BudgetLedger | None = None,
        ids: IdMinter | None = None,
    ) -> None:
        self._settings = settings
        self._store = store
        self._clock = clock
        self._budgets = budgets if budgets is not None else InMemoryBudgets()
        self._ids = ids if ids is not None else ExecutionIds(settings.seed)
        self._codec = CursorCodec(settings.cursor_key)
        self.engine_results = EngineResultCache()

    async def execute(
        self,
        namespace: NamespaceState,
        retriever: RetrieverSpec,
        prepared: PreparedExecute,
        scenario: Scenario | None,
        *,
        run_to_end: bool = False,
        if_none_match: str | None = None,
    ) -> Answer:
        now = self._clock()
        request, options = prepared.request, prepared.options
        inputs = self._inputs(retriever, prepared.given_inputs)
        limits = self._clamp_top_k(retriever, inputs)
        warnings = _ignored_retriever_id(namespace, retriever, request)
        fingerprint = prepared.fingerprint(namespace.name, retriever.retriever_id)
        scenario = scenario or Scenario()
        plan = self._plan(fingerprint, scenario, run_to_end)

        collections, unknown = (
            namespace.world.resolve_collections([c.root for c in request.collection_identifiers])
            if request.collection_identifiers
            else (namespace.world.collections_of(retriever), [])
        )
        if unknown:
            return Answer(
                await self._store_failure(
                    namespace,
                    retriever,
                    now,
                    ErrorKind.COLLECTION_NOT_FOUND.message,
                    stage_names=None,
                    warnings=warnings,
                    limits=limits,
                )
            )
        degraded: tuple[dict[str, Any], ...] = ()
        if plan.final_status is KnownExecutionStatus.DEGRADED:
            collections, degraded = _degrade(retriever, collections)

        cached = self._run_engine(
            retriever,
            collections,
            request,
            inputs,
            fingerprint,
            scenario.stages,
            now=now,
            use_cache=not options.skip_cache,
        )
        result = cached.result
        stage_names = tuple(stage.name for stage in result.stages)
        page = self._paginate(result, request, fingerprint, now)
        warnings += page.warnings
        warnings += [
            f"Filter field {name!r} is not present in any document of the searched collections."
            for name in result.unknown_fields
        ]

        etag = None
        if (
            plan.final_status in RESULT_STATUSES
            and plan.start is Outcome.COMPLETED
            and not request.stream
            and not _is_scroll(request)
        ):
            etag = self._etag(namespace, retriever, prepared, plan, scenario)
            if etag_matches(if_none_match, etag):
                return Answer(None, etag)

        cost = retriever.credits_per_execution
        has_result = plan.final_status in RESULT_STATUSES
        charged, remaining = (
            await self._budgets.charge(namespace, cost)
            if has_result
            else (False, await self._budgets.remaining(namespace))
        )
        if has_result and not charged:
            return Answer(
                await self._store_failure(
                    namespace,
                    retriever,
                    now,
                    ErrorKind.BUDGET_EXCEEDED.message,
                    stage_names=stage_names,
                    warnings=warnings,
                    limits=limits,
                )
            )
        start_step = {Outcome.PENDING: 0, Outcome.PROCESSING: 1}.get(
            plan.start, len(stage_names) + 1
        )
        execution_id, trace_id = self._new_ids()
        execution = Execution(
            execution_id=execution_id,
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
            credits_used=cost if has_result else 0.0,
            credits_remaining=remaining,
            warnings=tuple(warnings),
            failed_stages_completed=0
            if start_step > len(stage_names)
            else max(len(stage_names) - 1, 0),
            extras=_extras(page.documents, result, options),
            trace_id=trace_id,
            degraded=degraded,
            limits=limits,
            cache_hit=cached.hit,
            cached_at=cached.computed_at if cached.hit else None,
        )
        await self._store.put(execution)
        return Answer(execution, etag)

    # ------------------------------------------------------------------ steps

    def _inputs(self, retriever: RetrieverSpec, given: Mapping[str, Any] | None) -> dict[str, Any]:
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

    def _clamp_top_k(
        self, retriever: RetrieverSpec, inputs: dict[str, Any]
    ) -> tuple[dict[str, Any], ...]:
        """Clamp ``inputs.top_k`` (or the retriever's default) to the ceiling; the limit applied."""
        ceiling = self._settings.top_k_ceiling
        requested = inputs.get("top_k")
        if isinstance(requested, float) and requested.is_integer():  # JSON Schema's 2.0
            requested = int(requested)
        if not isinstance(requested, int) or isinstance(requested, bool) or requested < 1:
            requested = retriever.default_top_k  # what the engine would use
        if requested <= ceiling:
            return ()
        inputs["top_k"] = ceiling
        return (
            {
                "name": "top_k",
                "requested": requested,
                "applied": ceiling,
                "ceiling": ceiling,
                "stage": None,
            },
        )

    def _plan(self, fingerprint: str, scenario: Scenario, run_to_end: bool) -> Plan:
        """The scenario's outcome or, unscripted, one drawn by the chaos rates.

        One draw per request fingerprint: below ``failure_rate`` it fails, then
        ``degraded_rate`` ends it degraded, then ``in_flight_rate`` starts it in flight.
        """
        settings = self._settings
        failed = scenario.ends_failed
        degraded = scenario.ends_degraded
        in_flight = scenario.starts_in_flight
        unscripted = scenario.outcome is None and not scenario.respond_async and not failed
        rates = (settings.failure_rate, settings.degraded_rate, settings.in_flight_rate)
        if unscripted and any(rates):
            draw = derive_rng(settings.seed, "chaos", fingerprint).random()
            failure, degradation, flight = rates
            if draw < failure:
                failed = True
            elif draw < failure + degradation:
                degraded = True
            elif draw < failure + degradation + flight:
                in_flight = True
        start = Outcome.COMPLETED
        if in_flight and not run_to_end:
            start = (
                Outcome.PROCESSING if scenario.outcome is Outcome.PROCESSING else Outcome.PENDING
            )
        if failed:
            return Plan(KnownExecutionStatus.FAILED, start, scenario.failure_message)
        if degraded:
            return Plan(KnownExecutionStatus.DEGRADED, start, None)
        return Plan(KnownExecutionStatus.COMPLETED, start, None)

    def _run_engine(
        self,
        retriever: RetrieverSpec,
        collections: Sequence[CollectionSpec],
        request: ExecuteRetrieverRequest,
        inputs: dict[str, Any],
        fingerprint: str,
        stages: int | None,
        *,
        now: float,
        use_cache: bool,
    ) -> CachedResult:
        def run():
            rng = derive_rng(self._settings.seed, "engine", fingerprint)
            return run_retriever(
                retriever, collections, request, inputs, rng=rng, stage_count=stages
            )

        try:
            return self.engine_results.get_or_run(
                fingerprint, stages, retriever, collections, run, now=now, use_cache=use_cache
            )
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

    def _paginate(self, result, request: ExecuteRetrieverRequest, fingerprint: str, now: float):
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

    def _etag(
        self,
        namespace: NamespaceState,
        retriever: RetrieverSpec,
        prepared: PreparedExecute,
        plan: Plan,
        scenario: Scenario,
    ) -> str:
        """The entity tag of the result: what decides it, never the execution id."""
        settings = self._settings
        options = prepared.options
        decided_by = (namespace.name, namespace.world_state, retriever.retriever_id)
        outcome = (plan.final_status.value, scenario.stages)
        caps = (settings.top_k_ceiling, settings.cursor_secret)
        return prepared.derive(  # every input of the tag is in the key, settings included
            ("etag", settings.seed, *decided_by, *outcome, *caps),
            lambda: tag_of_parts(
                [
                    canonical_items(settings.seed, *decided_by),
                    prepared.etag_json,  # the request, rendered once
                    canonical_items(
                        [options.include_legacy_results, options.explain],
                        list(outcome),
                        list(caps),
                    ),
                ]
            ),
        )

    def _new_ids(self) -> tuple[str, str]:
        """A new execution id and its trace id (derived from the seed and the execution)."""
        execution_id = self._ids.next()
        digest = hashlib.sha256(f"trace:{self._settings.seed}:{execution_id}".encode())
        return execution_id, digest.hexdigest()[:_TRACE_DIGITS]

    async def _store_failure(
        self,
        namespace: NamespaceState,
        retriever: RetrieverSpec,
        now: float,
        message: str,
        *,
        stage_names: tuple[str, ...] | None,
        warnings: Sequence[str] = (),
        limits: tuple[dict[str, Any], ...] = (),
    ) -> Execution:
        names = stage_names if stage_names is not None else tuple(s.name for s in retriever.stages)
        execution_id, trace_id = self._new_ids()
        execution = Execution(
            execution_id=execution_id,
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
            credits_remaining=await self._budgets.remaining(namespace),
            warnings=tuple(warnings),
            trace_id=trace_id,
            limits=limits,
        )
        await self._store.put(execution)
        return execution


def _is_scroll(request: ExecuteRetrieverRequest) -> bool:
    """Scroll pages are bound to a snapshot and a clock: they get no entity tag."""
    return request.pagination is not None and isinstance(
        request.pagination.root, ScrollPaginationParams
    )


def _ignored_retriever_id(
    namespace: NamespaceState, retriever: RetrieverSpec, request: ExecuteRetrieverRequest
) -> list[str]:
    """A warning when the body's ``retriever_id`` names another retriever (the path wins)."""
    named = request.retriever_id
    if named is None:
        return []
    found = namespace.world.find_retriever(named)
    if found is not None and found.retriever_id == retriever.retriever_id:
        return []
    shown = named if len(named) <= 80 else named[:80] + "..."
    return [
        f"Ignored body field 'retriever_id' ({shown!r}): the path names retriever "
        f"{retriever.retriever_id!r}, which was executed."
    ]


def _degrade(
    retriever: RetrieverSpec, collections: Sequence[CollectionSpec]
) -> tuple[list[CollectionSpec], tuple[dict[str, Any], ...]]:
    """What a degraded run searches, and what it skipped (``DegradedEntry`` objects).

    With two collections or more the last one is skipped (fewer documents); with one,
    the semantic model is (the documents are ranked by keywords only, as the engine does).
    """
    stage = retriever.stages[0].name if retriever.stages else None
    if len(collections) >= 2:
        skipped = collections[-1]
        entry = {
            "resource": "collection",
            "id": skipped.collection_id,
            "reason": f"Collection {skipped.name!r} did not answer in time; its documents "
            "are missing from the result.",
            "next_step": "Retry the execution, or leave the collection out with "
            "collection_identifiers.",
            "stage": stage,
        }
        return list(collections[:-1]), (entry,)
    entry = {
        "resource": "inference_service",
        "id": None,
        "reason": "The embedding model did not answer in time; documents were ranked by "
        "keyword relevance only.",
        "next_step": "Retry the execution later for semantic ranking.",
        "stage": stage,
    }
    return list(collections), (entry,)


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
