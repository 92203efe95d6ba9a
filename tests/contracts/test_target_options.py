"""Statuses a server answers beyond the five the API documents are accepted by name, the
same way from every entry point: ``Target``, ``MIXPEEK_ACCEPT_STATUSES``, the runner's
``--accept-status`` and the pytest plugin's ``--mixpeek-accept-status``."""

from __future__ import annotations

import pytest

from mixpeek_toolkit.contracts.target import ENV_VARS, Target, accepted_statuses, load_schema
from tests.pytester_imports import import_before_pytester

pytest_plugins = ["pytester"]
import_before_pytester()


def test_the_environment_lists_accepted_statuses_comma_separated():
    target = Target.from_env({"MIXPEEK_ACCEPT_STATUSES": " queued, archived ,,"})

    assert ENV_VARS["accept_statuses"] == "MIXPEEK_ACCEPT_STATUSES"
    assert target.accept_statuses == {"queued", "archived"}
    assert target.unknown_accepted_statuses == {"queued", "archived"}


def test_a_command_line_repeats_the_option_or_separates_with_commas():
    assert accepted_statuses(["queued", "archived,done"]) == {"queued", "archived", "done"}
    assert accepted_statuses(None) is None
    assert Target.from_env({"MIXPEEK_ACCEPT_STATUSES": "queued"}, accept_statuses=None)


def test_accepting_a_known_status_changes_nothing():
    assert Target(accept_statuses=["completed"]).unknown_accepted_statuses == frozenset()


@pytest.mark.parametrize("bad", ["queued", [""], [" "], [3]])
def test_accepted_statuses_are_non_empty_strings_in_a_collection(bad):
    with pytest.raises(ValueError, match="accept_statuses"):
        Target(accept_statuses=bad)


def test_the_schemathesis_rule_is_configured_with_the_accepted_statuses():
    schema = load_schema(Target(accept_statuses={"queued"}))

    kwargs = schema.config.checks_config_for().custom_kwargs
    assert kwargs["execution_status_is_known"] == {"accepted_statuses": ["queued"]}


def test_the_pytest_plugin_option_reaches_the_target(pytester, monkeypatch):
    monkeypatch.delenv("MIXPEEK_ACCEPT_STATUSES", raising=False)
    pytester.makeini("[pytest]\naddopts = -p no:cacheprovider\nfilterwarnings = error\n")
    pytester.makepyfile(
        """
        def test_target(mixpeek_target):
            assert mixpeek_target.accept_statuses == {"queued", "archived"}
        """
    )

    result = pytester.runpytest(
        "--mixpeek-base-url=https://staging.example.com",
        "--mixpeek-accept-status=queued",
        "--mixpeek-accept-status=archived",
    )

    result.assert_outcomes(passed=1)


def test_the_pytest_plugin_lists_the_option_in_help(pytester):
    result = pytester.runpytest("--help")

    result.stdout.fnmatch_lines(["*--mixpeek-accept-status*"])
