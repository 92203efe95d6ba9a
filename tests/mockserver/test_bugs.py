"""A bug in the mock never looks like a scripted answer: it is answered 500, but recorded
on the app and logged with its traceback (a scripted ``status=500`` is neither)."""

from __future__ import annotations

import logging
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator

import httpx
import pytest

from mixpeek_toolkit.mockserver import Settings, api, control, create_app
from mixpeek_toolkit.mockserver.bugs import LOGGER_NAME, BugLog
from mixpeek_toolkit.mockserver.errors import NotFound, error_response
from tests.mockserver.conftest import assert_envelope, execute_path

pytestmark = pytest.mark.anyio

RETRIEVER = "ret_product_search"
QUERY = {"inputs": {"query": "kettle"}}
SECRET_KEY = "sk_test_do_not_print_me_0123456789"
START_UP_TIMEOUT_S = 30.0


def broken(*args, **kwargs):
    raise KeyError("retriever")


async def test_an_exception_in_a_handler_answers_500_and_is_recorded_as_a_bug(
    app, client, monkeypatch, caplog
):
    monkeypatch.setattr(api, "_find_retriever", broken)

    with caplog.at_level(logging.ERROR, logger=LOGGER_NAME):
        response = await client.post(execute_path(RETRIEVER), json=QUERY)

    error = assert_envelope(response, 500, "InternalServerError")
    assert error["code"] == "unexpected_error"
    assert "KeyError" in error["message"]
    [bug] = app.state.mock.bugs.take()
    assert isinstance(bug, KeyError)
    [record] = [r for r in caplog.records if r.name == LOGGER_NAME]
    assert record.levelno == logging.ERROR
    assert f"POST {execute_path(RETRIEVER)}" in record.getMessage()
    assert "Traceback (most recent call last)" in caplog.text
    assert "KeyError: 'retriever'" in caplog.text
    assert "in broken" in caplog.text  # where it was raised


async def test_a_scripted_500_is_an_answer_not_a_bug(app, client, caplog):
    with caplog.at_level(logging.DEBUG, logger=LOGGER_NAME):
        response = await client.post(
            execute_path(RETRIEVER), json=QUERY, headers={"Prefer": "status=500"}
        )

    error = assert_envelope(response, 500, "InternalServerError")
    assert error["code"] == "forced_by_scenario"
    assert app.state.mock.bugs.take() == []
    assert not [r for r in caplog.records if r.name == LOGGER_NAME]


async def test_queued_and_intended_errors_are_not_bugs(app, client):
    await client.post("/_mock/scenarios", json={"scenarios": [{"status": 500}, {"status": 503}]})
    assert (await client.post(execute_path(RETRIEVER), json=QUERY)).status_code == 500
    assert (await client.post(execute_path(RETRIEVER), json=QUERY)).status_code == 503
    assert (await client.post(execute_path("ret_nope"), json=QUERY)).status_code == 404
    assert (await client.post(execute_path(RETRIEVER), json={"bad": 1})).status_code == 422
    assert app.state.mock.bugs.take() == []


async def test_a_strict_mode_contract_violation_is_a_bug(app, client, monkeypatch):
    def breaking_view(execution, **options):
        return {**original(execution, **options), "status": 7}  # not a string

    original = api.view
    monkeypatch.setattr(api, "view", breaking_view)

    response = await client.post(execute_path(RETRIEVER), json=QUERY)

    assert assert_envelope(response, 500, "InternalServerError")["code"] == (
        "response_contract_violation"
    )
    assert [type(bug).__name__ for bug in app.state.mock.bugs.take()] == ["ContractViolation"]


async def test_an_exception_in_a_control_endpoint_is_a_bug_too(monkeypatch):
    async def broken_health(request):
        raise RuntimeError("health broke")

    monkeypatch.setattr(control, "health", broken_health)
    app = create_app(Settings(strict=True))  # its routes bind the patched endpoint
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://mock"
    ) as client:
        response = await client.get("/_mock/health")

    assert_envelope(response, 500, "InternalServerError")
    assert [str(bug) for bug in app.state.mock.bugs.take()] == ["health broke"]


