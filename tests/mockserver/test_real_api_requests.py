"""Requests the real API accepts beyond the seeds (FACTS.md), answered as production answers.

The mock never refuses what production accepts: names are plain strings, nothing has a
length cap the API does not publish, a ``top_k`` above the ceiling is clamped and
reported, and fields the API ignores are ignored with a warning.
"""

from __future__ import annotations

import httpx
import pytest

from mixpeek_toolkit.mockserver import Settings, create_app
from mixpeek_toolkit.mockserver.scoring import embed_text
from tests.mockserver.conftest import AUTH, assert_envelope, execute_path, execution_path

pytestmark = pytest.mark.anyio

RETRIEVER = "ret_product_search"
SEARCH_STAGE = [{"name": "semantic_search", "kind": "search"}]


def client_for(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://m", headers=AUTH
    )


# --- names and identifiers are plain strings ------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["Product Search", "商品検索", "Αναζήτηση προϊόντων", "search: by name?"],
    ids=["spaces", "japanese", "greek", "punctuation"],
)
async def test_a_retriever_named_with_spaces_or_any_script_is_executed_by_its_name(client, name):
    added = await client.post(
        "/_mock/namespaces/team-a/retrievers",
        json={
            "retriever_id": "ret_named",
            "name": name,
            "collections": ["product-catalog"],
            "stages": SEARCH_STAGE,
        },
    )
    assert added.status_code == 201, added.text
    path_name = name.replace("?", "%3F")  # httpx percent-encodes the rest, as clients do
    executed = await client.post(execute_path(path_name), json={"inputs": {"query": "tea"}})
    assert executed.status_code == 200, executed.text
    assert executed.json()["retriever_id"] == "ret_named"
    read = await client.get(execution_path(path_name, executed.json()["execution_id"]))
    assert read.status_code == 200 and read.json()["status"] == "completed"


async def test_an_unknown_retriever_name_with_spaces_is_a_404_never_a_422(client):
    response = await client.post(execute_path("No Such Retriever"), json={"inputs": {}})
    error = assert_envelope(response, 404, "NotFoundError")
    assert "No Such Retriever" in error["message"]


async def test_a_collection_named_with_spaces_is_found_by_its_name(client):
    world = {
        "collections": [
            {
                "collection_id": "col_spring",
                "name": "Spring Catalogue 2025",
                "documents": [{"document_id": "doc_tulip", "payload": {"text": "tulip bulbs"}}],
            },
            {"collection_id": "col_greek", "name": "Κατάλογος", "documents": []},
        ],
        "retrievers": [
            {
                "retriever_id": "ret_garden",
                "name": "Garden Search",
                "collections": ["Spring Catalogue 2025"],
                "stages": SEARCH_STAGE,
            }
        ],
    }
    assert (await client.put("/_mock/world", json=world)).status_code == 200
    body = {"inputs": {"query": "tulip"}, "collection_identifiers": ["Spring Catalogue 2025"]}
    response = await client.post(execute_path("Garden Search"), json=body)
    assert response.status_code == 200, response.text
    assert [d["document_id"] for d in response.json()["documents"]] == ["doc_tulip"]
    added = await client.post(
        "/_mock/namespaces/team a/collections/Κατάλογος/documents",
        json={"documents": [{"payload": {"text": "ελιές"}}]},
    )
    assert added.status_code == 201, added.text


# --- no invented length caps -----------------------------------------------------------------


async def test_a_5000_character_query_is_answered(client):
    query = ("espresso machine with a steam wand " * 200)[:5000]
    response = await client.post(execute_path(RETRIEVER), json={"inputs": {"query": query}})
    assert response.status_code == 200, response.text
    assert response.json()["documents"]


async def test_an_embedding_of_10000_floats_is_answered(client):
    embedding = embed_text("espresso machine", 10_000)
    response = await client.post(
        execute_path(RETRIEVER), json={"inputs": {"embedding": embedding, "top_k": 3}}
    )
    assert response.status_code == 200, response.text
    assert "espresso" in response.json()["documents"][0]["payload"]["text"].lower()


async def test_long_free_text_fields_are_accepted(client):
    body = {"inputs": {}, "description": "d" * 5_000, "session_id": "s" * 5_000}
    assert (await client.post(execute_path(RETRIEVER), json=body)).status_code == 200


# --- top_k: clamped to the ceiling, never refused ----------------------------------------------


