"""Sharper than upstream: a request that keeps the schemas is refused with 400 or 422 only in a
case the spec documents (`x-documented-refusals`), recognised by its error code or, without
one, by its signature; the cases come from the spec, and the mock's refusals are among them."""

from __future__ import annotations

from typing import Any

import pytest

from mixpeek_toolkit import spec
from mixpeek_toolkit.contracts import facts, rules
from mixpeek_toolkit.contracts.exchange import Exchange
from mixpeek_toolkit.contracts.suite import client_for
from mixpeek_toolkit.contracts.target import Target
from mixpeek_toolkit.contracts.violations import RefusalViolation
from mixpeek_toolkit.mockserver import Settings, create_app

EXECUTE = "/v1/retrievers/ret_product_search/execute"
READ = "/v1/retrievers/ret_product_search/executions/exec_abc123def456"
HEADERS = {"Authorization": "Bearer sk_test_x", "X-Namespace": "refusals"}


def refusal(
    status: int,
    *,
    code: str | None = None,
    request: Any = None,
    errors: list[dict[str, Any]] | None = None,
    path: str = EXECUTE,
    valid: bool = True,
) -> Exchange:
    error: dict[str, Any] = {"type": "BadRequestError", "message": "Refused."}
    if code is not None:
        error["code"] = code
    if errors is not None:
        error["details"] = {"validation_errors": errors}
    return Exchange(
        method="POST" if path == EXECUTE else "GET",
        path=path,
        request_headers=HEADERS,
        request_body=request if request is not None else {"inputs": {"query": "q"}},
        status_code=status,
        body={"success": False, "status": status, "error": error},
        content_type="application/json",
        schema_valid=valid,
    )


def test_the_documented_refusals_are_read_from_the_spec():
    responses = spec.load_openapi()["components"]["responses"]
    for (operation_id, status), cases in facts.DOCUMENTED_REFUSALS.items():
        name = {400: "BadRequest", 422: "ValidationFailed"}[status]
        listed = responses[name]["x-documented-refusals"]
        assert [c.code for c in cases] == [
            case["code"] for case in listed if operation_id in case["operations"]
        ]
    codes = {c.code for cases in facts.DOCUMENTED_REFUSALS.values() for c in cases}
    assert {"invalid_cursor", "missing_inputs"} <= codes
    assert facts.DOCUMENTED_REFUSALS[("getExecution", 400)] == ()


@pytest.mark.parametrize(
    "exchange",
    [
        refusal(400, code="invalid_cursor", request={"pagination": {"cursor": "forged"}}),
        refusal(
            400,
            code="invalid_cursor",
            request={"pagination": {"method": "scroll", "scroll_id": "x"}},
        ),
        refusal(422, code="missing_inputs", request={"inputs": {}}),
        refusal(422, code="body_too_deep"),
        # No code: recognised by the signature, as the real API answers.
        refusal(400, request={"pagination": {"method": "keyset", "after": {"score": 1}}}),
        refusal(
            422,
            request={"inputs": {}},
            errors=[{"type": "missing", "location": ["body", "inputs", "query"], "message": "x"}],
        ),
        # An input of a type the retriever refuses ("inputs" is free-form in the spec).
        refusal(
            422,
            request={"inputs": {"query": 5}},
            errors=[
                {"type": "string_type", "location": ["body", "inputs", "query"], "message": "x"}
            ],
        ),
        refusal(422, code="invalid_inputs", request={"inputs": {"query": 5}}),
        refusal(
            422,
            request={"filters": {"AND": []}},
            errors=[{"type": "too_deep", "location": ["body", "filters"], "message": "x"}],
        ),
        # Not judged: a request drawn to break the schema may be refused any way.
        refusal(422, code="anything", valid=False),
    ],
    ids=lambda exchange: f"{exchange.status_code}-{exchange.body['error'].get('code')}",
)
def test_a_documented_refusal_of_a_valid_request_holds(exchange):
    rules.valid_requests_are_accepted(exchange)


@pytest.mark.parametrize(
    ("exchange", "says"),
    [
        (refusal(422, code="query_too_long"), "code 'query_too_long'"),
        # The code of a documented case, for a request that is not what the case is about.
        (refusal(400, code="invalid_cursor", request={"inputs": {}}), "code 'invalid_cursor'"),
        # No code and no signature of any case.
        (
            refusal(400, request={"inputs": {"query": "x" * 500}}),
            "it documents only invalid_cursor",
        ),
        (
            refusal(
                422,
                errors=[
                    {
                        "type": "string_too_long",
                        "location": ["body", "inputs", "query"],
                        "message": "x",
                    }
                ],
            ),
            "x-documented-refusals of its 422",
        ),
        # The spec documents no refusal of a valid read at all.
        (refusal(400, code="invalid_cursor", path=READ, request=None), "it documents none"),
    ],
)
def test_any_other_refusal_of_a_valid_request_breaks_the_rule(exchange, says):
    with pytest.raises(RefusalViolation, match="valid_requests_are_accepted") as caught:
        rules.valid_requests_are_accepted(exchange)
    assert says in str(caught.value)


def test_an_accepted_valid_request_is_judged_and_holds():
    accepted = Exchange(
        method="POST", path=EXECUTE, request_headers=HEADERS, status_code=200, body={},
        schema_valid=True,
    )  # fmt: skip
    assert rules.valid_requests_are_accepted(accepted) is True


@pytest.mark.parametrize(
    ("retriever", "body", "code"),
    [
        ("ret_support_kb", {"inputs": {}}, "missing_inputs"),
        (
            "ret_product_search",
            {"pagination": {"method": "cursor", "cursor": "forged"}},
            "invalid_cursor",
        ),
        (
            "ret_product_search",
            {"filters": {"field": "x", "operator": "in", "value": 3}},
            "invalid_filter",
        ),
    ],
)
def test_the_mock_refuses_valid_requests_only_in_documented_cases(retriever, body, code):
    target = Target(retriever_id=retriever)
    with client_for(target, create_app(Settings(strict=True))) as client:
        response = client.post(
            f"/v1/retrievers/{retriever}/execute", json=body, headers=target.headers()
        )

    answered = response.json()
    assert answered["error"]["code"] == code
    exchange = Exchange(
        method="POST",
        path=f"/v1/retrievers/{retriever}/execute",
        request_headers=target.headers(),
        request_body=body,
        status_code=response.status_code,
        body=answered,
        schema_valid=True,
    )
    assert rules.documented_refusal(exchange) is not None
    assert rules.valid_requests_are_accepted(exchange) is True
