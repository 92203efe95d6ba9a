"""Repeated requests reuse the engine's result, and a changed world is never answered stale."""

from __future__ import annotations

import json
import random

import pytest

from mixpeek_toolkit.generated.models import ExecuteRetrieverRequest
from mixpeek_toolkit.mockserver.engine import run_retriever
from mixpeek_toolkit.mockserver.engine_cache import ENGINE_CACHE_SIZE, EngineResultCache
from mixpeek_toolkit.mockserver.world import (
    NamespaceWorld,
    default_world_path,
    load_world,
    resolve_inputs,
)
from tests.mockserver.conftest import execute_path

RETRIEVER = "ret_product_search"
QUERY = {"inputs": {"query": "espresso machine"}}
NEW_DOCUMENT = {
    "document_id": "doc_new_espresso",
    "payload": {
        "title": "Espresso machine espresso machine",
        "text": "An espresso machine: the espresso machine of espresso machines.",
        "metadata": {"category": "coffee makers", "tags": ["espresso", "machine"]},
    },
}


def _ids(execution: dict) -> list[str]:
    return [d["document_id"] for d in execution["documents"]]


@pytest.mark.anyio
async def test_a_repeated_request_answers_the_same_documents(client):
    first = (await client.post(execute_path(RETRIEVER), json=QUERY)).json()
    again = (await client.post(execute_path(RETRIEVER), json=QUERY)).json()
    assert again["execution_id"] != first["execution_id"]
    assert again["documents"] == first["documents"]
    assert again["stage_statistics"]["stages"] == first["stage_statistics"]["stages"]


@pytest.mark.anyio
async def test_an_execute_after_adding_documents_sees_them(client):
    before = (await client.post(execute_path(RETRIEVER), json=QUERY)).json()
    assert NEW_DOCUMENT["document_id"] not in _ids(before)
    added = await client.post(
        "/_mock/namespaces/team-a/collections/product-catalog/documents",
        json={"documents": [NEW_DOCUMENT]},
    )
    assert added.status_code == 201, added.text
    after = (await client.post(execute_path(RETRIEVER), json=QUERY)).json()
    assert _ids(after)[0] == NEW_DOCUMENT["document_id"]
    assert after["pagination"]["total"] == before["pagination"]["total"]  # top_k caps both


@pytest.mark.anyio
async def test_an_execute_after_replacing_the_world_sees_the_new_world(client):
    assert (await client.post(execute_path(RETRIEVER), json=QUERY)).status_code == 200
    world = {
        "collections": [
            {
                "collection_id": "col_product_catalog",
                "name": "product-catalog",
                "documents": [{"document_id": "doc_only", "payload": {"text": "espresso"}}],
            }
        ],
        "retrievers": [
            {
                "retriever_id": RETRIEVER,
                "name": "product-search",
                "collections": ["product-catalog"],
                "stages": [{"name": "semantic_search", "kind": "search"}],
            }
        ],
    }
    assert (await client.put("/_mock/world", content=json.dumps(world))).status_code == 200
    after = (await client.post(execute_path(RETRIEVER), json=QUERY)).json()
    assert _ids(after) == ["doc_only"]


def test_a_kept_result_is_answered_only_for_the_very_same_world_objects() -> None:
    world = NamespaceWorld.from_template(load_world(default_world_path()))
    retriever = world.find_retriever(RETRIEVER)
    assert retriever is not None
    collections = world.collections_of(retriever)
    cache = EngineResultCache(max_size=4)
    runs: list[str] = []

    def run(label: str):
        def compute():
            runs.append(label)
            return object()  # stands for an EngineResult: kept and answered as is

        return compute

    first = cache.get_or_run("fp", None, retriever, collections, run("first"), now=10.0)
    assert not first.hit and first.computed_at == 10.0
    kept = cache.get_or_run("fp", None, retriever, collections, run("hit"), now=20.0)
    assert kept.result is first.result and kept.hit and kept.computed_at == 10.0
    cache.get_or_run("fp", 3, retriever, collections, run("other stage count"))
    world.add_documents("product-catalog", [NEW_DOCUMENT])
    cache.get_or_run("fp", None, retriever, world.collections_of(retriever), run("new docs"))
    assert runs == ["first", "other stage count", "new docs"]


def test_the_cache_keeps_at_most_its_size_and_forgets_the_least_recently_used() -> None:
    world = NamespaceWorld.from_template(load_world(default_world_path()))
    retriever = world.find_retriever(RETRIEVER)
    assert retriever is not None
    collections = world.collections_of(retriever)
    cache = EngineResultCache(max_size=2)
    runs: list[str] = []

    def get(fingerprint: str) -> None:
        cache.get_or_run(
            fingerprint, None, retriever, collections, lambda: runs.append(fingerprint)
        )

    get("a"), get("b"), get("a"), get("c")  # "b" is the least recently used when "c" comes
    assert len(cache) == 2
    get("a"), get("b")
    assert runs == ["a", "b", "c", "b"]
    assert 1 <= ENGINE_CACHE_SIZE <= 10_000
    with pytest.raises(ValueError, match="at least 1"):
        EngineResultCache(max_size=0)


def _default_world_result():
    """The engine's result of ``QUERY`` on the default world, run afresh."""
    world = NamespaceWorld.from_template(load_world(default_world_path()))
    retriever = world.find_retriever(RETRIEVER)
    assert retriever is not None
    request = ExecuteRetrieverRequest.model_validate(QUERY)
    inputs = resolve_inputs(retriever, QUERY["inputs"])
    return run_retriever(
        retriever, world.collections_of(retriever), request, inputs, rng=random.Random(1)
    )


def test_the_shared_view_of_a_result_answers_the_same_documents_without_copying() -> None:
    result = _default_world_result()
    shared = result.documents.shared()
    assert shared == result.documents and len(shared) == len(result.documents)
    assert shared[0]["payload"] is shared[0]["payload"]  # the stored payload itself
    assert result.documents[0]["payload"] is not result.documents[0]["payload"]  # copies


def test_the_shared_view_shapes_each_document_once_for_every_read() -> None:
    """Every execution of a cached result answers the same dicts: 10,000 stored
    executions of one query hold one copy of its documents, not 10,000."""
    result = _default_world_result()
    view = result.documents.shared()
    assert result.documents.shared() is view
    first, again = view[2:5], view[0:5]
    assert all(a is b for a, b in zip(first, again[2:], strict=True))
    assert view[-1] is view[len(view) - 1] and list(view) == list(result.documents)
    assert result.documents[2] is not view[2]  # the result itself still answers copies


def test_skipping_the_cache_runs_afresh_and_keeps_nothing() -> None:
    world = NamespaceWorld.from_template(load_world(default_world_path()))
    retriever = world.find_retriever(RETRIEVER)
    assert retriever is not None
    collections = world.collections_of(retriever)
    cache = EngineResultCache(max_size=4)
    runs: list[int] = []

    def run():
        runs.append(1)
        return object()

    for now in (1.0, 2.0):
        fresh = cache.get_or_run("fp", None, retriever, collections, run, now=now, use_cache=False)
        assert not fresh.hit and fresh.computed_at == now
    assert len(runs) == 2 and len(cache) == 0