async def test_a_top_k_above_the_ceiling_is_clamped_and_reported_in_limits(client):
    response = await client.post(
        execute_path(RETRIEVER), json={"inputs": {"query": "headphones", "top_k": 5000}}
    )
    assert response.status_code == 200, response.text
    assert response.json()["limits"] == [
        {"name": "top_k", "requested": 5000, "applied": 1000, "ceiling": 1000, "stage": None}
    ]


async def test_a_huge_integral_float_top_k_is_an_integer_and_clamped_too(client):
    """JSON Schema counts 1e300 as an integer: it is clamped like any other top_k."""
    response = await client.post(
        execute_path(RETRIEVER),
        content=b'{"inputs": {"top_k": 1e300}}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["limits"][0]["applied"] == 1000
    journal = (await client.get("/_mock/journal")).json()["entries"]
    assert journal[-1]["body"] == {"inputs": {"top_k": 1e300}}  # as sent


async def test_an_answer_has_no_limits_when_nothing_was_clamped(client):
    response = await client.post(
        execute_path(RETRIEVER), json={"inputs": {"query": "headphones", "top_k": 1000}}
    )
    assert "limits" not in response.json()


async def test_the_top_k_ceiling_is_a_setting(clock):
    app = create_app(Settings(strict=True, top_k_ceiling=3), clock=clock)
    async with client_for(app) as client:
        body = {"inputs": {"query": "headphones", "top_k": 10}}
        execution = (await client.post(execute_path(RETRIEVER), json=body)).json()
    assert execution["pagination"]["total"] == 3
    assert execution["limits"][0] == {
        "name": "top_k",
        "requested": 10,
        "applied": 3,
        "ceiling": 3,
        "stage": None,
    }


async def test_a_retriever_default_above_the_ceiling_is_clamped_too(clock):
    app = create_app(Settings(strict=True, top_k_ceiling=5), clock=clock)
    async with client_for(app) as client:  # ret_product_search answers 50 by default
        execution = (await client.post(execute_path(RETRIEVER), json={"inputs": {}})).json()
    assert execution["pagination"]["total"] == 5
    assert execution["limits"][0]["requested"] == 50 and execution["limits"][0]["applied"] == 5


# --- paging shapes of API 0.82 ---------------------------------------------------------------


async def test_pagination_without_method_is_cursor_pagination(client):
    body = {"inputs": {"query": "laptop"}, "pagination": {"limit": 4}}
    first = (await client.post(execute_path(RETRIEVER), json=body)).json()
    assert first["pagination"]["method"] == "cursor" and len(first["documents"]) == 4
    cursor = first["pagination"]["cursor"]
    body["pagination"] = {"limit": 4, "cursor": cursor}
    second = (await client.post(execute_path(RETRIEVER), json=body)).json()
    first_ids = {d["document_id"] for d in first["documents"]}
    assert first_ids.isdisjoint(d["document_id"] for d in second["documents"])


async def test_an_empty_pagination_object_is_the_default_cursor_page(client):
    body = {"inputs": {"query": "laptop"}, "pagination": {}}
    execution = (await client.post(execute_path(RETRIEVER), json=body)).json()
    assert execution["pagination"]["method"] == "cursor"
    assert execution["pagination"]["limit"] == 10  # CursorPaginationParams' default


async def test_a_top_level_page_size_is_an_alias_of_limit(client):
    alone = await client.post(execute_path(RETRIEVER), json={"inputs": {}, "page_size": 7})
    assert len(alone.json()["documents"]) == 7
    assert alone.json()["pagination"]["method"] == "cursor"
    with_offset = await client.post(
        execute_path(RETRIEVER), json={"inputs": {}, "page_size": 7, "offset": 7}
    )
    assert with_offset.json()["pagination"]["limit"] == 7
    assert with_offset.json()["pagination"]["offset"] == 7


async def test_limit_wins_when_both_limit_and_page_size_are_sent(client):
    response = await client.post(
        execute_path(RETRIEVER), json={"inputs": {}, "limit": 3, "page_size": 9}
    )
    assert len(response.json()["documents"]) == 3
    assert "warnings" not in response.json()


async def test_pagination_wins_over_legacy_fields_and_page_size_with_a_warning(client):
    body = {"inputs": {}, "pagination": {"method": "offset", "page_size": 2}, "page_size": 9}
    execution = (await client.post(execute_path(RETRIEVER), json=body)).json()
    assert len(execution["documents"]) == 2
    assert execution["warnings"] == [
        "Ignored legacy field 'page_size': 'pagination' takes precedence."
    ]


# --- ignored with a warning ------------------------------------------------------------------


@pytest.mark.parametrize("named", ["ret_support_kb", "a retriever nobody has"])
async def test_a_body_retriever_id_naming_another_retriever_is_ignored_with_a_warning(
    client, named
):
    response = await client.post(
        execute_path(RETRIEVER), json={"retriever_id": named, "inputs": {"query": "tea"}}
    )
    assert response.status_code == 200, response.text
    execution = response.json()
    assert execution["retriever_id"] == RETRIEVER  # the path wins
    [warning] = execution["warnings"]
    assert named in warning and RETRIEVER in warning


async def test_each_filter_field_no_document_has_is_named_in_a_warning(client):
    body = {
        "inputs": {"query": "tea"},
        "filters": {
            "AND": [
                {"field": "metadata.colour", "operator": "eq", "value": "red"},
                {"field": "metadata.category", "operator": "ne", "value": "laptops"},
                {"OR": [{"metadata.colour": "blue"}, {"metadata.warranty_years": 2}]},
            ]
        },
    }
    execution = (await client.post(execute_path(RETRIEVER), json=body)).json()
    assert execution["warnings"] == [
        "Filter field 'metadata.colour' is not present in any document of the searched "
        "collections.",
        "Filter field 'metadata.warranty_years' is not present in any document of the "
        "searched collections.",
    ]


async def test_filters_on_known_fields_answer_no_warning(client):
    body = {"inputs": {}, "filters": {"metadata.category": "laptops"}}
    assert "warnings" not in (await client.post(execute_path(RETRIEVER), json=body)).json()


# --- trace ids -------------------------------------------------------------------------------


async def test_every_execution_carries_a_trace_id_that_read_backs_repeat(client):
    created = (await client.post(execute_path(RETRIEVER), json={"inputs": {}})).json()
    other = (await client.post(execute_path(RETRIEVER), json={"inputs": {}})).json()
    failed = (
        await client.post(
            execute_path(RETRIEVER), json={"inputs": {}, "collection_identifiers": ["col_nope"]}
        )
    ).json()
    assert len({created["trace_id"], other["trace_id"], failed["trace_id"]}) == 3
    read = (await client.get(execution_path(RETRIEVER, created["execution_id"]))).json()
    assert read["trace_id"] == created["trace_id"]


async def test_trace_ids_derive_from_the_seed_and_the_execution_not_the_clock(clock):
    traces = []
    for moment in (1_800_000_000.0, 1_900_000_000.0):
        clock.now = moment
        async with client_for(create_app(Settings(seed=9, strict=True), clock=clock)) as client:
            traces.append(
                (await client.post(execute_path(RETRIEVER), json={"inputs": {}})).json()["trace_id"]
            )
    assert traces[0] == traces[1]


# --- settings follow the API's names ---------------------------------------------------------


def test_allowed_namespaces_may_be_any_non_empty_names():
    names = {"team a", "チーム", "x" * 200, "-dash"}
    assert Settings(namespaces=names).namespaces == names
    with pytest.raises(ValueError, match="non-empty"):
        Settings(namespaces={""})


async def test_an_allowed_namespace_with_spaces_and_another_script_is_served(clock):
    app = create_app(Settings(strict=True, namespaces={"Équipe A"}), clock=clock)
    async with client_for(app) as client:
        allowed = {"X-Namespace": "Équipe A".encode()}
        response = await client.post(execute_path(RETRIEVER), json={"inputs": {}}, headers=allowed)
        assert response.status_code == 200, response.text
        refused = await client.post(execute_path(RETRIEVER), json={"inputs": {}})
        assert_envelope(refused, 403, "ForbiddenError")


@pytest.mark.parametrize(
    ("field", "value"),
    [("top_k_ceiling", 0), ("max_body_depth", 0), ("readback", "everything")],
)
def test_the_mock_caps_are_validated_settings(field, value):
    with pytest.raises(ValueError, match=field):
        Settings(**{field: value})


async def test_a_body_nested_beyond_the_mocks_cap_is_a_422_with_a_code(clock):
    app = create_app(Settings(strict=True, max_body_depth=4), clock=clock)
    async with client_for(app) as client:
        body = {"inputs": {"custom": {"a": {"b": {"c": 1}}}}}
        response = await client.post(execute_path(RETRIEVER), json=body)
    error = assert_envelope(response, 422, "ValidationError")
    assert error["code"] == "body_too_deep"
    assert "4 levels" in error["message"]
