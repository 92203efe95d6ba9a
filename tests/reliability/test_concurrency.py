"""64 concurrent clients execute and poll a live mock: nothing lost, mixed up or leaked.

64 threads, each with its own connection, 20 operations each (1,280 operations plus the
polls that finish every execution and a final read of each), over 16 namespaces whose
busy ones run out of budget during the run. The rules are checked as the answers arrive (see
``tests/reliability/load.py``); the run is count-bounded, never timed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mixpeek_toolkit.mockserver import Settings
from mixpeek_toolkit.mockserver.testing import MockServer
from tests.reliability.load import STATUS_RANK, LoadReport, run_load

CREDITS = 28.0
"""The busy namespaces (6 clients) need about 42 credits, the quiet ones (2) about 14."""
SETTINGS = Settings(
    seed=64,
    strict=True,
    rate_limit=10**9,
    in_flight_rate=0.5,
    failure_rate=0.1,
    degraded_rate=0.1,
    credits_per_namespace=CREDITS,
)


@pytest.fixture(scope="module")
def report() -> Iterator[LoadReport]:
    with MockServer(SETTINGS) as server:
        result = run_load(
            server.base_url,
            clients=64,
            operations=20,
            namespaces=16,
            credits_per_namespace=CREDITS,
            seed=1,
        )
        errors = server.errors.take()
    assert errors == [], errors
    yield result


def test_every_rule_held_for_every_answer(report: LoadReport) -> None:
    assert report.violations == []


def test_the_load_was_what_it_claims(report: LoadReport) -> None:
    assert report.executions >= 64 * 20 * 0.3
    assert report.requests >= 64 * 20
    assert report.foreign_reads > 0


def test_every_status_of_the_lifecycle_was_seen_to_its_end(report: LoadReport) -> None:
    terminal = {s for s, rank in STATUS_RANK.items() if rank == max(STATUS_RANK.values())}
    assert set(report.statuses) == terminal  # every execution finished, each way was seen
    assert sum(report.statuses.values()) == report.executions


def test_budgets_ran_out_and_still_add_up_exactly(report: LoadReport) -> None:
    assert report.budget_exhausted > 0
    for namespace, (remaining, expected) in report.budgets.items():
        assert remaining == expected, namespace
    left = [remaining for remaining, _ in report.budgets.values()]
    assert min(left) == 0 and max(left) > 0  # busy namespaces ran out, quiet ones did not
