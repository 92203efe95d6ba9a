"""Requests are validated against the spec before anything runs (400 / 422)."""

from __future__ import annotations

import pytest

from tests.mockserver.conftest import assert_envelope, execute_path, execution_path

pytestmark = pytest.mark.anyio


async def test_a_body_that_is_not_json_is_a_400(client, retriever_id):
    response = await client.post(
        execute_path(retriever_id),
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    error = assert_envelope(response, 400, "BadRequestError")
    assert error["code"] == "invalid_json"


async def test_schema_violations_list_each_problem_with_its_location(client, retriever_id):
    body = {"inputs": {"query": "x"}, "pagination": {"method": "offset", "page_size": 600}}
    response = await client.post(execute_path(retriever_id), json=body)
    error = assert_envelope(response, 422, "ValidationError")
    [issue] = error["details"]["validation_errors"]
    assert issue["location"] == ["body", "pagination", "page_size"]
    assert issue["type"] == "less_than_equal"
    assert issue["message"]


async def test_unknown_body_keys_are_refused_because_the_schema_is_closed(client, retriever_id):
    response = await client.post(execute_path(retriever_id), json={"inputs": {}, "colour": "red"})
    error = assert_envelope(response, 422, "ValidationError")
    assert error["details"]["validation_errors"][0]["location"] == ["body", "colour"]


async def test_a_string_is_not_an_integer_even_when_it_looks_like_one(client, retriever_id):
    response = await client.post(execute_path(retriever_id), json={"inputs": {"top_k": "5"}})
    error = assert_envelope(response, 422, "ValidationError")
    assert error["details"]["validation_errors"][0]["location"] == ["body", "inputs", "top_k"]


async def test_an_integral_float_counts_as_an_integer_as_json_schema_says(client, retriever_id):
    response = await client.post(
        execute_path(retriever_id), json={"inputs": {"query": "tea", "top_k": 2.0}}
    )
    assert response.status_code == 200, response.text
    assert len(response.json()["documents"]) <= 2


async def test_the_official_clients_default_keys_are_accepted(client, retriever_id):
    body = {
        "inputs": {"query": "espresso"},
        "stream": False,
        "skip_cache": False,
        "return_presigned_urls": False,
        "return_vectors": False,
        "explain": False,
    }
    response = await client.post(execute_path(retriever_id), json=body)
    assert response.status_code == 200, response.text


async def test_a_body_retriever_id_naming_the_same_retriever_by_name_is_fine(client):
    response = await client.post(
        execute_path("ret_product_search"), json={"retriever_id": "product-search", "inputs": {}}
    )
    assert response.status_code == 200, response.text
    assert "warnings" not in response.json()


async def test_a_missing_required_input_of_the_retriever_is_a_422(client):
    response = await client.post(execute_path("ret_support_kb"), json={"inputs": {}})
    error = assert_envelope(response, 422, "ValidationError")
    assert ["body", "inputs", "query"] in [
        i["location"] for i in error["details"]["validation_errors"]
    ]


@pytest.mark.parametrize("execution_id", ["not-an-execution-id", "exec_", "exec with space"])
async def test_an_execution_id_of_any_shape_is_looked_up_and_not_found(
    client, retriever_id, execution_id
):
    """Path parameters are plain strings: an id nobody issued is a 404, never a 422."""
    response = await client.get(execution_path(retriever_id, execution_id))
    error = assert_envelope(response, 404, "NotFoundError")
    assert error["code"] == "execution_not_found"


async def test_query_parameters_are_validated_too(client, retriever_id):
    response = await client.post(execute_path(retriever_id) + "?explain=maybe", json={"inputs": {}})
    error = assert_envelope(response, 422, "ValidationError")
    assert error["details"]["validation_errors"][0]["location"] == ["query", "explain"]


@pytest.mark.parametrize(("depth", "status"), [(200, 422), (50_000, 422)])
async def test_deeply_nested_bodies_are_refused_not_crashed_on(client, retriever_id, depth, status):
    nested = '{"NOT": [' * depth + "{}" + "]}" * depth
    body = '{"inputs": {}, "filters": ' + nested + "}"
    response = await client.post(
        execute_path(retriever_id), content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == status, response.text
    assert response.json()["success"] is False


async def test_an_unknown_route_answers_the_envelope(client):
    response = await client.get("/v1/nothing-here")
    assert_envelope(response, 404, "NotFoundError")
