"""Fixtures of the domain tests: the default world and the tiny pantry world."""

from __future__ import annotations

import pytest

from mixpeek_toolkit.mockserver.world import (
    NamespaceWorld,
    WorldTemplate,
    default_world_path,
    load_world,
)

from .helpers import PANTRY


@pytest.fixture(scope="session")
def default_template() -> WorldTemplate:
    return load_world(default_world_path())


@pytest.fixture
def default_world(default_template: WorldTemplate) -> NamespaceWorld:
    return NamespaceWorld.from_template(default_template)


@pytest.fixture(scope="session")
def pantry_template() -> WorldTemplate:
    return load_world(PANTRY)


@pytest.fixture
def pantry(pantry_template: WorldTemplate) -> NamespaceWorld:
    return NamespaceWorld.from_template(pantry_template)
