"""The world: loading fixtures, finding retrievers and collections, inputs, namespace copies."""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path

import pytest

from mixpeek_toolkit.mockserver.world import (
    DuplicateId,
    MissingInputs,
    NamespaceWorld,
    UnknownCollection,
    WorldError,
    WorldTemplate,
    load_world,
    resolve_inputs,
)

from .helpers import PANTRY, execute, ids

# --------------------------------------------------------------------------- loading


def test_the_default_world_has_the_documented_retrievers(default_template: WorldTemplate) -> None:
    by_id = {r.retriever_id: r for r in default_template.retrievers}
    assert set(by_id) == {
        "ret_product_search",
        "ret_support_kb",
        "ret_media_library",
        "ret_catalog_discovery",
    }
    assert by_id["ret_product_search"].name == "product-search"
    assert [s.kind for s in by_id["ret_catalog_discovery"].stages] == ["search", "filter", "rerank"]
    assert any(i.required for i in by_id["ret_media_library"].inputs)


def test_the_default_world_holds_a_few_hundred_documents(default_template: WorldTemplate) -> None:
    counts = {c.name: len(c.documents) for c in default_template.collections}
    assert sum(counts.values()) >= 300
    assert all(n > 50 for n in counts.values())


def test_the_default_world_is_what_its_generator_writes() -> None:
    script = Path(__file__).parents[3] / "scripts" / "make_default_world.py"
    spec = importlib.util.spec_from_file_location("make_default_world", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--check"]) == 0, "run scripts/make_default_world.py"


@pytest.mark.parametrize("form", ["mapping", "yaml text", "json text", "yaml file", "json file"])
def test_a_world_loads_from_every_supported_form(form: str, tmp_path: Path) -> None:
    import yaml

    source: object
    if form == "mapping":
        source = PANTRY
    elif form == "yaml text":
        source = yaml.safe_dump(PANTRY)
    elif form == "json text":
        source = json.dumps(PANTRY)
    elif form == "yaml file":
        source = tmp_path / "world.yaml"
        source.write_text(yaml.safe_dump(PANTRY))
    else:
        source = str(tmp_path / "world.json")
        Path(source).write_text(json.dumps(PANTRY))
    world = load_world(source)  # type: ignore[arg-type]
    assert [c.collection_id for c in world.collections] == ["col_pantry", "col_empty"]
    assert world.retrievers[0].collection_ids == ("col_pantry",)  # the name was resolved


def broken(path: list[str | int], value: object) -> dict:
    """PANTRY with the value at ``path`` replaced (or deleted when value is ...)."""
    data = copy.deepcopy(PANTRY)
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            broken(["retrievers", 0, "stages", 0, "kind"], "teleport"),
            r"retrievers\[0\]\.stages\[0\]\.kind",
        ),
        (broken(["retrievers", 0, "retriever_id"], "pantry"), r"retrievers\[0\]\.retriever_id"),
        (broken(["retrievers", 0, "colour"], "red"), r"retrievers\[0\]\.colour: Extra inputs"),
        (
            broken(["retrievers", 0, "collections"], ["cellar"]),
            r"retrievers\[0\]\.collections\[0\]: no collection .*'cellar'",
        ),
        (broken(["retrievers", 0, "default_top_k"], 0), r"retrievers\[0\]\.default_top_k"),
        (
            broken(["collections", 0, "documents", 1, "payload"], "pear"),
            r"collections\[0\]\.documents\[1\]\.payload",
        ),
        (
            broken(["collections", 0, "documents", 1, "document_id"], "doc_apple"),
            r"collections\[0\]\.documents\[1\]\.document_id: 'doc_apple' already exists",
        ),
        (broken(["retrievers", 0, "name"], ""), r"retrievers\[0\]\.name"),
        (
            broken(["collections", 1, "name"], "pantry"),
            r"collections\[1\]: the id or name 'pantry' is already taken",
        ),
        (
            broken(
                ["retrievers", 0, "inputs", 0], {"name": "query", "required": True, "default": "x"}
            ),
            r"required and has a default",
        ),
    ],
)
def test_a_bad_fixture_is_refused_naming_the_bad_path(data: dict, message: str) -> None:
    with pytest.raises(WorldError, match=message):
        load_world(data)


def test_a_fixture_that_is_not_yaml_or_not_a_mapping_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WorldError, match="not valid YAML"):
        load_world("collections: [unclosed\n")
    with pytest.raises(WorldError, match="top level must be a mapping"):
        load_world("- just\n- a list\n")
    with pytest.raises(WorldError, match="Cannot read world fixture"):
        load_world(tmp_path / "missing.yaml")


def test_names_are_plain_strings_with_spaces_and_any_script() -> None:
    world = load_world(
        {
            "collections": [{"collection_id": "col_spring", "name": "Spring Recipes 春"}],
            "retrievers": [
                {
                    "retriever_id": "ret_recipes",
                    "name": "Recipe Search — Συνταγές",
                    "collections": ["Spring Recipes 春"],
                    "inputs": [{"name": "main ingredient", "field": "metadata.main"}],
                    "stages": [{"name": "semantic search", "kind": "search"}],
                }
            ],
        }
    )
    copy_ = NamespaceWorld.from_template(world)
    found = copy_.find_retriever("Recipe Search — Συνταγές")
    assert found is not None and found.collection_ids == ("col_spring",)
    assert copy_.find_collection("Spring Recipes 春") is not None


# --------------------------------------------------------------------------- lookup


