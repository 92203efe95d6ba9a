"""A downstream project's test suite, using every fixture of the plugin, passes.

Each test here writes a small test file into a temporary project (``pytester``) and runs
pytest on it, exactly as a team that installed the toolkit would.
"""

from __future__ import annotations

pytest_plugins = ["pytester"]

STRICT_INI = """
[pytest]
addopts = --strict-markers -p no:cacheprovider
filterwarnings = error
"""

DOWNSTREAM_SUITE = """
import httpx
import pytest


def test_the_handle_knows_where_the_mock_is(mixpeek_mock, mixpeek_mock_server):
    assert mixpeek_mock.base_url == mixpeek_mock_server.base_url
    assert mixpeek_mock.base_url.startswith("http://127.0.0.1:")
    assert mixpeek_mock.api_key.startswith("sk_")
    assert mixpeek_mock.namespace == "pytest"
    assert mixpeek_mock.settings.strict is True


def test_the_ready_client_executes_a_retriever(mixpeek_mock):
    response = mixpeek_mock.client.post(
        "/v1/retrievers/ret_product_search/execute", json={"inputs": {"query": "headphones"}}
    )

    assert response.status_code == 200
    assert response.json()["status"] == "completed"
    mixpeek_mock.assert_called(path_contains="/execute", method="POST", times=1)
    mixpeek_mock.assert_executed("ret_product_search", inputs={"query": "headphones"}, times=1)
    [entry] = mixpeek_mock.journal()
    assert entry["namespace"] == "pytest"


def test_seeded_documents_and_retrievers_are_served(mixpeek_mock):
    assert mixpeek_mock.add_documents("help-articles", [{"title": "Resetting a flux capacitor"}]) == 1
    mixpeek_mock.add_retriever(
        retriever_id="ret_flux",
        name="flux",
        collections=["col_help_articles"],
        inputs=[{"name": "query", "type": "text"}],
        stages=[{"name": "search", "kind": "search"}],
    )
    assert "ret_flux" in mixpeek_mock.retriever_ids()

    response = mixpeek_mock.client.post(
        "/v1/retrievers/ret_flux/execute", json={"inputs": {"query": "flux capacitor"}}
    )

    assert response.json()["documents"][0]["payload"]["title"] == "Resetting a flux capacitor"


def test_queued_outcomes_shape_the_next_executions(mixpeek_mock):
    mixpeek_mock.queue(outcome="failed", error="Stage 'rerank' timed out")
    mixpeek_mock.queue_in_flight(stages=2)
    execute = lambda: mixpeek_mock.client.post(
        "/v1/retrievers/ret_product_search/execute", json={"inputs": {"query": "x"}}
    ).json()

    failed, in_flight, normal = execute(), execute(), execute()

    assert (failed["status"], failed["error"]) == ("failed", "Stage 'rerank' timed out")
    assert in_flight["status"] == "pending"
    assert normal["status"] == "completed"
    stored = mixpeek_mock.execution(in_flight["execution_id"])
    assert stored["execution_id"] == in_flight["execution_id"]


def test_the_official_client_configuration(mixpeek_mock):
    import mixpeek

    config = mixpeek_mock.mixpeek_configuration()
    with mixpeek.ApiClient(config) as api_client:
        result = mixpeek.RetrieversApi(api_client).execute_retriever(
            "ret_product_search", mixpeek.ExecuteRetrieverRequest(inputs={"query": "speaker"})
        )

    assert result.status == "completed"
    mixpeek_mock.assert_executed("ret_product_search", inputs={"query": "speaker"})


def test_the_in_process_variant_needs_no_socket(mixpeek_mock_asgi):
    response = mixpeek_mock_asgi.client.post(
        "/v1/retrievers/ret_product_search/execute", json={"inputs": {"query": "headphones"}}
    )

    assert response.status_code == 200
    assert not mixpeek_mock_asgi.base_url.startswith("http://127.0.0.1")
    mixpeek_mock_asgi.assert_executed("ret_product_search", times=1)


async def _execute_async(handle):
    async with handle.async_client() as client:
        return await client.post(
            "/v1/retrievers/ret_product_search/execute", json={"inputs": {"query": "lamp"}}
        )


def test_async_clients_reach_both_variants(mixpeek_mock, mixpeek_mock_asgi):
    import asyncio

    assert asyncio.run(_execute_async(mixpeek_mock)).status_code == 200
    assert asyncio.run(_execute_async(mixpeek_mock_asgi)).status_code == 200


def test_rate_limits_can_be_queued(mixpeek_mock):
    mixpeek_mock.queue_rate_limited(retry_after=3)

    response = mixpeek_mock.client.post(
        "/v1/retrievers/ret_product_search/execute", json={"inputs": {"query": "x"}}
    )

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3"


def test_an_anonymous_client_is_refused(mixpeek_mock):
    assert mixpeek_mock.make_client(headers={}).post(
        "/v1/retrievers/ret_product_search/execute", json={}
    ).status_code == 401


@pytest.mark.mixpeek_mock(seed=7, namespace="acme")
def test_the_marker_gives_a_mock_with_other_settings(mixpeek_mock, mixpeek_mock_server):
    assert mixpeek_mock.settings.seed == 7
    assert mixpeek_mock.namespace == "acme"
    assert mixpeek_mock.base_url != mixpeek_mock_server.base_url
    assert mixpeek_mock.health()["seed"] == 7


def test_the_target_is_the_local_mock_by_default(mixpeek_target, mixpeek_mock_server):
    assert mixpeek_target.base_url == mixpeek_mock_server.base_url
    assert mixpeek_target.retriever_id
"""


def test_a_downstream_suite_using_every_fixture_passes(pytester, monkeypatch):
    for variable in ("MIXPEEK_BASE_URL", "MIXPEEK_API_KEY", "MIXPEEK_NAMESPACE"):
        monkeypatch.delenv(variable, raising=False)
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(test_downstream=DOWNSTREAM_SUITE)

    result = pytester.runpytest()

    result.assert_outcomes(passed=11)


def test_the_settings_fixture_can_be_overridden(pytester):
    pytester.makeini(STRICT_INI)
    pytester.makeconftest(
        """
        import pytest
        from mixpeek_toolkit.mockserver import Settings

        @pytest.fixture(scope="session")
        def mixpeek_mock_settings():
            return Settings(seed=99, api_keys={"sk_only_this_one"}, namespaces={"tenant-a"})
        """
    )
    pytester.makepyfile(
        """
        def test_settings_flow_into_the_mock_and_the_handle(mixpeek_mock):
            assert mixpeek_mock.health()["seed"] == 99
            assert mixpeek_mock.api_key == "sk_only_this_one"
            assert mixpeek_mock.namespace == "tenant-a"
            response = mixpeek_mock.client.post(
                "/v1/retrievers/ret_product_search/execute", json={"inputs": {"query": "x"}}
            )
            assert response.status_code == 200
        """
    )

    pytester.runpytest().assert_outcomes(passed=1)


def test_the_marker_can_decorate_a_whole_module(pytester):
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.mixpeek_mock(seed=5)

        def test_module_settings(mixpeek_mock):
            assert mixpeek_mock.settings.seed == 5

        @pytest.mark.mixpeek_mock(seed=6)
        def test_the_closest_marker_wins(mixpeek_mock):
            assert mixpeek_mock.settings.seed == 6
        """
    )

    pytester.runpytest().assert_outcomes(passed=2)
