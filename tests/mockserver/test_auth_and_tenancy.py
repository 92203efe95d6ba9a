"""Bearer auth, namespaces and the order of checks: 401 -> 400/403 -> 422 -> 404."""

from __future__ import annotations

import httpx
import pytest

from mixpeek_toolkit.mockserver import Settings
from tests.mockserver.conftest import API_KEY, assert_envelope, execute_path, execution_path

pytestmark = pytest.mark.anyio
BOTH_STORES = True  # each test that builds an app runs on memory and on Redis

QUERY = {"inputs": {"query": "espresso"}}


def other_client(app, **headers: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://mock", headers=headers
    )


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Basic dXNlcjpwYXNz", "Bearer", "Bearer abc", "Bearer sk_", "sk_test_mock"],
)
async def test_a_missing_or_malformed_bearer_token_is_a_401(app, retriever_id, authorization):
    headers = {"X-Namespace": "team-a"}
    if authorization is not None:
        headers["Authorization"] = authorization
    async with other_client(app, **headers) as client:
        response = await client.post(execute_path(retriever_id), json=QUERY)
    assert_envelope(response, 401, "UnauthorizedError")


async def test_any_sk_key_is_accepted_by_default(app, retriever_id):
    async with other_client(
        app, Authorization="Bearer sk_anything_at_all", **{"X-Namespace": "n"}
    ) as c:
        assert (await c.post(execute_path(retriever_id), json=QUERY)).status_code == 200


async def test_configured_api_keys_are_matched_exactly(clock, retriever_id, make_app):
    app = make_app(Settings(api_keys={"sk_only_this"}, strict=True))
    async with other_client(
        app, Authorization="Bearer sk_only_this", **{"X-Namespace": "n"}
    ) as good:
        assert (await good.post(execute_path(retriever_id), json=QUERY)).status_code == 200
    async with other_client(app, Authorization=f"Bearer {API_KEY}", **{"X-Namespace": "n"}) as bad:
        assert_envelope(
            await bad.post(execute_path(retriever_id), json=QUERY), 401, "UnauthorizedError"
        )


@pytest.mark.parametrize("namespace", [None, ""])
async def test_a_missing_or_empty_namespace_is_a_400(app, retriever_id, namespace):
    headers = {"Authorization": f"Bearer {API_KEY}"}
    if namespace is not None:
        headers["X-Namespace"] = namespace
    async with other_client(app, **headers) as client:
        response = await client.post(execute_path(retriever_id), json=QUERY)
    assert_envelope(response, 400, "BadRequestError")


@pytest.mark.parametrize(
    "namespace",
    ["has space", "x" * 65, "-leading-dash", "Équipe Produit", "チーム", "Ομάδα"],
    ids=["space", "65 chars", "leading dash", "accents", "japanese", "greek"],
)
async def test_any_non_empty_namespace_name_is_accepted(app, retriever_id, namespace):
    """Names are plain strings, as in the real API; a non-ASCII one is sent as UTF-8."""
    headers = {"Authorization": f"Bearer {API_KEY}", "X-Namespace": namespace.encode()}
    async with other_client(app) as client:
        created = await client.post(execute_path(retriever_id), json=QUERY, headers=headers)
        assert created.status_code == 200, created.text
        path = execution_path(retriever_id, created.json()["execution_id"])
        assert (await client.get(path, headers=headers)).status_code == 200
        other = {**headers, "X-Namespace": b"team-b"}
        assert_envelope(await client.get(path, headers=other), 404, "NotFoundError")
    [entry, *_] = (await client_journal(app))["entries"]
    assert entry["namespace"] == namespace


async def client_journal(app) -> dict:
    async with other_client(app) as client:
        return (await client.get("/_mock/journal")).json()


async def test_configured_namespaces_refuse_all_others_with_403(clock, retriever_id, make_app):
    app = make_app(Settings(namespaces={"prod"}, strict=True))
    auth = {"Authorization": f"Bearer {API_KEY}"}
    async with other_client(app, **auth, **{"X-Namespace": "prod"}) as allowed:
        assert (await allowed.post(execute_path(retriever_id), json=QUERY)).status_code == 200
    async with other_client(app, **auth, **{"X-Namespace": "staging"}) as refused:
        assert_envelope(
            await refused.post(execute_path(retriever_id), json=QUERY), 403, "ForbiddenError"
        )


async def test_an_execution_is_not_found_from_another_namespace(client, retriever_id):
    created = (await client.post(execute_path(retriever_id), json=QUERY)).json()
    path = execution_path(retriever_id, created["execution_id"])
    response = await client.get(path, headers={"X-Namespace": "team-b"})
    assert_envelope(response, 404, "NotFoundError")
    assert (await client.get(path)).status_code == 200


async def test_an_execution_is_not_found_through_another_retriever(client, retriever_id):
    created = (await client.post(execute_path(retriever_id), json=QUERY)).json()
    response = await client.get(execution_path("ret_support_kb", created["execution_id"]))
    assert_envelope(response, 404, "NotFoundError")


async def test_an_execution_can_be_read_through_the_retriever_name(client):
    created = (await client.post(execute_path("ret_product_search"), json=QUERY)).json()
    response = await client.get(execution_path("product-search", created["execution_id"]))
    assert response.status_code == 200


async def test_each_namespace_gets_its_own_copy_of_the_world(client):
    added = await client.post(
        "/_mock/namespaces/team-a/collections/product-catalog/documents",
        json={"documents": [{"document_id": "doc_only_in_a", "payload": {"text": "zanzibar"}}]},
    )
    assert added.status_code == 201
    body = {"inputs": {"query": "zanzibar"}, "select": ["document_id"]}
    in_a = (await client.post(execute_path("ret_product_search"), json=body)).json()
    in_b = (
        await client.post(
            execute_path("ret_product_search"), json=body, headers={"X-Namespace": "team-b"}
        )
    ).json()
    assert "doc_only_in_a" in [d["document_id"] for d in in_a["documents"]]
    assert "doc_only_in_a" not in [d["document_id"] for d in in_b["documents"]]


async def test_auth_is_checked_before_the_namespace(app, retriever_id):
    async with other_client(app) as client:
        assert_envelope(
            await client.post(execute_path(retriever_id), content=b"{"), 401, "UnauthorizedError"
        )


async def test_the_namespace_is_checked_before_the_body(app, retriever_id):
    async with other_client(app, Authorization=f"Bearer {API_KEY}") as client:
        assert_envelope(
            await client.post(execute_path(retriever_id), json={"bad": 1}), 400, "BadRequestError"
        )


async def test_the_body_is_validated_before_the_retriever_is_looked_up(client):
    response = await client.post(execute_path("ret_does_not_exist"), json={"bad": 1})
    assert_envelope(response, 422, "ValidationError")


async def test_an_unknown_retriever_is_a_404(client):
    error = assert_envelope(
        await client.post(execute_path("ret_does_not_exist"), json=QUERY), 404, "NotFoundError"
    )
    assert "ret_does_not_exist" in error["message"]
