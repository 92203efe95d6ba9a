"""The generated models read and write back every example of the contract and the seeds."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from mixpeek_toolkit import spec
from mixpeek_toolkit.generated import models

OPENAPI = spec.load_openapi()

# Seed 002's response example, verbatim. It mixes a completed status with an error
# message, which the spec's schema refuses (`error` only when failed), so the spec
# splits it into a completed and a failed example; the models, which carry no
# cross-field rules, still read it whole.
SEED_002_RESPONSE: dict[str, Any] = {
    "execution_id": "exec_abc123def456",
    "status": "completed",
    "documents": [
        {
            "document_id": "doc_123",
            "payload": {"metadata": {"category": "AI"}, "text": "Sample content"},
            "score": 0.95,
        },
        {
            "document_id": "doc_456",
            "payload": {"metadata": {"category": "ML"}, "text": "Another document"},
            "score": 0.88,
        },
    ],
    "pagination": {"has_next": True, "limit": 10, "offset": 0, "total": 100},
    "stage_statistics": {"stages": {}, "total_time_ms": 0, "credits_used": 0},
    "budget": {"credits_remaining": 99.5, "credits_used": 0.5, "time_used_ms": 150},
    "error": "Retriever execution failed: Collection not found",
}


def model_examples() -> list[tuple[str, type[BaseModel], Any]]:
    found = []
    for path, methods in OPENAPI["paths"].items():
        for method, op in methods.items():
            places = [("request", op["requestBody"])] if "requestBody" in op else []
            places += list(op["responses"].items())
            for where, part in places:
                media = part.get("content", {}).get("application/json")
                if not media or "$ref" not in media["schema"]:
                    continue
                model = getattr(models, media["schema"]["$ref"].rsplit("/", 1)[-1])
                for name, example in media.get("examples", {}).items():
                    found.append((f"{method} {path} {where} {name}", model, example["value"]))
    for name, response in OPENAPI["components"]["responses"].items():
        media = response["content"]["application/json"]
        found.append((f"responses.{name}", models.ErrorResponse, media["example"]))
    return found


def round_trip(model: type[BaseModel], value: Any) -> Any:
    parsed = model.model_validate(value)
    return parsed.model_dump(mode="json", by_alias=True, exclude_unset=True)


def test_seed_002_response_round_trips():
    assert round_trip(models.ExecuteRetrieverResponse, SEED_002_RESPONSE) == SEED_002_RESPONSE


def test_the_seed_002_pagination_example_is_read_as_offset_metadata():
    parsed = models.ExecuteRetrieverResponse.model_validate(SEED_002_RESPONSE)
    assert isinstance(parsed.pagination.root, models.OffsetPaginationResponse)


EXAMPLES = model_examples()


@pytest.mark.parametrize(("where", "model", "value"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_every_spec_example_round_trips_through_its_model(where, model, value):
    assert round_trip(model, value) == value


def test_seed_004_progress_fields_are_typed():
    detail = models.ExecutionDetail.model_validate(
        {
            **SEED_002_RESPONSE,
            "error": None,
            "created_at": "2026-11-21T10:00:00Z",
            "completed_at": None,
            "current_stage": "rerank",
            "stages_completed": 1,
            "total_stages": 3,
        }
    )
    assert detail.created_at.tzinfo is not None
    assert (detail.stages_completed, detail.total_stages) == (1, 3)
    # `status` is a plain string; the known values are an enum beside it to compare with.
    assert isinstance(detail.status, models.ExecutionStatus)
    assert models.KnownExecutionStatus(detail.status.root) is models.KnownExecutionStatus.COMPLETED


@pytest.mark.parametrize("status", ["degraded", "queued"])
def test_any_status_string_is_read(status):
    detail = models.ExecuteRetrieverResponse.model_validate({**SEED_002_RESPONSE, "status": status})
    assert detail.status.root == status
