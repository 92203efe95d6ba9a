"""The response schemas carry the rules that JSON Schema can say.

`error` is a string exactly when `status` is `failed`; an in-flight execution has no
`completed_at` and a finished one has it. Checkers built on the schema (Schemathesis,
the mock's strict mode) catch these faults without any extra code.
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


@pytest.mark.parametrize("status", ["done", "COMPLETED", "running", ""])
def test_status_is_one_of_the_four_lifecycle_values(status):
    assert not is_valid("ExecuteRetrieverResponse", variant(status=status))


@pytest.mark.parametrize("execution_id", ["abc123", "exec_", "execution_1", "exec_a-b"])
def test_execution_ids_start_with_exec_and_an_alphanumeric_token(execution_id):
    assert not is_valid("ExecuteRetrieverResponse", variant(execution_id=execution_id))
