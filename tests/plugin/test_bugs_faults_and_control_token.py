"""A bug in the mock fails the downstream test that caused it, naming it; scripted errors and
faults never do; the fixtures pass the control token of a protected mock."""

from __future__ import annotations

pytest_plugins = ["pytester"]

STRICT_INI = """
[pytest]
addopts = -ra --strict-markers -p no:cacheprovider
filterwarnings = error
"""

# A bug injected into the mock: looking a retriever up raises KeyError (a plain exception
# inside a /v1 handler, which the mock answers 500 like a scripted error).
BUGGY_LOOKUP = """
import pytest
from mixpeek_toolkit.mockserver import api


@pytest.fixture
def buggy_mock(monkeypatch):
    def lookup(namespace, retriever_id):
        raise KeyError("retriever table is empty")

    monkeypatch.setattr(api, "_find_retriever", lookup)
"""

EXECUTE = "/v1/retrievers/ret_product_search/execute"


def test_a_bug_in_the_mock_fails_the_test_that_caused_it_by_name(pytester):
    pytester.makeini(STRICT_INI)
    pytester.makeconftest(BUGGY_LOOKUP)
    pytester.makepyfile(
        f"""
        import urllib.error, urllib.request, json

        def test_ready_client_meets_the_bug(mixpeek_mock, buggy_mock):
            mixpeek_mock.client.post("{EXECUTE}", json={{"inputs": {{}}}})

        def test_other_client_meets_the_bug(mixpeek_mock, buggy_mock):
            request = urllib.request.Request(
                mixpeek_mock.base_url + "{EXECUTE}", data=b"{{}}", headers=mixpeek_mock.headers
            )
            try:
                urllib.request.urlopen(request)
            except urllib.error.HTTPError as answer:
                assert answer.code == 500  # looks like any 500 to the client...

        def test_in_process_meets_the_bug(mixpeek_mock_asgi, buggy_mock):
            mixpeek_mock_asgi.client.post("{EXECUTE}", json={{"inputs": {{}}}})

        def test_unaffected(mixpeek_mock):
            assert mixpeek_mock.client.post("{EXECUTE}", json={{"inputs": {{}}}}).status_code == 200
        """
    )

    result = pytester.runpytest("-p", "no:randomly")

    # ...but the mock knows it was a bug: the ready clients raise at once, any other
    # client's test errors at teardown; the unaffected test passes.
    result.assert_outcomes(failed=2, passed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*_ test_ready_client_meets_the_bug _*",
            "*MockServerFailure: 1 error(s) inside the Mixpeek mock server:",
            "*KeyError: 'retriever table is empty'",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*_ ERROR at teardown of test_other_client_meets_the_bug _*",
            "*MockServerFailure: 1 error(s) inside the Mixpeek mock server:",
            "*KeyError: 'retriever table is empty'",
        ]
    )
    result.stdout.fnmatch_lines(
        ["*_ test_in_process_meets_the_bug _*", "*MockServerFailure: 1 error(s)*"]
    )
    result.stdout.fnmatch_lines(["ERROR *::test_other_client_meets_the_bug*"])
    result.stdout.fnmatch_lines(["FAILED *::test_ready_client_meets_the_bug*"])


def test_scripted_errors_and_faults_are_never_failures_of_the_mock(pytester):
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(
        f"""
        import httpx, pytest

        @pytest.mark.parametrize("status", [429, 500, 503])
        def test_scripted_status(mixpeek_mock, status):
            answer = mixpeek_mock.client.post(
                "{EXECUTE}", json={{"inputs": {{}}}}, headers={{"Prefer": f"status={{status}}"}}
            )
            assert answer.status_code == status

        def test_queued_faults(mixpeek_mock):
            mixpeek_mock.queue_server_error()
            mixpeek_mock.queue_dropped_connection()
            mixpeek_mock.queue_truncated_body()
            assert mixpeek_mock.client.post("{EXECUTE}", json={{}}).status_code == 500
            for _ in range(2):
                with pytest.raises(httpx.RemoteProtocolError):
                    mixpeek_mock.client.post("{EXECUTE}", json={{}})
            mixpeek_mock.assert_called(path_contains="/execute", times=3)

        def test_queued_faults_in_process(mixpeek_mock_asgi):
            mixpeek_mock_asgi.queue_dropped_connection()
            with pytest.raises(httpx.RemoteProtocolError):
                mixpeek_mock_asgi.client.post("{EXECUTE}", json={{}})
        """
    )

    pytester.runpytest().assert_outcomes(passed=5)


def test_the_fixtures_pass_the_control_token_of_a_protected_mock(pytester):
    pytester.makeini(STRICT_INI)
    pytester.makeconftest(
        """
        import pytest
        from mixpeek_toolkit.mockserver import Settings

        @pytest.fixture(scope="session")
        def mixpeek_mock_settings():
            return Settings(strict=True, seed=42, control_token="ci-token-0123456789abcdef")
        """
    )
    pytester.makepyfile(
        f"""
        import httpx

        def test_arrange_and_assert(mixpeek_mock):
            mixpeek_mock.queue(outcome="failed", error="boom")
            body = mixpeek_mock.client.post("{EXECUTE}", json={{"inputs": {{}}}}).json()
            assert body["error"] == "boom"
            mixpeek_mock.assert_executed("ret_product_search", times=1)

        def test_in_process_too(mixpeek_mock_asgi):
            assert mixpeek_mock_asgi.health()["status"] == "ok"

        def test_anyone_else_is_refused(mixpeek_mock):
            assert httpx.post(mixpeek_mock.base_url + "/_mock/reset").status_code == 401
        """
    )

    pytester.runpytest().assert_outcomes(passed=3)


def test_a_mock_without_its_control_api_fails_the_fixture_clearly(pytester):
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.mixpeek_mock(control_api=False)
        def test_needs_control(mixpeek_mock):
            pass
        """
    )

    result = pytester.runpytest()

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*control API is off (control_api=False)*"])
