"""The engine's fast path answers exactly what the plain pipeline answers, on random worlds.

The engine selects documents from field columns and indexes (bit sets, lookups,
orderings), scores only those it kept and ranks only the contenders of the first
``top_k``. The reference below is the plain pipeline it replaced: score every document,
test every document with the filter (one document at a time), drop scores under
``min_score``, sort everything, group, slice. Hypothesis draws worlds (values of every
JSON type, NaN and -0.0 included, missing and null fields, lists, points) and requests
(every operator, nested AND/OR/NOT, case sensitivity, sort, group_by, min_score, top_k,
select, embeddings); both must agree on every document, score, group key, statistic and
warning.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mixpeek_toolkit.generated.models import ExecuteRetrieverRequest
from mixpeek_toolkit.mockserver.bitsets import positions_of
from mixpeek_toolkit.mockserver.engine import (
    RankedDocuments,
    _stage_plan,
    _stage_runs,
    run_retriever,
)
from mixpeek_toolkit.mockserver.fields import DocumentColumns, is_missing, resolve_field
from mixpeek_toolkit.mockserver.filters import compile_filter, filter_fields
from mixpeek_toolkit.mockserver.scoring import embed_text
from mixpeek_toolkit.mockserver.world import NamespaceWorld, load_world, resolve_inputs

# --------------------------------------------------------------------------- the reference


def _value(item: tuple[Any, float], field: str) -> Any:
    if field == "score":
        return item[1]
    value = resolve_field(item[0], field)
    return None if is_missing(value) else value


def _ordered(items: list, sort: Any) -> list:
    items = sorted(items, key=lambda s: (-s[1], s[0].document_id))
    if sort is None or (sort.field == "score" and sort.direction != "asc"):
        return items
    if sort.field == "score":
        return sorted(items, key=lambda s: s[1])
    ranked, rest = [], []
    for item in items:
        value = _value(item, sort.field)
        if isinstance(value, bool):
            ranked.append(((2, value), item))
        elif isinstance(value, int | float):
            ranked.append(((0, value), item))
        elif isinstance(value, str):
            ranked.append(((1, value), item))
        else:
            rest.append(item)
    ranked.sort(key=lambda pair: pair[0], reverse=sort.direction != "asc")
    return [item for _, item in ranked] + rest


def _grouped(items: list, group_by: Any) -> list:
    groups: dict[Any, list] = {}
    keys: dict[Any, Any] = {}
    for item in items:
        value = _value(item, group_by.field)
        key = value
        if isinstance(value, list | Mapping):
            key = repr(value)
        elif isinstance(value, float) and value.is_integer():
            key = int(value)
        groups.setdefault(key, []).append(item)
        keys.setdefault(key, value)
    out = []
    for key, members in groups.items():
        if group_by.sort is not None:
            members = _ordered(members, group_by.sort)
        out.extend((member, keys[key]) for member in members[: group_by.max_features or 1])
    return out


def reference_scores(index, query, embedding) -> list[float]:
    """Every document's score, as the scoring module computed it before it learnt to
    score a subset (the same arithmetic, term by term)."""
    parts = []
    if query and query.strip():
        q = index.query_vector(query)
        parts.append(
            [min(1.0, sum(w * v.weights.get(t, 0.0) for t, w in q.items())) for v in index.vectors]
        )
    if embedding:
        parts.append(index.embedding_scores(embedding))
    if not parts:
        return [0.5] * len(index.vectors)
    return [round(sum(values) / len(values), 6) for values in zip(*parts, strict=True)]


def reference_run(retriever, collections, request, inputs, rng):
    filters = [compile_filter(request.filters)]
    for spec in retriever.inputs:
        if inputs.get(spec.name) is not None and spec.field is not None:
            condition = {"field": spec.field, "operator": "eq", "value": inputs[spec.name]}
            filters.append(compile_filter({"AND": [condition]}))
    query, embedding = inputs.get("query"), inputs.get("embedding")
    candidates = []
    for collection in collections:  # every document scored, every document tested
        scores = reference_scores(collection.index, query, embedding)
        candidates += list(zip(collection.documents, scores, strict=True))
    passed = [c for c in candidates if all(f(c[0]) for f in filters)]
    min_score = inputs.get("min_score")
    kept = [c for c in passed if min_score is None or c[1] >= min_score]
    ordered = _ordered(kept, request.sort)
    tagged = (
        _grouped(ordered, request.group_by) if request.group_by else [(c, None) for c in ordered]
    )
    top_k = inputs.get("top_k") or retriever.default_top_k
    final = tagged[:top_k]
    documents = RankedDocuments(
        [(item[0], item[1], key) for item, key in final],
        [s.root for s in request.select] if request.select is not None else None,
        grouped=request.group_by is not None,
    )
    funnel = [len(candidates), len(passed), len(kept), len(tagged), len(final)]
    stages, total = _stage_runs(_stage_plan(retriever, None), funnel, rng)
    unknown = tuple(
        name
        for name in filter_fields(request.filters)
        if all(is_missing(resolve_field(c[0], name)) for c in candidates)
    )
    return list(documents), stages, total, unknown


# --------------------------------------------------------------------------- random worlds

FIELDS = ["metadata.a", "metadata.b", "metadata.n", "metadata.tags", "metadata.loc", "title"]
PATHS = [*FIELDS, "payload.metadata.a", "document_id", "collection_id", "metadata.tags.0"]
PATHS += ["metadata.zz", "metadata.a.k"]
WORDS = ["apple", "Apple", "pear", "cake", "red", "green", "the", "moist", "bread"]
STRINGS = ["", "a", "A", "b", "Fruit", "fruit", "FRUIT", "x y", "apple pear", "Ünï", "2"]
SPECIAL_FLOATS = [0.0, -0.0, 1.5, 2.0, -1.25, math.nan, math.inf, 1e300]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from(SPECIAL_FLOATS),
    st.sampled_from(STRINGS),
)
points = st.fixed_dictionaries(
    {"lat": st.sampled_from([-10.0, 0, 48.85, 51.5, 89.9]), "lon": st.sampled_from([-74, 0, 2.35])}
)
values = st.recursive(
    scalars | points,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["k", "lat", "lon"]), inner, max_size=2)
    ),
    max_leaves=4,
)


@st.composite
def documents(draw: st.DrawFn, index: int) -> dict[str, Any]:
    metadata = {}
    for name in ("a", "b", "n", "tags", "loc"):
        if draw(st.booleans()):
            strategy = {
                "n": st.integers(-2, 5) | st.sampled_from(SPECIAL_FLOATS),
                "tags": st.lists(st.sampled_from(WORDS), max_size=3) | values,
                "loc": points | values,
            }.get(name, values)
            metadata[name] = draw(strategy)
    payload: dict[str, Any] = {"metadata": metadata}
    if draw(st.booleans()):
        payload["title"] = " ".join(draw(st.lists(st.sampled_from(WORDS), max_size=4)))
    if draw(st.booleans()):
        payload["text"] = " ".join(draw(st.lists(st.sampled_from(WORDS), max_size=6)))
    return {"document_id": f"doc_{draw(st.integers(0, 5))}_{index}", "payload": payload}


@st.composite
def worlds(draw: st.DrawFn) -> NamespaceWorld:
    collections = []
    for c in range(draw(st.integers(1, 2))):
        count = draw(st.integers(0, 14))
        docs = [draw(documents(i)) for i in range(count)]
        collections.append({"collection_id": f"col_{c}", "name": f"c{c}", "documents": docs})
    retriever = {
        "retriever_id": "ret_x",
        "name": "x",
        "collections": [c["name"] for c in collections],
        "inputs": [
            {"name": "query", "type": "text"},
            {"name": "kind", "type": "string", "field": "metadata.a"},
        ],
        "stages": [{"name": "search", "kind": "search"}, {"name": "filter", "kind": "filter"}],
        "default_top_k": draw(st.integers(1, 6)),
    }
    return NamespaceWorld.from_template(
        load_world({"collections": collections, "retrievers": [retriever]})
    )


GEO = {
    "geo_radius": [{"lat": 48.85, "lon": 2.35, "radius_m": r} for r in (0, 1, 5e5, 1e7)],
    "geo_bounding_box": [
        {"top_left": {"lat": 60, "lon": -10}, "bottom_right": {"lat": 40, "lon": 5}},
        {"top_left": {"lat": 60, "lon": 170}, "bottom_right": {"lat": 40, "lon": 3}},
    ],
    "geo_polygon": [
        {"points": [{"lat": 60, "lon": -10}, {"lat": 60, "lon": 5}, {"lat": 40, "lon": 0}]}
    ],
}


def _operand(operator: str) -> st.SearchStrategy[Any]:
    if operator in ("gt", "gte", "lt", "lte"):
        return st.integers(-3, 3) | st.sampled_from([*SPECIAL_FLOATS, *STRINGS])
    if operator in ("in", "nin"):
        return st.lists(values, max_size=4)
    if operator == "contains":
        return scalars.filter(lambda v: v is not None)
    if operator in ("starts_with", "ends_with"):
        return st.sampled_from(STRINGS)
    if operator == "regex":
        return st.sampled_from(["^a", "p.*r", "FRUIT$", "[0-9]", "x y"])
    if operator in ("exists", "is_null"):
        return st.none() | st.booleans()
    if operator in ("text", "phrase"):
        return st.sampled_from(["apple", "red apple", "moist cake", "pear bread"])
    if operator == "words":
        return st.sampled_from(["apple", ["pear", "cake"], "green bread"])
    if operator.startswith("geo_"):
        return st.sampled_from(GEO[operator])
    return values  # eq, ne


OPERATORS = [
    *("eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "contains", "starts_with"),
    *("ends_with", "regex", "exists", "is_null", "text", "phrase", "words"),
    *("geo_radius", "geo_bounding_box", "geo_polygon"),
]


@st.composite
def conditions(draw: st.DrawFn) -> dict[str, Any]:
    operator = draw(st.sampled_from(OPERATORS))
    path = st.sampled_from(["metadata.a", "metadata.n"]) | st.sampled_from(PATHS)
    condition = {"field": draw(path), "operator": operator}
    value = draw(_operand(operator))
    if value is not None:
        condition["value"] = value
    return condition


@st.composite
def logical(draw: st.DrawFn, operand: st.SearchStrategy[Any]) -> dict[str, Any]:
    keys = st.sampled_from(["AND", "OR", "NOT"])
    node = draw(st.dictionaries(keys, st.lists(operand, max_size=3), min_size=1))
    if draw(st.booleans()):
        node["case_sensitive"] = draw(st.booleans())
    if draw(st.booleans()):
        node["metadata.a"] = draw(scalars)  # shorthand equality
    return node


filters = (
    st.recursive(conditions(), logical, max_leaves=6).map(
        lambda tree: tree if "field" not in tree else {"AND": [tree]}
    )
    | conditions()
)


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    inputs: dict[str, Any] = {}
    if draw(st.booleans()):
        inputs["query"] = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3)))
    if draw(st.booleans()):
        inputs["embedding"] = embed_text(
            draw(st.sampled_from(WORDS)), draw(st.sampled_from([3, 8]))
        )
    if draw(st.booleans()):
        inputs["min_score"] = draw(st.sampled_from([0.0, 0.2, 0.5, 0.51]))
    if draw(st.booleans()):
        inputs["top_k"] = draw(st.integers(1, 20))
    if draw(st.booleans()):
        inputs["kind"] = draw(scalars.filter(lambda v: v is not None))
    body: dict[str, Any] = {"inputs": inputs}
    if draw(st.booleans()):
        body["filters"] = draw(filters)
    if draw(st.booleans()):
        field = draw(st.sampled_from(["score", *FIELDS, "document_id"]))
        body["sort"] = {"field": field, "direction": draw(st.sampled_from(["asc", "desc"]))}
    if draw(st.booleans()):
        group: dict[str, Any] = {"field": draw(st.sampled_from(FIELDS))}
        group["max_features"] = draw(st.integers(1, 3))
        if draw(st.booleans()):
            group["sort"] = {"field": draw(st.sampled_from(["score", "metadata.n"]))}
        body["group_by"] = group
    if draw(st.booleans()):
        body["select"] = draw(
            st.lists(st.sampled_from(["metadata.a", "payload.title"]), max_size=2)
        )
    return body


# --------------------------------------------------------------------------- every operand

# One document per kind of value (and one without the field): every operator, with every
# operand of the pool, must select from the column what it accepts document by document.
ZOO = [
    *(None, True, False, 0, 1, 2, -1, 0.0, -0.0, 1.0, 1.5, 2.0, math.nan, math.inf, -math.inf),
    *(10**30, "", "a", "A", "b", "B", "Fruit", "fruit", "2", "apple pear", "red apple"),
    *([], [1, 2], [2.0], ["a", "B"], [["a"]], [None], [math.nan], ["apple", "pear"]),
    *({}, {"k": 1}, {"lat": 48.85, "lon": 2.35}, {"lat": 51.5, "lon": -0.12}, [{"k": 1}]),
]
POOL = [*ZOO[:26], [1, 2], ["a", "b"], [None, 2.0, "FRUIT"], [], {"k": 1}]


def _zoo() -> NamespaceWorld:
    documents = [{"document_id": f"doc_{i:02d}", "payload": {"v": v}} for i, v in enumerate(ZOO)]
    documents.append({"document_id": "doc_none", "payload": {}})
    collection = {"collection_id": "col_zoo", "name": "zoo", "documents": documents}
    return NamespaceWorld.from_template(load_world({"collections": [collection]}))


def test_every_operator_selects_with_every_operand_what_it_accepts_one_by_one() -> None:
    (collection,) = _zoo().collections
    checked = 0
    for operator in OPERATORS:
        operands = [*POOL, None] if operator not in ("text", "phrase", "words") else WORDS
        if operator.startswith("geo_"):
            operands = GEO[operator]
        for value in operands:
            for case_sensitive in (False, True):
                condition = {"field": "v", "operator": operator, "value": value}
                try:
                    compiled = compile_filter(
                        {"AND": [condition], "case_sensitive": case_sensitive}
                    )
                except ValueError:  # an operand the operator refuses (InvalidFilter)
                    continue
                for columns in (collection.columns, DocumentColumns(collection.documents)):
                    one_by_one = [i for i, d in enumerate(collection.documents) if compiled(d)]
                    assert positions_of(compiled.select(columns)) == one_by_one, condition
                checked += 1
    assert checked > 500


# --------------------------------------------------------------------------- the properties

RELAXED = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@RELAXED
@given(worlds(), filters)
def test_a_filter_selects_from_columns_what_it_accepts_one_document_at_a_time(
    world: NamespaceWorld, tree: dict[str, Any]
) -> None:
    compiled = compile_filter(tree)
    for collection in world.collections:
        one_by_one = [i for i, d in enumerate(collection.documents) if compiled(d)]
        assert positions_of(compiled.select(collection.columns)) == one_by_one
        fresh = DocumentColumns(collection.documents)  # no index left from an earlier run
        assert positions_of(compiled.select(fresh)) == one_by_one


@RELAXED
@given(worlds(), requests(), st.integers(0, 3))
def test_the_engine_answers_what_the_plain_pipeline_answers(
    world: NamespaceWorld, body: dict[str, Any], seed: int
) -> None:
    retriever = world.find_retriever("ret_x")
    assert retriever is not None
    request = ExecuteRetrieverRequest.model_validate(body)
    inputs = resolve_inputs(retriever, request.inputs.model_dump(exclude_none=True))
    collections = world.collections_of(retriever)

    result = run_retriever(retriever, collections, request, inputs, rng=random.Random(seed))
    documents, stages, total, unknown = reference_run(
        retriever, collections, request, inputs, random.Random(seed)
    )

    assert list(result.documents) == documents
    assert [d["score"] for d in result.documents] == [d["score"] for d in documents]
    assert result.stages == stages
    assert result.total_time_ms == total
    assert result.unknown_fields == unknown
