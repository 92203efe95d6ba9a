"""Every import of a shipped module is declared in pyproject.toml for the part it belongs to.

The parts (see :mod:`tests.packaging.declared_imports`): the core (``spec/``,
``generated/``, ``mockserver/`` but ``mockserver/testing/``) declares
``[project].dependencies``; the pytest part (``mockserver/testing/``) adds the ``[pytest]``
extra; the contracts part (``contracts/``) adds the ``[contracts]`` extra, and, since it
imports ``mockserver.testing``, must cover what that part imports too.
"""

from __future__ import annotations

import ast
import textwrap
import tomllib
from pathlib import Path

import pytest

from tests.packaging.declared_imports import (
    PARTS,
    Allowed,
    part_of,
    undeclared_imports,
)
from tests.packaging.fresh_venv import REPO

#: Imports a part makes without declaring them, each with its reason. Keep it short.
ALLOWED = (
    Allowed(
        module="mockserver/testing/handle.py",
        imported="mixpeek",
        reason="the official client, optional: MockHandle.mixpeek_configuration() imports it "
        "only when called, and says `pip install mixpeek` when it is missing",
    ),
    Allowed(
        module="mockserver/shared/connection.py",
        imported="redis",
        reason="the shared store's client, the [redis] extra: the core imports the shared "
        "modules only for --store redis://..., and this one says which extra to install "
        "when the client is missing",
    ),
)


def test_every_import_of_a_shipped_module_is_declared_for_its_part():
    problems = undeclared_imports(REPO, REPO / "pyproject.toml", ALLOWED)

    if problems:
        pytest.fail("\n".join(["Undeclared imports:", *map(str, problems)]), pytrace=False)


def test_the_parts_cover_exactly_the_folders_the_wheel_ships():
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    shipped = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["only-include"]
    assert sorted(shipped) == sorted(
        {folder.split("/")[0] for part in PARTS for folder in part.folders}
    )
    extras = pyproject["project"]["optional-dependencies"]
    assert all(part.extra in extras for part in PARTS if part.extra is not None)
    assert part_of("mockserver/testing/plugin.py").name == "pytest"
    assert part_of("mockserver/cli.py").name == "core"
    assert part_of("contracts/runner.py").name == "contracts"


def _imports_of(tree: ast.AST, name: str) -> list[ast.stmt]:
    return [
        node
        for node in ast.walk(tree)
        if (isinstance(node, ast.Import) and any(a.name.split(".")[0] == name for a in node.names))
        or (isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == name)
    ]


