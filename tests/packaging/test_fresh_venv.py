"""The fresh environments hold what each combination declares, and nothing more.

Their dependencies are the closure of the wheel's requirements for the requested extras
(:func:`~tests.packaging.fresh_venv.dependency_closure`); these tests pin down what that
closure holds, so the isolation the install tests rely on is itself checked.
"""

from __future__ import annotations

import importlib.metadata

from tests.packaging.fresh_venv import BuiltWheel, dependency_closure, top_level_entries

TEST_TOOLS = {"schemathesis", "hypothesis", "pytest"}


def test_the_core_closure_has_the_core_and_its_dependencies_but_no_test_tool(
    built_wheel: BuiltWheel,
):
    core = set(dependency_closure(built_wheel))

    assert {"pydantic", "starlette", "uvicorn", "anyio", "pyyaml", "jsonschema-rs"} <= core
    # Followed transitively: pydantic's own requirements come along.
    assert {"pydantic-core", "annotated-types", "typing-extensions"} <= core
    assert not core & TEST_TOOLS
    assert "mixpeek-retriever-toolkit" not in core  # the wheel itself is installed by pip


def test_each_extra_adds_its_tools_and_dev_adds_every_part(built_wheel: BuiltWheel):
    core = set(dependency_closure(built_wheel))
    with_pytest = set(dependency_closure(built_wheel, ["pytest"]))
    with_contracts = set(dependency_closure(built_wheel, ["contracts"]))
    with_dev = set(dependency_closure(built_wheel, ["dev"]))

    assert core < with_pytest and core < with_contracts
    assert with_pytest & TEST_TOOLS == {"pytest"}
    assert with_contracts & TEST_TOOLS == TEST_TOOLS
    assert with_contracts | with_pytest <= with_dev  # [dev] names [contracts,pytest]
    assert "mixpeek" in with_dev and "mixpeek" not in with_contracts | with_pytest


def test_a_distribution_is_linked_by_its_top_level_files_only():
    entries = top_level_entries(importlib.metadata.distribution("pyyaml"))

    assert {"yaml", "_yaml"} <= entries
    assert any(entry.endswith(".dist-info") for entry in entries)
    assert not {entry for entry in entries if entry in ("..", "__pycache__")}
    assert not {entry for entry in entries if entry.endswith(".pth")}
