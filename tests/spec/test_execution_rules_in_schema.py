"""The response schemas carry the rules that JSON Schema can say.

`error` is a string exactly when `status` is `failed` (a `degraded` run finished without
one); an in-flight execution has no `completed_at` and a finished one has it. Checkers built
on the schema (Schemathesis, the mock's strict mode) catch these faults without any extra
code. What the schema leaves free (a status the API may add, the identifier's token) is
free on purpose: the contract is never stricter than the real API.
"""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import pytest

from mixpeek_toolkit import spec

OPENAPI = spec.load_openapi()

COMPLETED: dict[str, Any] = {
    "retriever_id": "ret_product_search",
    "execution_id": "exec_0123456789abcdef",
    "status": "completed",
    "documents": [{"document_id": "doc_1", "score": 0.9, "payload": {"text": "x"}}],
    "pagination": {"cursor": None, "has_next": False, "page_size": 20},
    "stage_statistics": {"stages": {}, "total_time_ms": 0, "credits_used": 0},
    "budget": {"credits_used": 0.5, "credits_remaining": 99.5, "time_used_ms": 3},
    "created_at": "2026-11-21T10:00:00Z",
    "completed_at": "2026-11-21T10:00:01Z",
    "current_stage": None,
    "stages_completed": 1,
    "total_stages": 1,
}


def is_valid(schema_name: str, instance: dict[str, Any]) -> bool:
    schema = spec.schema_for({"$ref": f"#/components/schemas/{schema_name}"}, OPENAPI)
    return jsonschema.Draft202012Validator(schema).is_valid(instance)


def variant(**changes: Any) -> dict[str, Any]:
    instance = copy.deepcopy(COMPLETED)
    for key, value in changes.items():
        if value is ...:
            instance.pop(key, None)
        else:
            instance[key] = value
    return instance


@pytest.mark.parametrize("schema_name", ["ExecuteRetrieverResponse", "ExecutionDetail"])
def test_a_completed_execution_without_error_is_valid(schema_name):
    assert is_valid(schema_name, COMPLETED)


@pytest.mark.parametrize("schema_name", ["ExecuteRetrieverResponse", "ExecutionDetail"])
def test_a_completed_execution_with_an_error_is_invalid(schema_name):
    assert not is_valid(schema_name, variant(error="Retriever execution failed"))


@pytest.mark.parametrize("schema_name", ["ExecuteRetrieverResponse", "ExecutionDetail"])
def test_a_failed_execution_must_say_why(schema_name):
    assert not is_valid(schema_name, variant(status="failed", error=...))
    assert not is_valid(schema_name, variant(status="failed", error=None))
    assert is_valid(schema_name, variant(status="failed", error="Budget exceeded"))


def test_an_in_flight_execution_has_not_completed():
    in_flight = variant(status="processing", documents=[], current_stage="rerank")
    assert not is_valid("ExecutionDetail", in_flight)
    assert is_valid("ExecutionDetail", {**in_flight, "completed_at": None})


def test_a_finished_execution_says_when_it_finished():
    assert not is_valid("ExecutionDetail", variant(completed_at=None))
    assert not is_valid("ExecutionDetail", variant(status="degraded", completed_at=None))


def test_a_degraded_execution_finished_without_an_error():
    degraded = [{"resource": "collection", "id": None, "reason": "re-indexing", "stage": None}]
    assert is_valid("ExecutionDetail", variant(status="degraded", degraded=degraded))
    assert not is_valid("ExecutionDetail", variant(status="degraded", error="skipped"))


@pytest.mark.parametrize("entry", [{"resource": "collection"}, {"reason": "re-indexing"}])
def test_a_degraded_entry_says_what_was_skipped_and_why(entry):
    assert not is_valid("ExecutionDetail", variant(status="degraded", degraded=[entry]))


@pytest.mark.parametrize("status", ["completed", "degraded", "queued", "COMPLETED", "done"])
def test_status_is_a_plain_string(status):
    # The seeds call their list "common values" and the API answers more than the seeds
    # list; which values a server may answer is the contract suites' rule
    # (`execution_status_is_known`), where a user can accept their own by name.
    assert is_valid("ExecuteRetrieverResponse", variant(status=status))


@pytest.mark.parametrize("status", ["", 2, None, ["completed"]])
def test_status_is_never_empty_nor_anything_but_a_string(status):
    assert not is_valid("ExecuteRetrieverResponse", variant(status=status))


def test_a_status_the_contract_does_not_know_may_be_in_flight_or_finished():
    # Only the known statuses fix `completed_at`: an unknown one may carry it or not.
    unknown = variant(status="queued", documents=[])
    assert is_valid("ExecutionDetail", {**unknown, "completed_at": None})
    assert is_valid("ExecutionDetail", unknown)


@pytest.mark.parametrize("execution_id", ["abc123", "exec_", "execution_1", "exec_a-b"])
def test_execution_ids_start_with_exec_and_an_alphanumeric_token(execution_id):
    # Seed 002: "Format: 'exec_' prefix followed by alphanumeric token."
    assert not is_valid("ExecuteRetrieverResponse", variant(execution_id=execution_id))


def test_an_execution_id_has_no_invented_length_bound():
    assert is_valid("ExecuteRetrieverResponse", variant(execution_id="exec_" + "a" * 200))
