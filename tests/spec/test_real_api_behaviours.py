"""Whatever the real API answers or accepts, the contract accepts too: it never cries wolf.

FACTS.md lists what the real service does beyond the seeds (tests/spec/real_api.py turns
each sentence into a JSON value). A schema that refused any of them would make the contract
suites report a broken rule against the real API, or against any faithful implementation.
"""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from mixpeek_toolkit import spec
from tests.spec.real_api import ERRORS, PARAMETERS, REQUESTS, RESPONSES, Behaviour

OPENAPI = spec.load_openapi()
OPERATIONS = OPENAPI["paths"]
EXECUTE = OPERATIONS["/v1/retrievers/{retriever_id}/execute"]["post"]


def errors_against(schema: dict[str, Any], value: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(
        spec.schema_for(schema, OPENAPI), format_checker=jsonschema.FormatChecker()
    )
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(value)]


def assert_accepted(behaviour: Behaviour) -> None:
    schema = {"$ref": f"#/components/schemas/{behaviour.schema}"}
    problems = errors_against(schema, behaviour.value)
    assert not problems, f"The spec refuses what the real API does ({behaviour.fact}): {problems}"


@pytest.mark.parametrize("behaviour", RESPONSES, ids=lambda b: b.name)
def test_each_real_api_answer_validates_against_its_response_schema(behaviour: Behaviour) -> None:
    assert_accepted(behaviour)


@pytest.mark.parametrize("behaviour", RESPONSES, ids=lambda b: b.name)
def test_each_real_api_answer_is_a_valid_answer_of_both_operations(behaviour: Behaviour) -> None:
    # The same execution may come from executeRetriever or, with its progress, getExecution.
    for name in ("ExecuteRetrieverResponse", "ExecutionDetail"):
        assert not errors_against({"$ref": f"#/components/schemas/{name}"}, behaviour.value)


@pytest.mark.parametrize("behaviour", ERRORS, ids=lambda b: b.name)
def test_each_real_api_error_validates_against_the_envelope(behaviour: Behaviour) -> None:
    assert_accepted(behaviour)


@pytest.mark.parametrize("behaviour", REQUESTS, ids=lambda b: b.name)
def test_each_request_the_real_api_accepts_validates_against_the_request_schema(
    behaviour: Behaviour,
) -> None:
    assert_accepted(behaviour)


@pytest.mark.parametrize(
    ("component", "value", "fact"), PARAMETERS, ids=[f"{p[0]}={p[1][:30]}" for p in PARAMETERS]
)
def test_identifiers_and_namespaces_are_plain_strings(
    component: str, value: str, fact: str
) -> None:
    parameter = OPENAPI["components"]["parameters"][component]
    assert not errors_against(parameter["schema"], value), fact


def test_execute_answers_carry_the_caching_headers_and_a_304() -> None:
    # "Execute answers carry ETag, Cache-Control and X-Cache: HIT|MISS; the same request with
    # If-None-Match: <etag> answers 304 with no body."
    answer = EXECUTE["responses"]["200"]
    assert {"ETag", "Cache-Control", "X-Cache"} <= set(answer["headers"])
    not_modified = EXECUTE["responses"]["304"]
    assert "content" not in not_modified
    sent = {OPENAPI["components"]["parameters"][p["$ref"].rsplit("/", 1)[-1]]["name"]
            for p in EXECUTE["parameters"]}  # fmt: skip
    assert "If-None-Match" in sent


def test_caching_headers_are_optional_so_a_server_without_a_cache_keeps_the_contract() -> None:
    headers = OPENAPI["components"]["headers"]
    assert not any(headers[name].get("required") for name in ("ETag", "Cache-Control", "X-Cache"))
