"""``pip install "mixpeek-retriever-toolkit[pytest]"``: the mock's fixtures, without Schemathesis.

A project outside this repository gets ``mixpeek_mock`` (and the other ``mixpeek_mock*``
fixtures) from the installed plugin; the contract-target fixture and its options need the
``[contracts]`` extra, so they are absent, and pytest still starts cleanly with every
warning an error.
"""

from __future__ import annotations

from tests.packaging.fresh_venv import STRICT_PYTEST_INI, assert_pytest_passed, write_project

OUTSIDE_TEST = """
import importlib.util
import sysconfig
from pathlib import Path

import pytest

import mixpeek_toolkit.mockserver.testing.plugin as plugin


def test_the_installed_plugin_serves_a_live_mock(mixpeek_mock):
    response = mixpeek_mock.client.post(
        "/v1/retrievers/ret_product_search/execute", json={"inputs": {"query": "headphones"}}
    )
    assert response.status_code == 200, response.text
    assert response.json()["execution_id"]
    mixpeek_mock.assert_executed("ret_product_search", times=1)


def test_the_installed_plugin_serves_an_in_process_mock(mixpeek_mock_asgi):
    response = mixpeek_mock_asgi.client.post(
        "/v1/retrievers/ret_product_search/execute", json={"inputs": {"query": "headphones"}}
    )
    assert response.status_code == 200, response.text


def test_the_plugin_comes_from_the_wheel_in_this_environment():
    site_packages = Path(sysconfig.get_path("purelib"))
    assert Path(plugin.__file__).is_relative_to(site_packages), plugin.__file__


def test_without_the_contracts_extra_there_is_no_contract_target(request):
    assert importlib.util.find_spec("schemathesis") is None
    assert importlib.util.find_spec("hypothesis") is None
    with pytest.raises(pytest.FixtureLookupError):
        request.getfixturevalue("mixpeek_target")
    with pytest.raises(ValueError, match="no option named"):
        request.config.getoption("--mixpeek-base-url")
"""


def test_an_outside_project_uses_the_mock_fixtures_without_schemathesis(install, tmp_path):
    venv = install("pytest")
    assert "schemathesis" not in venv.distributions
    project = write_project(
        tmp_path / "outside",
        {"pytest.ini": STRICT_PYTEST_INI, "test_outside.py": OUTSIDE_TEST},
    )

    assert_pytest_passed(venv.run_pytest(project), passed=4)

    importable = venv.importable("schemathesis", "hypothesis", "pytest", "httpx", cwd=project)
    assert importable == {"schemathesis": False, "hypothesis": False, "pytest": True, "httpx": True}


def test_the_fixtures_are_listed_and_the_contract_target_is_not(install, tmp_path):
    venv = install("pytest")
    project = write_project(tmp_path / "outside", {"pytest.ini": STRICT_PYTEST_INI})

    fixtures = venv.run_pytest(project, "--fixtures").stdout

    for fixture in ("mixpeek_mock", "mixpeek_mock_asgi", "mixpeek_mock_server"):
        assert f"{fixture} " in fixtures or f"{fixture} [" in fixtures, fixture
    assert "mixpeek_target" not in fixtures
