"""The load rows, server by server: each one started, warmed up, driven, and stopped.

The mock runs first (its execute answers become the ceiling's bodies); the ceiling's rows
run while it idles, then its own rows and the contract suite against it; then the mock
in strict mode; then the peer; then, when granian is installed, the ceiling and the
mock served by granian. Every started process is also appended to ``served`` so the
caller stops it whatever happens. Each row also records the CPU time its server spent
per request (:func:`~benchmarks.servers.process_cpu_s`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from . import granian_apps
from .contract_speed import last_journal_seq, measure_contract_speed
from .prism import prism_command
from .rows import CEILING, MOCK, PRISM, STRICT, UVICORN, Row
from .servers import (
    HOST,
    Served,
    answers_200,
    answers_http,
    ceiling_command,
    free_port,
    mock_command,
    mock_flags,
    process_cpu_s,
    rss_mb,
    send_once,
    spawn,
)
from .session import Session
from .workload import Workload, execute, execute_body, get_execution

__all__ = ["measure_rows", "run_asgi_rows", "run_mock_rows", "run_prism_rows"]

#: The execution id the peer is asked for (it generates an answer for any).
PEER_EXECUTION = "exec_bench"


def measure_rows(
    session: Session,
    server: Served,
    rows: Sequence[Row],
    workload_of: Callable[[Row], Workload],
    *,
    warm_up: bool = True,
) -> None:
    """Warm the server up, then drive each row; one request first gives the answer size
    (and a note when it is not a 200)."""
    if not rows:
        return
    base_url = server.base_url
    if warm_up:
        most = max(row.connections for row in rows)
        session.drive(base_url, workload_of(rows[0]), most, session.args.warmup)
    for row in rows:
        workload = workload_of(row)
        check = send_once(base_url, workload)
        row.answer_bytes = len(check.content)
        if check.status_code != 200:
            row.notes.append(f"a single request before the load answered {check.status_code}")
        cpu_before = process_cpu_s(server.pid)
        row.result = session.drive(base_url, workload, row.connections, session.args.duration)
        if row.result.requests:
            spent = process_cpu_s(server.pid) - cpu_before
            row.server_cpu_us = spent / row.result.requests * 1e6
        if row.result.errors:
            row.notes.append(
                f"{row.result.errors:,} of {row.result.requests:,} answers were errors "
                "(not 2xx, or a socket error)"
            )
        cpu = f", server CPU {row.server_cpu_us:,.0f} us/req" if row.server_cpu_us else ""
        session.say(
            f"  {row.label} @{row.connections}: {row.result.rps:,.0f} req/s, "
            f"p50 {row.result.p50_ms:.2f} ms, p99 {row.result.p99_ms:.2f} ms{cpu}"
            + "".join(f" - {note}" for note in row.notes)
        )


def _of(rows: Sequence[Row], server: str, asgi: str = UVICORN) -> list[Row]:
    return [row for row in rows if row.server == server and row.asgi == asgi]


def _start_mock(session: Session, name: str, *, strict: bool = False) -> Served:
    port = free_port()
    command = mock_command(port, strict=strict)
    return spawn(name, command, port, session.logs, answers_200(execute(10)))


def _answers(mock: Served, top_ks: Sequence[int], logs: Path) -> dict[int, Path]:
    """The mock's execute answer for each top_k, kept as files for the ceiling."""
    files = {}
    for top_k in top_ks:
        answer = send_once(mock.base_url, execute(top_k))
        answer.raise_for_status()
        documents = len(answer.json()["documents"])
        if documents != top_k:
            raise RuntimeError(f"execute with top_k {top_k} answered {documents} documents")
        files[top_k] = logs / f"answer-top_k-{top_k}.json"
        files[top_k].write_bytes(answer.content)
    return files


def _ceiling_rows(session: Session, rows: Sequence[Row], answers: dict[int, Path], served) -> None:
    port = free_port()
    ready = answers_http(f"/ceiling/{min(answers)}")
    ceiling = spawn("ceiling", ceiling_command(port, answers), port, session.logs, ready)
    served.append(ceiling)
    session.say("ceiling (bare Starlette, the mock's answers pre-serialized):")
    try:
        measure_rows(
            session,
            ceiling,
            _of(rows, CEILING),
            lambda r: Workload("POST", f"/ceiling/{r.top_k}", execute_body(r.top_k or 10)),
        )
    finally:
        ceiling.stop()


def _contract_suite(session: Session, base_url: str) -> dict:
    examples = session.args.contract_examples
    if examples <= 0:
        return {"skipped": "--contract-examples 0"}
    session.say(f"contract suite (--max-examples {examples}) against the mock ...")
    found = measure_contract_speed(
        base_url, session.logs, max_examples=examples, seed=session.args.seed
    )
    session.say(f"  {found['cases']:,} cases in {found['seconds']:.1f} s")
    return found


