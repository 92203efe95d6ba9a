"""Every run resolves the same versions: constraints.txt pins the whole environment."""

from __future__ import annotations

import re
from importlib.metadata import distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "mixpeek-retriever-toolkit"
#: Seeded by `python -m venv` itself, at the version bundled with the interpreter.
SEEDED_BY_VENV = {"setuptools"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_installed_distribution_is_pinned_at_its_installed_version():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        name, _, version = line.partition("==")
        pins[canonical(name)] = version
    installed = {canonical(d.metadata["Name"]): d.version for d in distributions()}
    for name in (PROJECT, *SEEDED_BY_VENV):
        installed.pop(name, None)
    unpinned = {name: version for name, version in installed.items() if name not in pins}
    drifted = {
        name: (pins[name], version)
        for name, version in installed.items()
        if name in pins and pins[name] != version
    }
    assert not unpinned, f"add these to constraints.txt: {unpinned}"
    assert not drifted, f"installed versions differ from constraints.txt: {drifted}"
