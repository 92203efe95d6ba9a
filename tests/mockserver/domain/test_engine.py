"""The engine: relevance, min_score, top_k, sort, group_by, select, stage statistics, determinism."""

from __future__ import annotations

import itertools
import random

import jsonschema
import pytest

from mixpeek_toolkit import spec
from mixpeek_toolkit.generated.models import ExecuteRetrieverRequest
from mixpeek_toolkit.mockserver.engine import InvalidFilter, run_retriever
from mixpeek_toolkit.mockserver.scoring import NEUTRAL_SCORE, embed_text
from mixpeek_toolkit.mockserver.world import NamespaceWorld, resolve_inputs

from .helpers import execute, ids

# --------------------------------------------------------------------------- relevance


@pytest.mark.parametrize(
    ("query", "category"),
    [
        ("noise cancelling wireless headphones", "headphones"),
        ("espresso machine with milk frother", "coffee makers"),
        ("trail running shoes", "running shoes"),
        ("laptop with OLED display", "laptops"),
    ],
)
def test_a_query_about_x_ranks_documents_about_x_first(
    default_world: NamespaceWorld, query: str, category: str
) -> None:
    result = execute(default_world, "product-search", {"inputs": {"query": query, "top_k": 10}})
    categories = [d["payload"]["metadata"]["category"] for d in result.documents]
    assert categories == [category] * 10


def test_help_articles_answer_the_question_asked(default_world: NamespaceWorld) -> None:
    result = execute(
        default_world, "support-kb", {"inputs": {"query": "how do I reset my password"}}
    )
    assert "password" in result.documents[0]["payload"]["title"].lower()


def test_scores_are_in_unit_range_and_descending(default_world: NamespaceWorld) -> None:
    result = execute(default_world, "product-search", {"inputs": {"query": "camera"}})
    scores = [d["score"] for d in result.documents]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores == sorted(scores, reverse=True)
    assert scores[0] > scores[-1]


def test_an_embedding_made_from_text_ranks_like_the_text(default_world: NamespaceWorld) -> None:
    embedding = embed_text("espresso coffee grinder", 256)
    result = execute(
        default_world, "product-search", {"inputs": {"embedding": embedding, "top_k": 5}}
    )
    assert {d["payload"]["metadata"]["category"] for d in result.documents} == {"coffee makers"}
    assert all(0.0 <= d["score"] <= 1.0 for d in result.documents)


def test_without_query_or_embedding_every_score_is_neutral_and_ids_break_ties(
    pantry: NamespaceWorld,
) -> None:
    result = execute(pantry, "pantry-search", {"inputs": {"top_k": 10}})
    assert [d["score"] for d in result.documents] == [NEUTRAL_SCORE] * 4
    assert ids(result) == ["doc_apple", "doc_bread", "doc_cake", "doc_pear"]


# --------------------------------------------------------------------------- shaping the result


def test_min_score_drops_weaker_documents(default_world: NamespaceWorld) -> None:
    everything = execute(default_world, "product-search", {"inputs": {"query": "backpack"}})
    strong = execute(
        default_world, "product-search", {"inputs": {"query": "backpack", "min_score": 0.3}}
    )
    assert 0 < len(strong.documents) < len(everything.documents)
    assert all(d["score"] >= 0.3 for d in strong.documents)


def test_top_k_caps_the_whole_result_and_defaults_to_the_retrievers(pantry: NamespaceWorld) -> None:
    assert len(execute(pantry, "pantry-search").documents) == 3  # default_top_k
    assert len(execute(pantry, "pantry-search", {"inputs": {"top_k": 2}}).documents) == 2


def test_sort_by_a_field_in_both_directions_missing_values_last(pantry: NamespaceWorld) -> None:
    body = {"inputs": {"top_k": 10}, "sort": {"field": "metadata.price", "direction": "asc"}}
    assert ids(execute(pantry, "pantry-search", body)) == [
        "doc_apple",
        "doc_pear",
        "doc_bread",
        "doc_cake",
    ]
    body["sort"] = {"field": "metadata.location.lat"}  # desc by default; doc_cake has none
    assert ids(execute(pantry, "pantry-search", body)) == [
        "doc_pear",
        "doc_apple",
        "doc_bread",
        "doc_cake",
    ]


