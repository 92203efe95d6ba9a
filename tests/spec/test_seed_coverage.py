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
# Seed 002 calls these "common values"; FACTS adds `degraded`, which the API also answers.
SEED_STATUS_VALUES = ["completed", "failed", "processing", "pending"]
KNOWN_STATUS_VALUES = [*SEED_STATUS_VALUES, "degraded"]
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


def test_status_is_a_plain_string_and_the_five_known_values_are_documented():
    # Seed 002: "Common values: 'completed', 'failed', 'processing', 'pending'": a list of
    # examples, not a closed set. The status stays a plain string; the values the API
    # answers are documented once, with how each reads, and the contract suites hold
    # servers to them by name (a user may accept more).
    status = SCHEMAS["ExecutionStatus"]
    assert status["type"] == "string" and status["minLength"] == 1
    assert "enum" not in status
    known = SCHEMAS["KnownExecutionStatus"]
    assert sorted(known["enum"]) == sorted(KNOWN_STATUS_VALUES)
    for value, reading in [
        ("pending", "in flight"),
        ("processing", "in flight"),
        ("completed", "terminal"),
        ("failed", "an error"),
        ("degraded", "skipped something"),
    ]:
        assert f"`{value}`" in known["description"]
        assert reading in known["description"]


def test_pagination_params_are_a_one_of_where_a_missing_method_is_cursor():
    # Seed 002: "Defaults to cursor-based pagination". A discriminator would make `method`
    # required, so the union is a plain oneOf: the other three methods require their
    # `method`, cursor alone does without it (and defaults to it).
    union = SCHEMAS["PaginationParams"]
    assert "discriminator" not in union
    members = [SCHEMAS[ref["$ref"].rsplit("/", 1)[-1]] for ref in union["oneOf"]]
    assert sorted(m["properties"]["method"]["const"] for m in members) == sorted(PAGINATION_METHODS)
    for member in members:
        method = member["properties"]["method"]
        if method["const"] == "cursor":
            assert "method" not in member.get("required", [])
            assert method["default"] == "cursor"
        else:
            assert "method" in member["required"]


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


KNOWN_ERROR_TYPES = [
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


def test_the_envelope_accepts_any_non_empty_type_and_a_missing_success():
    # FACTS: "`success` may be absent (it defaults to false), `details` may be null", and
    # "the API also answers other types (NotEnabledError, ...). A checker must accept any
    # non-empty type string."
    envelope = SCHEMAS["ErrorResponse"]
    assert sorted(envelope["required"]) == ["error", "status"]
    success = envelope["properties"]["success"]
    assert (success["const"], success["default"]) == (False, False)
    detail = SCHEMAS["ErrorDetail"]
    assert sorted(detail["required"]) == ["message", "type"]
    assert detail["properties"]["type"] == {**detail["properties"]["type"], "type": "string"}
    assert detail["properties"]["type"]["minLength"] == 1
    assert "enum" not in detail["properties"]["type"]
    assert {"type": "null"} in detail["properties"]["details"]["anyOf"]
    assert "validation_errors" in SCHEMAS["ErrorDetails"]["properties"]
    # The usual type of each status is documented, not enforced.
    assert sorted(SCHEMAS["KnownErrorType"]["enum"]) == sorted(KNOWN_ERROR_TYPES)


def test_a_429_window_may_be_seconds_or_a_string():
    # FACTS: `details` like {"limit": 600, "window": "1m", "retry_after": 15}.
    window = SCHEMAS["ErrorDetails"]["properties"]["window"]
    assert sorted(window["type"]) == ["integer", "string"]


def test_the_seed_headers_and_path_parameters_are_documented():
    parameters = OPENAPI["components"]["parameters"]
    names = {p["name"]: p for p in parameters.values()}
    for name in ("retriever_id", "execution_id", "X-Namespace"):
        assert names[name]["description"], name
    bearer = OPENAPI["components"]["securitySchemes"]["BearerAuth"]
    assert "Bearer sk_live_abc123def456" in bearer["description"]
    namespace_examples = [e["value"] for e in names["X-Namespace"]["examples"].values()]
    assert "ns_abc123def456" in namespace_examples


def test_each_usual_error_type_belongs_to_exactly_one_status():
    by_status = SCHEMAS["KnownErrorType"]["x-type-by-status"]
    assert sorted(by_status.values()) == sorted(SCHEMAS["KnownErrorType"]["enum"])
    declared = {
        status
        for methods in OPENAPI["paths"].values()
        for op in methods.values()
        for status in op["responses"]
        if status.startswith(("4", "5"))
    }
    assert declared <= set(by_status)


def test_the_lifecycle_ranks_every_known_status_and_only_moves_forward_to_a_terminal_state():
    known = SCHEMAS["KnownExecutionStatus"]
    rank = known["x-lifecycle-rank"]
    assert sorted(rank) == sorted(known["enum"])
    assert rank["pending"] < rank["processing"] < rank["completed"]
    # completed, failed and degraded are terminal: they share the top rank.
    top = max(rank.values())
    assert sorted(s for s, r in rank.items() if r == top) == ["completed", "degraded", "failed"]
    # Only failed carries `error`; degraded finished and its documents are usable.
    assert known["x-error-statuses"] == ["failed"]


def test_a_degraded_entry_names_the_resource_and_the_reason():
    entry = SCHEMAS["DegradedEntry"]
    assert sorted(entry["required"]) == ["reason", "resource"]
    for nullable in ("id", "next_step", "stage"):
        assert sorted(entry["properties"][nullable]["type"]) == ["null", "string"]
