# Generated from spec/openapi.yaml by datamodel-code-generator 0.89.0: do not edit.
# Regenerate with `make generate`; tests/generated/test_models_drift.py fails on drift.

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, RootModel


class CollectionIdentifier(RootModel[str]):
    root: Annotated[str, Field(min_length=1)]


class SelectItem(RootModel[str]):
    root: Annotated[str, Field(min_length=1)]


class ExpandItem(RootModel[str]):
    root: Annotated[str, Field(min_length=1)]


class RetrieverInputs(BaseModel):
    """
    Runtime inputs mapped to the retriever's input schema. Keys must match its
    input names; inputs the schema declares with a default may be left out, and a
    missing required input is refused with `422`. Besides the common keys below,
    any custom input of the retriever is accepted.

    """

    model_config = ConfigDict(
        extra="allow",
    )
    query: str | None = None
    """
    Text search query. No length limit is published.
    """
    embedding: list[float] | None = None
    """
    Pre-computed query vector. No length limit is published.
    """
    top_k: Annotated[int | None, Field(ge=1)] = None
    """
    Most documents the retriever returns in all (the result's size, across
    pages). There is no upper bound: a value above the server's ceiling is
    clamped to it, and the answer's `limits` reports the clamp.

    """
    min_score: float | None = None
    """
    Minimum relevance score of a returned document.
    """


class OffsetPaginationParams(BaseModel):
    """
    Page number pagination. Page `n` starts at `(n - 1) * page_size`.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    method: Literal["offset"]
    """
    Selects offset pagination.
    """
    page_size: Annotated[int | None, Field(ge=1, le=500)] = 10
    """
    Documents per page.
    """
    page_number: Annotated[int | None, Field(ge=1)] = 1
    """
    1-based page to answer.
    """


class CursorPaginationParams(BaseModel):
    """
    Opaque cursor pagination, the default method: `method` may be left out.
    `cursor` is null for the first page.

    """

    model_config = ConfigDict(
        extra="forbid",
    )
    method: Literal["cursor"] = "cursor"
    """
    Selects cursor pagination (the default when absent).
    """
    limit: Annotated[int | None, Field(ge=1, le=500)] = 10
    """
    Most documents per page.
    """
    cursor: str | None = None
    """
    The `cursor` of the previous response, unchanged; null for the first page.
    """


class ScrollPaginationParams(BaseModel):
    """
    Scroll pagination over a snapshot kept for `scroll_ttl` seconds.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    method: Literal["scroll"]
    """
    Selects scroll pagination.
    """
    limit: Annotated[int | None, Field(ge=1, le=1000)] = 100
    """
    Documents per scroll page.
    """
    scroll_id: str | None = None
    """
    The `scroll_id` of the previous response, unchanged; null for the first page.
    """
    scroll_ttl: Annotated[int | None, Field(ge=60, le=3600)] = 300
    """
    Seconds the scroll context stays valid; a scroll_id used later is refused with 400.
    """


class KeysetPaginationParams(BaseModel):
    """
    Keyset pagination on the sort key. `after` is null for the first page, then
    the `next_cursor` of the previous response: it carries the sort fields of
    the last document seen (`score` and `document_id` under the default sort).

    """

    model_config = ConfigDict(
        extra="forbid",
    )
    method: Literal["keyset"]
    """
    Selects keyset pagination.
    """
    limit: Annotated[int | None, Field(ge=1, le=500)] = 10
    """
    Most documents per page.
    """
    after: dict[str, Any] | None = None
    """
    The `next_cursor` of the previous response; null for the first page. Must carry every sort field and `document_id`.
    """


class FilterOperator(StrEnum):
    """
    Comparison operator. Defaults to `eq`.
    """

    EQ = "eq"
    NE = "ne"
    GT = "gt"
    LT = "lt"
    GTE = "gte"
    LTE = "lte"
    IN = "in"
    NIN = "nin"
    CONTAINS = "contains"
    STARTS_WITH = "starts_with"
    ENDS_WITH = "ends_with"
    REGEX = "regex"
    EXISTS = "exists"
    IS_NULL = "is_null"
    TEXT = "text"
    PHRASE = "phrase"
    WORDS = "words"
    GEO_RADIUS = "geo_radius"
    GEO_BOUNDING_BOX = "geo_bounding_box"
    GEO_POLYGON = "geo_polygon"


