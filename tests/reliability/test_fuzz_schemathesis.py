"""The mock under its own contract suites: every check, both generation modes, stateful too.

The suites a user runs (``mixpeek_toolkit.contracts``: every Schemathesis built-in check
plus the contract's semantic rules), in process against a strict mock, with positive
and negative generation, then the stateful phase (execute, then read back through the
spec's links). Zero server errors and zero schema violations: strict mode turns an answer
that breaks the spec into a 500, which ``not_a_server_error`` reports. Derandomized,
without Hypothesis' example database: every run sends the same cases. The long run
(thousands of cases through the upstream ``schemathesis run`` CLI) is ``make soak``.
"""

from __future__ import annotations

import anyio
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

import mixpeek_toolkit.contracts.checks  # noqa: F401  (registers the semantic rules)
from mixpeek_toolkit.contracts.target import Target, load_schema
from mixpeek_toolkit.mockserver import Settings, create_app

TARGET = Target(max_examples=40, seed=20, stateful_steps=6)
MOCK = Settings(seed=20, strict=True, rate_limit=10**9, in_flight_rate=0.3, failure_rate=0.1)
schema = load_schema(TARGET, app=create_app(MOCK))


@schema.parametrize()
@settings(derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_generated_case_keeps_every_check(case: schemathesis.Case) -> None:
    response = case.call_and_validate()
    assert response.status_code < 500, response.text


@pytest.mark.timeout(180)
def test_the_stateful_phase_keeps_every_check() -> None:
    app = create_app(MOCK)
    machine = load_schema(TARGET, app=app).as_state_machine()
    machine.run(
        settings=settings(
            max_examples=15,
            stateful_step_count=TARGET.stateful_steps,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    answered = [entry.status_code for entry in anyio.run(app.state.mock.journal.entries)]
    assert answered, "the state machine sent nothing"
    assert [status for status in answered if status is None or status >= 500] == []
