"""The semantic rules of the contract that a JSON Schema cannot express.

Each rule is a plain function named after the rule. It reads one :class:`Exchange`
(and, for rules that need memory across calls, an :class:`ExecutionLedger`), returns
quietly when the rule holds or does not apply, and raises a typed
:class:`RuleViolation` naming the rule otherwise. Rules only judge what they see:
they never assume the server is our mock.

The same functions run inside Schemathesis (see :mod:`contracts.checks`) and in the
plain-HTTP workflows (see :mod:`contracts.workflows`).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable
from typing import Any

from ..generated import models
from .exchange import Exchange
from .facts import DEFAULT_PAGE_SIZE, ERROR_TYPE_BY_STATUS, IN_FLIGHT, STATUS_RANK, TERMINAL
from .ledger import ExecutionLedger
from .violations import (
    AccessViolation,
    BudgetViolation,
    ErrorEnvelopeViolation,
    LifecycleViolation,
    PaginationViolation,
    ResultViolation,
)

__all__ = [
    "ERROR_TYPE_BY_STATUS",
    "LEDGER_RULES",
    "STATELESS_RULES",
    "budget_figures_coherent",
    "budget_remaining_never_grows",
    "document_ids_unique",
    "documents_sorted_by_score",
    "error_envelope_matches_status",
    "error_set_exactly_when_failed",
    "execution_read_back_matches_creation",
    "in_flight_execution_is_coherent",
    "namespace_isolation",
    "page_within_requested_size",
    "pagination_agrees_with_total_and_has_next",
    "scores_at_least_min_score",
    "terminal_state_never_changes",
    "unauthenticated_requests_refused",
    "unknown_execution_is_not_found",
    "wrongly_authenticated_requests_refused",
]

Status = models.KnownExecutionStatus
#: Page-size field and default of each pagination method, read from the generated models.
PAGE_SIZE_FIELD: dict[str, tuple[str, int]] = {
    "offset": ("page_size", models.OffsetPaginationParams.model_fields["page_size"].default),
    "cursor": ("limit", models.CursorPaginationParams.model_fields["limit"].default),
    "scroll": ("limit", models.ScrollPaginationParams.model_fields["limit"].default),
    "keyset": ("limit", models.KeysetPaginationParams.model_fields["limit"].default),
}
#: The request field carrying each method's "next page" token.
TOKEN_REQUEST_FIELD = {"cursor": "cursor", "scroll": "scroll_id", "keyset": "after"}
#: The response field carrying each method's "next page" token.
TOKEN_RESPONSE_FIELD = {"cursor": "cursor", "scroll": "scroll_id", "keyset": "next_cursor"}
#: Shortest random token of an execution id we treat as "certainly never created".
UNGUESSABLE_TOKEN_LENGTH = 16
#: Tolerance for comparing credit figures that a server may round.
CREDIT_TOLERANCE = 1e-6
_BEARER_SK = re.compile(r"^Bearer sk_\S+$")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _documents(execution: dict[str, Any]) -> list[dict[str, Any]]:
    documents = execution.get("documents")
    if not isinstance(documents, list):
        return []
    return [document for document in documents if isinstance(document, dict)]


def _request(exchange: Exchange) -> dict[str, Any]:
    return exchange.request_body if isinstance(exchange.request_body, dict) else {}


def _inputs(exchange: Exchange) -> dict[str, Any]:
    inputs = _request(exchange).get("inputs")
    return inputs if isinstance(inputs, dict) else {}


def _completed_execute(exchange: Exchange) -> dict[str, Any] | None:
    """The execution answered by a 2xx execute, when it is completed (the only state with documents)."""
    execution = exchange.execution
    if exchange.operation != "execute" or execution is None:
        return None
    if execution.get("status") != Status.COMPLETED.value:
        return None
    return execution


# --- lifecycle ---------------------------------------------------------------------------


def error_set_exactly_when_failed(exchange: Exchange) -> None:
    """`error` is a non-empty string exactly when `status` is `failed`, and absent or null otherwise."""
    execution = exchange.execution
    if execution is None or "status" not in execution:
        return
    status, error = execution.get("status"), execution.get("error")
    if status == Status.FAILED.value and not (isinstance(error, str) and error):
        raise LifecycleViolation(
            rule="error_set_exactly_when_failed",
            explanation=f"status is 'failed' but error is {error!r}; a failed execution says why.",
        )
    if status != Status.FAILED.value and error is not None:
        raise LifecycleViolation(
            rule="error_set_exactly_when_failed",
            explanation=f"status is {status!r} but error is {error!r}; only failed executions carry an error.",
        )


def in_flight_execution_is_coherent(exchange: Exchange) -> None:
    """In flight: no documents, no completed_at, stages_completed <= total_stages, current_stage while processing."""
    execution = exchange.execution
    if execution is None or execution.get("status") not in IN_FLIGHT:
        return
    status = execution["status"]
    problems = []
    if _documents(execution) or execution.get("documents"):
        problems.append(f"it already answers {len(execution.get('documents') or [])} documents")
    if execution.get("completed_at") is not None:
        problems.append(f"completed_at is {execution['completed_at']!r}, not null")
    done, total = execution.get("stages_completed"), execution.get("total_stages")
    if isinstance(done, int) and isinstance(total, int) and done > total:
        problems.append(f"stages_completed {done} exceeds total_stages {total}")
    if (
        exchange.operation == "get_execution"
        and status == Status.PROCESSING.value
        and not execution.get("current_stage")
    ):
        problems.append("current_stage is not set while processing")
    if problems:
        raise LifecycleViolation(
            rule="in_flight_execution_is_coherent",
            explanation=f"the execution is {status!r} but " + "; ".join(problems) + ".",
        )


def terminal_state_never_changes(exchange: Exchange, ledger: ExecutionLedger) -> None:
    """`status` moves one way (pending -> processing -> completed | failed); terminal states stay."""
    execution = exchange.execution
    if execution is None:
        return
    execution_id, status = execution.get("execution_id"), execution.get("status")
    if not isinstance(execution_id, str) or status not in STATUS_RANK:
        return
    seen = ledger.status_of(execution_id)
    if seen is None:
        return
    if seen in TERMINAL and status != seen:
        raise LifecycleViolation(
            rule="terminal_state_never_changes",
            explanation=f"execution {execution_id} was {seen!r} (terminal) and is now {status!r}.",
        )
    if STATUS_RANK[status] < STATUS_RANK[seen]:
        raise LifecycleViolation(
            rule="terminal_state_never_changes",
            explanation=f"execution {execution_id} moved backwards from {seen!r} to {status!r}.",
        )


def execution_read_back_matches_creation(exchange: Exchange, ledger: ExecutionLedger) -> None:
    """A read answers the execution asked for, and a completed one always answers the same documents."""
    execution = exchange.execution
    if execution is None or exchange.operation != "get_execution":
        return
    requested = exchange.requested_execution_id
    answered = execution.get("execution_id")
    if requested is not None and answered != requested:
        raise LifecycleViolation(
            rule="execution_read_back_matches_creation",
            explanation=f"asked for execution {requested} but the answer is execution {answered!r}.",
        )
    if execution.get("status") != Status.COMPLETED.value or requested is None:
        return
    expected = ledger.completed_documents_of(requested)
    if expected is None:
        return
    actual = tuple(str(document.get("document_id")) for document in _documents(execution))
    if actual != expected:
        raise LifecycleViolation(
            rule="execution_read_back_matches_creation",
            explanation=(
                f"completed execution {requested} answered documents {list(expected)[:10]} before "
                f"and {list(actual)[:10]} now; a completed execution answers the same documents."
            ),
        )


def unknown_execution_is_not_found(exchange: Exchange, ledger: ExecutionLedger) -> None:
    """Reading an execution id nobody created answers 404, not an execution."""
    if exchange.operation != "get_execution" or not exchange.ok:
        return
    requested = exchange.requested_execution_id
    if requested is None or ledger.knows(requested):
        return
    token = requested.removeprefix("exec_")
    if len(token) < UNGUESSABLE_TOKEN_LENGTH or requested == token:
        return  # a short id might really exist on a shared server: no proof it is unknown
    raise LifecycleViolation(
        rule="unknown_execution_is_not_found",
        explanation=f"execution {requested} was never created, yet reading it answered {exchange.status_code}.",
    )


# --- the page of documents ----------------------------------------------------------------


def documents_sorted_by_score(exchange: Exchange) -> None:
    """Without `sort` (or `group_by`), documents come highest score first."""
    execution = _completed_execute(exchange)
    request = _request(exchange)
    if execution is None or request.get("sort") is not None or request.get("group_by") is not None:
        return
    scores = [document.get("score") for document in _documents(execution)]
    for position, (before, after) in enumerate(itertools.pairwise(scores)):
        if _is_number(before) and _is_number(after) and after > before:
            raise ResultViolation(
                rule="documents_sorted_by_score",
                explanation=(
                    f"document {position + 1} scores {after} after a document scoring {before}; "
                    "without sort, documents come highest score first."
                ),
            )


def document_ids_unique(exchange: Exchange) -> None:
    """No document appears twice in one answer."""
    execution = exchange.execution
    if execution is None:
        return
    seen: set[str] = set()
    for document in _documents(execution):
        document_id = document.get("document_id")
        if document_id in seen:
            raise ResultViolation(
                rule="document_ids_unique",
                explanation=f"document {document_id!r} appears more than once in one answer.",
            )
        seen.add(document_id)


def requested_page_size(request: dict[str, Any]) -> int | None:
    """The page size a request asks for (its method's size field, legacy `limit`, or the default)."""
    pagination = request.get("pagination")
    if isinstance(pagination, dict):
        method = pagination.get("method")
        if method not in PAGE_SIZE_FIELD:
            return None
        name, default = PAGE_SIZE_FIELD[method]
        size = pagination.get(name, default)
    else:
        size = request.get("limit", DEFAULT_PAGE_SIZE)
    return int(size) if _is_number(size) and size >= 1 else None


def page_within_requested_size(exchange: Exchange) -> None:
    """A page holds at most the requested page size, and the whole result at most `top_k`."""
    execution = _completed_execute(exchange)
    if execution is None:
        return
    count = len(execution.get("documents") or [])
    size = requested_page_size(_request(exchange))
    if size is not None and count > size:
        raise ResultViolation(
            rule="page_within_requested_size",
            explanation=f"the page holds {count} documents but the request asked for pages of {size}.",
        )
    top_k = _inputs(exchange).get("top_k")
    if not _is_number(top_k):
        return
    if count > top_k:
        raise ResultViolation(
            rule="page_within_requested_size",
            explanation=f"the page holds {count} documents but inputs.top_k is {top_k}.",
        )
    pagination = execution.get("pagination")
    total = pagination.get("total") if isinstance(pagination, dict) else None
    if _is_number(total) and total > top_k:
        raise ResultViolation(
            rule="page_within_requested_size",
            explanation=f"pagination.total is {total} but inputs.top_k ({top_k}) bounds the whole result.",
        )


def scores_at_least_min_score(exchange: Exchange) -> None:
    """With `inputs.min_score`, every returned document scores at least that much."""
    execution = _completed_execute(exchange)
    min_score = _inputs(exchange).get("min_score")
    if execution is None or not _is_number(min_score):
        return
    for document in _documents(execution):
        score = document.get("score")
        if _is_number(score) and score < min_score:
            raise ResultViolation(
                rule="scores_at_least_min_score",
                explanation=f"document {document.get('document_id')!r} scores {score}, below min_score {min_score}.",
            )


# --- pagination ---------------------------------------------------------------------------


def pagination_method(pagination: dict[str, Any]) -> str | None:
    """Which method a response's pagination metadata describes, from its shape."""
    if "offset" in pagination:
        return "offset"
    for method, name in TOKEN_RESPONSE_FIELD.items():
        if name in pagination:
            return method
    return None


def _is_first_page(request: dict[str, Any], method: str) -> bool:
    pagination = request.get("pagination")
    if not isinstance(pagination, dict):
        return True
    if pagination.get("method") != method:
        return False
    return pagination.get(TOKEN_REQUEST_FIELD.get(method, "")) is None


def pagination_agrees_with_total_and_has_next(exchange: Exchange) -> None:
    """`returned`, `total`, `has_next`, `has_previous` and the next-page token agree with the page."""
    execution = _completed_execute(exchange)
    if execution is None or not isinstance(execution.get("pagination"), dict):
        return
    meta = execution["pagination"]
    count = len(execution.get("documents") or [])
    method = pagination_method(meta)
    has_next, total = meta.get("has_next"), meta.get("total")

    def broken(explanation: str) -> PaginationViolation:
        return PaginationViolation(
            rule="pagination_agrees_with_total_and_has_next", explanation=explanation
        )

    returned = meta.get("returned")
    if _is_number(returned) and returned != count:
        raise broken(f"pagination.returned is {returned} but the page holds {count} documents.")
    if method == "offset":
        offset = meta.get("offset")
        if not (_is_number(offset) and _is_number(total) and isinstance(has_next, bool)):
            return
        if has_next != (offset + count < total):
            raise broken(
                f"has_next is {has_next} with offset {offset}, {count} documents and total {total}."
            )
        if offset + count > total and count:
            raise broken(f"offset {offset} + {count} documents exceeds total {total}.")
        has_previous = meta.get("has_previous")
        if isinstance(has_previous, bool) and has_previous != (offset > 0):
            raise broken(f"has_previous is {has_previous} with offset {offset}.")
        return
    if method is None or not isinstance(has_next, bool):
        return
    token = meta.get(TOKEN_RESPONSE_FIELD[method])
    if has_next != (token is not None):
        raise broken(
            f"has_next is {has_next} but {TOKEN_RESPONSE_FIELD[method]} is {token!r}; "
            "the next-page token is null exactly on the last page."
        )
    first_page = _is_first_page(_request(exchange), method)
    if _is_number(total) and first_page and has_next != (count < total):
        raise broken(f"first page: has_next is {has_next} with {count} documents of total {total}.")


# --- budget -------------------------------------------------------------------------------


def budget_figures_coherent(exchange: Exchange) -> None:
    """Budget figures are numbers >= 0, and stage statistics charge what the budget says."""
    execution = exchange.execution
    if execution is None or not isinstance(execution.get("budget"), dict):
        return
    budget = execution["budget"]
    for name in ("credits_used", "credits_remaining", "time_used_ms"):
        value = budget.get(name)
        if value is not None and not (_is_number(value) and value >= 0):
            raise BudgetViolation(
                rule="budget_figures_coherent",
                explanation=f"budget.{name} is {value!r}; budget figures are numbers >= 0.",
            )
    statistics = execution.get("stage_statistics")
    charged = statistics.get("credits_used") if isinstance(statistics, dict) else None
    used = budget.get("credits_used")
    if _is_number(charged) and _is_number(used) and abs(charged - used) > CREDIT_TOLERANCE:
        raise BudgetViolation(
            rule="budget_figures_coherent",
            explanation=f"stage_statistics.credits_used is {charged} but budget.credits_used is {used}.",
        )


def budget_remaining_never_grows(exchange: Exchange, ledger: ExecutionLedger) -> None:
    """Across executions of one namespace, `credits_remaining` never grows (within one run)."""
    execution = exchange.execution
    if execution is None or exchange.operation != "execute" or exchange.namespace is None:
        return
    budget = execution.get("budget")
    remaining = budget.get("credits_remaining") if isinstance(budget, dict) else None
    before = ledger.credits_remaining(exchange.namespace)
    if _is_number(remaining) and before is not None and remaining > before + CREDIT_TOLERANCE:
        raise BudgetViolation(
            rule="budget_figures_coherent",
            explanation=(
                f"namespace {exchange.namespace!r} had {before} credits remaining, and a later "
                f"execution reports {remaining}; remaining credits never grow."
            ),
        )


# --- errors and access --------------------------------------------------------------------


def error_envelope_matches_status(exchange: Exchange) -> None:
    """Every 4xx/5xx answers `{"success": false, "status": N, "error": {"type", "message"}}`, type fixed by N."""
    code = exchange.status_code
    if code < 400 or exchange.operation == "other":
        return  # unsupported methods and unknown paths are the HTTP framework's, not the contract's
    body = exchange.body

    def broken(explanation: str) -> ErrorEnvelopeViolation:
        return ErrorEnvelopeViolation(rule="error_envelope_matches_status", explanation=explanation)

    if not isinstance(body, dict):
        raise broken(
            f"the {code} answer is not a JSON object (content type {exchange.content_type!r})."
        )
    if body.get("success") is not False:
        raise broken(f"the {code} answer has success={body.get('success')!r}, not false.")
    if body.get("status") != code:
        raise broken(
            f"the HTTP status is {code} but the envelope says status {body.get('status')!r}."
        )
    error = body.get("error")
    if (
        not isinstance(error, dict)
        or not isinstance(error.get("message"), str)
        or not error["message"]
    ):
        raise broken(f"the {code} answer has no error.message.")
    expected = ERROR_TYPE_BY_STATUS.get(code)
    if expected is not None and error.get("type") != expected:
        raise broken(
            f"a {code} answer has error.type {error.get('type')!r}, expected {expected!r}."
        )


def namespace_isolation(exchange: Exchange, ledger: ExecutionLedger) -> None:
    """An execution created in one namespace is not readable (not 2xx) from another."""
    if exchange.operation != "get_execution" or not exchange.ok:
        return
    requested = exchange.requested_execution_id
    owner = ledger.namespace_of(requested) if requested else None
    if owner is not None and exchange.namespace is not None and owner != exchange.namespace:
        raise AccessViolation(
            rule="namespace_isolation",
            explanation=(
                f"execution {requested} was created in namespace {owner!r} and was read "
                f"({exchange.status_code}) from namespace {exchange.namespace!r}."
            ),
        )


def unauthenticated_requests_refused(exchange: Exchange) -> None:
    """A request without `Authorization` is refused (never 2xx)."""
    if exchange.operation == "other" or not exchange.ok or exchange.header("Authorization"):
        return
    raise AccessViolation(
        rule="unauthenticated_requests_refused",
        explanation=f"a request without an Authorization header was answered {exchange.status_code}.",
    )


def wrongly_authenticated_requests_refused(exchange: Exchange) -> None:
    """A request whose `Authorization` is not `Bearer sk_...` is refused (never 2xx)."""
    authorization = exchange.header("Authorization")
    if exchange.operation == "other" or not exchange.ok or not authorization:
        return
    if not _BEARER_SK.match(authorization):
        raise AccessViolation(
            rule="wrongly_authenticated_requests_refused",
            explanation=(
                f"a request with Authorization {authorization[:24]!r} (not 'Bearer sk_...') "
                f"was answered {exchange.status_code}."
            ),
        )


#: Rules that judge one exchange alone.
STATELESS_RULES: tuple[Callable[[Exchange], None], ...] = (
    error_set_exactly_when_failed,
    in_flight_execution_is_coherent,
    documents_sorted_by_score,
    document_ids_unique,
    page_within_requested_size,
    scores_at_least_min_score,
    pagination_agrees_with_total_and_has_next,
    budget_figures_coherent,
    error_envelope_matches_status,
    unauthenticated_requests_refused,
    wrongly_authenticated_requests_refused,
)
#: Rules that compare an exchange with what the run saw before (the ledger).
LEDGER_RULES: tuple[Callable[[Exchange, ExecutionLedger], None], ...] = (
    terminal_state_never_changes,
    execution_read_back_matches_creation,
    unknown_execution_is_not_found,
    budget_remaining_never_grows,
    namespace_isolation,
)