class SortDirection(StrEnum):
    ASC = "asc"
    DESC = "desc"


class Mode(StrEnum):
    """
    `strong` reads see every acknowledged write; `eventual` reads may lag.
    """

    STRONG = "strong"
    EVENTUAL = "eventual"


class ReadConsistency(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    mode: Mode
    """
    `strong` reads see every acknowledged write; `eventual` reads may lag.
    """
    max_staleness_ms: Annotated[int | None, Field(ge=0)] = None
    """
    With `eventual`, the most a replica may lag, in milliseconds.
    """


class ExecutionId(RootModel[str]):
    root: Annotated[
        str,
        Field(
            examples=["exec_abc123def456", "exec_xyz789"],
            pattern="^exec_[A-Za-z0-9]+$",
            title="ExecutionId",
        ),
    ]
    """
    `exec_` followed by an alphanumeric token (seed 002).
    """


class ExecutionStatus(RootModel[str]):
    root: Annotated[
        str,
        Field(
            examples=["completed", "failed", "processing", "pending", "degraded"],
            min_length=1,
            title="ExecutionStatus",
        ),
    ]
    """
    The execution's state, a plain string. The seeds call their list "common
    values"; the values the API answers are those of `KnownExecutionStatus`.

    """


class KnownExecutionStatus(StrEnum):
    """
    The statuses the API answers and how each reads:
    `pending` (accepted, not started; in flight), `processing` (stages running;
    in flight), `completed` (documents ready; terminal), `failed` (see `error`;
    terminal, an error) and `degraded` (the run finished but skipped something,
    listed in `degraded`; terminal, not an error: its documents are usable).
    `x-lifecycle-rank` orders them: a status never moves to a lower rank, and the
    top rank is terminal. `x-error-statuses` are the statuses that carry `error`.

    """

    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    DEGRADED = "degraded"


class DegradedEntry(BaseModel):
    """
    Something a `degraded` execution skipped, and what to do about it.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    resource: str
    """
    The kind of resource that was skipped (a collection, a stage, an inference service...).
    """
    id: str | None = None
    """
    Its identifier, when it has one.
    """
    reason: str
    """
    Why it was skipped.
    """
    next_step: str | None = None
    """
    What the caller can do about it.
    """
    stage: str | None = None
    """
    The stage that skipped it, when one did.
    """


class LimitEntry(BaseModel):
    """
    A cap that clamped the request, e.g. a `top_k` above the ceiling.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    name: str
    """
    What was capped (`top_k`, `page_size`, ...).
    """
    requested: Any | None = None
    """
    The value the request asked for.
    """
    applied: Any | None = None
    """
    The value the server used.
    """
    ceiling: Any | None = None
    """
    The server's ceiling for it.
    """
    stage: str | None = None
    """
    The stage whose cap applied, if any.
    """


class Document(BaseModel):
    """
    One result document. Enrichment and join stages may add fields; `group_by`
    adds `group_key`.

    """

    model_config = ConfigDict(
        extra="allow",
    )
    document_id: Annotated[str, Field(min_length=1)]
    """
    The document's identifier, unique within one execution's result.
    """
    score: float
    """
    Relevance score; documents come highest first unless `sort` says otherwise.
    """
    payload: dict[str, Any] | None = None
    """
    The document's data (text, metadata, and collection-specific fields).
    """
    collection_id: str | None = None
    """
    The collection the document comes from.
    """
    group_key: Any | None = None
    """
    The value of the `group_by` field this document was grouped under.
    """


class OffsetPaginationResponse1(BaseModel):
    """
    Offset and page-number pagination metadata: the seeds' shape `{total, limit,
    offset, has_next, has_previous}`, or API 0.82's `{method, page_number,
    page_size, returned, total, has_next}`.

    """

    model_config = ConfigDict(
        extra="allow",
    )
    method: Literal["offset"] | None = None
    """
    `offset` (newer servers).
    """
    total: Annotated[int, Field(ge=0)]
    """
    Documents in the whole result, before the page slice.
    """
    limit: Annotated[int, Field(ge=1)]
    """
    Page size used.
    """
    offset: Annotated[int, Field(ge=0)]
    """
    Position of this page's first document in the result.
    """
    has_next: bool
    """
    Whether documents follow this page.
    """
    has_previous: bool | None = None
    """
    Whether documents precede this page.
    """
    page_number: Annotated[int | None, Field(ge=1)] = None
    """
    1-based number of this page.
    """
    page_size: Annotated[int | None, Field(ge=1)] = None
    """
    Page size used.
    """
    returned: Annotated[int | None, Field(ge=0)] = None
    """
    Documents in this page.
    """


class OffsetPaginationResponse2(BaseModel):
    """
    Offset and page-number pagination metadata: the seeds' shape `{total, limit,
    offset, has_next, has_previous}`, or API 0.82's `{method, page_number,
    page_size, returned, total, has_next}`.

    """

    model_config = ConfigDict(
        extra="allow",
    )
    method: Literal["offset"] | None = None
    """
    `offset` (newer servers).
    """
    total: Annotated[int, Field(ge=0)]
    """
    Documents in the whole result, before the page slice.
    """
    limit: Annotated[int | None, Field(ge=1)] = None
    """
    Page size used.
    """
    offset: Annotated[int | None, Field(ge=0)] = None
    """
    Position of this page's first document in the result.
    """
    has_next: bool
    """
    Whether documents follow this page.
    """
    has_previous: bool | None = None
    """
    Whether documents precede this page.
    """
    page_number: Annotated[int, Field(ge=1)]
    """
    1-based number of this page.
    """
    page_size: Annotated[int, Field(ge=1)]
    """
    Page size used.
    """
    returned: Annotated[int | None, Field(ge=0)] = None
    """
    Documents in this page.
    """


class OffsetPaginationResponse(RootModel[OffsetPaginationResponse1 | OffsetPaginationResponse2]):
    root: Annotated[
        OffsetPaginationResponse1 | OffsetPaginationResponse2,
        Field(title="OffsetPaginationResponse"),
    ]
    """
    Offset and page-number pagination metadata: the seeds' shape `{total, limit,
    offset, has_next, has_previous}`, or API 0.82's `{method, page_number,
    page_size, returned, total, has_next}`.

    """


class CursorPaginationResponse(BaseModel):
    """
    Cursor pagination metadata. `cursor` fetches the next page and is null on the last.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    method: Literal["cursor"] | None = None
    """
    `cursor` (newer servers).
    """
    cursor: str | None
    """
    Opaque token of the next page; null on the last page.
    """
    has_next: bool
    """
    Whether documents follow this page.
    """
    page_size: Annotated[int | None, Field(ge=1)] = None
    """
    Page size used.
    """
    limit: Annotated[int | None, Field(ge=1)] = None
    """
    Page size used (newer servers).
    """
    returned: Annotated[int | None, Field(ge=0)] = None
    """
    Documents in this page.
    """
    total: Annotated[int | None, Field(ge=0)] = None
    """
    Documents in the whole result, before the page slice.
    """


class ScrollPaginationResponse(BaseModel):
    """
    Scroll pagination metadata. `scroll_id` fetches the next page and is null on the last.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    method: Literal["scroll"] | None = None
    """
    `scroll` (newer servers).
    """
    scroll_id: str | None
    """
    Opaque token of the next scroll page; null on the last page.
    """
    has_next: bool
    """
    Whether documents follow this page.
    """
    limit: Annotated[int | None, Field(ge=1)] = None
    """
    Page size used.
    """
    returned: Annotated[int | None, Field(ge=0)] = None
    """
    Documents in this page.
    """
    total: Annotated[int | None, Field(ge=0)] = None
    """
    Documents in the whole result, before the page slice.
    """


class KeysetPaginationResponse1(BaseModel):
    """
    Keyset pagination metadata. The seeds' shape `{next_cursor, has_next}`:
    `next_cursor` is the `after` marker of the next page, null on the last. API
    0.82 answers `{method, limit, returned, total, after}`, where `after` is that
    marker.

    """

    model_config = ConfigDict(
        extra="allow",
    )
    method: Literal["keyset"] | None = None
    """
    `keyset` (newer servers).
    """
    next_cursor: dict[str, Any] | None
    """
    The `after` marker of the next page (the sort fields and `document_id` of this page's last document); null on the last page.
    """
    after: dict[str, Any] | None = None
    """
    API 0.82's name of the next page's marker; null on the last page.
    """
    has_next: bool
    """
    Whether documents follow this page.
    """
    limit: Annotated[int | None, Field(ge=1)] = None
    """
    Page size used.
    """
    returned: Annotated[int | None, Field(ge=0)] = None
    """
    Documents in this page.
    """
    total: Annotated[int | None, Field(ge=0)] = None
    """
    Documents in the whole result, before the page slice.
    """


class KeysetPaginationResponse2(BaseModel):
    """
    Keyset pagination metadata. The seeds' shape `{next_cursor, has_next}`:
    `next_cursor` is the `after` marker of the next page, null on the last. API
    0.82 answers `{method, limit, returned, total, after}`, where `after` is that
    marker.

    """

    model_config = ConfigDict(
        extra="allow",
    )
    method: Literal["keyset"] | None = None
    """
    `keyset` (newer servers).
    """
    next_cursor: dict[str, Any] | None = None
    """
    The `after` marker of the next page (the sort fields and `document_id` of this page's last document); null on the last page.
    """
    after: dict[str, Any] | None
    """
    API 0.82's name of the next page's marker; null on the last page.
    """
    has_next: bool | None = None
    """
    Whether documents follow this page.
    """
    limit: Annotated[int | None, Field(ge=1)] = None
    """
    Page size used.
    """
    returned: Annotated[int | None, Field(ge=0)] = None
    """
    Documents in this page.
    """
    total: Annotated[int | None, Field(ge=0)] = None
    """
    Documents in the whole result, before the page slice.
    """


class KeysetPaginationResponse(RootModel[KeysetPaginationResponse1 | KeysetPaginationResponse2]):
    root: Annotated[
        KeysetPaginationResponse1 | KeysetPaginationResponse2,
        Field(title="KeysetPaginationResponse"),
    ]
    """
    Keyset pagination metadata. The seeds' shape `{next_cursor, has_next}`:
    `next_cursor` is the `after` marker of the next page, null on the last. API
    0.82 answers `{method, limit, returned, total, after}`, where `after` is that
    marker.

    """


class PaginationResponse(
    RootModel[
        OffsetPaginationResponse
        | CursorPaginationResponse
        | ScrollPaginationResponse
        | KeysetPaginationResponse
    ]
):
    root: Annotated[
        OffsetPaginationResponse
        | CursorPaginationResponse
        | ScrollPaginationResponse
        | KeysetPaginationResponse,
        Field(title="PaginationResponse"),
    ]
    """
    Pagination metadata; its shape follows the request's method. Offset:
    `{total, limit, offset, has_next, has_previous}`; cursor: `{cursor, has_next,
    page_size}`; scroll: `{scroll_id, has_next}`; keyset: `{next_cursor,
    has_next}`. Each may also carry `method`, `returned` and `total`. API 0.82's
    shapes are accepted too (offset by `page_number`/`page_size`, keyset with
    `after`); a client walking pages must work with either.

    """


class StageStatistics(BaseModel):
    """
    Statistics of one stage. Each stage's input is the previous stage's output.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    input_count: Annotated[int, Field(ge=0)]
    """
    Documents the stage received: the previous stage's output_count.
    """
    output_count: Annotated[int, Field(ge=0)]
    """
    Documents the stage emitted.
    """
    duration_ms: Annotated[float, Field(ge=0.0)]
    """
    Wall-clock duration of the stage, in milliseconds.
    """
    efficiency: Annotated[float, Field(ge=0.0)]
    """
    output_count / input_count; 0 when input_count is 0.
    """
    cache_hit: bool | None = None
    """
    Whether the stage answered from its cache; null when unknown.
    """
    error: str | None = None
    """
    Stage-level error when the stage failed but the execution went on.
    """
    metadata: dict[str, Any] | None = None
    """
    Stage-specific details.
    """
    llm_calls: Annotated[int | None, Field(ge=0)] = None
    """
    Calls the stage made to a language model.
    """
    tokens_used: Annotated[int | None, Field(ge=0)] = None
    """
    Tokens those calls used.
    """
    stage_cache_hit: bool | None = None
    """
    Whether the stage's own cache answered; null when unknown.
    """
    cached_at: float | None = None
    """
    Unix time (seconds) of the cached answer, or null.
    """


class RetrieverExecutionStatistics(BaseModel):
    """
    Per-stage statistics keyed by stage name, in execution order; stage times add up to `total_time_ms`.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    stages: dict[str, StageStatistics]
    """
    Statistics of each stage, keyed by stage name.
    """
    total_time_ms: Annotated[float, Field(ge=0.0)]
    """
    Total execution time: the sum of the stages' duration_ms.
    """
    credits_used: Annotated[float | None, Field(ge=0.0)] = None
    """
    Credits consumed by all stages.
    """
    server_service_ms: Annotated[float | None, Field(ge=0.0)] = None
    """
    Time the server spent on the request, in milliseconds.
    """


class Budget(BaseModel):
    """
    Budget usage snapshot of this execution.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    credits_used: Annotated[float, Field(ge=0.0)]
    """
    Credits this execution consumed.
    """
    credits_remaining: Annotated[float, Field(ge=0.0)]
    """
    Credits the namespace has left after this execution.
    """
    time_used_ms: Annotated[float, Field(ge=0.0)]
    """
    Execution time in milliseconds.
    """


class ExecuteRetrieverResponse(BaseModel):
    """
    An execution. `error` is a string exactly when `status` is `failed`. While the
    execution is in flight, `documents` is empty. Unknown fields may be added
    by newer servers; clients ignore them.

    """

    model_config = ConfigDict(
        extra="allow",
    )
    retriever_id: str | None = None
    """
    The retriever that was executed (its ID).
    """
    execution_id: ExecutionId
    status: ExecutionStatus
    documents: list[Document]
    """
    This page of the ranked result; empty while in flight, when failed, when
    nothing matched, or when a read-back does not retain documents
    (`documents_retained: false`).

    """
    pagination: PaginationResponse
    stage_statistics: RetrieverExecutionStatistics
    budget: Budget
    error: str | None = None
    """
    Why the execution failed, present only when `status` is `failed`, for
    example `Retriever execution failed: Collection not found` or
    `Budget exceeded: Maximum credits limit reached`.

    """
    warnings: list[str] | None = None
    """
    Problems that did not stop the execution, such as ignored legacy fields or
    a filter naming a field no document has.

    """
    degraded: list[DegradedEntry] | None = None
    """
    What a `degraded` execution skipped.
    """
    limits: list[LimitEntry] | None = None
    """
    Caps that clamped the request (a `top_k` above the ceiling, ...).
    """
    trace_id: str | None = None
    """
    Identifier of this execution's trace, for support requests.
    """
    optimization_applied: bool | None = None
    """
    Whether the server rewrote the retriever's plan for speed.
    """
    optimization_summary: Any | None = None
    """
    What the optimisation changed (any JSON).
    """
    cache_hit: bool | None = None
    """
    Whether the result was answered from the result cache.
    """
    cached_at: float | None = None
    """
    Unix time (seconds) when the cached result was computed; null on a miss.
    """
    documents_retained: bool | None = None
    """
    On a read-back: `true` when `documents` is the list the run returned,
    `false` when the server keeps statistics only (`documents: []`, see
    `total_returned`).

    """
    total_returned: Annotated[int | None, Field(ge=0)] = None
    """
    How many documents the run returned when it ran.
    """
    completeness: Any | None = None
    """
    How complete the result is (any JSON).
    """
    interpretation: Any | None = None
    """
    How the server read the query (any JSON).
    """
    diagnostics: Any | None = None
    """
    Diagnostics of the run (any JSON).
    """
    explain_plan: Any | None = None
    """
    The query profile; only with `explain=true` (any JSON).
    """
    written_to: Any | None = None
    """
    Where the results were written; only with `target_collection_id` (any JSON).
    """
    consistency_mode: Any | None = None
    """
    The read consistency the run used (any JSON).
    """
    facets: Any | None = None
    """
    Facet counts of the result (any JSON).
    """
    results: Annotated[list[Document] | None, Field(deprecated=True)] = None
    """
    Deprecated alias of `documents`, only with `?include_legacy_results=true`.
    """


class ExecutionProgress(BaseModel):
    """
    Progress of an execution (seed 004).
    """

    model_config = ConfigDict(
        extra="allow",
    )
    created_at: AwareDatetime
    """
    When the execution began.
    """
    completed_at: AwareDatetime | None
    """
    When the execution finished; null while in flight.
    """
    current_stage: str | None
    """
    The stage running now while in flight; null once finished.
    """
    stages_completed: Annotated[int, Field(ge=0)]
    """
    Stages finished so far.
    """
    total_stages: Annotated[int, Field(ge=0)]
    """
    Stages configured.
    """


class ExecutionDetail(ExecuteRetrieverResponse, ExecutionProgress):
    """
    An execution read back, with its progress.
    """


class EventType(StrEnum):
    """
    What happened.
    """

    STAGE_START = "stage_start"
    STAGE_COMPLETE = "stage_complete"
    STAGE_ERROR = "stage_error"
    EXECUTION_COMPLETE = "execution_complete"
    EXECUTION_ERROR = "execution_error"


class StreamStageEvent(BaseModel):
    """
    One Server-Sent Event of a streaming execution (`"stream": true`).
    """

    model_config = ConfigDict(
        extra="allow",
    )
    event_type: EventType
    """
    What happened.
    """
    execution_id: ExecutionId
    stage_name: str | None = None
    """
    The stage the event is about.
    """
    stage_index: Annotated[int | None, Field(ge=0)] = None
    """
    Zero-based position of the stage.
    """
    total_stages: Annotated[int | None, Field(ge=0)] = None
    """
    Stages the execution runs.
    """
    documents: list[Document] | None = None
    """
    Documents after the stage (`stage_complete`) or the final page (`execution_complete`).
    """
    pagination: PaginationResponse | None = None
    """
    Pagination of the final page (`execution_complete`).
    """
    statistics: StageStatistics | None = None
    """
    Statistics of the stage (`stage_complete`).
    """
    budget_used: Budget | None = None
    """
    Budget consumed so far.
    """
    error: str | None = None
    """
    Why the stage or the execution failed (`stage_error`, `execution_error`).
    """
    trace_id: str | None = None
    """
    Identifier of the execution's trace, as on the execution.
    """
    status: ExecutionStatus | None = None
    """
    The execution's final status (`execution_complete`): `completed` or `degraded`.
    """
    degraded: list[DegradedEntry] | None = None
    """
    What a degraded execution skipped (`execution_complete`).
    """


class KnownErrorType(StrEnum):
    """
    The usual error type of each HTTP status (`x-type-by-status`). The API also
    answers other types, so `ErrorDetail.type` is any non-empty string.

    """

    BAD_REQUEST_ERROR = "BadRequestError"
    UNAUTHORIZED_ERROR = "UnauthorizedError"
    FORBIDDEN_ERROR = "ForbiddenError"
    NOT_FOUND_ERROR = "NotFoundError"
    ALREADY_EXISTS_ERROR = "AlreadyExistsError"
    VALIDATION_ERROR = "ValidationError"
    TOO_MANY_REQUESTS_ERROR = "TooManyRequestsError"
    INTERNAL_SERVER_ERROR = "InternalServerError"
    SERVICE_UNAVAILABLE_ERROR = "ServiceUnavailableError"


class ValidationIssue(BaseModel):
    model_config = ConfigDict(
        extra="allow",
    )
    type: str
    """
    Machine-readable kind of problem (`missing`, `less_than_equal`, ...).
    """
    location: list[str | int]
    """
    Where the problem is, from the part of the request (`body`, `path`, `header`, `query`) down.
    """
    message: str
    """
    Human-readable explanation of the problem.
    """


class ErrorDetails(BaseModel):
    """
    Structured details; `validation_errors` on 422, `limit`/`window`/`retry_after` on 429.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    validation_errors: list[ValidationIssue] | None = None
    """
    Every problem of a 422, with its location.
    """
    limit: Annotated[int | None, Field(ge=0)] = None
    """
    Requests allowed per window (429).
    """
    window: int | str | None = None
    """
    Window length (429): seconds, or a string such as `1m`.
    """
    retry_after: Annotated[int | None, Field(ge=0)] = None
    """
    Seconds to wait before retrying (429).
    """


class ErrorDetail(BaseModel):
    model_config = ConfigDict(
        extra="allow",
    )
    type: Annotated[str, Field(min_length=1)]
    """
    The error's type; usually the one `KnownErrorType` names for the status.
    """
    message: Annotated[str, Field(min_length=1)]
    """
    Human-readable explanation, saying what to do where it can.
    """
    code: str | None = None
    """
    Fine-grained error code for programmatic handling.
    """
    details: ErrorDetails | None = None
    """
    Structured details, or null.
    """


class ErrorResponse(BaseModel):
    """
    The error envelope every error response uses.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    success: Literal[False] = False
    """
    Always false for errors; may be absent (it defaults to false).
    """
    status: Annotated[int, Field(ge=400, le=599)]
    """
    The HTTP status of the response.
    """
    error: ErrorDetail


class PaginationParams(
    RootModel[
        OffsetPaginationParams
        | CursorPaginationParams
        | ScrollPaginationParams
        | KeysetPaginationParams
    ]
):
    root: Annotated[
        OffsetPaginationParams
        | CursorPaginationParams
        | ScrollPaginationParams
        | KeysetPaginationParams,
        Field(title="PaginationParams"),
    ]
    """
    Pagination strategy, chosen by `method`: `offset`, `cursor`, `scroll` or
    `keyset`. Without `method` it is cursor pagination, the documented default.
    Pass back the cursor, scroll id or keyset marker of the previous response,
    unchanged, to get the next page.

    """


class FilterCondition(BaseModel):
    """
    A comparison of one document field. `in`/`nin` take an array; `exists` and
    `is_null` take a boolean (default true); `contains` matches a substring of a
    string or an element of an array; `gt`/`gte`/`lt`/`lte` compare numbers or
    strings; `geo_radius` takes `{lat, lon, radius_m}`, `geo_bounding_box`
    `{top_left: {lat, lon}, bottom_right: {lat, lon}}`, `geo_polygon`
    `{points: [{lat, lon}, ...]}`.

    """

    model_config = ConfigDict(
        extra="forbid",
    )
    field: Annotated[str, Field(min_length=1)]
    """
    Dot path of the document field to compare (`metadata.year`).
    """
    operator: FilterOperator | None = FilterOperator.EQ
    value: Any | None = None
    """
    The value to compare with; its shape depends on the operator.
    """


class SortOption(BaseModel):
    """
    Orders the result by a field. Without it, documents come by score, highest first.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    field: Annotated[str, Field(min_length=1)]
    """
    Field to sort by (`score`, or a dot path such as `metadata.year`).
    """
    direction: SortDirection | None = SortDirection.DESC


class GroupBy(BaseModel):
    """
    Groups the result by a field: at most `max_features` documents per group,
    ordered within the group by `sort` (score by default). Each returned
    document carries its `group_key`.

    """

    model_config = ConfigDict(
        extra="forbid",
    )
    field: Annotated[str, Field(min_length=1)]
    """
    Dot path of the field to group by (`metadata.category`).
    """
    max_features: Annotated[int | None, Field(ge=1)] = 1
    """
    Most documents kept per group.
    """
    sort: SortOption | None = None


class ExecuteRetrieverRequest(BaseModel):
    """
    Request to execute a retriever. Unknown keys are refused with `422`. Every key
    the official client sends is declared here. `x-default-page-size` is the page
    size when neither `pagination` nor a legacy `limit` is sent, and the legacy
    `limit`'s default.

    """

    model_config = ConfigDict(
        extra="forbid",
    )
    description: str | None = None
    """
    Free-text label of the request (the documented curl example carries one). Accepted and ignored.
    """
    retriever_id: str | None = None
    """
    Query API field (seed 003). The path names the retriever and wins: when
    this names another retriever it is ignored, and the answer's `warnings`
    says so.

    """
    inputs: RetrieverInputs | None = None
    collection_identifiers: Annotated[
        list[CollectionIdentifier] | None,
        Field(
            examples=[
                ["col_marketing_2024", "sales_materials"],
                ["product_catalog", "col_archived_products"],
            ],
            min_length=1,
        ),
    ] = None
    """
    Collections to search, overriding the retriever's defaults: IDs (`col_...`),
    names, or both. Names are resolved to IDs and duplicates removed. An
    identifier that names no collection of the namespace makes the execution
    fail (`status: failed`, `error: "Retriever execution failed: Collection not
    found"`). When absent or null the retriever's default collections are used.

    """
    pagination: PaginationParams | None = None
    filters: LogicalOperator | None = None
    sort: SortOption | None = None
    limit: Annotated[int | None, Field(ge=1, le=500)] = None
    """
    Legacy page size (seed 003, and the official client's shorthand). Ignored
    when `pagination` is sent. Seed 003 bounds it at 100; the current API and
    its official client accept up to 500, and this contract never refuses
    what that client sends.

    """
    offset: Annotated[int | None, Field(ge=0)] = None
    """
    Legacy number of ranked documents to skip (seed 003). Ignored when `pagination` is sent.
    """
    page_size: Annotated[int | None, Field(ge=1, le=500)] = None
    """
    Alias of `limit` (API 0.82). When both are sent, `limit` wins. Ignored when
    `pagination` is sent.

    """
    select: list[SelectItem] | None = None
    """
    Fields to include in each document, as dot paths (`payload.text`,
    `payload.metadata.category`). `document_id` and `score` are always included.
    When absent every field is returned.

    """
    session_id: str | None = None
    """
    Session identifier for interaction tracking.
    """
    return_urls: bool | None = False
    """
    Legacy name of `return_presigned_urls` (seed 003).
    """
    group_by: GroupBy | None = None
    stream: bool | None = False
    """
    Answer Server-Sent Events (`text/event-stream`) instead of one JSON execution.
    """
    skip_cache: bool | None = False
    """
    Bypass the result cache for this execution.
    """
    return_presigned_urls: bool | None = False
    """
    Generate presigned URLs for media fields in the result documents.
    """
    return_vectors: bool | None = False
    """
    Include vector embeddings in the result documents.
    """
    explain: bool | None = False
    """
    Also answer `explain_plan`, the query profile of this execution.
    """
    expand: list[ExpandItem] | None = None
    """
    Fields holding document IDs to resolve inline under `_expanded`.
    """
    write_token: str | None = None
    """
    Token of a prior write, for read-your-writes consistency.
    """
    consistency: ReadConsistency | None = None
    target_collection_id: str | None = None
    """
    A collection to write this execution's results into.
    """


class LogicalOperator(BaseModel):
    """
    A logical operation on filter conditions: every condition of `AND` holds, at
    least one of `OR` holds, no condition of `NOT` holds. Operands are conditions
    or nested operators, at most 5 levels deep (a deeper filter is refused with
    `422`). Any other key is shorthand for equality: `{"metadata.category": "AI"}`
    means `{"field": "metadata.category", "operator": "eq", "value": "AI"}`. An
    object whose only keys are `field`, `operator` and `value` is read as that one
    condition, also at the top level of `filters`.
    Field paths use dots (`metadata.year`, `payload.metadata.year`).

    """

    model_config = ConfigDict(
        extra="allow",
    )
    AND: list[FilterOperand] | None = None
    """
    Every operand must hold.
    """
    OR: list[FilterOperand] | None = None
    """
    At least one operand must hold.
    """
    NOT: list[FilterOperand] | None = None
    """
    No operand may hold.
    """
    case_sensitive: bool | None = False
    """
    Whether string comparisons are case-sensitive.
    """


class FilterOperand(RootModel[FilterCondition | LogicalOperator]):
    root: Annotated[FilterCondition | LogicalOperator, Field(title="FilterOperand")]


ExecuteRetrieverRequest.model_rebuild()
LogicalOperator.model_rebuild()
