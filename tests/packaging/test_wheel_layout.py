"""What the wheel holds: everything under ``mixpeek_toolkit/``, a core and six extras.

Installed, every part lives under the project's own import name (``spec/`` becomes
``mixpeek_toolkit.spec``, and so on), so nothing generic such as ``spec`` or ``contracts``
lands at the top of a user's site-packages.
"""

from __future__ import annotations

import configparser

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.packaging.fresh_venv import IMPORT_NAME, REPO, BuiltWheel

#: Repository folder -> where the wheel puts it.
PARTS = {
    "spec": "mixpeek_toolkit/spec",
    "generated": "mixpeek_toolkit/generated",
    "mockserver": "mixpeek_toolkit/mockserver",
    "contracts": "mixpeek_toolkit/contracts",
}


def test_the_wheel_installs_one_top_level_name_and_its_dist_info(built_wheel: BuiltWheel):
    assert built_wheel.dist_info == "mixpeek_retriever_toolkit-0.1.0.dist-info"
    assert built_wheel.top_level_names == {IMPORT_NAME, built_wheel.dist_info}


def test_every_file_lives_under_mixpeek_toolkit_or_the_dist_info(built_wheel: BuiltWheel):
    stray = [
        name
        for name in built_wheel.names
        if not name.startswith((f"{IMPORT_NAME}/", f"{built_wheel.dist_info}/"))
    ]
    assert stray == []
    assert not [
        name for name in built_wheel.names if "__pycache__" in name or name.endswith(".pyc")
    ]


def test_the_four_parts_are_in_the_wheel_with_their_data_files(built_wheel: BuiltWheel):
    names = set(built_wheel.names)
    for installed in PARTS.values():
        assert f"{installed}/__init__.py" in names, installed
    assert "mixpeek_toolkit/spec/openapi.yaml" in names
    assert "mixpeek_toolkit/mockserver/fixtures/default_world.yaml" in names
    assert "mixpeek_toolkit/mockserver/testing/plugin.py" in names
    assert "mixpeek_toolkit/contracts/plugin.py" in names
    assert "mixpeek_toolkit/generated/models.py" in names


def test_every_source_and_data_file_of_the_parts_is_shipped(built_wheel: BuiltWheel):
    """Nothing is lost on the way: each .py and .yaml of the four folders is in the wheel."""
    names = set(built_wheel.names)
    missing = [
        f"{folder}/{path.relative_to(REPO / folder).as_posix()}"
        for folder, installed in PARTS.items()
        for path in sorted((REPO / folder).rglob("*"))
        if path.suffix in (".py", ".yaml")
        and "__pycache__" not in path.parts
        and f"{installed}/{path.relative_to(REPO / folder).as_posix()}" not in names
    ]
    assert missing == []


def test_the_entry_points_name_mixpeek_toolkit_modules_only(built_wheel: BuiltWheel):
    entry_points = configparser.ConfigParser(delimiters=("=",))
    entry_points.optionxform = str  # type: ignore[assignment,method-assign]
    entry_points.read_string(built_wheel.read(f"{built_wheel.dist_info}/entry_points.txt"))

    assert dict(entry_points["console_scripts"]) == {
        "mixpeek-mock": "mixpeek_toolkit.mockserver.cli:main",
        "mixpeek-contracts": "mixpeek_toolkit.contracts.runner:main",
    }
    assert dict(entry_points["pytest11"]) == {
        "mixpeek_mock": "mixpeek_toolkit.mockserver.testing.plugin"
    }
    targets = [
        value for section in entry_points.sections() for value in entry_points[section].values()
    ]
    assert all(target.startswith(f"{IMPORT_NAME}.") for target in targets), targets


def test_the_metadata_declares_a_lean_core_and_the_six_extras(built_wheel: BuiltWheel):
    assert built_wheel.metadata["Name"] == "mixpeek-retriever-toolkit"
    assert set(built_wheel.extras) == {"contracts", "pytest", "bench", "redis", "granian", "dev"}

    def requirements(extra: str | None) -> set[str]:
        """The core's requirements (``None``), or what ``extra`` adds to them."""
        chosen = set()
        for line in built_wheel.requires:
            requirement = Requirement(line)
            marker = requirement.marker
            in_core = marker is None or marker.evaluate({"extra": ""})
            if (extra is None and in_core) or (
                extra is not None and not in_core and marker.evaluate({"extra": extra})
            ):
                chosen.add(canonicalize_name(requirement.name))
        return chosen

    core = requirements(None)
    assert {"pydantic", "starlette", "uvicorn", "anyio", "pyyaml", "jsonschema-rs"} <= core
    # httpx too: the fixtures' engine lives in the core's mockserver.testing package, whose
    # plugin the core registers with pytest.
    assert "httpx" in core
    assert not core & {"schemathesis", "hypothesis", "pytest", "redis"}, core
    assert {"schemathesis", "hypothesis", "httpx", "pytest"} <= requirements("contracts")
    assert "pytest" in requirements("pytest")
    assert "schemathesis" not in requirements("pytest")
    assert requirements("bench") == {"matplotlib"}  # the benchmark's chart, nothing else
    assert "matplotlib" not in core
    # The shared store's client, only with [redis] (the shared modules import it lazily).
    assert requirements("redis") == {"redis"}
    # granian, the faster ASGI server of mockserver/serve.py (run as python -m granian).
    assert requirements("granian") == {"granian"}
    # [dev] brings every part of this repository: the other extras' requirements too.
    extras = ("contracts", "pytest", "bench", "redis", "granian")
    assert set().union(*(requirements(extra) for extra in extras)) <= requirements("dev")
