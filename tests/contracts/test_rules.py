"""Each rule, on single answers: what it catches, and what it tolerates because the real API
does it (FACTS.md, "The real API today"). A rule that fails on a real-API answer cries wolf.
"""

from __future__ import annotations

from typing import Any

import pytest

from mixpeek_toolkit.contracts import rules
from mixpeek_toolkit.contracts.exchange import Exchange
from mixpeek_toolkit.contracts.facts import KNOWN_STATUSES
from mixpeek_toolkit.contracts.ledger import ExecutionLedger
from mixpeek_toolkit.contracts.violations import RuleViolation
from tests.spec.real_api import ERRORS, RESPONSES, execution

EXECUTE = "/v1/retrievers/ret_product_search/execute"
READ = "/v1/retrievers/ret_product_search/executions/exec_abc123def456"
HEADERS = {"Authorization": "Bearer sk_test_x", "X-Namespace": "rules"}


def answer(body: Any, *, status: int = 200, request: Any = None, path: str = EXECUTE) -> Exchange:
    return Exchange(
        method="POST" if path == EXECUTE else "GET",
        path=path,
        request_headers=HEADERS,
        request_body=request if request is not None else ({} if path == EXECUTE else None),
        status_code=status,
        body=body,
        content_type="application/json",
    )


def judge_all(exchange: Exchange, **options: Any) -> None:
    rules.judge(exchange, ExecutionLedger(), **options)


def broken_rule(exchange: Exchange, **options: Any) -> str:
    with pytest.raises(RuleViolation) as caught:
        judge_all(exchange, **options)
    return caught.value.rule


# --- what the real API answers passes every rule ----------------------------------------------


@pytest.mark.parametrize("behaviour", RESPONSES, ids=lambda b: b.name)
def test_every_real_api_answer_keeps_every_rule(behaviour):
    accepted = {behaviour.value["status"]} - KNOWN_STATUSES  # the one unknown status: by name
    if behaviour.value.get("documents_retained") is not False:  # a read-back shape only
        judge_all(answer(behaviour.value), accepted_statuses=accepted)
    judge_all(answer(behaviour.value, path=READ), accepted_statuses=accepted)


@pytest.mark.parametrize("behaviour", ERRORS, ids=lambda b: b.name)
def test_every_real_api_error_keeps_the_envelope_rule(behaviour):
    judge_all(answer(behaviour.value, status=behaviour.value["status"]))


# --- statuses ----------------------------------------------------------------------------------


def test_a_status_the_api_never_answers_is_caught_and_the_message_names_the_option():
    with pytest.raises(RuleViolation) as caught:
        rules.execution_status_is_known(answer(execution(status="done")))
    assert caught.value.rule == "execution_status_is_known"
    message = str(caught.value)
    for option in ("--accept-status done", "--mixpeek-accept-status", "MIXPEEK_ACCEPT_STATUSES"):
        assert option in message
    for known in KNOWN_STATUSES:
        assert known in message


def test_a_status_accepted_by_name_passes_and_no_lifecycle_rule_judges_it():
    # Neither in flight nor terminal: no documents to judge, no `error` fixed, no lifecycle.
    queued = execution(status="queued", error="still queued", documents=[{"document_id": "a"}])
    judge_all(answer(queued), accepted_statuses={"queued"})
    judge_all(answer(queued, path=READ), accepted_statuses={"queued"})


@pytest.mark.parametrize("status", ["", 2, None])
def test_a_status_that_is_no_string_is_never_accepted(status):
    with pytest.raises(RuleViolation, match="not a status the API answers"):
        rules.execution_status_is_known(answer(execution(status=status)), {""})


# --- error and degraded --------------------------------------------------------------------------


def test_degraded_carries_no_error():
    degraded = execution(status="degraded", error="skipped a stage")
    assert broken_rule(answer(degraded)) == "error_set_exactly_when_failed"


def test_failed_must_say_why():
    assert broken_rule(answer(execution(status="failed", documents=[]))) == (
        "error_set_exactly_when_failed"
    )


@pytest.mark.parametrize(
    "entry",
    [
        {"resource": "collection", "reason": ""},
        {"resource": "", "reason": "re-indexing"},
        {"reason": "re-indexing"},
        {"resource": "collection", "reason": "re-indexing", "stage": 3},
        {"resource": "collection", "reason": "re-indexing", "id": ["col_1"]},
        "collection",
    ],
)
def test_each_degraded_entry_says_what_was_skipped_and_why(entry):
    degraded = execution(status="degraded", degraded=[entry])
    assert broken_rule(answer(degraded)) == "degraded_entries_say_what_was_skipped"


def test_a_degraded_run_is_judged_like_a_completed_one():
    unsorted = execution(status="degraded")
    unsorted["documents"].reverse()
    assert broken_rule(answer(unsorted)) == "documents_sorted_by_score"


# --- the error envelope ------------------------------------------------------------------------


def envelope(status: int = 404, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "success": False,
        "status": status,
        "error": {"type": "NotFoundError", "message": "Not found."},
    }
    for key, value in changes.items():
        if value is ...:
            body.pop(key)
        else:
            body[key] = value
    return body


