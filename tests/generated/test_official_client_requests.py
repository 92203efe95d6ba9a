"""Whatever the official `mixpeek` client sends, the contract accepts.

The bodies, paths, query strings and headers here are built by the client itself
(`mixpeek` on PyPI, the version pinned in constraints.txt), through the same
serialization its `RetrieversApi` uses before it sends, and then checked against both
the spec's JSON Schema and the generated request model.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import jsonschema
import mixpeek
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mixpeek.api.retrievers_api import RetrieversApi

from mixpeek_toolkit import spec
from mixpeek_toolkit.generated import models

OPENAPI = spec.load_openapi()
EXECUTE = OPENAPI["paths"]["/v1/retrievers/{retriever_id}/execute"]["post"]
BODY_VALIDATOR = jsonschema.Draft202012Validator(
    spec.schema_for({"$ref": "#/components/schemas/ExecuteRetrieverRequest"}, OPENAPI)
)
QUERY_FLAGS = (
    "return_presigned_urls",
    "return_vectors",
    "explain",
    "include_legacy_results",
    "skip_cache",
)
NO_OPTIONS: dict[str, Any] = {
    "_request_auth": None,
    "_content_type": None,
    "_headers": None,
    "_host_index": 0,
}


def client_api(namespace: str = "ns_abc123def456") -> RetrieversApi:
    configuration = mixpeek.Configuration(
        host="http://127.0.0.1:8080",
        access_token="sk_test_xyz789",
        api_key={"NamespaceHeader": namespace},
    )
    return RetrieversApi(mixpeek.ApiClient(configuration))


def sent_execute(
    request: mixpeek.ExecuteRetrieverRequest, **query: bool | None
) -> tuple[str, dict[str, str], Any]:
    flags: dict[str, bool | None] = dict.fromkeys(QUERY_FLAGS)
    flags.update(query)
    _, url, headers, body, _ = client_api()._execute_retriever_serialize(
        retriever_id="ret_product_search", execute_retriever_request=request, **flags, **NO_OPTIONS
    )
    return url, headers, body


def assert_accepted(body: Any) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in BODY_VALIDATOR.iter_errors(body)]
    assert not errors, f"the spec refuses what the official client sends: {errors}\n{body}"
    models.ExecuteRetrieverRequest.model_validate(body)


def pagination(params: Any) -> mixpeek.Pagination1:
    return mixpeek.Pagination1(params)


REQUESTS = {
    "inputs only": mixpeek.ExecuteRetrieverRequest(
        inputs={"query": "artificial intelligence trends", "top_k": 25}
    ),
    "empty": mixpeek.ExecuteRetrieverRequest(),
    "offset pages": mixpeek.ExecuteRetrieverRequest(
        inputs={"query": "q"},
        pagination=pagination(mixpeek.OffsetPaginationParams(page_size=500, page_number=3)),
    ),
    "cursor pages": mixpeek.ExecuteRetrieverRequest(
        pagination=pagination(mixpeek.CursorPaginationParams(limit=20, cursor="eyJvIjoyMH0"))
    ),
    "scroll pages": mixpeek.ExecuteRetrieverRequest(
        pagination=pagination(mixpeek.ScrollPaginationParams(limit=1000, scroll_ttl=3600))
    ),
    "keyset pages": mixpeek.ExecuteRetrieverRequest(
        pagination=pagination(
            mixpeek.KeysetPaginationParams(limit=5, after={"score": 0.73, "document_id": "d_20"})
        )
    ),
    "every option": mixpeek.ExecuteRetrieverRequest(
        inputs={"query": "machine learning", "top_k": 50, "min_score": 0.7, "custom": [1, 2]},
        filters={"AND": [{"field": "brand", "operator": "eq", "value": "Acme"}]},
        limit=500,
        stream=True,
        expand=["items.product_id"],
        skip_cache=True,
        return_presigned_urls=True,
        return_vectors=True,
        write_token="wt_123",
        consistency=mixpeek.ReadConsistencyOption(mode="eventual", max_staleness_ms=250),
        target_collection_id="col_results",
        explain=True,
    ),
    "shorthand filter": mixpeek.ExecuteRetrieverRequest(filters={"metadata.title": "value"}),
}


@pytest.mark.parametrize("request_", REQUESTS.values(), ids=list(REQUESTS))
def test_the_contract_accepts_each_body_the_client_sends(request_):
    _, _, body = sent_execute(request_)
    assert_accepted(body)


def test_the_client_always_sends_its_default_flags_and_they_are_accepted():
    _, _, body = sent_execute(REQUESTS["inputs only"])
    assert {"stream", "skip_cache", "return_presigned_urls", "return_vectors", "explain"} <= set(
        body
    )
    assert_accepted(body)


def test_every_query_parameter_the_client_can_send_is_declared():
    url, _, _ = sent_execute(
        REQUESTS["empty"],
        return_presigned_urls=True,
        return_vectors=True,
        explain=True,
        include_legacy_results=True,
        skip_cache=True,
    )
    sent = {name for name, _ in parse_qsl(urlsplit(url).query)}
    declared = {
        OPENAPI["components"]["parameters"][p["$ref"].rsplit("/", 1)[-1]]["name"]
        for p in EXECUTE["parameters"]
    }
    assert sent and sent <= declared


@pytest.mark.parametrize(
    ("namespace", "retriever"),
    [
        ("ns_abc123def456", "ret_product_search"),
        ("production", "product-search"),
        ("my-namespace", "Product Search"),  # names are plain strings, spaces included
        ("espace de noms", "Recherche élégante"),
    ],
)
def test_the_client_headers_and_paths_fit_the_declared_parameters(namespace, retriever):
    api = client_api(namespace)
    _, url, headers, _, _ = api._get_execution_retrievers_serialize(
        retriever_id=retriever, execution_id="exec_abc123def456", **NO_OPTIONS
    )
    parameters = OPENAPI["components"]["parameters"]
    assert headers["Authorization"] == "Bearer sk_test_xyz789"
    checks = {
        "X-Namespace": (parameters["Namespace"]["schema"], headers["X-Namespace"]),
        "retriever_id": (parameters["RetrieverId"]["schema"], unquote(url.split("/")[-3])),
        "execution_id": (parameters["ExecutionId"]["schema"], url.split("/")[-1]),
    }
    for name, (schema, value) in checks.items():
        validator = jsonschema.Draft202012Validator(spec.schema_for(schema, OPENAPI))
        assert validator.is_valid(value), f"{name}={value!r} breaks {schema}"


# Values the client's own models let through, within what the API documents.
words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_.", min_size=1, max_size=40)
scalars = st.one_of(st.integers(-(10**6), 10**6), st.booleans(), words, st.none())
conditions = st.fixed_dictionaries(
    {"field": words},
    optional={
        "operator": st.sampled_from([op.value for op in models.FilterOperator]),
        "value": st.one_of(scalars, st.lists(scalars, max_size=3)),
    },
)
filters = st.recursive(
    conditions,
    lambda inner: st.dictionaries(
        st.sampled_from(["AND", "OR", "NOT"]), st.lists(inner, max_size=3)
    ),
    max_leaves=6,
)
paginations = st.one_of(
    st.builds(
        mixpeek.OffsetPaginationParams,
        page_size=st.integers(1, 500),
        page_number=st.integers(1, 10**6),
    ),
    st.builds(
        mixpeek.CursorPaginationParams,
        limit=st.integers(1, 500),
        cursor=st.none() | st.text(max_size=100),
    ),
    st.builds(
        mixpeek.ScrollPaginationParams,
        limit=st.integers(1, 1000),
        scroll_id=st.none() | st.text(max_size=100),
        scroll_ttl=st.integers(60, 3600),
    ),
    st.builds(
        mixpeek.KeysetPaginationParams,
        limit=st.integers(1, 500),
        after=st.none() | st.dictionaries(words, scalars, max_size=3),
    ),
).map(mixpeek.Pagination1)
inputs = st.fixed_dictionaries(
    {},
    optional={
        "query": st.text(max_size=200),
        "top_k": st.integers(1, 1000),
        "min_score": st.floats(0, 1),
        "embedding": st.lists(st.floats(-1, 1), max_size=8),
        "category": words,
    },
)
client_requests = st.builds(
    mixpeek.ExecuteRetrieverRequest,
    inputs=st.none() | inputs,
    filters=st.none() | filters,
    pagination=st.none() | paginations,
    limit=st.none() | st.integers(1, 500),
    stream=st.booleans(),
    expand=st.none() | st.lists(words, max_size=5),
    skip_cache=st.booleans(),
    return_presigned_urls=st.booleans(),
    return_vectors=st.booleans(),
    write_token=st.none() | words,
    consistency=st.none()
    | st.builds(
        mixpeek.ReadConsistencyOption,
        mode=st.sampled_from(["strong", "eventual"]),
        max_staleness_ms=st.none() | st.integers(0, 10**6),
    ),
    target_collection_id=st.none() | words,
    explain=st.booleans(),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(client_requests)
def test_the_contract_accepts_any_body_the_client_builds(request_):
    _, _, body = sent_execute(request_)
    assert_accepted(body)
