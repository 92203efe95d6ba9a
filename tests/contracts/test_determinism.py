"""One determinism story: with a seed, two runs against the same server judge the same
requests, Schemathesis' stateful phase included; the identifiers the server issues (execution
ids, cursors) are read as placeholders, since no seed makes a server issue the same ones."""

from __future__ import annotations

import httpx
import pytest

from mixpeek_toolkit.contracts.digest import judged_requests, requests_digest
from mixpeek_toolkit.contracts.exchange import Exchange
from mixpeek_toolkit.contracts.suite import run_contract
from mixpeek_toolkit.contracts.target import Target
from mixpeek_toolkit.mockserver import Settings
from mixpeek_toolkit.mockserver.testing import MockServer

PHASES = ["examples", "coverage", "fuzzing", "stateful"]


def run_twice(target: Target, server: MockServer) -> tuple:
    reports = []
    for _ in range(2):
        httpx.post(f"{server.base_url}/_mock/reset").raise_for_status()  # the same server, afresh
        reports.append(run_contract(target.evolve(base_url=server.base_url), phases=PHASES))
    return tuple(reports)


@pytest.mark.timeout(240)
def test_a_seeded_run_judges_the_same_requests_twice_stateful_phase_included():
    with MockServer(Settings(strict=True, rate_limit=1_000_000)) as server:
        first, second = run_twice(Target(max_examples=3, seed=11, max_polls=10), server)

    stateful = [e for e in first.exchanges if e.operation == "get_execution"]
    assert stateful, "the run read executions back (the stateful phase follows links)"
    assert first.ok and second.ok, first.summary()
    assert judged_requests(first.exchanges) == judged_requests(second.exchanges)
    assert requests_digest(first.exchanges) == requests_digest(second.exchanges)
    digest = requests_digest(first.exchanges)
    assert f"digest {digest} (--seed 11 against the same server" in second.summary()


def read(execution_id: str, *, issued: str | None = None) -> Exchange:
    return Exchange(
        method="GET",
        path=f"/v1/retrievers/r/executions/{execution_id}",
        status_code=200,
        body={"execution_id": issued or execution_id, "status": "completed"},
    )


def test_identifiers_the_server_issued_are_read_as_placeholders():
    created = Exchange(
        method="POST",
        path="/v1/retrievers/r/execute",
        request_body={"inputs": {}},
        status_code=200,
        body={"execution_id": "exec_first_run_0001", "pagination": {"cursor": "c_abc_123"}},
    )
    again = Exchange(
        method="POST",
        path="/v1/retrievers/r/execute",
        request_body={"inputs": {}},
        status_code=200,
        body={"execution_id": "exec_second_run_002", "pagination": {"cursor": "c_xyz_987"}},
    )

    one = judged_requests([created, read("exec_first_run_0001")])
    two = judged_requests([again, read("exec_second_run_002")])

    assert one == two
    assert one[1] == "GET /v1/retrievers/r/executions/<issued-1>? null"
    assert judged_requests([created, read("exec_someone_else")]) != one


def test_without_a_seed_one_is_drawn_and_named_so_the_run_can_be_repeated():
    from mixpeek_toolkit.mockserver import create_app

    report = run_contract(
        Target(max_examples=2), app=create_app(Settings(strict=True)), phases=["examples"],
        workflows=False,
    )  # fmt: skip

    assert report.target.seed is not None
    assert f"seed {report.target.seed})" in report.summary().splitlines()[0]