def _guarded_by_import_error(tree: ast.AST, statement: ast.stmt) -> bool:
    """Whether ``statement`` is in the body of a ``try`` that catches ``ImportError``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(child is statement for child in node.body):
            caught = [ast.unparse(handler.type) for handler in node.handlers if handler.type]
            return any("ImportError" in each or "ModuleNotFoundError" in each for each in caught)
    return False


def test_the_optional_client_is_imported_only_when_asked_for():
    """The ``mixpeek`` exception holds: a guarded import inside a method, with a hint."""
    [allowed] = [each for each in ALLOWED if each.imported == "mixpeek"]
    source = (REPO / allowed.module).read_text()
    tree = ast.parse(source)
    imports = _imports_of(tree, "mixpeek")

    assert imports, f"{allowed.module} no longer imports mixpeek: drop its exception"
    assert all(_guarded_by_import_error(tree, each) for each in imports)
    [method] = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name == "mixpeek_configuration"
    ]
    assert all(any(each is inner for inner in ast.walk(method)) for each in imports)
    assert "pip install mixpeek" in ast.get_source_segment(source, method)


def test_the_redis_client_is_imported_only_by_the_shared_store_and_only_when_asked_for():
    """The ``redis`` exception holds: one module imports it, guarded, naming the extra; the
    core reaches that module only from inside a function (``--store redis://...``)."""
    [allowed] = [each for each in ALLOWED if each.imported == "redis"]
    importers = sorted(
        path.relative_to(REPO).as_posix()
        for folder in ("mockserver", "contracts", "spec", "generated")
        for path in (REPO / folder).rglob("*.py")
        if _imports_of(ast.parse(path.read_text()), "redis")
    )
    assert importers == [allowed.module]
    source = (REPO / allowed.module).read_text()
    tree = ast.parse(source)
    assert all(_guarded_by_import_error(tree, each) for each in _imports_of(tree, "redis"))
    assert "pip install 'mixpeek-retriever-toolkit[redis]'" in source
    app = ast.parse((REPO / "mockserver/app.py").read_text())
    shared = [
        node
        for node in ast.walk(app)
        if isinstance(node, ast.ImportFrom) and node.level and node.module == "shared"
    ]
    functions = [node for node in ast.walk(app) if isinstance(node, ast.FunctionDef)]
    assert shared and all(
        any(each is inner for function in functions for inner in ast.walk(function))
        for each in shared
    )


# -- the checker can fail: synthetic checkouts ----------------------------------------------

SYNTHETIC_PYPROJECT = """
[project]
name = "example-toolkit"
version = "0"
dependencies = ["pydantic"]

[project.optional-dependencies]
pytest = ["pytest", "httpx"]
contracts = ["schemathesis", "pytest"]
dev = ["example-toolkit[contracts,pytest]", "ruff"]
"""

CLEAN_CHECKOUT = {
    "spec/__init__.py": "from __future__ import annotations\n\nimport json\nimport pydantic\n",
    "generated/__init__.py": "from .. import spec\nfrom mixpeek_toolkit.spec import json\n",
    "mockserver/__init__.py": "import os.path\n\nfrom .app import create\n",
    "mockserver/app.py": "def create():\n    from pydantic import BaseModel\n    return BaseModel\n",
    "mockserver/testing/__init__.py": "import pytest\n\nfrom ..app import create\n",
    "contracts/__init__.py": "import schemathesis\nimport pytest\n\nfrom ..mockserver import testing\n",
}


def _check(tmp_path: Path, files: dict[str, str], allowed: tuple[Allowed, ...] = ()) -> list[str]:
    for relative, text in {**CLEAN_CHECKOUT, **files}.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    (tmp_path / "pyproject.toml").write_text(SYNTHETIC_PYPROJECT)
    return [
        str(problem)
        for problem in undeclared_imports(tmp_path, tmp_path / "pyproject.toml", allowed)
    ]


def test_a_checkout_whose_imports_are_declared_passes(tmp_path):
    """Standard library, ``__future__``, relative and ``mixpeek_toolkit`` imports need nothing."""
    assert _check(tmp_path, {}) == []


def test_an_undeclared_import_in_the_core_fails_and_says_where_to_declare_it(tmp_path):
    problems = _check(
        tmp_path,
        {"mockserver/fake.py": "import json\n\n\ndef fetch():\n    import requests\n"},
    )

    assert problems == [
        "mockserver/fake.py:5 (the core part) imports `requests` (distribution requests), "
        "which the core part does not declare: declare requests in [project].dependencies "
        "of pyproject.toml."
    ]


def test_an_undeclared_import_in_the_fixtures_belongs_in_the_pytest_extra(tmp_path):
    problems = _check(tmp_path, {"mockserver/testing/handle.py": "import requests.adapters\n"})

    # Reported once, for the part whose module imports it (not again for the contracts).
    assert problems == [
        "mockserver/testing/handle.py:1 (the pytest part) imports `requests.adapters` "
        "(distribution requests), which the pytest part does not declare: declare requests "
        "in [project.optional-dependencies] pytest of pyproject.toml."
    ]


def test_the_contracts_must_declare_what_the_fixtures_they_import_need(tmp_path):
    # contracts/ imports ..mockserver.testing, whose handle imports httpx ([pytest] only).
    problems = _check(tmp_path, {"mockserver/testing/handle.py": "import httpx\n"})

    assert problems == [
        "the contracts part imports the pytest part, whose mockserver/testing/handle.py:1 "
        "imports `httpx` (distribution httpx), which the contracts part does not declare: "
        "declare httpx in [project.optional-dependencies] contracts of pyproject.toml."
    ]


def test_a_dependency_of_a_dependency_is_not_a_declaration(tmp_path):
    problems = _check(tmp_path, {"generated/models.py": "import pydantic_core\n"})

    assert problems == [
        "generated/models.py:1 (the core part) imports `pydantic_core` (distribution "
        "pydantic-core), which the core part does not declare (today it only comes as a "
        "dependency of pydantic): declare pydantic-core in [project].dependencies of "
        "pyproject.toml."
    ]


def test_a_folder_imported_by_its_bare_name_fails(tmp_path):
    problems = _check(tmp_path, {"mockserver/cli.py": "from mockserver.app import create\n"})

    assert problems == [
        "mockserver/cli.py:1 imports `mockserver.app`, which exists only in this checkout: "
        "installed it is `mixpeek_toolkit.mockserver.app`; import it relatively."
    ]


def test_an_allowed_import_is_allowed_in_its_module_only(tmp_path):
    allowed = (Allowed("mockserver/fake.py", "requests", reason="a synthetic exception"),)
    files = {"mockserver/fake.py": "import requests\n", "mockserver/other.py": "import requests\n"}

    problems = _check(tmp_path, files, allowed)

    assert len(problems) == 1, problems
    assert problems[0].startswith("mockserver/other.py:1 (the core part)")
