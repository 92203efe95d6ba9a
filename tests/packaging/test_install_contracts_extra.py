"""``pip install "mixpeek-retriever-toolkit[contracts]"``: the contract suites and their runner.

``mixpeek-contracts`` verifies a server against the contract; without ``--base-url`` it
starts the local mock and verifies that (here with one example per operation, so it is
quick).
"""

from __future__ import annotations

from tests.packaging.fresh_venv import describe


def test_the_contracts_api_imports_and_the_runner_answers_help(install, tmp_path):
    venv = install("contracts")

    venv.run_python(
        "from mixpeek_toolkit.contracts import Target, run_contract, load_schema\n"
        "schema = load_schema(Target(base_url='http://127.0.0.1:9'))\n",
        cwd=tmp_path,
    )
    usage = venv.run(venv.script("mixpeek-contracts"), "--help", cwd=tmp_path).stdout
    assert usage.startswith("usage: mixpeek-contracts"), usage
    assert "--base-url" in usage


def test_the_runner_verifies_the_local_mock(install, tmp_path):
    venv = install("contracts")
    report = tmp_path / "contracts.xml"

    result = venv.run(
        venv.script("mixpeek-contracts"),
        "--max-examples", "1", "--phases", "examples", "--seed", "1", "--quiet",
        "--junit-xml", report,
        cwd=tmp_path,
        check=False,
    )  # fmt: skip

    assert result.returncode == 0, describe(result)
    assert "OK: every rule held." in result.stdout, describe(result)
    assert report.is_file()
