"""Every example in the contract is valid against the schema it illustrates.

The examples are what users copy first, and what the seeds show; an example that
breaks its own schema would teach the wrong thing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

from mixpeek_toolkit import spec

Example = tuple[str, Any, dict[str, Any]]  # (where, value, schema)


def schema_nodes(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object inside ``node`` (itself included), with where it sits."""
    if isinstance(node, dict):
        yield where, node
        for key, child in node.items():
            if key in {"properties", "$defs"} and isinstance(child, dict):
                for name, sub in child.items():
                    yield from schema_nodes(sub, f"{where}.{name}")
            elif key in {"items", "additionalProperties", "if", "then", "else", "not"}:
                yield from schema_nodes(child, f"{where}.{key}")
            elif key in {"allOf", "anyOf", "oneOf"}:
                for index, sub in enumerate(child):
                    yield from schema_nodes(sub, f"{where}.{key}[{index}]")


def media_examples(content: dict[str, Any], where: str) -> Iterator[Example]:
    for media_type, media in content.items():
        schema = media.get("schema", {})
        if "example" in media:
            yield f"{where} {media_type} example", media["example"], schema
        for name, example in media.get("examples", {}).items():
            yield f"{where} {media_type} examples.{name}", example["value"], schema


def all_examples(openapi: dict[str, Any]) -> Iterator[Example]:
    for path, methods in openapi["paths"].items():
        for method, op in methods.items():
            where = f"{method.upper()} {path}"
            body = op.get("requestBody", {})
            yield from media_examples(body.get("content", {}), f"{where} request")
            for status, response in op["responses"].items():
                yield from media_examples(response.get("content", {}), f"{where} {status}")
    components = openapi["components"]
    for name, response in components["responses"].items():
        yield from media_examples(response.get("content", {}), f"responses.{name}")
    for name, parameter in components["parameters"].items():
        for key, example in parameter.get("examples", {}).items():
            yield f"parameters.{name} examples.{key}", example["value"], parameter["schema"]
    for name, schema in components["schemas"].items():
        for where, node in schema_nodes(schema, f"schemas.{name}"):
            for index, value in enumerate(node.get("examples", [])):
                yield f"{where} examples[{index}]", value, node


OPENAPI = spec.load_openapi()
EXAMPLES = list(all_examples(OPENAPI))


def test_the_contract_has_examples_everywhere_users_look():
    places = " ".join(where for where, _, _ in EXAMPLES)
    assert "request" in places
    assert "POST /v1/retrievers/{retriever_id}/execute 200" in places
    assert "GET /v1/retrievers/{retriever_id}/executions/{execution_id} 200" in places
    assert len(EXAMPLES) >= 30


@pytest.mark.parametrize(("where", "value", "schema"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_each_example_is_valid_against_its_schema(where, value, schema):
    validator = jsonschema.Draft202012Validator(
        spec.schema_for(schema, OPENAPI), format_checker=jsonschema.FormatChecker()
    )
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(value)]
    assert not errors, f"{where} breaks its schema: {errors}"
