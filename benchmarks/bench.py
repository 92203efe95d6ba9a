"""``make bench``: the mock under load, side by side with the ceiling and a peer.

``python -m benchmarks.bench`` (from the repository root) measures, in one run of a few
minutes, everything on 127.0.0.1 and every process stopped at the end:

- the **ceiling** (a bare Starlette endpoint answering the mock's execute answer as
  pre-serialized bytes), the **mock** (execute with top_k 10, 25 and 100, with one
  repeated query and with queries never sent twice; get-execution), the mock in
  **strict** mode, and the **peer** (Prism serving spec/openapi.yaml in dynamic mode),
  each at 1 and 64 connections with wrk (installed from Debian's packages if missing;
  otherwise a Python asyncio generator): requests/s, p50, p99, the CPU the server spent
  per request, ratios;
- the same ceiling and mock served by **granian** instead of uvicorn, when granian is
  installed (``--asgi``);
- **start-up**: spawn to the first 200 of execute;
- **memory**: RSS over 1,000,000 executions driven in process (``memory_driver``, run
  in the background at idle priority);
- the **engine** alone at 10k, 30k and 100k documents (``engine_scaling``), with the
  memory probe paused meanwhile;
- the **contract suite**'s cases per second against the mock (``contract_speed``).

It writes reports/bench.json, reports/bench.md (also printed) and reports/bench.png
(with matplotlib, the ``[bench]`` extra), and judges the issue's targets (a missed
target is printed, never a failure).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import chart, report
from .engine_scaling import measure_in_subprocess
from .granian_apps import available as granian_available
from .granian_apps import granian_version
from .load_phases import run_asgi_rows, run_mock_rows, run_prism_rows
from .machine import CpuMeter, busy_warning, machine_info
from .memory_probe import MemoryProbe
from .prism import ensure_prism, node_version, prism_version
from .rows import GRANIAN, UVICORN, Row, add_ratios, asgi_comparison, plan_rows, strict_cost
from .scaling import plan_scaling_rows, run_scaling_rows
from .servers import LIFTED_CREDITS, LIFTED_RATE_LIMIT, REPO, Served, mock_command
from .session import Session
from .startup import measure_startup
from .targets import evaluate
from .wrk import ensure_wrk, wrk_version

__all__ = ["main"]

#: Other processes' share of the CPU during the run from which the report warns.
OTHERS_NOTE_SHARE = 0.1
MOCK_NOTE = (
    "the rate limit and the budget are lifted (at the defaults, 600 requests a minute per "
    "key and 1,000 credits per namespace, a load test meets 429s and failed executions "
    "within a second, and would measure those); every other setting is the default (the "
    "store keeps 10,000 executions); strict mode is off except in the `mock --strict` rows."
)


def _parser() -> argparse.ArgumentParser:
    def numbers(text: str) -> list[int]:
        return [int(item) for item in text.split(",") if item]

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench", description=__doc__.split("\n")[0]
    )
    add = parser.add_argument
    add("--duration", type=float, default=3.0, help="seconds of load per row (3)")
    add("--warmup", type=float, default=1.0, help="seconds of warm-up per server (1)")
    add("--connections", type=numbers, default=[1, 64], help="loads (1,64)")
    add("--top-k", type=numbers, default=[10, 25, 100], help="answer sizes (10,25,100)")
    add(
        "--generator",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="auto: wrk (apt-get install wrk when missing and root), else python",
    )
    add("--wrk-threads", type=int, default=2, help="wrk threads at most (2)")
    add(
        "--asgi",
        type=lambda text: [item for item in text.split(",") if item],
        default=[UVICORN, GRANIAN],
        help="ASGI servers (uvicorn,granian); granian's rows are skipped when it is not installed",
    )
    add("--no-prism", action="store_true", help="skip the peer")
    add("--startup-samples", type=int, default=3, help="start-ups timed (3)")
    add("--memory-executions", type=int, default=1_000_000, help="(1,000,000)")
    add("--memory-every", type=int, default=100_000, help="RSS sampled every (100,000)")
    add("--memory-asgi-every", type=int, default=10, help="see benchmarks/memory_driver.py (10)")
    add("--engine-sizes", type=numbers, default=[10_000, 30_000, 100_000])
    add("--engine-seconds", type=float, default=4.0, help="per size, 5 runs at least (4)")
    add("--contract-examples", type=int, default=10, help="0 skips the suite (10)")
    add("--seed", type=int, default=1, help="seed of the contract suite (1)")
    add(
        "--budget",
        type=float,
        default=280.0,
        help="seconds the whole run may take: the memory probe is stopped by then (280)",
    )
    add("--out", type=Path, default=REPO / "reports", help="(reports/)")
    return parser


def _config(args: argparse.Namespace) -> dict[str, Any]:
    shown = mock_command(0)[1:]
    shown = shown[: shown.index("--host")] + shown[shown.index("--seed") :]
    return {
        "mock_command": "python " + " ".join(shown),
        "mock_note": MOCK_NOTE,
        "rate_limit": LIFTED_RATE_LIMIT,
        "credits_per_namespace": LIFTED_CREDITS,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "connections": args.connections,
        "top_k": args.top_k,
        "budget_s": args.budget,
    }


def _tools(session: Session) -> Path | None:
    """The load generator (wrk, else Python) and the peer (Prism, else skipped)."""
    args = session.args
    if args.generator != "python":
        session.wrk, why = ensure_wrk(session.say)
        if session.wrk is None:
            if args.generator == "wrk":
                raise SystemExit(f"--generator wrk: {why}")
            session.skip(f"wrk: {why}; the Python asyncio generator drives the rows instead")
    if session.wrk:
        session.results["generator"] = wrk_version(session.wrk)
    else:
        session.results["generator"] = "python asyncio (raw HTTP/1.1)"
        session.note(
            "The Python generator is one process: at 64 connections it may find its own "
            "limit before the server's."
        )
    prism, why = (None, "--no-prism") if args.no_prism else ensure_prism(session.say)
    if prism is None:
        session.skip(f"Prism: {why}")
    session.results["machine"]["prism"] = prism_version() if prism else None
    session.results["machine"]["node"] = node_version() if prism else None
    if GRANIAN in args.asgi and not granian_available():
        args.asgi = [asgi for asgi in args.asgi if asgi != GRANIAN]
        session.skip("granian: not installed (pip install granian to measure the apps on it)")
    session.results["machine"]["granian"] = granian_version() if GRANIAN in args.asgi else None
    return prism


def _memory(session: Session, probe: MemoryProbe) -> dict[str, Any]:
    promoted = probe.promote()  # nothing is timed any more
    if probe.reached < probe.executions:
        remaining = max(session.deadline - 2 - time.perf_counter(), 0)
        session.say(
            f"memory probe at {probe.reached:,} of {probe.executions:,} executions; "
            f"waiting up to {remaining:.0f} s at normal priority ..."
        )
    finished = probe.wait(session.deadline - 2)
    probe.stop()
    if not finished:
        session.note(
            f"The memory probe reached {probe.reached:,} of {probe.executions:,} executions "
            f"in the time budget (--budget {session.args.budget:g} s); pass "
            "--memory-executions or --budget to change that."
        )
    return probe.summary(finished, promoted)


def _measure(session: Session, rows: list[Row], prism: Path | None) -> None:
    """Every measurement, every process stopped at the end whatever happens."""
    args = session.args
    probe = MemoryProbe(
        args.memory_executions,
        args.memory_every,
        args.memory_asgi_every,
        session.logs / "memory_probe.log",
    )
    served: list[Served] = []
    try:
        probe.start()
        session.say(f"memory probe started ({args.memory_executions:,} executions, idle priority)")
        session.say(f"start-up, {args.startup_samples} samples ...")
        session.results["startup"] = measure_startup(session.logs, args.startup_samples)
        session.say(f"  median {session.results['startup']['median_ms']:.0f} ms")
        answers = run_mock_rows(session, rows, served)
        scaling = [row for row in rows if row.server.endswith(("memory", "redis"))]
        run_scaling_rows(session, scaling, served)
        if prism is not None:
            run_prism_rows(session, rows, served, prism)
        for asgi in args.asgi:
            if asgi != UVICORN:
                run_asgi_rows(session, rows, served, answers, asgi)
        sizes = ", ".join(f"{size:,}" for size in args.engine_sizes)
        session.say(f"engine alone at {sizes} documents ...")
        with probe.paused():  # the engine alone: no other process on the machine's caches
            session.results["engine"] = measure_in_subprocess(
                args.engine_sizes, args.engine_seconds, REPO
            )
        session.results["engine"]["memory_probe"] = "paused (SIGSTOP) while the engine was timed"
        session.results["memory"] = _memory(session, probe)
    finally:
        probe.stop()
        for process in served:
            process.stop()


def _finish(session: Session, rows: list[Row], meter: CpuMeter) -> None:
    """Ratios, targets, and the three files; the Markdown is printed too."""
    results = session.results
    add_ratios(rows)
    others = meter.others_share(time.perf_counter() - session.began)
    results["machine"]["others_cpu_share"] = others
    if others is not None and others >= OTHERS_NOTE_SHARE:
        session.note(
            f"Other processes used {others:.0%} of the machine's CPU time during the run: "
            "the figures are lower and noisier than on an idle machine."
        )
    results["rows"] = [row.as_dict() for row in rows]
    results["strict_cost"] = strict_cost(rows)
    results["asgi_comparison"] = asgi_comparison(rows)
    results["elapsed_s"] = time.perf_counter() - session.began
    results["targets"] = [target.as_dict() for target in evaluate(results)]
    markdown = report.render_markdown(results)
    files = [report.write_json(results, session.out / "bench.json"), session.out / "bench.md"]
    files[1].write_text(markdown)
    title = f"mock vs ceiling vs prism - {results['machine']['cores']} cores, 127.0.0.1"
    png = chart.render_chart(results["rows"], title, session.out / "bench.png")
    files += [png] if png else []
    if png is None and results["rows"]:
        print(
            "No chart: matplotlib is not installed "
            '(pip install "mixpeek-retriever-toolkit[bench]", or make install).',
            file=sys.stderr,
        )
    print(markdown)
    for target in results["targets"]:
        if target["met"] is False:
            print(
                f"TARGET NOT MET: {target['name']}: {target['figure']} (wanted {target['wanted']})"
            )
    shown = ", ".join(str(p.relative_to(REPO) if p.is_relative_to(REPO) else p) for p in files)
    print(f"\nWrote {shown} in {results['elapsed_s']:.0f} s (process logs: {session.logs}).")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    meter = CpuMeter()
    out = args.out.resolve()
    session = Session(args, out, out / "bench-logs")
    session.logs.mkdir(parents=True, exist_ok=True)
    session.results.update(
        started_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        machine=machine_info(),
        config=_config(args),
    )
    prism = _tools(session)
    busy = busy_warning(session.results["machine"])
    if busy:
        session.note(busy)
        session.say(busy)
    rows = plan_rows(
        args.connections, args.top_k, with_prism=prism is not None, asgi_servers=args.asgi
    )
    rows += plan_scaling_rows(args.connections)
    _measure(session, rows, prism)
    _finish(session, rows, meter)
    return 0


if __name__ == "__main__":
    sys.exit(main())
