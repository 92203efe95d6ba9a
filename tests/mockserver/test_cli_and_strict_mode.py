"""The command line, and strict mode: a response that breaks the spec fails loudly.

That every Settings field has a flag reaching it is checked in test_cli_flags.py.
"""

from __future__ import annotations

import pytest

from mixpeek_toolkit.mockserver import api, cli
from tests.mockserver.conftest import assert_envelope, execute_path

pytestmark = pytest.mark.anyio


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
