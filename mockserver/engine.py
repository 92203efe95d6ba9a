"""Run a retriever over its collections' documents: the mock's search engine.

:func:`run_retriever` is pure: the same retriever, documents, request, inputs and rng
state give the same :class:`EngineResult`. The pipeline, in order:

1. score every document of the collections (``inputs.query`` / ``inputs.embedding``,
   see :mod:`mixpeek_toolkit.mockserver.scoring`);
2. keep the documents that pass ``filters`` (the request's, a ``filters``-typed input,
   and every input whose schema names a ``field`` to match by equality);
3. drop scores below ``inputs.min_score``;
4. order by ``sort`` (default: score descending, ties by ``document_id`` ascending;
   documents lacking the sort field come last);
5. ``group_by``: at most ``max_features`` documents per value of the field, each
   tagged with its ``group_key``; groups come in the order of their best document,
   and inside a group documents follow ``group_by.sort`` (score by default);
6. keep the first ``inputs.top_k`` (default: the retriever's ``default_top_k``; the
   executor has already clamped it to ``Settings.top_k_ceiling``);
7. ``select``: keep only the listed dot paths (``document_id`` and ``score`` always).

What it costs: a document is never visited to be filtered. The filters select from
each collection's field columns and their indexes, built once per world
(:mod:`~mixpeek_toolkit.mockserver.filter_nodes`); only the documents that pass are
scored (a score does not depend on the others), and under the default order only the
contenders of the first ``top_k`` are sorted (:mod:`~mixpeek_toolkit.mockserver.ranking`).
The answer is the same as the plain pipeline's (tests/mockserver/domain/
test_engine_reference.py proves it on random worlds).

Stage statistics spread these counts over the retriever's stages (or ``stage_count``
stages, for scenarios): stage ``i``'s input is stage ``i - 1``'s output, the first
stage reads every candidate and the last one outputs the final result. Durations come
from ``rng``, rounded to microseconds; ``total_time_ms`` is their sum.
"""

from __future__ import annotations

import functools
import math
import operator
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..generated.models import ExecuteRetrieverRequest
from .bitsets import positions_of
from .filters import MAX_DEPTH, Filter, InvalidFilter, compile_filter, filter_fields
from .ranking import Item, rank
from .scoring import score_documents
from .shaping import RankedDocuments, copy_json
from .world import CollectionSpec, RetrieverSpec, StageSpec

__all__ = [
    "EngineResult",
    "InvalidFilter",
    "RankedDocuments",
    "StageRun",
    "copy_json",
    "run_retriever",
    "sort_key_fields",
]

_DURATION_MS = {  # plausible duration ranges per stage kind, before a per-document cost
    "search": (4.0, 25.0),
    "filter": (0.3, 3.0),
    "rerank": (15.0, 80.0),
    "sort": (0.2, 2.0),
    "group": (0.5, 4.0),
    "select": (0.1, 1.0),
}


@dataclass(frozen=True, slots=True)
class StageRun:
    name: str
    input_count: int
    output_count: int
    duration_ms: float
    kind: str = "search"

    @property
    def efficiency(self) -> float:
        """output / input, 0 when the stage read nothing (the spec's definition)."""
        return round(self.output_count / self.input_count, 4) if self.input_count else 0.0

    def statistics(self) -> dict[str, Any]:
        """This stage as the spec's ``StageStatistics``."""
        return {
            "input_count": self.input_count,
            "output_count": self.output_count,
            "duration_ms": self.duration_ms,
            "efficiency": self.efficiency,
        }


@dataclass(frozen=True, slots=True)
class EngineResult:
    documents: RankedDocuments  # the whole ranked result, shaped when read
    stages: tuple[StageRun, ...]
    total_time_ms: float
    # Fields the request's filters name that no document of the collections has.
    unknown_fields: tuple[str, ...] = ()

    def stage_statistics(self, credits_used: float | None = None) -> dict[str, Any]:
        """The spec's ``RetrieverExecutionStatistics`` of this run."""
        out: dict[str, Any] = {
            "stages": {s.name: s.statistics() for s in self.stages},
            "total_time_ms": self.total_time_ms,
        }
        if credits_used is not None:
            out["credits_used"] = credits_used
        return out


def sort_key_fields(request: ExecuteRetrieverRequest) -> tuple[str, ...]:
    """The fields that order the result: ``("score", "document_id")`` by default."""
    field = request.sort.field if request.sort is not None else "score"
    return (field, "document_id") if field != "document_id" else ("document_id",)


