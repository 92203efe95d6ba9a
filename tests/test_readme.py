"""The README's copy-paste examples work as printed, and its install lines exist."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

from tests.pytester_imports import import_before_pytester

pytest_plugins = ["pytester"]
import_before_pytester()

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
DISTRIBUTION = "mixpeek-retriever-toolkit"


def code_block_after(marker: str, language: str) -> str:
    tail = README[README.index(marker) :]
    match = re.search(rf"```{language}\n(.*?)```", tail, re.S)
    assert match, f"no {language} block after {marker!r}"
    return match.group(1)


def test_the_downstream_test_of_the_readme_passes_as_printed(pytester, monkeypatch):
    """Only the installed plugin (its pytest11 entry point) brings the fixtures here."""
    monkeypatch.delenv("MIXPEEK_BASE_URL", raising=False)
    pytester.makeini("[pytest]\naddopts = -p no:cacheprovider\nfilterwarnings = error\n")
    pytester.makepyfile(test_downstream=code_block_after("A downstream test:", "python"))

    result = pytester.runpytest()

    result.assert_outcomes(passed=2)


def test_the_readme_install_lines_name_extras_the_distribution_has():
    extras = set(importlib.metadata.metadata(DISTRIBUTION).get_all("Provides-Extra") or [])
    lines = re.findall(rf'pip install "?{DISTRIBUTION}(?:\[([\w,]+)\])?"?', README)
    listed = {extra for line in lines for extra in line.split(",") if extra}
    assert "" in lines, f"README: no plain `pip install {DISTRIBUTION}` line (the mock only)"
    assert listed == extras - {"dev"}, (
        f"README's pip install lines name the extras {sorted(listed)}; the distribution has "
        f"{sorted(extras - {'dev'})} (besides dev): make the Install table list each of them."
    )


def test_the_readme_names_the_installed_commands_and_plugin():
    entry_points = importlib.metadata.distribution(DISTRIBUTION).entry_points
    for script in entry_points.select(group="console_scripts"):
        assert f"{script.name} --help" in README, f"README shows no `{script.name} --help`"
    (plugin,) = entry_points.select(group="pytest11")
    assert f"`{plugin.name} = {plugin.value}`" in README, (
        f"README should name the pytest11 entry point as `{plugin.name} = {plugin.value}`"
    )


def test_the_readme_names_every_default_retriever():
    from mixpeek_toolkit.mockserver.world import default_world_path, load_world

    for retriever in load_world(default_world_path()).retrievers:
        assert f"`{retriever.retriever_id}`" in README
        assert f"`{retriever.name}`" in README


def test_the_readme_lists_every_contract_rule():
    from mixpeek_toolkit.contracts.checks import RULE_CHECK_NAMES

    listed = set(re.findall(r"^\| `(\w+)` \|", README, re.M))
    workflow_rules = {"pagination_walk_yields_each_document_once"}
    assert set(RULE_CHECK_NAMES) | workflow_rules <= listed
