"""The README's copy-paste examples work as printed."""

from __future__ import annotations

import re
from pathlib import Path

from tests.pytester_imports import import_before_pytester

pytest_plugins = ["pytester"]
import_before_pytester()

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def code_block_after(marker: str, language: str) -> str:
    tail = README[README.index(marker) :]
    match = re.search(rf"```{language}\n(.*?)```", tail, re.S)
    assert match, f"no {language} block after {marker!r}"
    return match.group(1)


def test_the_downstream_test_of_the_readme_passes_as_printed(pytester, monkeypatch):
    monkeypatch.delenv("MIXPEEK_BASE_URL", raising=False)
    pytester.makeini("[pytest]\naddopts = -p no:cacheprovider\nfilterwarnings = error\n")
    pytester.makepyfile(test_downstream=code_block_after("A downstream test:", "python"))

    result = pytester.runpytest()

    result.assert_outcomes(passed=2)


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