@pytest.mark.parametrize(
    "body",
    [
        envelope(success=...),
        envelope(error={"type": "NotEnabledError", "message": "Not enabled."}),
        envelope(error={"type": "ResourceGoneError", "message": "", "details": None}),
        envelope(error={"type": "NotFoundError", "message": "x", "code": "gone", "extra": 1}),
        envelope(trace_id="trace_1"),
    ],
)
def test_the_envelope_tolerates_any_type_a_missing_success_and_null_details(body):
    rules.error_envelope_matches_status(answer(body, status=404))


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (envelope(status=400), "envelope says status 400"),
        (envelope(status="404"), "envelope says status '404'"),
        (envelope(success=True), "success=True"),
        (envelope(error={"type": "", "message": "x"}), "error.type ''"),
        (envelope(error={"message": "x"}), "error.type None"),
        (envelope(error={"type": "NotFoundError"}), "error.message None"),
        (envelope(error={"type": "T", "message": "x", "details": "no"}), "error.details 'no'"),
        (envelope(error="Not found"), "not an object"),
        ("Not found", "not a JSON object"),
    ],
)
def test_the_envelope_must_say_the_http_status_and_what_went_wrong(body, says):
    with pytest.raises(RuleViolation, match=f"error_envelope_matches_status.*{says}"):
        rules.error_envelope_matches_status(answer(body, status=404))


# --- read-back ---------------------------------------------------------------------------------


def read_back_after(created: dict[str, Any], read: dict[str, Any]) -> None:
    ledger = ExecutionLedger()
    first = answer(created)
    rules.judge(first, ledger)
    ledger.record(first)
    rules.judge(answer(read, path=READ), ledger)


def test_a_statistics_only_read_back_counts_what_the_run_returned():
    read_back_after(
        execution(), execution(documents=[], documents_retained=False, total_returned=2)
    )


def test_a_statistics_only_read_back_may_count_the_whole_result():
    created = execution(pagination={"cursor": "c2", "has_next": True, "total": 9, "page_size": 2})
    read = execution(documents=[], documents_retained=False, total_returned=9)
    read_back_after(created, read)


@pytest.mark.parametrize(
    "read",
    [
        execution(documents=[], documents_retained=False, total_returned=5),
        execution(documents_retained=False, total_returned=2),  # says empty, answers documents
        execution(documents=[]),  # retained (by default) but answers other documents
    ],
)
def test_a_read_back_that_contradicts_the_run_is_caught(read):
    with pytest.raises(RuleViolation, match="execution_read_back_matches_creation"):
        read_back_after(execution(), read)


# --- pagination in either shape ------------------------------------------------------------------


def page(meta: dict[str, Any], count: int = 2, **extra: Any) -> dict[str, Any]:
    documents = [{"document_id": f"d{i}", "score": 1 - i / 100} for i in range(count)]
    return execution(documents=documents, pagination=meta, **extra)


def test_0_82_offset_metadata_is_read_by_page_number():
    meta = {"method": "offset", "page_number": 2, "page_size": 2, "returned": 2, "total": 6}
    judge_all(answer(page({**meta, "has_next": True})))
    lying = answer(page({**meta, "has_next": False}))
    assert broken_rule(lying) == "pagination_agrees_with_total_and_has_next"


def test_0_82_keyset_metadata_has_next_page_exactly_when_after_is_set():
    meta = {"method": "keyset", "limit": 2, "returned": 2, "total": 6}
    request = {"pagination": {"method": "keyset", "limit": 2}}
    marker = {"score": 0.99, "document_id": "d1"}
    judge_all(answer(page({**meta, "after": marker}), request=request))
    judge_all(answer(page({**meta, "total": 2, "after": None}), request=request))
    lost = answer(page({**meta, "after": None}), request=request)
    assert broken_rule(lost) == "pagination_agrees_with_total_and_has_next"


def test_a_pagination_without_method_is_cursor_with_its_default_page_size():
    cursor = {"cursor": None, "has_next": False, "total": 11}
    request = {"pagination": {}}  # cursor, limit 10 by default
    assert broken_rule(answer(page(cursor, count=11), request=request)) == (
        "page_within_requested_size"
    )
    judge_all(answer(page({**cursor, "total": 10}, count=10), request=request))


def test_the_top_level_page_size_sizes_the_page():
    cursor = {"cursor": None, "has_next": False, "total": 4}
    request = {"page_size": 3}
    assert broken_rule(answer(page(cursor, count=4), request=request)) == (
        "page_within_requested_size"
    )
    judge_all(answer(page(cursor, count=4), request={"page_size": 3, "limit": 4}))  # limit wins


def test_a_clamped_top_k_is_judged_by_the_value_the_server_applied():
    cursor = {"cursor": None, "has_next": False, "total": 3}
    request = {"inputs": {"top_k": 1000}}
    clamp = {"name": "top_k", "requested": 1000, "applied": 2, "ceiling": 2, "stage": None}
    judge_all(answer(page({**cursor, "total": 2}, limits=[clamp]), request=request))
    over = answer(page(cursor, count=3, limits=[clamp]), request=request)
    assert broken_rule(over) == "page_within_requested_size"
    # A `limits` entry that would raise the bound is no clamp: the request's top_k stands.
    raised = answer(
        page(cursor, count=3, limits=[{**clamp, "applied": 5000}]),
        request={"inputs": {"top_k": 2}},
    )
    assert broken_rule(raised) == "page_within_requested_size"
