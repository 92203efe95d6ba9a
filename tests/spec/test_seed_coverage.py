"""The contract documents every field, header, parameter and status value of the seeds.

The three seed documents (shared/seeds/) are where this project comes from; each name
they mention must appear in the spec, where a user would look for it, with a description.
"""

from __future__ import annotations

from typing import Any

import pytest

from mixpeek_toolkit import spec

OPENAPI = spec.load_openapi()
SCHEMAS = OPENAPI["components"]["schemas"]


def properties(schema_name: str) -> dict[str, Any]:
    schema = SCHEMAS[schema_name]
    merged: dict[str, Any] = dict(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        merged.update(properties(part["$ref"].rsplit("/", 1)[-1]))
    return merged


# seed 002 (execute) and seed 003 (the query API) request fields
REQUEST_FIELDS = [
    "inputs", "collection_identifiers", "pagination",  # seed 002
    "filters", "sort", "limit", "offset", "select", "session_id", "return_urls", "group_by",  # 003
    "retriever_id",  # 003
]  # fmt: skip
INPUT_FIELDS = ["query", "embedding", "top_k", "min_score"]
GROUP_BY_FIELDS = ["field", "max_features", "sort"]
# seed 002 and 004 response fields, named as FACTS.md gives them
RESPONSE_FIELDS = ["execution_id", "status", "documents", "pagination", "stage_statistics",
                   "budget", "error"]  # fmt: skip
PROGRESS_FIELDS = ["created_at", "completed_at", "current_stage", "stages_completed",
                   "total_stages"]  # fmt: skip
DOCUMENT_FIELDS = ["document_id", "payload", "score"]
BUDGET_FIELDS = ["credits_remaining", "credits_used", "time_used_ms"]
STATISTICS_FIELDS = ["stages", "total_time_ms", "credits_used"]
PAGINATION_RESPONSE_FIELDS = {
    "OffsetPaginationResponse": ["total", "limit", "offset", "has_next", "has_previous"],
    "CursorPaginationResponse": ["cursor", "has_next", "page_size"],
    "KeysetPaginationResponse": ["next_cursor", "has_next"],
    "ScrollPaginationResponse": ["scroll_id", "has_next"],
}
STATUS_VALUES = ["completed", "failed", "processing", "pending"]
PAGINATION_METHODS = ["offset", "cursor", "scroll", "keyset"]


@pytest.mark.parametrize(
    ("schema_name", "fields"),
    [
        ("ExecuteRetrieverRequest", REQUEST_FIELDS),
        ("RetrieverInputs", INPUT_FIELDS),
        ("GroupBy", GROUP_BY_FIELDS),
        ("ExecuteRetrieverResponse", RESPONSE_FIELDS),
        ("ExecutionDetail", RESPONSE_FIELDS + PROGRESS_FIELDS),
        ("Document", DOCUMENT_FIELDS),
        ("Budget", BUDGET_FIELDS),
        ("RetrieverExecutionStatistics", STATISTICS_FIELDS),
        *PAGINATION_RESPONSE_FIELDS.items(),
    ],
)
def test_every_seed_field_is_a_property_of_its_schema(schema_name, fields):
    declared = properties(schema_name)
    missing = [field for field in fields if field not in declared]
    assert not missing, f"{schema_name} does not declare {missing}"


@pytest.mark.parametrize("schema_name", sorted(SCHEMAS))
def test_every_schema_and_top_level_property_is_described(schema_name):
    schema = SCHEMAS[schema_name]
    assert schema.get("description") or schema.get("title"), schema_name
    undescribed = [
        name
        for name, prop in schema.get("properties", {}).items()
        if not prop.get("description") and "$ref" not in prop  # a $ref's target is described
    ]
    assert not undescribed, f"{schema_name} does not describe {undescribed}"


def test_required_response_fields_follow_seed_002():
    required = SCHEMAS["ExecuteRetrieverResponse"]["required"]
    assert sorted(required) == sorted(
        ["execution_id", "status", "documents", "pagination", "stage_statistics", "budget"]
    )
    assert sorted(SCHEMAS["ExecutionProgress"]["required"]) == sorted(PROGRESS_FIELDS)


def test_status_is_an_enum_of_the_four_values_of_the_seeds():
    assert sorted(SCHEMAS["ExecutionStatus"]["enum"]) == sorted(STATUS_VALUES)


def test_the_four_pagination_methods_are_a_discriminated_union():
    union = SCHEMAS["PaginationParams"]
    assert union["discriminator"]["propertyName"] == "method"
    assert sorted(union["discriminator"]["mapping"]) == sorted(PAGINATION_METHODS)


@pytest.mark.parametrize(
    ("schema_name", "field", "minimum", "maximum", "default"),
    [  # FACTS.md, "Pagination"
        ("OffsetPaginationParams", "page_size", 1, 500, 10),
        ("OffsetPaginationParams", "page_number", 1, None, 1),
        ("CursorPaginationParams", "limit", 1, 500, 10),
        ("ScrollPaginationParams", "limit", 1, 1000, 100),
        ("ScrollPaginationParams", "scroll_ttl", 60, 3600, 300),
        ("KeysetPaginationParams", "limit", 1, 500, 10),
    ],
)
def test_pagination_bounds_and_defaults_follow_the_real_api(
    schema_name, field, minimum, maximum, default
):
    prop = SCHEMAS[schema_name]["properties"][field]
    assert (prop.get("minimum"), prop.get("maximum"), prop.get("default")) == (
        minimum,
        maximum,
        default,
    )


def test_the_seed_003_bounds_of_limit_and_offset_are_documented():
    request = SCHEMAS["ExecuteRetrieverRequest"]["properties"]
    assert request["limit"]["minimum"] == 1
    assert request["limit"]["maximum"] == 500  # the official client's bound; see description
    assert "100" in request["limit"]["description"]
    assert request["offset"]["minimum"] == 0


def test_the_error_envelope_follows_facts():
    envelope = SCHEMAS["ErrorResponse"]
    assert sorted(envelope["required"]) == ["error", "status", "success"]
    assert sorted(SCHEMAS["ErrorDetail"]["required"]) == ["message", "type"]
    assert "validation_errors" in SCHEMAS["ErrorDetails"]["properties"]
    assert sorted(SCHEMAS["ErrorType"]["enum"]) == sorted(
        [
            "BadRequestError",
            "UnauthorizedError",
            "ForbiddenError",
            "NotFoundError",
            "AlreadyExistsError",
            "ValidationError",
            "TooManyRequestsError",
            "InternalServerError",
            "ServiceUnavailableError",
        ]
    )


def test_the_seed_headers_and_path_parameters_are_documented():
    parameters = OPENAPI["components"]["parameters"]
    names = {p["name"]: p for p in parameters.values()}
    for name in ("retriever_id", "execution_id", "X-Namespace"):
        assert names[name]["description"], name
    bearer = OPENAPI["components"]["securitySchemes"]["BearerAuth"]
    assert "Bearer sk_live_abc123def456" in bearer["description"]
    namespace_examples = [e["value"] for e in names["X-Namespace"]["examples"].values()]
    assert "ns_abc123def456" in namespace_examples


def test_each_error_type_belongs_to_exactly_one_status():
    by_status = SCHEMAS["ErrorType"]["x-type-by-status"]
    assert sorted(by_status.values()) == sorted(SCHEMAS["ErrorType"]["enum"])
    declared = {
        status
        for methods in OPENAPI["paths"].values()
        for op in methods.values()
        for status in op["responses"]
        if status.startswith(("4", "5"))
    }
    assert declared <= set(by_status)


def test_the_lifecycle_ranks_every_status_and_only_moves_forward_to_a_terminal_state():
    rank = SCHEMAS["ExecutionStatus"]["x-lifecycle-rank"]
    assert sorted(rank) == sorted(STATUS_VALUES)
    assert rank["pending"] < rank["processing"] < rank["completed"] == rank["failed"]
