"""The semantic rules of the contract that a JSON Schema cannot express.

Each rule is a plain function named after the rule. It reads one :class:`Exchange`
(and, for rules that need memory across calls, an :class:`ExecutionLedger`), returns
``True`` when it judged the exchange and the rule held, ``None`` when the exchange says
nothing about the rule, and raises a typed :class:`RuleViolation` naming the rule when it
broke. The difference between ``True`` and ``None`` is what the coverage report counts: a
rule that judged nothing in a run proved nothing. Rules only judge what they see: they
never assume the server is our mock.

The same functions run inside Schemathesis (see :mod:`mixpeek_toolkit.contracts.checks`) and in the
plain-HTTP workflows (see :mod:`mixpeek_toolkit.contracts.workflows`).

A rule never cries wolf. Where the seeds are silent, or call a list "common values", it
follows the real API as it is today and is never stricter than it: `degraded` runs are
finished runs with documents, unknown response fields are ignored, any non-empty error type
is an error type, pagination metadata may come in the seeds' shapes or API 0.82's, and a
read-back may keep statistics only. What a rule judges by (statuses and their lifecycle,
error statuses, degraded entries, page sizes) comes from :mod:`mixpeek_toolkit.contracts.facts`, never
restated here.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Collection, Mapping
from types import MappingProxyType
from typing import Any

from ..generated import models
from .exchange import Exchange
from .facts import (
    DEGRADED_FIELD,
    DEGRADED_NULLABLE_FIELDS,
    DEGRADED_REQUIRED_FIELDS,
    DOCUMENT_STATUSES,
    DOCUMENTED_REFUSALS,
    ERROR_STATUSES,
    IN_FLIGHT,
    KNOWN_STATUSES,
    OPERATION_IDS,
    STATUS_RANK,
    TERMINAL,
    TOP_K,
    Refusal,
)
from .ledger import ExecutionLedger
from .pages import (
    TOKEN_REQUEST_FIELD,
    is_number,
    read_meta,
    request_method,
    requested_page_size,
)
from .violations import (
    AccessViolation,
    BudgetViolation,
    ErrorEnvelopeViolation,
    LifecycleViolation,
    PaginationViolation,
    RefusalViolation,
    ResultViolation,
    RuleViolation,
)

__all__ = [
    "ACCEPT_STATUS_OPTIONS",
    "LEDGER_RULES",
    "RULES",
    "STATELESS_RULES",
    "budget_figures_coherent",
    "budget_remaining_never_grows",
    "degraded_entries_say_what_was_skipped",
    "document_ids_unique",
    "documented_refusal",
    "documents_sorted_by_score",
    "error_envelope_matches_status",
    "error_set_exactly_when_failed",
    "execution_read_back_matches_creation",
    "execution_status_is_known",
    "in_flight_execution_is_coherent",
    "judge",
    "namespace_isolation",
    "page_within_requested_size",
    "pagination_agrees_with_total_and_has_next",
    "rule_name",
    "scores_at_least_min_score",
    "terminal_state_never_changes",
    "unauthenticated_requests_refused",
    "unknown_execution_is_not_found",
    "valid_requests_are_accepted",
    "verdicts",
    "wrongly_authenticated_requests_refused",
]

Status = models.KnownExecutionStatus
#: Where a user accepts a status the API does not document (named in the rule's message).
ACCEPT_STATUS_OPTIONS = (
    "--accept-status {status} (pytest: --mixpeek-accept-status {status}; environment: "
    "MIXPEEK_ACCEPT_STATUSES={status})"
)
#: Shortest random token of an execution id we treat as "certainly never created".
UNGUESSABLE_TOKEN_LENGTH = 16
#: Tolerance for comparing credit figures that a server may round.
CREDIT_TOLERANCE = 1e-6
_BEARER_SK = re.compile(r"^Bearer sk_\S+$")


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


def _finished_execute(exchange: Exchange) -> dict[str, Any] | None:
    """The execution answered by a 2xx execute, when it finished with documents to judge
    (`completed` or `degraded`: a degraded run's documents are a result like any other)."""
    execution = exchange.execution
    if exchange.operation != "execute" or execution is None:
        return None
    if execution.get("status") not in DOCUMENT_STATUSES:
        return None
    return execution


# --- lifecycle ---------------------------------------------------------------------------


def execution_status_is_known(exchange: Exchange, accepted: Collection[str] = ()) -> bool | None:
    """`status` is one the API answers (`KnownExecutionStatus`), or one the user accepted by name.

    The seeds call their statuses "common values", so the schema leaves `status` a plain
    string; this rule is where a server answering `done` for a finished run is caught. A
    status accepted by name is judged only by the rules that do not depend on the lifecycle:
    it is neither in flight nor terminal, has no documents to judge and fixes no `error`.
    """
    execution = exchange.execution
    if execution is None or "status" not in execution:
        return None
    status = execution["status"]
    if isinstance(status, str) and status and (status in KNOWN_STATUSES or status in accepted):
        return True
    known = ", ".join(sorted(KNOWN_STATUSES, key=lambda s: (STATUS_RANK[s], s)))
    hint = (
        f" If your server answers it on purpose, accept it by name: "
        f"{ACCEPT_STATUS_OPTIONS.format(status=status)}."
        if isinstance(status, str) and status
        else ""
    )
    raise LifecycleViolation(
        rule="execution_status_is_known",
        explanation=f"status is {status!r}, not a status the API answers ({known}).{hint}",
    )


def error_set_exactly_when_failed(exchange: Exchange) -> bool | None:
    """`error` is a non-empty string exactly when `status` is `failed` (`x-error-statuses`), and
    absent or null for every other known status: a `degraded` run finished without one."""
    execution = exchange.execution
    if execution is None or execution.get("status") not in KNOWN_STATUSES:
        return None  # a status accepted by name does not say whether it carries an error
    status, error = execution["status"], execution.get("error")
    if status in ERROR_STATUSES and not (isinstance(error, str) and error):
        raise LifecycleViolation(
            rule="error_set_exactly_when_failed",
            explanation=f"status is {status!r} but error is {error!r}; a failed execution says why.",
        )
    if status not in ERROR_STATUSES and error is not None:
        skipped = (
            " (a degraded run lists what it skipped in `degraded`)"
            if status == Status.DEGRADED.value
            else ""
        )
        raise LifecycleViolation(
            rule="error_set_exactly_when_failed",
            explanation=(
                f"status is {status!r} but error is {error!r}; only failed executions carry "
                f"an error{skipped}."
            ),
        )
    return True


def degraded_entries_say_what_was_skipped(exchange: Exchange) -> bool | None:
    """Each entry of `degraded` names the skipped `resource` and the `reason` (non-empty
    strings); its `id`, `next_step` and `stage` are strings or null."""
    execution = exchange.execution
    if execution is None or execution.get(DEGRADED_FIELD) is None:
        return None
    entries = execution[DEGRADED_FIELD]

    def broken(explanation: str) -> LifecycleViolation:
        return LifecycleViolation(
            rule="degraded_entries_say_what_was_skipped", explanation=explanation
        )

    if not isinstance(entries, list):
        raise broken(f"{DEGRADED_FIELD} is {entries!r}, not a list of what the run skipped.")
    for position, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise broken(f"{DEGRADED_FIELD}[{position}] is {entry!r}, not an object.")
        for name in DEGRADED_REQUIRED_FIELDS:
            value = entry.get(name)
            if not (isinstance(value, str) and value.strip()):
                raise broken(
                    f"{DEGRADED_FIELD}[{position}].{name} is {value!r}; each entry says what was "
                    "skipped and why, as non-empty strings."
                )
        for name in DEGRADED_NULLABLE_FIELDS:
            value = entry.get(name)
            if value is not None and not isinstance(value, str):
                raise broken(
                    f"{DEGRADED_FIELD}[{position}].{name} is {value!r}, not a string or null."
                )
    return True


def in_flight_execution_is_coherent(exchange: Exchange) -> bool | None:
    """In flight: no documents, no completed_at, stages_completed <= total_stages, current_stage while processing."""
    execution = exchange.execution
    if execution is None or execution.get("status") not in IN_FLIGHT:
        return None
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
    return True


def terminal_state_never_changes(exchange: Exchange, ledger: ExecutionLedger) -> bool | None:
    """`status` moves one way (pending -> processing -> completed | failed | degraded); terminal
    states stay. Statuses accepted by name have no place on the lifecycle and are not judged."""
    execution = exchange.execution
    if execution is None:
        return None
    execution_id, status = execution.get("execution_id"), execution.get("status")
    if not isinstance(execution_id, str) or status not in STATUS_RANK:
        return None
    seen = ledger.status_of(execution_id)
    if seen is None:
        return None
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
    return True


def execution_read_back_matches_creation(
    exchange: Exchange, ledger: ExecutionLedger
) -> bool | None:
    """A read answers the execution asked for; a finished one (completed or degraded) answers
    the same documents every time, or, when it keeps statistics only (`documents_retained:
    false`), no documents and a `total_returned` that counts what the run returned."""
    execution = exchange.execution
    if execution is None or exchange.operation != "get_execution":
        return None
    requested = exchange.requested_execution_id
    answered = execution.get("execution_id")
    if requested is not None and answered != requested:
        raise LifecycleViolation(
            rule="execution_read_back_matches_creation",
            explanation=f"asked for execution {requested} but the answer is execution {answered!r}.",
        )
    if execution.get("status") not in DOCUMENT_STATUSES or requested is None:
        return True
    if execution.get("documents_retained") is False:
        _statistics_only_read_back(execution, requested, ledger)
        return True
    expected = ledger.completed_documents_of(requested)
    if expected is None:
        return True
    actual = tuple(str(document.get("document_id")) for document in _documents(execution))
    if actual != expected:
        raise LifecycleViolation(
            rule="execution_read_back_matches_creation",
            explanation=(
                f"finished execution {requested} answered documents {list(expected)[:10]} before "
                f"and {list(actual)[:10]} now; a finished execution answers the same documents."
            ),
        )
    return True


def _statistics_only_read_back(
    execution: dict[str, Any], requested: str, ledger: ExecutionLedger
) -> None:
    """API 0.82's read-back: `documents: []`, `documents_retained: false`, `total_returned`."""
    answered = len(execution.get("documents") or [])
    if answered:
        raise LifecycleViolation(
            rule="execution_read_back_matches_creation",
            explanation=(
                f"execution {requested} says documents_retained is false but answers "
                f"{answered} documents."
            ),
        )
    total_returned = execution.get("total_returned")
    counts = ledger.created_counts_of(requested)
    if counts is None or not is_number(total_returned):
        return
    page, total = counts
    # FACTS: "total_returned: what the run returned when it ran". That is the page execute
    # answered; a server counting the whole result (its pagination.total) is not refused.
    if total_returned not in {page, total}:
        also = f" (and pagination.total {total})" if total is not None else ""
        raise LifecycleViolation(
            rule="execution_read_back_matches_creation",
            explanation=(
                f"execution {requested} returned {page} documents when it ran{also}, but its "
                f"read-back says total_returned {total_returned}."
            ),
        )


def unknown_execution_is_not_found(exchange: Exchange, ledger: ExecutionLedger) -> bool | None:
    """Reading an execution id nobody created answers 404, not an execution."""
    if exchange.operation != "get_execution" or not (exchange.ok or exchange.status_code == 404):
        return None
    requested = exchange.requested_execution_id
    if requested is None or ledger.knows(requested):
        return None
    token = requested.removeprefix("exec_")
    if len(token) < UNGUESSABLE_TOKEN_LENGTH or requested == token:
        return None  # a short id might really exist on a shared server: no proof it is unknown
    if not exchange.ok:
        return True
    raise LifecycleViolation(
        rule="unknown_execution_is_not_found",
        explanation=f"execution {requested} was never created, yet reading it answered {exchange.status_code}.",
    )


# --- the page of documents ----------------------------------------------------------------


def documents_sorted_by_score(exchange: Exchange) -> bool | None:
    """Without `sort` (or `group_by`), documents come highest score first."""
    execution = _finished_execute(exchange)
    request = _request(exchange)
    if execution is None or request.get("sort") is not None or request.get("group_by") is not None:
        return None
    scores = [document.get("score") for document in _documents(execution)]
    if len(scores) < 2:
        return None  # one document is always in order: nothing judged
    for position, (before, after) in enumerate(itertools.pairwise(scores)):
        if is_number(before) and is_number(after) and after > before:
            raise ResultViolation(
                rule="documents_sorted_by_score",
                explanation=(
                    f"document {position + 1} scores {after} after a document scoring {before}; "
                    "without sort, documents come highest score first."
                ),
            )
    return True


def document_ids_unique(exchange: Exchange) -> bool | None:
    """No document appears twice in one answer."""
    execution = exchange.execution
    documents = _documents(execution) if execution is not None else []
    if len(documents) < 2:
        return None
    seen: set[str] = set()
    for document in documents:
        document_id = document.get("document_id")
        if document_id in seen:
            raise ResultViolation(
                rule="document_ids_unique",
                explanation=f"document {document_id!r} appears more than once in one answer.",
            )
        seen.add(document_id)
    return True


def _applied_top_k(exchange: Exchange, execution: dict[str, Any]) -> Any:
    """`inputs.top_k`, or the lower value the server applied when `limits` reports a clamp."""
    top_k = _inputs(exchange).get(TOP_K)
    if not is_number(top_k):
        return None
    limits = execution.get("limits")
    for entry in limits if isinstance(limits, list) else ():
        if not isinstance(entry, dict) or entry.get("name") != TOP_K:
            continue
        applied = entry.get("applied")
        if is_number(applied) and applied < top_k:
            return applied  # clamped to the server's ceiling, and reported as the API does
    return top_k


def page_within_requested_size(exchange: Exchange) -> bool | None:
    """A page holds at most the requested page size, and the whole result at most `top_k`
    (the applied value when `limits` reports that the server clamped it)."""
    execution = _finished_execute(exchange)
    if execution is None:
        return None
    count = len(execution.get("documents") or [])
    size = requested_page_size(_request(exchange))
    if size is not None and count > size:
        raise ResultViolation(
            rule="page_within_requested_size",
            explanation=f"the page holds {count} documents but the request asked for pages of {size}.",
        )
    top_k = _applied_top_k(exchange, execution)
    if top_k is None:
        return True if size is not None else None
    named = (
        f"inputs.top_k ({top_k})"
        if top_k == _inputs(exchange).get(TOP_K)
        else f"the applied top_k ({top_k}, clamped as `limits` reports)"
    )
    if count > top_k:
        raise ResultViolation(
            rule="page_within_requested_size",
            explanation=f"the page holds {count} documents but {named} bounds the whole result.",
        )
    pagination = execution.get("pagination")
    total = pagination.get("total") if isinstance(pagination, dict) else None
    if is_number(total) and total > top_k:
        raise ResultViolation(
            rule="page_within_requested_size",
            explanation=f"pagination.total is {total} but {named} bounds the whole result.",
        )
    return True


def scores_at_least_min_score(exchange: Exchange) -> bool | None:
    """With `inputs.min_score`, every returned document scores at least that much."""
    execution = _finished_execute(exchange)
    min_score = _inputs(exchange).get("min_score")
    if execution is None or not is_number(min_score) or not _documents(execution):
        return None
    for document in _documents(execution):
        score = document.get("score")
        if is_number(score) and score < min_score:
            raise ResultViolation(
                rule="scores_at_least_min_score",
                explanation=f"document {document.get('document_id')!r} scores {score}, below min_score {min_score}.",
            )
    return True


# --- pagination ---------------------------------------------------------------------------


def _is_first_page(request: dict[str, Any], method: str) -> bool:
    """Whether the request asked for the first page of ``method`` (no token sent)."""
    if request_method(request) != method:
        return False
    pagination = request.get("pagination")
    if not isinstance(pagination, dict):
        return True
    return pagination.get(TOKEN_REQUEST_FIELD[method]) is None


def pagination_agrees_with_total_and_has_next(exchange: Exchange) -> bool | None:
    """`returned`, `total`, `has_next`, `has_previous` and the next-page token agree with the
    page, in the seeds' metadata shapes and in API 0.82's."""
    execution = _finished_execute(exchange)
    if execution is None or not isinstance(execution.get("pagination"), dict):
        return None
    meta = read_meta(execution["pagination"])
    count = len(execution.get("documents") or [])
    has_next, total = meta.has_next, meta.total

    def broken(explanation: str) -> PaginationViolation:
        return PaginationViolation(
            rule="pagination_agrees_with_total_and_has_next", explanation=explanation
        )

    judged = is_number(meta.returned)
    if judged and meta.returned != count:
        raise broken(
            f"pagination.returned is {meta.returned} but the page holds {count} documents."
        )
    if meta.method == "offset":
        offset = meta.offset
        if not (is_number(offset) and is_number(total) and isinstance(has_next, bool)):
            return judged or None
        if has_next != (offset + count < total):
            raise broken(
                f"has_next is {has_next} with offset {offset}, {count} documents and total {total}."
            )
        if offset + count > total and count:
            raise broken(f"offset {offset} + {count} documents exceeds total {total}.")
        if isinstance(meta.has_previous, bool) and meta.has_previous != (offset > 0):
            raise broken(f"has_previous is {meta.has_previous} with offset {offset}.")
        return True
    if meta.method is None or meta.token_field is None or not isinstance(has_next, bool):
        return judged or None
    if meta.has_next_stated and has_next != (meta.token is not None):
        raise broken(
            f"has_next is {has_next} but {meta.token_field} is {meta.token!r}; "
            "the next-page token is null exactly on the last page."
        )
    first_page = _is_first_page(_request(exchange), meta.method)
    if is_number(total) and first_page and has_next != (count < total):
        said = "has_next is" if meta.has_next_stated else f"{meta.token_field} says has_next"
        raise broken(f"first page: {said} {has_next} with {count} documents of total {total}.")
    return True


# --- budget -------------------------------------------------------------------------------


def budget_figures_coherent(exchange: Exchange) -> bool | None:
    """Budget figures are numbers >= 0, and stage statistics charge what the budget says."""
    execution = exchange.execution
    if execution is None or not isinstance(execution.get("budget"), dict):
        return None
    budget = execution["budget"]
    for name in ("credits_used", "credits_remaining", "time_used_ms"):
        value = budget.get(name)
        if value is not None and not (is_number(value) and value >= 0):
            raise BudgetViolation(
                rule="budget_figures_coherent",
                explanation=f"budget.{name} is {value!r}; budget figures are numbers >= 0.",
            )
    statistics = execution.get("stage_statistics")
    charged = statistics.get("credits_used") if isinstance(statistics, dict) else None
    used = budget.get("credits_used")
    if is_number(charged) and is_number(used) and abs(charged - used) > CREDIT_TOLERANCE:
        raise BudgetViolation(
            rule="budget_figures_coherent",
            explanation=f"stage_statistics.credits_used is {charged} but budget.credits_used is {used}.",
        )
    return True


def budget_remaining_never_grows(exchange: Exchange, ledger: ExecutionLedger) -> bool | None:
    """Across executions of one namespace, `credits_remaining` never grows (within one run)."""
    execution = exchange.execution
    if execution is None or exchange.operation != "execute" or exchange.namespace is None:
        return None
    budget = execution.get("budget")
    remaining = budget.get("credits_remaining") if isinstance(budget, dict) else None
    before = ledger.credits_remaining(exchange.namespace)
    if not is_number(remaining) or before is None:
        return None
    if remaining > before + CREDIT_TOLERANCE:
        raise BudgetViolation(
            rule="budget_figures_coherent",
            explanation=(
                f"namespace {exchange.namespace!r} had {before} credits remaining, and a later "
                f"execution reports {remaining}; remaining credits never grow."
            ),
        )
    return True


# --- errors and access --------------------------------------------------------------------


def error_envelope_matches_status(exchange: Exchange) -> bool | None:
    """Every 4xx/5xx answers the envelope `{"success": false, "status": N, "error": {"type",
    "message"}}` with N the HTTP status. `success` may be absent, `details` null, and the type
    any non-empty string (the API answers more types than the usual one per status)."""
    code = exchange.status_code
    if code < 400 or exchange.operation == "other":
        return None  # unsupported methods and unknown paths are the HTTP framework's, not the contract's
    body = exchange.body

    def broken(explanation: str) -> ErrorEnvelopeViolation:
        return ErrorEnvelopeViolation(rule="error_envelope_matches_status", explanation=explanation)

    if not isinstance(body, dict):
        raise broken(
            f"the {code} answer is not a JSON object (content type {exchange.content_type!r})."
        )
    if body.get("success", False) is not False:
        raise broken(f"the {code} answer has success={body.get('success')!r}; absent or false.")
    status = body.get("status")
    if status != code or isinstance(status, bool):
        raise broken(f"the HTTP status is {code} but the envelope says status {status!r}.")
    error = body.get("error")
    if not isinstance(error, dict):
        raise broken(f"the {code} answer has error {error!r}, not an object.")
    kind, message = error.get("type"), error.get("message")
    if not (isinstance(kind, str) and kind.strip()):
        raise broken(f"the {code} answer has error.type {kind!r}; any non-empty string will do.")
    if not isinstance(message, str):
        raise broken(f"the {code} answer has error.message {message!r}, not a string.")
    if error.get("details") is not None and not isinstance(error["details"], dict):
        raise broken(
            f"the {code} answer has error.details {error['details']!r}; an object or null."
        )
    return True


def namespace_isolation(exchange: Exchange, ledger: ExecutionLedger) -> bool | None:
    """An execution created in one namespace is not readable (not 2xx) from another."""
    if exchange.operation != "get_execution":
        return None
    requested = exchange.requested_execution_id
    owner = ledger.namespace_of(requested) if requested else None
    if owner is None or exchange.namespace is None or owner == exchange.namespace:
        return None
    if exchange.ok:
        raise AccessViolation(
            rule="namespace_isolation",
            explanation=(
                f"execution {requested} was created in namespace {owner!r} and was read "
                f"({exchange.status_code}) from namespace {exchange.namespace!r}."
            ),
        )
    return True


def unauthenticated_requests_refused(exchange: Exchange) -> bool | None:
    """A request without `Authorization` is refused (never 2xx)."""
    if exchange.operation == "other" or exchange.header("Authorization"):
        return None
    if not exchange.ok:
        return True
    raise AccessViolation(
        rule="unauthenticated_requests_refused",
        explanation=f"a request without an Authorization header was answered {exchange.status_code}.",
    )


def wrongly_authenticated_requests_refused(exchange: Exchange) -> bool | None:
    """A request whose `Authorization` is not `Bearer sk_...` is refused (never 2xx)."""
    authorization = exchange.header("Authorization")
    if exchange.operation == "other" or not authorization or _BEARER_SK.match(authorization):
        return None
    if exchange.ok:
        raise AccessViolation(
            rule="wrongly_authenticated_requests_refused",
            explanation=(
                f"a request with Authorization {authorization[:24]!r} (not 'Bearer sk_...') "
                f"was answered {exchange.status_code}."
            ),
        )
    return True


# --- refusals of valid requests -----------------------------------------------------------


def _carries(request: Any, pointer: str) -> bool:
    """Whether the JSON body ``request`` has a value other than null at ``pointer``."""
    node = request
    for raw in pointer.strip("/").split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return node is not None


def _carries_any(refusal: Refusal, exchange: Exchange) -> bool:
    return not refusal.request_carries or any(
        _carries(exchange.request_body, pointer) for pointer in refusal.request_carries
    )


def _error(exchange: Exchange) -> dict[str, Any]:
    body = exchange.body
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _validation_errors_match(refusal: Refusal, exchange: Exchange) -> bool:
    details = _error(exchange).get("details")
    errors = details.get("validation_errors") if isinstance(details, dict) else None
    if not isinstance(errors, list) or not errors:
        return False
    for entry in errors:
        if not isinstance(entry, dict):
            return False
        if refusal.error_types and entry.get("type") not in refusal.error_types:
            return False
        location = entry.get("location")
        location = tuple(location) if isinstance(location, list) else ()
        if refusal.location_prefixes and not any(
            location[: len(prefix)] == prefix for prefix in refusal.location_prefixes
        ):
            return False
    return True


def documented_refusal(exchange: Exchange) -> Refusal | None:
    """The documented case (``x-documented-refusals``) a refusal of a valid request is, if any.

    A refusal that names an error ``code`` is the case with that code (and, when the case is
    about a request field, the request carries it). One without a ``code`` is recognised by
    the case's signature: the request fields it is about, and for 422 the type and location
    of every validation error.
    """
    operation_id = OPERATION_IDS.get(exchange.operation)
    cases = DOCUMENTED_REFUSALS.get((operation_id or "", exchange.status_code), ())
    code = _error(exchange).get("code")
    if isinstance(code, str) and code:
        return next((c for c in cases if c.code == code and _carries_any(c, exchange)), None)
    for case in cases:
        if not case.has_signature or not _carries_any(case, exchange):
            continue
        if (case.error_types or case.location_prefixes) and not _validation_errors_match(
            case, exchange
        ):
            continue
        return case
    return None


def valid_requests_are_accepted(exchange: Exchange) -> bool | None:
    """A request that keeps the spec's schemas is refused with 400 or 422 only in a case the
    spec documents (``x-documented-refusals``: a forged cursor, a missing retriever input,
    ...), recognised by its error ``code`` or, without one, by its signature."""
    if not exchange.schema_valid or exchange.operation == "other":
        return None
    operation_id = OPERATION_IDS[exchange.operation]
    if (operation_id, exchange.status_code) not in DOCUMENTED_REFUSALS:
        return True
    if documented_refusal(exchange) is not None:
        return True
    error = _error(exchange)
    said = ", ".join(
        f"{name} {error[name]!r}" for name in ("code", "message") if error.get(name) is not None
    )
    cases = DOCUMENTED_REFUSALS[(operation_id, exchange.status_code)]
    documented = (
        f"it documents only {', '.join(case.code for case in cases)}"
        if cases
        else "it documents none"
    )
    raise RefusalViolation(
        rule="valid_requests_are_accepted",
        explanation=(
            f"a request that keeps the spec's schemas was refused with {exchange.status_code}"
            f"{f' ({said})' if said else ''}, which is no refusal the spec documents for "
            f"{operation_id} (x-documented-refusals of its {exchange.status_code}: {documented})."
        ),
    )


#: Rules that judge one exchange alone.
STATELESS_RULES: tuple[Callable[[Exchange], bool | None], ...] = (
    execution_status_is_known,
    error_set_exactly_when_failed,
    degraded_entries_say_what_was_skipped,
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
    valid_requests_are_accepted,
)
#: Rules that compare an exchange with what the run saw before (the ledger).
LEDGER_RULES: tuple[Callable[[Exchange, ExecutionLedger], bool | None], ...] = (
    terminal_state_never_changes,
    execution_read_back_matches_creation,
    unknown_execution_is_not_found,
    budget_remaining_never_grows,
    namespace_isolation,
)
#: Judges named after another rule: the rule they are part of.
_PART_OF = {budget_remaining_never_grows: budget_figures_coherent.__name__}


def rule_name(judge: Callable[..., bool | None]) -> str:
    """The rule a judging function belongs to (its own name for all but a few)."""
    return _PART_OF.get(judge, judge.__name__)


def _rules() -> dict[str, tuple[Callable[..., bool | None], ...]]:
    grouped: dict[str, tuple[Callable[..., bool | None], ...]] = {}
    for function in (*STATELESS_RULES, *LEDGER_RULES):
        grouped[rule_name(function)] = (*grouped.get(rule_name(function), ()), function)
    return grouped


#: Every rule judged per exchange, by name, with the functions that judge it.
RULES: Mapping[str, tuple[Callable[..., bool | None], ...]] = MappingProxyType(_rules())


def verdicts(
    exchange: Exchange, ledger: ExecutionLedger, *, accepted_statuses: Collection[str] = ()
) -> dict[str, RuleViolation | None]:
    """Every rule that judged ``exchange``, by name: its violation, or ``None`` when it held.

    A rule that did not judge it (the exchange says nothing about the rule) is absent. The
    caller records the exchange in the ledger afterwards.
    """
    found: dict[str, RuleViolation | None] = {}
    for function in (*STATELESS_RULES, *LEDGER_RULES):
        name = rule_name(function)
        try:
            if function is execution_status_is_known:
                judged = execution_status_is_known(exchange, accepted_statuses)
            elif function in LEDGER_RULES:
                judged = function(exchange, ledger)
            else:
                judged = function(exchange)
        except RuleViolation as violation:
            found[name] = found.get(name) or violation
            continue
        if judged:
            found.setdefault(name, None)
    return found


def judge(
    exchange: Exchange, ledger: ExecutionLedger, *, accepted_statuses: Collection[str] = ()
) -> None:
    """Judge one exchange by every rule (the workflows do, for each answer they get) and raise
    the first violation; the caller records it in the ledger afterwards."""
    for violation in verdicts(exchange, ledger, accepted_statuses=accepted_statuses).values():
        if violation is not None:
            raise violation