def test_sort_by_score_ascending_keeps_ids_ascending_on_ties(pantry: NamespaceWorld) -> None:
    body = {
        "inputs": {"query": "apple", "top_k": 10},
        "sort": {"field": "score", "direction": "asc"},
    }
    assert ids(execute(pantry, "pantry-search", body)) == [
        "doc_bread",
        "doc_cake",
        "doc_pear",
        "doc_apple",
    ]


def test_group_by_keeps_max_features_per_group_and_tags_each_document(
    default_world: NamespaceWorld,
) -> None:
    body = {
        "inputs": {"query": "travel", "top_k": 100},
        "group_by": {"field": "metadata.category", "max_features": 2},
    }
    result = execute(default_world, "product-search", body)
    keys = [d["group_key"] for d in result.documents]
    assert len(keys) == 2 * len(set(keys)) == 16  # eight product categories, two each
    assert all(d["group_key"] == d["payload"]["metadata"]["category"] for d in result.documents)
    assert keys[0] == result.documents[0]["payload"]["metadata"]["category"]


def test_group_by_sort_orders_inside_each_group(pantry: NamespaceWorld) -> None:
    body = {
        "inputs": {"top_k": 10},
        "group_by": {
            "field": "metadata.category",
            "max_features": 1,
            "sort": {"field": "metadata.price", "direction": "desc"},
        },
    }
    result = execute(pantry, "pantry-search", body)
    # Case matters in group keys: "Fruit" and "fruit" are two groups.
    assert [(d["group_key"], d["document_id"]) for d in result.documents] == [
        ("Fruit", "doc_apple"),
        ("Baking", "doc_cake"),
        ("fruit", "doc_pear"),
    ]


def test_select_keeps_listed_paths_plus_id_and_score(pantry: NamespaceWorld) -> None:
    body = {
        "inputs": {"top_k": 1},
        "select": ["payload.title", "metadata.year", "collection_id", "payload.nope"],
    }
    (document,) = execute(pantry, "pantry-search", body).documents
    assert document == {
        "document_id": "doc_apple",
        "score": NEUTRAL_SCORE,
        "collection_id": "col_pantry",
        "payload": {"title": "Red apple", "metadata": {"year": 2020}},
    }


def test_inputs_with_a_field_filter_by_equality(
    pantry: NamespaceWorld, default_world: NamespaceWorld
) -> None:
    assert ids(execute(pantry, "pantry-search", {"inputs": {"category": "baking"}})) == [
        "doc_bread",
        "doc_cake",
    ]
    videos = execute(
        default_world, "media-library", {"inputs": {"media_type": "video", "top_k": 100}}
    )
    assert videos.documents and {
        d["payload"]["metadata"]["media_type"] for d in videos.documents
    } == {"video"}


def test_a_filters_input_applies_like_request_filters(default_world: NamespaceWorld) -> None:
    body = {"inputs": {"filters": {"metadata.media_type": "image"}, "top_k": 100}}
    result = execute(default_world, "catalog-discovery", body)
    assert result.documents and {d["collection_id"] for d in result.documents} == {
        "col_media_assets"
    }
    with pytest.raises(InvalidFilter) as caught:
        execute(default_world, "catalog-discovery", {"inputs": {"filters": {"AND": 1}}})
    assert caught.value.location == ("body", "inputs", "filters", "AND")


def test_the_engine_never_changes_the_stored_documents(pantry: NamespaceWorld) -> None:
    result = execute(pantry, "pantry-search", {"inputs": {"top_k": 1}})
    result.documents[0]["payload"]["title"] = "changed"
    assert (
        execute(pantry, "pantry-search", {"inputs": {"top_k": 1}}).documents[0]["payload"]["title"]
        == "Red apple"
    )


# --------------------------------------------------------------------------- stage statistics


def test_stages_chain_from_every_candidate_to_the_final_result(
    default_world: NamespaceWorld,
) -> None:
    body = {"inputs": {"query": "sunset", "top_k": 7}, "filters": {"metadata.category": "travel"}}
    result = execute(default_world, "catalog-discovery", body)
    stages = result.stages
    assert [s.name for s in stages] == [
        "semantic_search",
        "attribute_filter",
        "cross_encoder_rerank",
    ]
    assert stages[0].input_count == 260  # products + media
    assert all(a.output_count == b.input_count for a, b in itertools.pairwise(stages))
    assert stages[-1].output_count == len(result.documents) == 7
    assert all(s.output_count <= s.input_count for s in stages)


