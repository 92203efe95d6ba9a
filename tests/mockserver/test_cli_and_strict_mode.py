"""The command line, and strict mode: a response that breaks the spec fails loudly."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from mixpeek_toolkit.mockserver import Settings, api, cli
from mixpeek_toolkit.mockserver.world import default_world_path
from tests.mockserver.conftest import assert_envelope, execute_path

pytestmark = pytest.mark.anyio


def test_every_settings_field_has_a_flag():
    args = cli.build_parser().parse_args(
        [
            "--host", "0.0.0.0", "--port", "9000", "--seed", "7", "--fixtures", str(default_world_path()),
            "--api-key", "sk_a", "--api-key", "sk_b", "--namespace", "prod", "--credits-per-namespace", "5",
            "--latency-ms", "3", "--failure-rate", "0.1", "--in-flight-rate", "0.2", "--progression", "clock",
            "--stage-duration-ms", "50", "--max-executions", "10", "--max-namespaces", "4", "--journal-size", "9",
            "--rate-limit", "100", "--rate-limit-window-s", "10", "--strict", "--cursor-secret", "s3cret",
            "--degraded-rate", "0.3", "--max-body-depth", "8", "--top-k-ceiling", "200",
            "--readback", "statistics",
        ]
    )  # fmt: skip
    settings = cli.settings_from_args(args)
    assert settings.api_keys == {"sk_a", "sk_b"} and settings.namespaces == {"prod"}
    assert settings.fixtures_path == Path(default_world_path())
    assert (settings.port, settings.seed, settings.progression, settings.strict) == (
        9000,
        7,
        "clock",
        True,
    )
    assert (settings.max_executions, settings.rate_limit, settings.cursor_secret) == (
        10,
        100,
        "s3cret",
    )
    assert (settings.degraded_rate, settings.max_body_depth, settings.top_k_ceiling) == (
        0.3,
        8,
        200,
    )
    assert settings.readback == "statistics"


def test_flags_and_their_help_are_derived_from_the_settings_fields():
    parser = cli.build_parser()
    flags = {flag for action in parser._actions for flag in action.option_strings}
    helps = {action.dest: action.help for action in parser._actions}
    for setting in dataclasses.fields(Settings):
        assert cli.flag_of(setting) in flags, setting.name
        assert setting.metadata["help"] and helps[setting.name].startswith(setting.metadata["help"])
    assert cli.settings_from_args(parser.parse_args([])) == Settings()


def test_an_invalid_flag_value_exits_with_a_clear_message(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["--failure-rate", "2"])
    assert exited.value.code == 2
    assert "between 0 and 1" in capsys.readouterr().err


def test_the_banner_says_where_it_listens_and_what_to_try():
    settings = cli.settings_from_args(cli.build_parser().parse_args(["--port", "8123"]))
    text = cli.banner(settings, "ret_product_search", 0.2)
    assert "http://127.0.0.1:8123" in text
    assert "curl" in text and "/v1/retrievers/ret_product_search/execute" in text
    assert "Authorization: Bearer sk_" in text and "X-Namespace:" in text


async def test_strict_mode_turns_a_response_that_breaks_the_spec_into_a_500(client, monkeypatch):
    def broken_view(execution, **options):
        body = original(execution, **options)
        body["error"] = "an error on a completed execution"  # the spec forbids it
        return body

    original = api.view
    monkeypatch.setattr(api, "view", broken_view)
    response = await client.post(execute_path("ret_product_search"), json={"inputs": {}})
    error = assert_envelope(response, 500, "InternalServerError")
    assert error["code"] == "response_contract_violation"
    assert "error" in error["message"]
