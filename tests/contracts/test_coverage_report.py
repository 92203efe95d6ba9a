"""Say what was proved: each rule's count of judged answers, "not exercised" when none, what
the run saw per operation, a minimum coverage that fails the run naming what was missing,
and JUnit that skips the rules a run never exercised."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from mixpeek_toolkit.contracts.coverage import Coverage
from mixpeek_toolkit.contracts.exchange import Exchange
from mixpeek_toolkit.contracts.runner import EXIT_BROKEN, EXIT_OK, main
from mixpeek_toolkit.contracts.suite import run_contract
from mixpeek_toolkit.contracts.target import Target
from mixpeek_toolkit.mockserver import Settings, create_app
from tests.contracts.real_shaped_server import create_real_shaped_app

TARGET = Target(max_examples=3, seed=5, max_polls=10)
IN_FLIGHT_RULE = "in_flight_execution_is_coherent"


@pytest.fixture(scope="module")
def real_shaped_report():
    """A run against a server that, like the real API, ignores the `Prefer` hints."""
    return run_contract(TARGET, app=create_real_shaped_app(), phases=["examples"])


def test_a_rule_that_never_judged_anything_is_reported_as_not_exercised(real_shaped_report):
    report = real_shaped_report
    coverage = report.coverage

    assert report.ok, report.summary()  # every rule held ...
    assert coverage.judged[IN_FLIGHT_RULE] == 0  # ... but this one proved nothing
    assert IN_FLIGHT_RULE in report.not_exercised
    summary = report.summary()
    assert any(
        line.split() == [IN_FLIGHT_RULE, "NOT", "EXERCISED"] for line in summary.splitlines()
    )
    assert "OK: every rule held." in summary
    (idle,) = [line for line in summary.splitlines() if line.startswith("Not exercised")]
    assert "judged nothing, so proved nothing here" in idle and IN_FLIGHT_RULE in idle
    assert coverage.judged["execution_status_is_known"] > 0


def test_the_coverage_table_shows_statuses_executions_pagination_and_streaming(real_shaped_report):
    coverage = real_shaped_report.coverage
    table = "\n".join(coverage.table())

    assert coverage.seen["executeRetriever status"]["200"] > 0
    assert coverage.seen["execution status"]["degraded"] > 0
    assert "processing" in coverage.unseen("execution status")
    assert coverage.seen["pagination"]["offset"] > 0
    assert "executeRetriever status: 200" in table
    assert "never: " in table and "streaming" in table


def test_junit_marks_rules_not_exercised_as_skipped_with_the_reason(real_shaped_report, tmp_path):
    path = real_shaped_report.write_junit(tmp_path / "contracts.xml")

    cases = {case.get("name"): case for case in ElementTree.parse(path).getroot().iter("testcase")}
    skipped = cases[IN_FLIGHT_RULE].find("skipped")
    assert skipped is not None
    assert "not exercised" in skipped.get("message") and "in flight" in skipped.get("message")
    assert cases["execution_status_is_known"].find("skipped") is None
    assert cases["coverage"].find("failure") is None


def test_below_the_minimum_coverage_the_run_fails_naming_what_was_not_covered(real_shaped_report):
    asked = TARGET.evolve(min_coverage=1.0, require={f"exercised:{IN_FLIGHT_RULE}"})
    report = dataclasses.replace(real_shaped_report, target=asked)

    assert not report.ok
    problems = report.shortfalls
    assert any(
        "below --min-coverage 1" in problem and IN_FLIGHT_RULE in problem for problem in problems
    )
    assert any(
        problem.startswith(f"exercised:{IN_FLIGHT_RULE}: not exercised") for problem in problems
    )
    assert "NOT COVERED:" in report.summary()


def test_the_mock_exercises_the_lifecycle_rules_it_is_asked_for():
    target = TARGET.evolve(require={f"exercised:{IN_FLIGHT_RULE}", "seen:processing"})

    report = run_contract(
        target, app=create_app(Settings(strict=True, rate_limit=1_000_000)), phases=["examples"]
    )

    assert report.ok, report.summary()
    assert report.coverage.judged[IN_FLIGHT_RULE] > 0


def test_the_cli_fails_below_min_coverage_and_passes_above(serve, tmp_path: Path, capsys):
    url = serve(create_real_shaped_app())
    common = ["--base-url", url, "--max-examples", "3", "--seed", "1", "--phases", "examples"]
    junit = ["--junit-xml", str(tmp_path / "c.xml"), "--quiet"]

    short = main(
        [*common, *junit, "--min-coverage", "0.99", "--require", f"exercised:{IN_FLIGHT_RULE}"]
    )
    short_out = capsys.readouterr().out
    enough = main([*common, *junit, "--min-coverage", "0.5"])
    enough_out = capsys.readouterr().out

    assert short == EXIT_BROKEN
    assert "NOT COVERED:" in short_out and "below --min-coverage 0.99" in short_out
    assert f"NOT COVERED: exercised:{IN_FLIGHT_RULE}: not exercised" in short_out
    assert enough == EXIT_OK, enough_out


def test_requirements_are_checked_for_what_they_name():
    coverage = Coverage()
    coverage.add_scope(
        [
            Exchange(
                method="POST",
                path="/v1/retrievers/r/execute",
                request_headers={"Authorization": "Bearer sk_x", "X-Namespace": "n"},
                request_body={"pagination": {"method": "keyset"}},
                status_code=200,
                body={"execution_id": "e", "status": "completed", "documents": []},
            )
        ]
    )

    assert coverage.is_seen("keyset") and coverage.is_seen("executeRetriever:200")
    assert coverage.is_seen("completed") and not coverage.is_seen("processing")
    assert coverage.shortfalls(0, ["seen:keyset", "exercised:execution_status_is_known"]) == []
    (problem,) = coverage.shortfalls(0, ["exercised:no_such_rule"])
    assert "no rule of this run is named so" in problem


@pytest.mark.parametrize("bad", ["in_flight", "covered:x", "exercised:"])
def test_a_requirement_says_what_it_requires(bad):
    with pytest.raises(ValueError, match="exercised:RULE"):
        Target(require={bad})