def _mock_rows(session: Session, mock: Served, rows: Sequence[Row]) -> None:
    """The mock's execute rows, then its get-execution rows."""
    executes = [row for row in rows if row.operation == "execute"]
    measure_rows(
        session,
        mock,
        executes,
        lambda r: execute(r.top_k or 10, distinct=r.queries == "distinct"),
    )
    # Created now, so that the store (the last 10,000 executions) still holds it.
    created = send_once(mock.base_url, execute(10)).json()["execution_id"]
    reads = [row for row in rows if row.operation != "execute"]
    measure_rows(session, mock, reads, lambda r: get_execution(created), warm_up=False)


def run_mock_rows(session: Session, rows: Sequence[Row], served: list[Served]) -> dict[int, Path]:
    """The ceiling's rows, the mock's, the contract suite against it, the strict rows.
    Answers the mock's execute answers (files), the ceiling's bodies."""
    mock = _start_mock(session, "mock")
    served.append(mock)
    session.say(f"mock ready in {mock.ready_s * 1000:.0f} ms on {mock.base_url}")
    answers = _answers(mock, session.args.top_k, session.logs)
    _ceiling_rows(session, rows, answers, served)

    session.say("mock:")
    mock_rows = _of(rows, MOCK)
    executes = [row for row in mock_rows if row.operation == "execute"]
    _mock_rows(session, mock, mock_rows)
    session.results["server_rss_mb"] = rss_mb(mock.pid)
    session.results["server_requests"] = last_journal_seq(mock.base_url)
    session.results["server_last_top_k"] = executes[-1].top_k if executes else None
    session.results["contracts"] = _contract_suite(session, mock.base_url)
    mock.stop()

    strict = _start_mock(session, "mock-strict", strict=True)
    served.append(strict)
    session.say("mock --strict:")
    try:
        measure_rows(session, strict, _of(rows, STRICT), lambda r: execute(r.top_k or 10))
    finally:
        strict.stop()
    return answers


def run_asgi_rows(
    session: Session,
    rows: Sequence[Row],
    served: list[Served],
    answers: dict[int, Path],
    asgi: str,
) -> None:
    """The ceiling's and the mock's rows with the apps served by granian (``asgi``)."""
    ceilings, mocks = _of(rows, CEILING, asgi), _of(rows, MOCK, asgi)
    if not ceilings and not mocks:
        return
    port = free_port()
    bodies = {k: path for k, path in answers.items() if any(r.top_k == k for r in ceilings)}
    command, environment = granian_apps.ceiling_command(HOST, port, bodies)
    ready = answers_http(f"/ceiling/{min(bodies)}") if bodies else answers_http("/")
    ceiling = spawn(f"ceiling-{asgi}", command, port, session.logs, ready, env=environment)
    served.append(ceiling)
    session.say(f"ceiling served by {asgi}:")
    try:
        measure_rows(
            session,
            ceiling,
            ceilings,
            lambda r: Workload("POST", f"/ceiling/{r.top_k}", execute_body(r.top_k or 10)),
        )
    finally:
        ceiling.stop()
    port = free_port()
    command, environment = granian_apps.mock_command(mock_flags(port))
    ready = answers_200(execute(10))
    mock = spawn(f"mock-{asgi}", command, port, session.logs, ready, env=environment)
    served.append(mock)
    session.say(f"mock served by {asgi} (ready in {mock.ready_s * 1000:.0f} ms):")
    try:
        _mock_rows(session, mock, mocks)
    finally:
        mock.stop()


def run_prism_rows(
    session: Session, rows: Sequence[Row], served: list[Served], prism: Path
) -> None:
    """The peer's rows: the same requests, the same headers. A peer that does not start
    is skipped with a note."""
    port = free_port()
    probe = answers_http(get_execution(PEER_EXECUTION).path, execute(10).headers)
    try:
        peer = spawn(
            "prism",
            prism_command(prism, port),
            port,
            session.logs,
            probe,
            timeout_s=90,
            poll_s=0.1,
            cwd=prism.parents[2],
        )
    except RuntimeError as failure:
        for row in _of(rows, PRISM):
            row.skipped = "Prism did not start"
        session.skip(f"Prism did not start: {str(failure).splitlines()[0]}")
        return
    served.append(peer)
    session.say(f"Prism ready in {peer.ready_s:.1f} s:")
    try:
        measure_rows(
            session,
            peer,
            _of(rows, PRISM),
            lambda r: execute(10) if r.operation == "execute" else get_execution(PEER_EXECUTION),
        )
    finally:
        peer.stop()
