"""Failures anyone can replay: for each broken rule, a standalone pytest file that replays the
failing exchange(s) against a base URL from the environment and asserts the rule, a HAR
cassette with secrets redacted, and a self-contained HTML report beside the JUnit XML."""

from __future__ import annotations

import ast
import contextlib
import io
import json
import socket
import threading
from pathlib import Path

import pytest
import uvicorn

from mixpeek_toolkit.contracts.exchange import Exchange
from mixpeek_toolkit.contracts.html_report import render_html
from mixpeek_toolkit.contracts.report import Finding, Report
from mixpeek_toolkit.contracts.runner import EXIT_BROKEN, main
from mixpeek_toolkit.contracts.target import Target
from mixpeek_toolkit.mockserver import Settings, create_app
from tests.contracts import broken
from tests.pytester_imports import import_before_pytester

pytest_plugins = ["pytester"]
import_before_pytester()

SECRET = "sk_test_s3cret_never_written"
QUICK = ["--max-examples", "3", "--seed", "1", "--phases", "examples", "--quiet"]


def mock_app():
    return create_app(Settings(strict=True, rate_limit=1_000_000))


def run_against(url: str, folder: Path) -> int:
    return main(
        [
            "--base-url",
            url,
            "--api-key",
            SECRET,
            "--junit-xml",
            str(folder / "contracts.xml"),
            *QUICK,
        ]
    )


@pytest.fixture(scope="module")
def broken_run(tmp_path_factory):
    """The runner against a live server whose pages come in the wrong order (run once)."""
    folder = tmp_path_factory.mktemp("broken_run")
    with served(broken.unsorted_scores(mock_app())) as url:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = run_against(url, folder)
    return code, out.getvalue(), folder


@contextlib.contextmanager
def served(app):
    """Serve ``app`` with uvicorn on a free 127.0.0.1 port while the block runs."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="error", lifespan="off"))
    server.capture_signals = contextlib.nullcontext
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        thread.join(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(5)


def test_each_broken_rule_gets_a_replay_test_and_a_cassette_beside_the_junit_xml(broken_run):
    code, out, folder = broken_run

    assert code == EXIT_BROKEN
    replay = folder / "replay"
    assert (replay / "test_documents_sorted_by_score.py").is_file()
    assert (replay / "documents_sorted_by_score.har").is_file()
    assert (folder / "contracts.html").is_file()
    assert f"replay tests and cassettes: {replay}/" in out
    assert f"replay: {replay / 'test_documents_sorted_by_score.py'}" in out


def test_the_replay_test_imports_only_pytest_httpx_and_the_contracts(broken_run):
    source = (broken_run[2] / "replay" / "test_documents_sorted_by_score.py").read_text()

    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module)
    assert imported == {"os", "httpx", "pytest", "mixpeek_toolkit.contracts"}


def test_the_replay_test_fails_on_the_broken_server_and_passes_once_fixed(
    broken_run,
    serve,
    pytester,
    monkeypatch,
):
    test = broken_run[2] / "replay" / "test_documents_sorted_by_score.py"
    pytester.makeini("[pytest]\naddopts = -p no:cacheprovider\n")
    pytester.makepyfile(test_regression=test.read_text())
    monkeypatch.setenv("MIXPEEK_API_KEY", "sk_test_another_key")

    monkeypatch.setenv("MIXPEEK_BASE_URL", serve(broken.unsorted_scores(mock_app())))
    still_broken = pytester.runpytest()
    monkeypatch.setenv("MIXPEEK_BASE_URL", serve(mock_app()))
    fixed = pytester.runpytest()

    outcomes = still_broken.parseoutcomes()
    assert outcomes.get("failed", 0) >= 1, still_broken.stdout.str()
    assert not outcomes.get("passed") and not outcomes.get("error"), still_broken.stdout.str()
    still_broken.stdout.fnmatch_lines(["*documents_sorted_by_score*"])
    fixed_outcomes = fixed.parseoutcomes()
    assert fixed_outcomes.get("passed", 0) >= 1, fixed.stdout.str()
    assert not fixed_outcomes.get("failed") and not fixed_outcomes.get("error")


def test_a_built_in_check_is_replayed_too(serve, tmp_path: Path, pytester, monkeypatch, capsys):
    url = serve(broken.missing_required_field(mock_app()))
    assert run_against(url, tmp_path) == EXIT_BROKEN
    capsys.readouterr()
    test = tmp_path / "replay" / "test_response_schema_conformance.py"
    pytester.makeini("[pytest]\naddopts = -p no:cacheprovider\n")
    pytester.makepyfile(test_regression=test.read_text())
    monkeypatch.setenv("MIXPEEK_API_KEY", "sk_test_another_key")

    monkeypatch.setenv("MIXPEEK_BASE_URL", url)
    still_broken = pytester.runpytest().parseoutcomes()
    monkeypatch.setenv("MIXPEEK_BASE_URL", serve(mock_app()))
    fixed = pytester.runpytest().parseoutcomes()

    assert still_broken.get("failed", 0) >= 1 and not still_broken.get("passed")
    assert fixed.get("passed", 0) >= 1 and not fixed.get("failed")


def test_the_cassette_is_har_1_2_with_every_secret_redacted(broken_run):
    folder = broken_run[2]
    har = json.loads((folder / "replay" / "documents_sorted_by_score.har").read_text())

    assert har["log"]["version"] == "1.2"
    entries = har["log"]["entries"]
    assert entries and all(
        entry["request"]["url"].startswith("http://127.0.0.1") for entry in entries
    )
    authorizations = [
        header["value"]
        for entry in entries
        for header in entry["request"]["headers"]
        if header["name"].lower() == "authorization"
    ]
    assert authorizations and set(authorizations) == {"[REDACTED]"}
    assert any(entry["response"]["content"]["text"] for entry in entries)


def test_no_written_file_holds_the_api_key(broken_run):
    folder = broken_run[2]
    written = [path for path in folder.rglob("*") if path.is_file()]

    assert {path.suffix for path in written} >= {".xml", ".html", ".py", ".har"}
    for path in written:
        assert SECRET not in path.read_text(), f"{path} holds the API key"


def test_the_html_report_escapes_everything_it_shows():
    hostile = "<script>alert('x')</script>"
    exchange = Exchange(
        method="POST",
        path="/v1/retrievers/ret_1/execute",
        request_headers={"Authorization": f"Bearer {SECRET}", "X-Namespace": hostile},
        request_body={"inputs": {"query": hostile}},
        status_code=200,
        body={"status": hostile},
        response_content=json.dumps({"status": hostile}).encode(),
    )
    report = Report(target=Target(api_key=SECRET))
    report.add(
        Finding(
            rule="execution_status_is_known",
            message=f"status is {hostile!r}",
            curl=f"curl -H 'X: {hostile}'",
            source="schemathesis",
            exchanges=(exchange,),
        )
    )

    page = render_html(report)

    assert "<script>" not in page and "&lt;script&gt;" in page
    assert SECRET not in page and "[REDACTED]" in page
    assert page.startswith("<!DOCTYPE html>") and "execution_status_is_known" in page
