"""The runner in the real world: it passes against a rate-limited mock by waiting as told
and pacing itself, against a flaky target that answers 503, drops connections and cuts
bodies short on a fixed share of requests, and it ends a run that would hang."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from mixpeek_toolkit.contracts.runner import EXIT_UNUSABLE, main
from mixpeek_toolkit.contracts.suite import run_contract
from mixpeek_toolkit.contracts.target import Target
from mixpeek_toolkit.contracts.transport import FaultKind
from mixpeek_toolkit.mockserver import Settings
from mixpeek_toolkit.mockserver.testing import MockServer
from tests.contracts.flaky_server import Fault, FlakyFront

TARGET = Target(max_examples=3, seed=1, max_polls=10)
#: The mock's default rate (600 a minute, like the real API's documented example: 10 a
#: second), over a 2 s window so that the test waits seconds, not minutes.
LIMIT, WINDOW_S = 20, 2


def test_the_runner_passes_against_a_rate_limited_mock_by_waiting_as_told():
    settings = Settings(strict=True, rate_limit=LIMIT, rate_limit_window_s=WINDOW_S)
    assert Settings().rate_limit / Settings().rate_limit_window_s == LIMIT / WINDOW_S

    with MockServer(settings) as server:
        report = run_contract(TARGET.evolve(base_url=server.base_url), phases=["examples"])

    traffic = report.traffic
    assert report.ok, report.summary()
    assert traffic.transport.requests > 3 * LIMIT  # far beyond one window's allowance
    assert traffic.pacing.paced_requests + traffic.pacing.limited_total > 0
    assert traffic.pacing.paced_s + traffic.pacing.waited_s >= WINDOW_S  # it waited
    assert "Rate limits:" in report.summary()


def test_429_answers_are_waited_out_and_never_count_as_a_broken_rule():
    sleeps: list[float] = []
    with MockServer(Settings(strict=True, rate_limit=1_000_000)) as server:
        scenarios = [{"status": 429, "retry_after": 2}] * 3
        httpx.post(
            f"{server.base_url}/_mock/scenarios",
            json={"namespace": TARGET.namespace, "scenarios": scenarios},
        ).raise_for_status()
        report = run_contract(
            TARGET.evolve(base_url=server.base_url), phases=["examples"], sleep=sleeps.append
        )

    assert report.ok, report.summary()
    assert report.traffic.pacing.limited == {429: 3}
    assert sleeps.count(2.0) == 3
    summary = report.summary()
    assert "the target limited the run 3 time(s) (429: 3); the runner waited 6.0 s" in summary


def test_the_runner_passes_against_a_flaky_target_and_names_what_it_met():
    sleeps: list[float] = []
    with (
        MockServer(Settings(strict=True, rate_limit=1_000_000)) as server,
        FlakyFront(server.base_url) as front,
    ):
        report = run_contract(
            TARGET.evolve(base_url=front.base_url), phases=["examples"], sleep=sleeps.append
        )
        met = front.faults

    assert report.ok, report.summary()
    assert met[Fault.UNAVAILABLE] and met[Fault.DROP] and met[Fault.TRUNCATE]
    recovered = report.traffic.transport.recovered
    assert recovered[FaultKind.DROPPED] and recovered[FaultKind.TRUNCATED]
    assert report.traffic.pacing.limited[503] == met[Fault.UNAVAILABLE]
    assert not report.traffic.transport.persistent
    assert "Flaky target:" in report.summary() and "none persisted" in report.summary()


def test_a_fault_that_persists_is_a_broken_rule_named_after_the_fault():
    def drops_after_preflight(number: int) -> Fault:
        return Fault.OK if number == 1 else Fault.DROP

    with (
        MockServer(Settings(strict=True, rate_limit=1_000_000)) as server,
        FlakyFront(server.base_url, drops_after_preflight) as front,
    ):
        report = run_contract(
            TARGET.evolve(base_url=front.base_url, retries=1),
            schemathesis=False,
            sleep=lambda seconds: None,
        )

    assert report.broken_rules == ["requests_complete"], report.summary()
    assert "connection dropped before an answer on each of 2 attempt(s)" in report.summary()


@pytest.mark.timeout(60)
def test_a_target_that_stops_answering_ends_the_run_within_its_time_budget(tmp_path: Path, capsys):
    def hangs_after_preflight(number: int) -> Fault:
        return Fault.OK if number == 1 else Fault.HANG

    with (
        MockServer(Settings(strict=True, rate_limit=1_000_000)) as server,
        FlakyFront(server.base_url, hangs_after_preflight) as front,
    ):
        code = main(
            [
                "--base-url",
                front.base_url,
                "--time-budget",
                "2",
                "--timeout",
                "30",
                "--phases",
                "examples",
                "--seed",
                "1",
                "--quiet",
                "--junit-xml",
                str(tmp_path / "contracts.xml"),
            ]
        )

    out = capsys.readouterr().out
    assert code == EXIT_UNUSABLE
    assert "INCOMPLETE: the run stopped early: the run's time budget was spent" in out
    assert 'name="run_completed"' in (tmp_path / "contracts.xml").read_text()
