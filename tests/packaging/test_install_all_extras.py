"""``pip install "mixpeek-retriever-toolkit[contracts,pytest]"`` beside a user's own ``spec``.

The user's project has packages called ``spec`` and ``generated`` of its own. The toolkit
installs nothing under those names (its parts are ``mixpeek_toolkit.spec`` ...), so the
user's packages are the ones imported, while the mock and the contract target, which read
the toolkit's own spec, work beside them.
"""

from __future__ import annotations

from tests.packaging.fresh_venv import STRICT_PYTEST_INI, assert_pytest_passed, write_project

USER_SPEC = 'OWNER = "the user\'s own spec package"\n'
USER_GENERATED = 'OWNER = "the user\'s own generated package"\n'

OUTSIDE_TEST = """
import importlib.util
import sysconfig
from pathlib import Path

import generated
import spec

import mixpeek_toolkit.spec
from mixpeek_toolkit.contracts import load_schema

SITE_PACKAGES = Path(sysconfig.get_path("purelib"))


def test_the_users_own_packages_win():
    assert spec.OWNER == "the user's own spec package"
    assert generated.OWNER == "the user's own generated package"
    assert Path(spec.__file__).resolve().parent.parent == Path(__file__).resolve().parent


def test_nothing_of_the_toolkit_is_importable_under_a_generic_name():
    for name in ("mockserver", "contracts"):
        assert importlib.util.find_spec(name) is None, name
    for name in ("spec", "generated"):
        assert not Path(importlib.util.find_spec(name).origin).is_relative_to(SITE_PACKAGES)


def test_the_toolkit_reads_its_own_spec():
    assert mixpeek_toolkit.spec.OPENAPI_PATH.is_relative_to(SITE_PACKAGES)
    assert "/v1/retrievers/{retriever_id}/execute" in mixpeek_toolkit.spec.load_openapi()["paths"]


def test_the_mock_fixture_executes_a_retriever(mixpeek_mock):
    response = mixpeek_mock.client.post(
        "/v1/retrievers/ret_product_search/execute", json={"inputs": {"query": "headphones"}}
    )
    assert response.status_code == 200, response.text
    mixpeek_mock.assert_executed("ret_product_search", times=1)


def test_the_contract_target_is_the_session_mock_and_keeps_the_contract(
    mixpeek_target, mixpeek_mock_server
):
    assert mixpeek_target.base_url == mixpeek_mock_server.base_url
    operation = load_schema(mixpeek_target)["/v1/retrievers/{retriever_id}/execute"]["POST"]
    case = operation.Case(
        path_parameters={"retriever_id": mixpeek_target.retriever_id},
        body={"inputs": {"query": "headphones"}},
    )
    response = case.call(headers=mixpeek_target.headers())
    assert response.status_code == 200, response.text
    case.validate_response(response)
"""


def test_an_outside_project_with_its_own_spec_package_uses_every_fixture(install, tmp_path):
    venv = install("contracts", "pytest")
    project = write_project(
        tmp_path / "outside",
        {
            "pytest.ini": STRICT_PYTEST_INI,
            "spec/__init__.py": USER_SPEC,
            "generated/__init__.py": USER_GENERATED,
            "test_outside.py": OUTSIDE_TEST,
        },
    )

    assert_pytest_passed(venv.run_pytest(project), passed=5)


def test_everything_is_installed_under_mixpeek_toolkit(install, tmp_path):
    venv = install("contracts", "pytest")
    assert {"schemathesis", "hypothesis", "pytest", "httpx"} <= venv.distributions

    ours = [
        path.name
        for path in venv.site_packages.iterdir()
        if path.name not in ("toolkit_dependencies.pth", "__pycache__")
    ]
    assert sorted(ours) == ["mixpeek_retriever_toolkit-0.1.0.dist-info", "mixpeek_toolkit"]
    importable = venv.importable("spec", "generated", "mockserver", "contracts", cwd=tmp_path)
    assert not any(importable.values()), importable
