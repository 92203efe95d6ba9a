"""Helpers of the domain tests: a tiny hand-made world and a one-call retriever run."""

from __future__ import annotations

import random
from typing import Any

from mixpeek_toolkit.generated.models import ExecuteRetrieverRequest
from mixpeek_toolkit.mockserver.engine import EngineResult, run_retriever
from mixpeek_toolkit.mockserver.world import NamespaceWorld, resolve_inputs

PARIS = {"lat": 48.8566, "lon": 2.3522}
LONDON = {"lat": 51.5074, "lon": -0.1278}
NEW_YORK = {"lat": 40.7128, "lon": -74.0060}

PANTRY: dict[str, Any] = {
    "collections": [
        {
            "collection_id": "col_pantry",
            "name": "pantry",
            "documents": [
                {
                    "document_id": "doc_apple",
                    "payload": {
                        "title": "Red apple",
                        "text": "A crisp red apple from Normandy orchards.",
                        "metadata": {
                            "category": "Fruit",
                            "tags": ["red", "sweet"],
                            "year": 2020,
                            "price": 1.5,
                            "author": "Ann",
                            "location": PARIS,
                        },
                    },
                },
                {
                    "document_id": "doc_pear",
                    "payload": {
                        "title": "Green pear",
                        "text": "A juicy green pear.",
                        "metadata": {
                            "category": "fruit",
                            "tags": ["green"],
                            "year": 2021,
                            "price": 2,
                            "note": None,
                            "location": LONDON,
                        },
                    },
                },
                {
                    "document_id": "doc_cake",
                    "payload": {
                        "title": "Carrot cake recipe",
                        "text": "Bake a moist carrot cake with cream cheese frosting.",
                        "metadata": {
                            "category": "Baking",
                            "year": "2019",
                            "price": 12.0,
                            "tags": [],
                        },
                    },
                },
                {
                    "document_id": "doc_bread",
                    "payload": {
                        "title": "Banana bread",
                        "text": "Quick banana bread with walnuts and brown sugar.",
                        "metadata": {
                            "category": "Baking",
                            "tags": ["sweet", "quick"],
                            "year": 2022,
                            "price": 8,
                            "location": NEW_YORK,
                        },
                    },
                },
            ],
        },
        {"collection_id": "col_empty", "name": "empty", "documents": []},
    ],
    "retrievers": [
        {
            "retriever_id": "ret_pantry",
            "name": "pantry-search",
            "collections": ["pantry"],
            "inputs": [
                {"name": "query", "type": "text"},
                {"name": "category", "type": "string", "field": "metadata.category"},
            ],
            "stages": [
                {"name": "search", "kind": "search"},
                {"name": "filter", "kind": "filter"},
                {"name": "rerank", "kind": "rerank"},
            ],
            "default_top_k": 3,
            "credits_per_execution": 0.1,
        }
    ],
}


def execute(
    world: NamespaceWorld,
    retriever: str,
    body: dict[str, Any] | None = None,
    seed: int = 7,
    stage_count: int | None = None,
    collections: list[str] | None = None,
) -> EngineResult:
    """Run a retriever of ``world`` the way the service does: parse, resolve inputs, run."""
    spec = world.find_retriever(retriever)
    assert spec is not None, retriever
    request = ExecuteRetrieverRequest.model_validate(body or {})
    inputs = request.inputs.model_dump(exclude_none=True) if request.inputs else {}
    return run_retriever(
        spec,
        world.collections_of(spec)
        if collections is None
        else world.resolve_collections(collections)[0],
        request,
        resolve_inputs(spec, inputs),
        rng=random.Random(seed),
        stage_count=stage_count,
    )


def ids(result: EngineResult) -> list[str]:
    return [d["document_id"] for d in result.documents]
