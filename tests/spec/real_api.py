"""What the real service answers and accepts beyond the seeds, as instances the contract must take.

Each :class:`Behaviour` is one sentence of FACTS.md ("The real API today, beyond the seeds",
from the official client 1.3.783 / API 0.82 and the public docs) turned into a JSON value:
an answer the real API gives, or a request it accepts. Where the seeds are silent the
contract follows the real API, so every one of them must be valid against the schema
named beside it. tests/spec checks them with JSON Schema, tests/generated with the
generated models and the official client.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ERRORS",
    "EXECUTION",
    "PARAMETERS",
    "REQUESTS",
    "RESPONSES",
    "Behaviour",
    "execution",
]


@dataclass(frozen=True)
class Behaviour:
    """One thing the real API does: the fact it comes from, the schema, the JSON value."""

    name: str
    fact: str
    schema: str
    value: Any


#: A finished execution as the seeds show it (seed 002, with seed 004's progress fields).
EXECUTION: dict[str, Any] = {
    "execution_id": "exec_abc123def456",
    "status": "completed",
    "documents": [
        {"document_id": "doc_123", "score": 0.95, "payload": {"text": "Sample content"}},
        {"document_id": "doc_456", "score": 0.88, "payload": {"text": "Another document"}},
    ],
    "pagination": {"has_next": False, "limit": 10, "offset": 0, "total": 2},
    "stage_statistics": {
        "stages": {
            "semantic_search": {
                "input_count": 300,
                "output_count": 2,
                "duration_ms": 12.5,
                "efficiency": 0.0067,
            }
        },
        "total_time_ms": 12.5,
        "credits_used": 0.5,
    },
    "budget": {"credits_remaining": 99.5, "credits_used": 0.5, "time_used_ms": 12.5},
    "created_at": "2026-11-21T10:00:00Z",
    "completed_at": "2026-11-21T10:00:00.012500Z",
    "current_stage": None,
    "stages_completed": 1,
    "total_stages": 1,
}


def execution(**changes: Any) -> dict[str, Any]:
    """:data:`EXECUTION` with some fields changed (``...`` removes one)."""
    value = copy.deepcopy(EXECUTION)
    for key, change in changes.items():
        if change is ...:
            value.pop(key, None)
        else:
            value[key] = change
    return value


def _stage(**extra: Any) -> dict[str, Any]:
    stage = copy.deepcopy(EXECUTION["stage_statistics"]["stages"]["semantic_search"])
    return {"stages": {"semantic_search": stage | extra}, "total_time_ms": 12.5}


RESPONSES: tuple[Behaviour, ...] = (
    Behaviour(
        "degraded status with what it skipped",
        "The API also answers `degraded`: the run finished but skipped something; `degraded` "
        "is then a list of {resource, id (or null), reason, next_step, stage (or null)}.",
        "ExecutionDetail",
        execution(
            status="degraded",
            degraded=[
                {
                    "resource": "collection",
                    "id": "col_archive",
                    "reason": "The collection is being re-indexed.",
                    "next_step": "Retry in a few minutes.",
                    "stage": "semantic_search",
                },
                {
                    "resource": "inference_service",
                    "id": None,
                    "reason": "The reranker did not answer in time.",
                    "next_step": "Results are unranked; retry for a reranked order.",
                    "stage": None,
                },
            ],
        ),
    ),
    Behaviour(
        "status in flight, a plain string",
        "`status` is a plain string whose common values are completed, failed, processing, "
        "pending.",
        "ExecutionDetail",
        execution(
            status="processing",
            documents=[],
            completed_at=None,
            current_stage="rerank",
            stages_completed=1,
            total_stages=3,
        ),
    ),
    Behaviour(
        "a status this contract does not know",
        "`status` is a plain string: a value outside the common ones is still a status.",
        "ExecutionDetail",
        execution(status="queued", documents=[], completed_at=None, stages_completed=0),
    ),
    Behaviour(
        "every optional field the API adds",
        "Fields the real API adds (all optional): retriever_id, trace_id, warnings, limits, "
        "optimization_applied and optimization_summary, cache_hit and cached_at, completeness, "
        "interpretation, diagnostics, explain_plan, written_to, consistency_mode, facets, "
        "results.",
        "ExecuteRetrieverResponse",
        execution(
            retriever_id="ret_product_search",
            trace_id="trace_7f3a",
            warnings=["Ignored legacy fields: offset."],
            limits=[
                {
                    "name": "top_k",
                    "requested": 100000,
                    "applied": 1000,
                    "ceiling": 1000,
                    "stage": None,
                }
            ],
            optimization_applied=True,
            optimization_summary={"rewrites": ["pushed filter into search"]},
            cache_hit=True,
            cached_at=1795000000.25,
            completeness={"semantic_search": "complete"},
            interpretation={"query": "sample"},
            diagnostics={"slow_stages": []},
            explain_plan={"stages": [{"name": "semantic_search", "cost": 1}]},
            written_to={"collection_id": "col_results", "count": 2},
            consistency_mode="eventual",
            facets=[{"field": "metadata.category", "counts": {"AI": 1, "ML": 1}}],
            results=copy.deepcopy(EXECUTION["documents"]),
        ),
    ),
    Behaviour(
        "null trace id and cache timestamp on a miss",
        "trace_id (string or null), cached_at (unix seconds or null).",
        "ExecuteRetrieverResponse",
        execution(trace_id=None, cache_hit=False, cached_at=None),
    ),
    Behaviour(
        "fields nobody has documented yet",
        "Clients must ignore fields they do not know.",
        "ExecutionDetail",
        execution(
            learned_fusion_context={"weights": [0.7, 0.3]},
            enrichment_skipped=False,
            enrichment_skipped_stages=[],
        ),
    ),
    Behaviour(
        "statistics-only read-back",
        "get-execution answers `documents: []` with `documents_retained: false` and "
        "`total_returned: <n>` (what the run returned when it ran).",
        "ExecutionDetail",
        execution(documents=[], documents_retained=False, total_returned=2),
    ),
    Behaviour(
        "read-back that kept its documents",
        "`documents_retained: true` means the list is the one the run returned.",
        "ExecutionDetail",
        execution(documents_retained=True, total_returned=2),
    ),
    Behaviour(
        "stage cache_hit unknown, and the stage's extra figures",
        "Per-stage statistics: `cache_hit` is a boolean or null; the stage may also carry "
        "`llm_calls`, `tokens_used`, `stage_cache_hit`, `cached_at`. Beside `stages`, the API "
        "may add `server_service_ms`.",
        "ExecutionDetail",
        execution(
            stage_statistics=_stage(
                cache_hit=None,
                llm_calls=2,
                tokens_used=1350,
                stage_cache_hit=None,
                cached_at=None,
            )
            | {"server_service_ms": 14.2, "credits_used": 0.5}
        ),
    ),
    Behaviour(
        "0.82 offset metadata",
        "offset `{method, page_number, page_size, returned, total, has_next}`",
        "ExecuteRetrieverResponse",
        execution(
            pagination={
                "method": "offset",
                "page_number": 1,
                "page_size": 10,
                "returned": 2,
                "total": 2,
                "has_next": False,
            }
        ),
    ),
    Behaviour(
        "0.82 cursor metadata",
        "cursor `{method, limit, returned, total, cursor, has_next}`",
        "ExecuteRetrieverResponse",
        execution(
            pagination={
                "method": "cursor",
                "limit": 2,
                "returned": 2,
                "total": 40,
                "cursor": "eyJvIjogMn0",
                "has_next": True,
            }
        ),
    ),
    Behaviour(
        "0.82 scroll metadata",
        "scroll `{method, scroll_id, limit, returned, total, has_next}`",
        "ExecuteRetrieverResponse",
        execution(
            pagination={
                "method": "scroll",
                "scroll_id": "scr_1",
                "limit": 2,
                "returned": 2,
                "total": 40,
                "has_next": True,
            }
        ),
    ),
    Behaviour(
        "0.82 keyset metadata with the next marker",
        "keyset `{method, limit, returned, total, after}`",
        "ExecuteRetrieverResponse",
        execution(
            pagination={
                "method": "keyset",
                "limit": 2,
                "returned": 2,
                "total": 40,
                "after": {"score": 0.88, "document_id": "doc_456"},
            }
        ),
    ),
    Behaviour(
        "0.82 keyset metadata on the last page",
        "keyset `{method, limit, returned, total, after}`; no marker after the last page",
        "ExecuteRetrieverResponse",
        execution(
            pagination={"method": "keyset", "limit": 10, "returned": 2, "total": 2, "after": None}
        ),
    ),
)

ERRORS: tuple[Behaviour, ...] = (
    Behaviour(
        "no success field",
        "`success` may be absent (it defaults to false).",
        "ErrorResponse",
        {"status": 404, "error": {"type": "NotFoundError", "message": "Retriever not found."}},
    ),
    Behaviour(
        "null details",
        "`details` may be null.",
        "ErrorResponse",
        {
            "success": False,
            "status": 400,
            "error": {"type": "BadRequestError", "message": "Bad request.", "details": None},
        },
    ),
    *(
        Behaviour(
            f"{kind} on {status}",
            "The API also answers other types: NotEnabledError (403), "
            "InferenceServiceUnavailableError (503), ProcessingError, FeatureExtractionError, "
            "StorageError, TimeoutError. A checker must accept any non-empty type string.",
            "ErrorResponse",
            {"success": False, "status": status, "error": {"type": kind, "message": "It failed."}},
        )
        for kind, status in (
            ("NotEnabledError", 403),
            ("InferenceServiceUnavailableError", 503),
            ("ProcessingError", 500),
            ("FeatureExtractionError", 500),
            ("StorageError", 500),
            ("TimeoutError", 504),
        )
    ),
    Behaviour(
        "429 window as a string",
        '429: `details` like `{"limit": 600, "window": "1m", "retry_after": 15}`.',
        "ErrorResponse",
        {
            "success": False,
            "status": 429,
            "error": {
                "type": "TooManyRequestsError",
                "message": "Rate limit exceeded.",
                "details": {"limit": 600, "window": "1m", "retry_after": 15},
            },
        },
    ),
)

REQUESTS: tuple[Behaviour, ...] = (
    Behaviour(
        "top-level page_size",
        "0.82 accepts a top-level `page_size` as an alias of `limit`.",
        "ExecuteRetrieverRequest",
        {"inputs": {"query": "q"}, "page_size": 25},
    ),
    Behaviour(
        "pagination without method",
        "Pagination defaults to cursor-based pagination (seed 002): `method` may be left out.",
        "ExecuteRetrieverRequest",
        {"inputs": {"query": "q"}, "pagination": {"limit": 5}},
    ),
    Behaviour(
        "pagination without method, next page",
        "A cursor page asked for without `method`.",
        "ExecuteRetrieverRequest",
        {"pagination": {"limit": 5, "cursor": "eyJvIjogNX0"}},
    ),
    Behaviour(
        "empty pagination object",
        "Every field of the default cursor pagination has a default.",
        "ExecuteRetrieverRequest",
        {"pagination": {}},
    ),
    Behaviour(
        "top_k above any ceiling",
        "No source puts an upper bound on `top_k` (a top_k above the ceiling is clamped and "
        "reported in `limits`).",
        "ExecuteRetrieverRequest",
        {"inputs": {"query": "q", "top_k": 1_000_000}},
    ),
    Behaviour(
        "a long query",
        "No source puts a length limit on `inputs.query`.",
        "ExecuteRetrieverRequest",
        {"inputs": {"query": "espresso " * 5000}},
    ),
    Behaviour(
        "a long embedding",
        "No source puts a length limit on `inputs.embedding`.",
        "ExecuteRetrieverRequest",
        {"inputs": {"embedding": [0.001] * 8192}},
    ),
    Behaviour(
        "long free-text fields",
        "No source bounds `description` or `session_id`.",
        "ExecuteRetrieverRequest",
        {"description": "d" * 5000, "session_id": "s" * 1000, "inputs": {}},
    ),
    Behaviour(
        "a body retriever_id naming another retriever",
        "The path names the retriever and wins; a body `retriever_id` naming another is ignored.",
        "ExecuteRetrieverRequest",
        {"retriever_id": "ret_other", "inputs": {"query": "q"}},
    ),
)

#: Path parameters and headers: (parameter component, value the real API accepts, fact).
PARAMETERS: tuple[tuple[str, str, str], ...] = (
    ("RetrieverId", "Product Search", "a retriever is addressed by id or by its name"),
    ("RetrieverId", "Recherche de produits élégants", "names may hold any Unicode"),
    ("RetrieverId", "r" * 300, "no length limit is published"),
    ("ExecutionId", "exec_not-one-of-ours", "an unknown one is 404, never 422"),
    ("ExecutionId", "12345", "an unknown one is 404, never 422"),
    ("Namespace", "my namespace", "X-Namespace is a plain string"),
    ("Namespace", "espace de noms é", "X-Namespace is a plain string"),
    ("Namespace", "n" * 200, "no length limit is published"),
)