async def test_an_intended_control_error_is_not_a_bug(app, client):
    assert_envelope(await client.get("/_mock/executions/exec_none"), 404, "NotFoundError")
    assert app.state.mock.bugs.take() == []


def test_the_bug_log_is_bounded_and_taken_once():
    bugs = BugLog(size=2)
    for n in range(3):
        bugs.record(ValueError(n), where="test")
    assert [str(bug) for bug in bugs.take()] == ["1", "2"]
    assert bugs.take() == []
    assert bugs.count == 3


def test_logged_bugs_never_carry_a_secret_whole(caplog):
    bugs = BugLog(secrets=["control-token-0123456789"])

    def leaky():
        raise KeyError(f"{SECRET_KEY} control-token-0123456789")

    try:
        leaky()
    except KeyError as error:
        with caplog.at_level(logging.ERROR, logger=LOGGER_NAME):
            bugs.record(error, where="POST /v1/x")

    assert "Traceback (most recent call last)" in caplog.text
    assert SECRET_KEY not in caplog.text
    assert "control-token-0123456789" not in caplog.text
    assert "sk_test_\u2026" in caplog.text


def test_error_response_without_an_app_still_logs_the_bug(caplog):
    with caplog.at_level(logging.ERROR, logger=LOGGER_NAME):
        response, body = error_response(ZeroDivisionError("x"))
        intended, _ = error_response(NotFound("gone"))

    assert (response.status_code, body["error"]["code"]) == (500, "unexpected_error")
    assert intended.status_code == 404
    assert len([r for r in caplog.records if r.name == LOGGER_NAME]) == 1


# -- the command line prints bugs with their traceback ------------------------------------

CLI_WITH_A_BUG = f"""
import sys
from mixpeek_toolkit.mockserver import api, cli

def lookup_that_breaks(namespace, retriever_id):
    raise KeyError("lookup broke for " + {SECRET_KEY!r})

api._find_retriever = lookup_that_breaks
sys.exit(cli.main(sys.argv[1:]))
"""


class RunningCli:
    """``mixpeek-mock`` in a child process; its output read by threads, so no pipe fills up."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: queue.Queue[str] = queue.Queue()
        self.stderr: list[str] = []
        self._readers = [
            threading.Thread(target=self._read, args=(process.stdout, self.lines.put)),
            threading.Thread(target=self._read, args=(process.stderr, self.stderr.append)),
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _read(stream, keep) -> None:
        for line in stream:
            keep(line)

    def base_url(self) -> str:
        """Waits (bounded) for the banner: the mock listens once it is printed."""
        first = self.lines.get(timeout=START_UP_TIMEOUT_S)
        assert first.startswith("Mixpeek mock listening on "), first
        return first.split()[4]

    def stop(self) -> str:
        """Stops the mock (SIGTERM, uvicorn's graceful exit); what it printed on stderr."""
        self.process.terminate()
        self.process.wait(timeout=START_UP_TIMEOUT_S)
        for reader in self._readers:
            reader.join(timeout=START_UP_TIMEOUT_S)
        return "".join(self.stderr)


@pytest.fixture
def cli_with_a_bug() -> Iterator[RunningCli]:
    """``mixpeek-mock --port 0`` with a bug in the retriever lookup."""
    command = [sys.executable, "-c", CLI_WITH_A_BUG, "--port", "0", "--api-key", SECRET_KEY]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        running = RunningCli(process)
        try:
            yield running
        finally:
            running.stop()


def test_the_command_line_logs_a_bug_with_its_traceback_and_no_key(cli_with_a_bug):
    response = httpx.post(
        f"{cli_with_a_bug.base_url()}{execute_path(RETRIEVER)}",
        json=QUERY,
        headers={"Authorization": f"Bearer {SECRET_KEY}", "X-Namespace": "n"},
    )
    assert_envelope(response, 500, "InternalServerError")
    stderr = cli_with_a_bug.stop()

    assert f"ERROR:     {LOGGER_NAME}: Unexpected error in the mock" in stderr
    assert "Traceback (most recent call last)" in stderr
    assert "in lookup_that_breaks" in stderr
    assert SECRET_KEY not in stderr + response.text
