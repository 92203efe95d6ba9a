"""``pip install mixpeek-retriever-toolkit``: the core runs the mock and its CLI on its own.

The core is the spec, the generated models and the mock. No test tool comes with it:
Schemathesis, Hypothesis and pytest cannot be imported in this environment.
"""

from __future__ import annotations

from tests.packaging.fresh_venv import IMPORT_NAME, console_mock, http_json


def test_the_core_alone_serves_the_mock_from_its_console_script(install, tmp_path):
    venv = install()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    venv.run_python(
        "from mixpeek_toolkit.mockserver import Settings, create_app\n"
        "from mixpeek_toolkit.generated import models\n"
        "from mixpeek_toolkit.spec import load_openapi\n"
        "app = create_app(Settings(seed=7))\n"
        "assert load_openapi()['paths']\n",
        cwd=elsewhere,
    )

    with console_mock(venv, cwd=elsewhere) as base_url:
        status, health = http_json("GET", f"{base_url}/_mock/health")
        assert status == 200, health
        status, execution = http_json(
            "POST",
            f"{base_url}/v1/retrievers/ret_product_search/execute",
            headers={"Authorization": "Bearer sk_test_x", "X-Namespace": "smoke"},
            body={"inputs": {"query": "headphones"}},
        )
    assert status == 200, execution
    assert execution["execution_id"]


def test_the_core_brings_no_test_tool_and_no_generic_module(install, tmp_path):
    venv = install()
    assert not venv.distributions & {"schemathesis", "hypothesis", "pytest"}

    importable = venv.importable(
        "schemathesis", "hypothesis", "pytest", "spec", "generated", "mockserver", "contracts",
        IMPORT_NAME, "starlette", "uvicorn", "pydantic", "yaml", "jsonschema_rs",
        cwd=tmp_path,
    )  # fmt: skip
    # Proof that the environment is isolated: what the core does not declare is absent ...
    assert not importable.pop("schemathesis")
    assert not importable.pop("hypothesis")
    assert not importable.pop("pytest")
    # ... nothing of the toolkit sits at the top level under a generic name ...
    for generic in ("spec", "generated", "mockserver", "contracts"):
        assert not importable.pop(generic), generic
    # ... and what it declares is there.
    assert all(importable.values()), importable


def test_the_toolkit_comes_from_the_fresh_environment(install, tmp_path):
    venv = install()
    result = venv.run_python(
        "import mixpeek_toolkit.mockserver, mixpeek_toolkit.spec\n"
        "print(mixpeek_toolkit.mockserver.__file__)\n"
        "print(mixpeek_toolkit.spec.OPENAPI_PATH)\n",
        cwd=tmp_path,
    )
    for path in result.stdout.split():
        assert path.startswith(f"{venv.site_packages}/{IMPORT_NAME}/"), path


def test_a_redis_store_without_the_redis_extra_says_which_extra_to_install(install, tmp_path):
    venv = install()
    assert "redis" not in venv.distributions
    result = venv.run(
        venv.script("mixpeek-mock"),
        "--store",
        "redis://127.0.0.1:6379/0",
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "pip install 'mixpeek-retriever-toolkit[redis]'" in result.stderr
    refused = venv.run(venv.script("mixpeek-mock"), "--workers", "2", cwd=tmp_path, check=False)
    assert refused.returncode == 2
    assert "2 workers need a shared store" in refused.stderr
