"""The wheel, built once per session, and fresh environments installed from it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.packaging.fresh_venv import BuiltWheel, FreshVenv, build_wheel, create_fresh_venv


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory: pytest.TempPathFactory) -> BuiltWheel:
    """``python -m build --wheel`` of this repository, once for every test of the session."""
    return BuiltWheel(build_wheel(tmp_path_factory.mktemp("dist")))


@pytest.fixture(scope="session")
def install(
    built_wheel: BuiltWheel, tmp_path_factory: pytest.TempPathFactory
) -> Callable[..., FreshVenv]:
    """``install("contracts", ...)``: a fresh environment with the wheel and those extras;
    ``install(also=["pytest"])`` adds requirements the user installed beside it.

    One environment per combination for the session; tests only read it.
    """
    made: dict[tuple[frozenset[str], frozenset[str]], FreshVenv] = {}

    def install_with(*extras: str, also: tuple[str, ...] | list[str] = ()) -> FreshVenv:
        key = (frozenset(extras), frozenset(also))
        if key not in made:
            name = "+".join(("core", *sorted(key[0]), *sorted(key[1])))
            made[key] = create_fresh_venv(
                built_wheel, sorted(key[0]), tmp_path_factory.mktemp(name), sorted(key[1])
            )
        return made[key]

    return install_with
