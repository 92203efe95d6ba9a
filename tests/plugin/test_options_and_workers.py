"""Command-line options point the contract fixtures elsewhere; xdist workers each run
their own mock; one entry point brings every fixture."""

from __future__ import annotations

import json
import subprocess
import sys

pytest_plugins = ["pytester"]

STRICT_INI = """
[pytest]
addopts = -ra --strict-markers -p no:cacheprovider
filterwarnings = error
"""


def test_the_options_point_the_target_at_another_server(pytester, monkeypatch):
    for variable in ("MIXPEEK_BASE_URL", "MIXPEEK_API_KEY", "MIXPEEK_NAMESPACE"):
        monkeypatch.delenv(variable, raising=False)
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(
        """
        def test_target(mixpeek_target):
            assert mixpeek_target.base_url == "https://staging.example.com"
            assert mixpeek_target.api_key == "sk_live_staging"
            assert mixpeek_target.namespace == "staging"
            assert mixpeek_target.retriever_id == "ret_staging"
        """
    )

    result = pytester.runpytest(
        "--mixpeek-base-url=https://staging.example.com/",
        "--mixpeek-api-key=sk_live_staging",
        "--mixpeek-namespace=staging",
        "--mixpeek-retriever-id=ret_staging",
    )

    result.assert_outcomes(passed=1)


def test_without_options_the_target_is_the_local_mock(pytester, monkeypatch):
    monkeypatch.delenv("MIXPEEK_BASE_URL", raising=False)
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(
        """
        import httpx

        def test_target(mixpeek_target, mixpeek_mock_server):
            assert mixpeek_target.base_url == mixpeek_mock_server.base_url
            response = httpx.post(
                f"{mixpeek_target.base_url}/v1/retrievers/{mixpeek_target.retriever_id}/execute",
                headers=mixpeek_target.headers(),
                json={"inputs": {"query": "headphones"}},
            )
            assert response.status_code == 200
        """
    )

    pytester.runpytest().assert_outcomes(passed=1)


def test_the_options_are_listed_in_help(pytester):
    result = pytester.runpytest("--help")

    result.stdout.fnmatch_lines(
        [
            "*--mixpeek-base-url*",
            "*--mixpeek-api-key*",
            "*--mixpeek-namespace*",
            "*--mixpeek-retriever-id*",
        ]
    )


def test_each_xdist_worker_runs_its_own_mock(pytester):
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(
        """
        import json, os

        def test_report_my_mock(mixpeek_mock, tmp_path_factory):
            worker = os.environ["PYTEST_XDIST_WORKER"]
            mixpeek_mock.add_documents("product-catalog", [{"title": worker}])
            out = tmp_path_factory.getbasetemp().parent.parent / f"{worker}.json"
            out.write_text(json.dumps({"worker": worker, "url": mixpeek_mock.base_url}))
        """
    )

    # "each" sends the test to every worker, so both are sure to start a mock.
    result = pytester.runpytest_subprocess("-n", "2", "--dist", "each", timeout=300)

    result.assert_outcomes(passed=2)
    reports = [json.loads(path.read_text()) for path in pytester.path.rglob("gw*.json")]
    assert sorted(report["worker"] for report in reports) == ["gw0", "gw1"]
    assert len({report["url"] for report in reports}) == 2, reports


def test_one_entry_point_brings_the_mock_fixtures_and_the_contract_target():
    # The mock's fixtures live beside the mock's engine; the contract-target fixture stays
    # with the contracts, and comes along where the [contracts] extra is installed.
    code = (
        "from importlib.metadata import entry_points\n"
        "[plugin] = [e for e in entry_points(group='pytest11') if e.name == 'mixpeek_mock']\n"
        "module = plugin.load()\n"
        "print(module.__name__, module.pytest_plugins)\n"
    )

    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout

    assert output.split() == [
        "mixpeek_toolkit.mockserver.testing.plugin",
        "['mixpeek_toolkit.contracts.plugin']",
    ]