def _input_filters(
    retriever: RetrieverSpec, inputs: Mapping[str, Any], max_depth: int
) -> list[Filter]:
    filters = []
    for spec in retriever.inputs:
        value = inputs.get(spec.name)
        if value is None:
            continue
        location = ("body", "inputs", spec.name)
        if spec.type == "filters":
            if not isinstance(value, Mapping):
                raise InvalidFilter(f"Input {spec.name!r} must be a filter object", location)
            filters.append(compile_filter(value, max_depth=max_depth, location=location))
        elif spec.field is not None:
            condition = {"AND": [{"field": spec.field, "operator": "eq", "value": value}]}
            filters.append(compile_filter(condition, max_depth=max_depth, location=location))
    return filters


def _passing(collection: CollectionSpec, filters: Sequence[Filter]) -> list[int] | None:
    """Positions of the collection's documents that pass every filter (None: all do)."""
    if not filters:
        return None
    columns = collection.columns
    return positions_of(functools.reduce(operator.and_, (f.select(columns) for f in filters)))


def _top_k(retriever: RetrieverSpec, inputs: Mapping[str, Any]) -> int:
    top_k = inputs.get("top_k")
    if isinstance(top_k, float) and top_k.is_integer():  # JSON Schema's integer 2.0
        top_k = int(top_k)
    if not isinstance(top_k, int) or isinstance(top_k, bool) or top_k < 1:
        top_k = retriever.default_top_k
    return top_k


def _stage_plan(retriever: RetrieverSpec, stage_count: int | None) -> list[StageSpec]:
    stages = list(retriever.stages)
    if stage_count is None:
        return stages
    if stage_count < 1:
        raise ValueError("stage_count must be at least 1")
    taken = {s.name for s in stages}
    n = len(stages)
    while len(stages) < stage_count:
        n += 1
        name = f"stage_{n}"
        if name not in taken:
            stages.append(StageSpec(name, "filter"))
    return stages[:stage_count]


def _stage_runs(
    plan: Sequence[StageSpec], funnel: Sequence[int], rng: random.Random
) -> tuple[tuple[StageRun, ...], float]:
    s = len(plan)
    counts = [funnel[round(i * (len(funnel) - 1) / s)] for i in range(s + 1)]
    runs = []
    for i, stage in enumerate(plan):
        low, high = _DURATION_MS.get(stage.kind, (0.5, 5.0))
        per_document = 0.002 * math.log1p(counts[i])
        duration = round(rng.uniform(low, high) + per_document, 3)
        runs.append(StageRun(stage.name, counts[i], counts[i + 1], duration, stage.kind))
    return tuple(runs), sum(r.duration_ms for r in runs)


def run_retriever(
    retriever: RetrieverSpec,
    collections: Sequence[CollectionSpec],
    request: ExecuteRetrieverRequest,
    inputs: Mapping[str, Any],
    *,
    rng: random.Random,
    stage_count: int | None = None,
    max_filter_depth: int = MAX_DEPTH,
) -> EngineResult:
    """Run ``retriever`` over ``collections`` (see the module docstring for the pipeline).

    ``inputs`` are the resolved inputs (:func:`mixpeek_toolkit.mockserver.world.resolve_inputs`).
    Raises :class:`InvalidFilter` for a malformed or too deep filter. The result's
    ``unknown_fields`` lists the fields the request's filters name that no document
    of the collections has (the answer warns about each).
    """
    filters = [compile_filter(request.filters, max_depth=max_filter_depth)]
    filters += _input_filters(retriever, inputs, max_filter_depth)
    active = [f for f in filters if not f.always]

    query = inputs.get("query")
    embedding = inputs.get("embedding")
    if not (
        isinstance(embedding, list)
        and all(isinstance(x, int | float) and not isinstance(x, bool) for x in embedding)
    ):
        embedding = None
    candidates = 0
    passed: list[Item] = []  # only the documents that pass the filters are scored
    for collection in collections:
        documents = collection.documents
        candidates += len(documents)
        positions = _passing(collection, active)
        scores = score_documents(
            collection.index, query if isinstance(query, str) else None, embedding, positions
        )
        chosen = documents if positions is None else [documents[p] for p in positions]
        passed += zip(chosen, scores, strict=True)

    min_score = inputs.get("min_score")
    if isinstance(min_score, int | float) and not isinstance(min_score, bool):
        kept = [item for item in passed if item[1] >= min_score]
    else:
        kept = passed
    final, grouped_count = rank(kept, request.sort, request.group_by, _top_k(retriever, inputs))

    documents = RankedDocuments(
        [(document, score, group_key) for (document, score), group_key in final],
        [s.root for s in request.select] if request.select is not None else None,
        grouped=request.group_by is not None,
    )

    funnel = [candidates, len(passed), len(kept), grouped_count, len(final)]
    stages, total = _stage_runs(_stage_plan(retriever, stage_count), funnel, rng)
    unknown = tuple(
        name
        for name in filter_fields(request.filters)
        if all(c.columns.column(name).present == 0 for c in collections)
    )
    return EngineResult(
        documents=documents, stages=stages, total_time_ms=total, unknown_fields=unknown
    )
