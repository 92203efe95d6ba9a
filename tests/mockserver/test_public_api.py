"""The mock's ``Settings``: frozen, with named defaults, and a sentence for each bad value.

That ``__all__`` of each package is what it defines, and what the docs use, is checked in
tests/test_public_surface.py.
"""

from __future__ import annotations

import pytest

from mixpeek_toolkit.mockserver import Settings


def test_settings_are_frozen_with_named_defaults():
    settings = Settings()
    assert settings.seed == 0 and settings.port == 8080 and settings.progression == "poll"
    with pytest.raises(AttributeError):
        settings.seed = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"failure_rate": 1.5}, "between 0 and 1"),
        ({"progression": "sometimes"}, "'poll'"),
        ({"max_executions": 0}, "positive integer"),
        ({"api_keys": {"secret"}}, "start with 'sk_'"),
        ({"port": 70000}, "between 0 and 65535"),
        ({"fixtures_path": "/nonexistent/world.yaml"}, "not a file"),
    ],
)
def test_invalid_settings_raise_a_sentence_that_says_what_to_do(kwargs, says):
    with pytest.raises(ValueError, match=says):
        Settings(**kwargs)


def test_settings_accept_any_iterable_of_keys_and_namespaces():
    settings = Settings(api_keys=["sk_a", "sk_b"], namespaces=("prod",))
    assert settings.api_keys == frozenset({"sk_a", "sk_b"})
    assert settings.namespaces == frozenset({"prod"})
