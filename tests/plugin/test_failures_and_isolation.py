"""Failing expectations read clearly, errors inside the server reach the test, and tests
never see each other's state."""

from __future__ import annotations

pytest_plugins = ["pytester"]

STRICT_INI = """
[pytest]
addopts = -ra --strict-markers -p no:cacheprovider
filterwarnings = error
"""

# Wraps the real app: a request to /boom raises inside the server.
CRASHING_APP_CONFTEST = """
import pytest
from mixpeek_toolkit import mockserver


@pytest.fixture(scope="session", autouse=True)
def crashing_app():
    real_create_app = mockserver.create_app

    def create_app(settings):
        app = real_create_app(settings)

        async def crashing(scope, receive, send):
            if scope["type"] == "http" and scope["path"] == "/boom":
                raise RuntimeError("the mock blew up")
            await app(scope, receive, send)

        return crashing

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(mockserver, "create_app", create_app)
        yield
"""


def test_a_failed_journal_expectation_says_what_was_expected_and_seen(pytester):
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(
        """
        def test_expects_an_execution(mixpeek_mock):
            mixpeek_mock.client.get("/v1/retrievers/ret_product_search/executions/exec_nope")
            mixpeek_mock.assert_called(path_contains="/execute", times=1)
        """
    )

    result = pytester.runpytest()

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: Expected 1 request(s) with path_contains='/execute' to the "
            "Mixpeek mock, saw 0.",
            "*Requests the mock saw:",
            "*GET /v1/retrievers/ret_product_search/executions/exec_nope -> 404",
        ]
    )


def test_a_failed_execution_expectation_lists_the_executions_seen(pytester):
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(
        """
        def test_expects_other_inputs(mixpeek_mock):
            mixpeek_mock.client.post(
                "/v1/retrievers/ret_product_search/execute", json={"inputs": {"query": "lamp"}}
            )
            mixpeek_mock.assert_executed("ret_product_search", inputs={"query": "sofa"})
        """
    )

    result = pytester.runpytest()

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*Expected at least 1 execution(s) of retriever 'ret_product_search' with inputs "
            "including {'query': 'sofa'}, saw 0.",
            "*Executions the mock saw:",
            "*'ret_product_search' inputs={'query': 'lamp'} -> 200",
        ]
    )


def test_two_tests_do_not_see_each_others_state(pytester):
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(
        """
        EXECUTE = "/v1/retrievers/ret_product_search/execute"

        def test_first_changes_everything(mixpeek_mock):
            mixpeek_mock.add_documents("product-catalog", [{"title": "Only in the first test"}])
            mixpeek_mock.queue(outcome="failed", times=3)
            assert mixpeek_mock.client.post(EXECUTE, json={"inputs": {"query": "x"}}).json()[
                "status"] == "failed"
            assert len(mixpeek_mock.journal()) == 1

        def test_second_starts_from_a_clean_mock(mixpeek_mock):
            assert mixpeek_mock.journal() == []
            assert mixpeek_mock.health()["executions"] == 0
            body = mixpeek_mock.client.post(
                EXECUTE, json={"inputs": {"query": "Only in the first test"}}
            ).json()
            assert body["status"] == "completed"  # the queued failures are gone
            titles = [document["payload"]["title"] for document in body["documents"]]
            assert "Only in the first test" not in titles
        """
    )

    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_a_replaced_world_is_restored_after_the_test(pytester):
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(
        """
        WORLD = '''
        version: 1
        collections:
        - collection_id: col_tiny
          name: tiny
          documents:
          - payload: {title: Tiny}
        retrievers:
        - retriever_id: ret_tiny
          name: tiny
          collections: [col_tiny]
          inputs: [{name: query, type: text}]
          stages: [{name: search, kind: search}]
        '''

        def test_replaces_the_world(mixpeek_mock):
            mixpeek_mock.load_world(WORLD)
            assert mixpeek_mock.retriever_ids() == ["ret_tiny"]

        def test_sees_the_default_world_again(mixpeek_mock):
            assert "ret_product_search" in mixpeek_mock.retriever_ids()
        """
    )

    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_an_exception_inside_the_server_is_raised_in_the_test(pytester):
    pytester.makeini(STRICT_INI)
    pytester.makeconftest(CRASHING_APP_CONFTEST)
    pytester.makepyfile(
        """
        import urllib.request, urllib.error

        def test_through_the_ready_client(mixpeek_mock):
            mixpeek_mock.client.get("/boom")

        def test_through_any_other_client(mixpeek_mock):
            try:
                urllib.request.urlopen(mixpeek_mock.base_url + "/boom")
            except urllib.error.HTTPError:
                pass  # the client saw a 500; the test only learns why at teardown
        """
    )

    result = pytester.runpytest("-p", "no:randomly")

    # The ready client raises at once; any other client's test errors at teardown.
    result.assert_outcomes(failed=1, passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*_ test_through_the_ready_client _*",
            "*MockServerFailure: 1 error(s) inside the Mixpeek mock server:",
            "*RuntimeError: the mock blew up",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*_ ERROR at teardown of test_through_any_other_client _*",
            "*MockServerFailure: 1 error(s) inside the Mixpeek mock server:",
        ]
    )


def test_server_errors_never_hide_the_tests_own_failure(pytester):
    pytester.makeini(STRICT_INI)
    pytester.makeconftest(CRASHING_APP_CONFTEST)
    pytester.makepyfile(
        """
        import urllib.request, urllib.error

        def test_fails_on_its_own(mixpeek_mock):
            try:
                urllib.request.urlopen(mixpeek_mock.base_url + "/boom")
            except urllib.error.HTTPError:
                pass
            assert 1 == 2, "the test's own failure"
        """
    )

    result = pytester.runpytest()

    result.assert_outcomes(failed=1)  # no extra teardown error
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: the test's own failure*",
            "*Mixpeek mock server errors*",
            "*RuntimeError: the mock blew up*",
        ]
    )


def test_a_mock_that_cannot_start_fails_the_tests_that_need_it(pytester):
    pytester.makeini(STRICT_INI)
    (pytester.path / "broken_world.yaml").write_text("version: 1\nretrievers: [{name: 3}]\n")
    pytester.makeconftest(
        """
        from pathlib import Path
        import pytest
        from mixpeek_toolkit.mockserver import Settings

        @pytest.fixture(scope="session")
        def mixpeek_mock_settings():
            return Settings(fixtures_path=Path(__file__).parent / "broken_world.yaml")
        """
    )
    pytester.makepyfile(
        """
        def test_needs_the_mock(mixpeek_mock):
            pass

        def test_does_not(mixpeek_mock_settings):
            pass
        """
    )

    result = pytester.runpytest()

    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["*ERROR at setup of test_needs_the_mock*", "*WorldError: Invalid world fixture*"]
    )


def test_unknown_marker_options_are_refused_clearly(pytester):
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.mixpeek_mock(sed=3)
        def test_typo(mixpeek_mock):
            pass
        """
    )

    result = pytester.runpytest()

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*@pytest.mark.mixpeek_mock got unknown option(s) sed*"])
