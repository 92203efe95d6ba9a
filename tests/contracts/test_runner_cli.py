"""The CLI runner: exit 0 on a sound server (a real-shaped one included, its retriever named
with a space), the rule and a curl command on a broken one, statuses accepted by name with
`--accept-status`, one clear sentence on an unreachable one, all within seconds."""

from __future__ import annotations

import socket
from pathlib import Path

from mixpeek_toolkit.contracts.runner import EXIT_BROKEN, EXIT_OK, EXIT_UNUSABLE, main
from mixpeek_toolkit.mockserver import Settings, create_app
from tests.contracts import broken
from tests.contracts.real_shaped_server import RETRIEVER_NAME, create_real_shaped_app

QUICK = ["--max-examples", "3", "--seed", "1", "--phases", "examples", "--quiet"]


def test_a_server_that_breaks_a_rule_exits_non_zero_naming_it_with_curl(
    serve, tmp_path: Path, capsys
) -> None:
    app = broken.unsorted_scores(create_app(Settings(strict=True, rate_limit=1_000_000)))
    url = serve(app)
    junit = tmp_path / "contracts.xml"

    code = main(["--base-url", url, "--junit-xml", str(junit), *QUICK])

    out = capsys.readouterr().out
    assert code == EXIT_BROKEN
    assert "BROKEN RULE documents_sorted_by_score" in out
    assert "curl -X POST" in out and url in out
    assert 'name="documents_sorted_by_score"' in junit.read_text()


def test_a_sound_server_exits_zero(serve, tmp_path: Path, capsys) -> None:
    url = serve(create_app(Settings(strict=True, rate_limit=1_000_000)))

    code = main(["--base-url", url, "--junit-xml", str(tmp_path / "c.xml"), *QUICK])

    assert code == EXIT_OK, capsys.readouterr().out


def test_a_server_shaped_like_the_real_api_exits_zero_with_its_retriever_named(
    serve, tmp_path: Path, capsys
) -> None:
    url = serve(create_real_shaped_app())

    code = main(
        [
            "--base-url",
            url,
            "--retriever-id",
            RETRIEVER_NAME,
            "--junit-xml",
            str(tmp_path / "c.xml"),
            *QUICK,
        ]
    )

    assert code == EXIT_OK, capsys.readouterr().out


def test_a_status_the_api_never_answers_fails_until_accepted_by_name(
    serve, tmp_path: Path, capsys, monkeypatch
) -> None:
    url = serve(
        broken.done_for_finished_runs(create_app(Settings(strict=True, rate_limit=1_000_000)))
    )
    junit = ["--junit-xml", str(tmp_path / "c.xml")]

    refused = main(["--base-url", url, *junit, *QUICK])
    out = capsys.readouterr().out
    accepted = main(["--base-url", url, "--accept-status", "done", *junit, *QUICK])
    accepted_out = capsys.readouterr().out
    monkeypatch.setenv("MIXPEEK_ACCEPT_STATUSES", "queued, done")
    from_environment = main(["--base-url", url, *junit, *QUICK])

    assert refused == EXIT_BROKEN
    assert "BROKEN RULE execution_status_is_known" in out
    assert "--accept-status done" in out
    assert accepted == EXIT_OK, accepted_out
    assert "Statuses accepted by name: done." in accepted_out
    assert from_environment == EXIT_OK, capsys.readouterr().out


def test_a_refused_connection_is_one_clear_sentence_and_a_non_zero_exit(capsys) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again before the run: nothing listens

    code = main(["--base-url", f"http://127.0.0.1:{port}", *QUICK])

    err = capsys.readouterr().err
    assert code == EXIT_UNUSABLE
    assert f"Could not connect to http://127.0.0.1:{port}" in err
    assert "check that the server is running" in err


def test_bad_options_are_refused_with_what_to_do(capsys) -> None:
    code = main(["--base-url", "127.0.0.1:8080", *QUICK])

    assert code == EXIT_UNUSABLE
    assert "must start with http:// or https://" in capsys.readouterr().err