def test_a_retriever_is_found_by_id_or_by_name(pantry: NamespaceWorld) -> None:
    assert pantry.find_retriever("ret_pantry") is pantry.find_retriever("pantry-search")
    assert pantry.find_retriever("ret_missing") is None


def test_collection_identifiers_resolve_ids_and_names_without_duplicates(
    pantry: NamespaceWorld,
) -> None:
    found, unknown = pantry.resolve_collections(
        ["pantry", "col_pantry", "cellar", "empty", "cellar"]
    )
    assert [c.collection_id for c in found] == ["col_pantry", "col_empty"]
    assert unknown == ["cellar"]


# --------------------------------------------------------------------------- inputs


def test_defaults_fill_absent_inputs_and_sent_ones_win(default_world: NamespaceWorld) -> None:
    support = default_world.find_retriever("support-kb")
    assert support is not None
    assert resolve_inputs(support, {"query": "refund"}) == {"query": "refund", "language": "en"}
    assert resolve_inputs(support, {"query": "refund", "language": "es"})["language"] == "es"


def test_every_missing_required_input_is_named(
    pantry: NamespaceWorld, default_world: NamespaceWorld
) -> None:
    media = default_world.find_retriever("media-library")
    assert media is not None
    with pytest.raises(MissingInputs) as caught:
        resolve_inputs(media, {"query": "sunset", "media_type": None})
    assert caught.value.names == ["media_type"]
    assert "'media_type'" in str(caught.value)


# --------------------------------------------------------------------------- namespaces


def test_adding_documents_changes_only_that_namespace(pantry_template: WorldTemplate) -> None:
    first = NamespaceWorld.from_template(pantry_template)
    second = NamespaceWorld.from_template(pantry_template)
    added = first.add_documents(
        "pantry",
        [{"payload": {"title": "Plum"}}, {"document_id": "doc_fig", "payload": {"title": "Fig"}}],
    )
    assert added == 2
    assert len(first.find_collection("col_pantry").documents) == 6  # type: ignore[union-attr]
    assert len(second.find_collection("col_pantry").documents) == 4  # type: ignore[union-attr]
    assert len(pantry_template.collections[0].documents) == 4


def test_added_documents_are_searchable(pantry: NamespaceWorld) -> None:
    pantry.add_documents("col_empty", [{"document_id": "doc_kiwi", "payload": {"title": "Kiwi"}}])
    result = execute(
        pantry, "pantry-search", {"inputs": {"query": "kiwi"}}, collections=["empty", "pantry"]
    )
    assert ids(result)[0] == "doc_kiwi"
    assert result.documents[0]["collection_id"] == "col_empty"


def test_adding_documents_is_all_or_nothing(pantry: NamespaceWorld) -> None:
    with pytest.raises(DuplicateId, match="doc_apple"):
        pantry.add_documents(
            "pantry", [{"payload": {"title": "Plum"}}, {"document_id": "doc_apple", "payload": {}}]
        )
    with pytest.raises(WorldError, match=r"documents\[0\]\.payload"):
        pantry.add_documents("pantry", [{"payload": "not an object"}])
    with pytest.raises(UnknownCollection):
        pantry.add_documents("cellar", [{"payload": {}}])
    assert len(pantry.find_collection("pantry").documents) == 4  # type: ignore[union-attr]


def test_adding_a_retriever_changes_only_that_namespace(pantry_template: WorldTemplate) -> None:
    first = NamespaceWorld.from_template(pantry_template)
    second = NamespaceWorld.from_template(pantry_template)
    spec = first.add_retriever(
        {
            "retriever_id": "ret_cakes",
            "name": "cakes",
            "collections": ["pantry"],
            "stages": [{"name": "s", "kind": "search"}],
        }
    )
    assert first.find_retriever("cakes") is spec
    assert second.find_retriever("cakes") is None
    assert [r.retriever_id for r in pantry_template.retrievers] == ["ret_pantry"]


def test_a_retriever_id_or_name_cannot_be_taken_twice(pantry: NamespaceWorld) -> None:
    base = {"collections": ["pantry"], "stages": [{"name": "s", "kind": "search"}]}
    with pytest.raises(DuplicateId):
        pantry.add_retriever({**base, "retriever_id": "ret_other", "name": "pantry-search"})
    with pytest.raises(UnknownCollection):
        pantry.add_retriever(
            {**base, "retriever_id": "ret_other", "name": "o", "collections": ["cellar"]}
        )


def test_describe_answers_the_control_api_shape(pantry: NamespaceWorld) -> None:
    described = pantry.describe()
    assert described["collections"] == [
        {"collection_id": "col_pantry", "name": "pantry", "document_count": 4},
        {"collection_id": "col_empty", "name": "empty", "document_count": 0},
    ]
    (retriever,) = described["retrievers"]
    assert retriever["retriever_id"] == "ret_pantry"
    assert retriever["collections"] == ["col_pantry"]
    assert [s["kind"] for s in retriever["stages"]] == ["search", "filter", "rerank"]
    assert {"name", "type", "required", "default", "description"} <= set(retriever["inputs"][0])
    json.dumps(described)  # JSON-ready


def test_the_fixture_example_of_the_documentation_loads() -> None:
    import re

    import yaml

    text = (Path(__file__).parents[3] / "docs" / "world.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", text, re.DOTALL)
    assert example is not None
    world = load_world(yaml.safe_load(example.group(1)))
    (retriever,) = world.retrievers
    assert retriever.collection_ids == ("col_recipes",)
    assert [i.name for i in retriever.inputs if i.required] == ["servings"]
