"""spec/openapi.yaml is a valid OpenAPI 3.1 document that a user can learn the API from."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_spec_validator import validate

OPERATIONS = {
    "executeRetriever": ("/v1/retrievers/{retriever_id}/execute", "post"),
    "getExecution": ("/v1/retrievers/{retriever_id}/executions/{execution_id}", "get"),
}
ERROR_STATUSES = ["400", "401", "403", "404", "422", "429", "500", "503"]
RATE_LIMIT_HEADERS = [
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "X-RateLimit-Window",
]


def resolve(openapi: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        *_, kind, name = node["$ref"].split("/")
        node = openapi["components"][kind][name]
    return node


def operation(openapi: dict[str, Any], operation_id: str) -> dict[str, Any]:
    path, method = OPERATIONS[operation_id]
    return openapi["paths"][path][method]


def test_the_document_passes_the_openapi_validator(openapi):
    validate(openapi)
    assert openapi["openapi"].startswith("3.1")


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_each_operation_is_named_summarised_and_described(openapi, operation_id):
    op = operation(openapi, operation_id)
    assert op["operationId"] == operation_id
    assert op["summary"]
    assert len(op["description"]) > 200, "the description should teach the operation"


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_each_operation_needs_a_bearer_token_and_a_namespace(openapi, operation_id):
    assert openapi["security"] == [{"BearerAuth": []}]
    assert openapi["components"]["securitySchemes"]["BearerAuth"] == {
        **openapi["components"]["securitySchemes"]["BearerAuth"],
        "type": "http",
        "scheme": "bearer",
    }
    parameters = [resolve(openapi, p) for p in operation(openapi, operation_id)["parameters"]]
    namespace = next(p for p in parameters if p["name"] == "X-Namespace")
    assert namespace["in"] == "header"
    assert namespace["required"] is True


@pytest.mark.parametrize("operation_id", OPERATIONS)
@pytest.mark.parametrize("status", ERROR_STATUSES)
def test_every_error_status_answers_the_error_envelope(openapi, operation_id, status):
    response = resolve(openapi, operation(openapi, operation_id)["responses"][status])
    schema = response["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/ErrorResponse"}


CACHING_HEADERS = ["ETag", "Cache-Control", "X-Cache"]


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_successful_answers_carry_the_rate_limit_headers(openapi, operation_id):
    headers = operation(openapi, operation_id)["responses"]["200"]["headers"]
    assert set(RATE_LIMIT_HEADERS) <= set(headers)
    assert all(resolve(openapi, headers[name])["required"] for name in RATE_LIMIT_HEADERS)


def test_execute_answers_may_carry_caching_headers_and_answer_304_when_unchanged(openapi):
    # FACTS: execute answers carry ETag, Cache-Control and X-Cache; If-None-Match with the
    # ETag answers 304 with no body. Optional: a server without a result cache keeps the
    # contract too.
    responses = operation(openapi, "executeRetriever")["responses"]
    headers = responses["200"]["headers"]
    assert sorted(set(headers) - set(RATE_LIMIT_HEADERS)) == sorted(CACHING_HEADERS)
    assert not any(resolve(openapi, headers[name]).get("required") for name in CACHING_HEADERS)
    assert "content" not in responses["304"]
    assert "ETag" in responses["304"]["headers"]


def test_too_many_requests_says_when_to_retry(openapi):
    response = openapi["components"]["responses"]["TooManyRequests"]
    retry_after = resolve(openapi, response["headers"]["Retry-After"])
    assert retry_after["required"] is True
    assert set(RATE_LIMIT_HEADERS) <= set(response["headers"])


def test_execute_links_its_execution_id_to_get_execution(openapi):
    link = operation(openapi, "executeRetriever")["responses"]["200"]["links"]["GetExecution"]
    assert link["operationId"] == "getExecution"
    assert link["parameters"]["execution_id"] == "$response.body#/execution_id"
    assert link["parameters"]["retriever_id"] == "$request.path.retriever_id"
    assert link["parameters"]["header.X-Namespace"] == "$request.header.X-Namespace"


def test_the_execute_body_is_closed_so_unknown_keys_are_refused(openapi):
    body = openapi["components"]["schemas"]["ExecuteRetrieverRequest"]
    assert body["additionalProperties"] is False


def test_the_precedence_of_legacy_and_modern_paging_fields_is_documented(openapi):
    description = operation(openapi, "executeRetriever")["description"]
    for words in (
        "`pagination`",
        "legacy `limit`/`offset`",
        "`top_k`",
        "total <= top_k",
        "top-level `page_size`",  # API 0.82's alias of `limit`
        "without `method` is cursor pagination",
        "clamped, not refused",
    ):
        assert words in description