def test_stage_durations_add_up_to_the_total(default_world: NamespaceWorld) -> None:
    for seed in range(20):
        result = execute(default_world, "catalog-discovery", seed=seed)
        durations = [s.duration_ms for s in result.stages]
        assert sum(durations) == result.total_time_ms
        assert all(round(d, 3) == d and d > 0 for d in durations)


def test_stage_count_runs_that_many_uniquely_named_stages(pantry: NamespaceWorld) -> None:
    for count in (1, 2, 5, 20):
        result = execute(pantry, "pantry-search", {"inputs": {"top_k": 2}}, stage_count=count)
        names = [s.name for s in result.stages]
        assert len(names) == len(set(names)) == count
        assert result.stages[0].input_count == 4
        assert result.stages[-1].output_count == 2


def test_stage_statistics_follow_the_spec_schema(default_world: NamespaceWorld) -> None:
    openapi = spec.load_openapi()
    schema = {
        "$ref": "#/components/schemas/RetrieverExecutionStatistics",
        "components": openapi["components"],
    }
    statistics = execute(
        default_world, "support-kb", {"inputs": {"query": "refund"}}
    ).stage_statistics(0.25)
    jsonschema.validate(statistics, schema)
    for stage in statistics["stages"].values():
        expected = stage["output_count"] / stage["input_count"] if stage["input_count"] else 0
        assert stage["efficiency"] == pytest.approx(expected, abs=1e-4)


# --------------------------------------------------------------------------- determinism


def test_the_same_request_and_seed_give_the_same_result(default_world: NamespaceWorld) -> None:
    body = {"inputs": {"query": "city at night", "top_k": 30}, "sort": {"field": "metadata.year"}}
    first = execute(default_world, "catalog-discovery", body, seed=11)
    execute(
        default_world, "product-search", {"inputs": {"query": "other"}}, seed=3
    )  # unrelated work
    assert execute(default_world, "catalog-discovery", body, seed=11) == first
    assert execute(default_world, "catalog-discovery", body, seed=12).stages != first.stages


def test_run_retriever_takes_the_resolved_inputs(pantry: NamespaceWorld) -> None:
    spec_ = pantry.find_retriever("ret_pantry")
    assert spec_ is not None
    request = ExecuteRetrieverRequest.model_validate(
        {"filters": {"AND": [{"field": "title", "operator": "regex", "value": "(x+)+"}]}}
    )
    with pytest.raises(InvalidFilter, match="exponential"):
        run_retriever(
            spec_,
            pantry.collections_of(spec_),
            request,
            resolve_inputs(spec_, {}),
            rng=random.Random(0),
        )


@pytest.mark.parametrize(
    ("retriever", "inputs"),
    [
        ("product-search", {"query": "laptop"}),
        ("support-kb", {"query": "invoice"}),
        ("media-library", {"media_type": "image"}),
        ("catalog-discovery", {}),
    ],
)
def test_every_default_retriever_answers_spec_documents(
    default_world: NamespaceWorld, retriever: str, inputs: dict
) -> None:
    schema = {
        "$ref": "#/components/schemas/Document",
        "components": spec.load_openapi()["components"],
    }
    result = execute(default_world, retriever, {"inputs": inputs})
    assert result.documents
    for document in result.documents:
        jsonschema.validate(document, schema)


def test_an_integral_float_top_k_counts_as_an_integer(pantry: NamespaceWorld) -> None:
    spec_ = pantry.find_retriever("ret_pantry")
    assert spec_ is not None
    result = run_retriever(
        spec_,
        pantry.collections_of(spec_),
        ExecuteRetrieverRequest(),
        {"top_k": 2.0},
        rng=random.Random(0),
    )
    assert len(result.documents) == 2


def test_filter_fields_no_document_has_are_reported(pantry: NamespaceWorld) -> None:
    body = {
        "filters": {
            "AND": [
                {"field": "metadata.colour", "operator": "eq", "value": "red"},
                {"metadata.category": "Fruit"},
                {"NOT": [{"field": "metadata.colour", "operator": "exists"}]},
                {"document_id": "doc_apple"},
            ]
        }
    }
    assert execute(pantry, "ret_pantry", body).unknown_fields == ("metadata.colour",)
    assert execute(pantry, "ret_pantry").unknown_fields == ()
