"""``make soak``: the reliability checks at length, bounded in time, on 127.0.0.1 only.

Three runs, each against its own live mock (uvicorn in a thread, strict mode):

1. **upstream fuzzing**: the ``schemathesis run`` CLI of this environment over the spec,
   every check, positive and negative generation, the examples, coverage, fuzzing and
   stateful phases, fuzzing and stateful runs repeated for ``--fuzz-seconds`` (thousands
   of cases). Its one setting: schema-valid requests may be
   refused with 400 (a forged cursor) or 422 (a filter operand its operator cannot
   compare, a required retriever input), which JSON Schema cannot rule out, exactly as
   the contract suite allows (``contracts/target.py``).
2. **long load**: ``load.run_load`` with 64 clients and 150 operations each.
3. **long property runs**: the Hypothesis properties of ``tests/reliability`` with
   ``RELIABILITY_FUZZ_SCALE`` times their examples.

It passes (exit 0) only with zero failures, zero server errors (the journal of every
mock), zero bugs recorded by the mocks and zero load violations, and prints the
figures (also written to ``reports/soak.json``)::

    python -m tests.reliability.soak [--fuzz-seconds 120] [--operations 200] [--fuzz-scale 3]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from mixpeek_toolkit.mockserver import Settings
from mixpeek_toolkit.mockserver.testing import MockServer
from tests.reliability.load import run_load
from tests.upstream_cli import schemathesis_run

ROOT = Path(__file__).resolve().parents[2]
UPSTREAM_CONFIG = """\
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "422", "429", "5xx"]
"""
FUZZ_MODULES = [
    "tests/reliability/test_fuzz_request_parsing.py",
    "tests/reliability/test_fuzz_filters.py",
    "tests/reliability/test_fuzz_cursors.py",
    "tests/reliability/test_fuzz_prefer.py",
]
STEP_TIMEOUT_S = 240


@dataclass
class Step:
    name: str
    ok: bool = False
    seconds: float = 0.0
    figures: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _journal_statuses(server: MockServer) -> Counter:
    entries = httpx.get(
        f"{server.base_url}/_mock/journal", params={"limit": 100_000}, timeout=60
    ).json()["entries"]
    return Counter(entry["status_code"] for entry in entries)


def _server_problems(server: MockServer, statuses: Counter) -> list[str]:
    problems = [f"{n} answers {code}" for code, n in statuses.items() if code and code >= 500]
    problems += [f"bug in the mock: {type(e).__name__}: {e}" for e in server.errors.take()]
    return problems


def upstream_fuzzing(examples: int, seconds: int, seed: int) -> Step:
    step = Step("upstream schemathesis run")
    settings = Settings(seed=seed, strict=True, rate_limit=10**9, journal_size=100_000)
    started = time.perf_counter()
    with MockServer(settings) as server, tempfile.TemporaryDirectory() as workdir:
        config = Path(workdir, "schemathesis.toml")
        config.write_text(UPSTREAM_CONFIG)
        command = schemathesis_run(
            server.base_url,
            namespace="soak",
            api_key="sk_test_soak",
            seed=seed,
            config=config,
            options=[
                "--mode", "all",
                "--phases", "examples,coverage,fuzzing,stateful",
                "--max-examples", str(examples),
                "--max-time", str(seconds),
                "--workers", "2",
            ],
        )  # fmt: skip
        try:
            result = subprocess.run(
                command, cwd=workdir, capture_output=True, text=True, timeout=seconds + 120
            )
        except subprocess.TimeoutExpired as late:
            result = subprocess.CompletedProcess(command, -1, str(late.stdout or ""), "")
            step.problems.append(f"schemathesis did not stop within {seconds + 120} s")
        statuses = _journal_statuses(server)
        step.problems += _server_problems(server, statuses)
    step.seconds = time.perf_counter() - started
    generated = re.search(r"(\d+) generated", result.stdout)
    step.figures = {
        "cases": int(generated.group(1)) if generated else None,
        "requests answered": sum(statuses.values()),
        "answers by status": dict(sorted(statuses.items(), key=lambda kv: str(kv[0]))),
        "exit code": result.returncode,
    }
    if result.returncode != 0:
        step.problems.append("schemathesis found failures:\n" + result.stdout[-6_000:])
    step.ok = not step.problems
    return step


def long_load(clients: int, operations: int, namespaces: int, seed: int) -> Step:
    step = Step("concurrent load")
    credits = 105.0  # busy namespaces (3 clients) run out, quiet ones (1 client) do not
    settings = Settings(
        seed=seed,
        strict=True,
        rate_limit=10**9,
        in_flight_rate=0.5,
        failure_rate=0.1,
        degraded_rate=0.1,
        credits_per_namespace=credits,
        max_executions=100_000,
        journal_size=100_000,
    )
    started = time.perf_counter()
    with MockServer(settings) as server:
        report = run_load(
            server.base_url,
            clients=clients,
            operations=operations,
            namespaces=namespaces,
            credits_per_namespace=credits,
            seed=seed,
        )
        step.problems = _server_problems(server, _journal_statuses(server)) + report.violations
    step.seconds = time.perf_counter() - started
    left = [remaining for remaining, _ in report.budgets.values()]
    step.figures = {
        "clients": clients,
        "operations per client": operations,
        "requests": report.requests,
        "executions": report.executions,
        "reads": report.reads,
        "cross-namespace reads (all 404)": report.foreign_reads,
        "requests per second": round(report.requests / report.seconds),
        "final statuses": dict(report.statuses),
        "executions refused for budget": report.budget_exhausted,
        "namespaces out of budget": sum(1 for value in left if value == 0),
        "violations": len(report.violations),
    }
    step.ok = not step.problems
    return step


def long_properties(scale: int) -> Step:
    step = Step(f"Hypothesis properties x{scale}")
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-n",
            "2",
            "--hypothesis-show-statistics",
            *FUZZ_MODULES,
        ],
        cwd=ROOT,
        env={**os.environ, "RELIABILITY_FUZZ_SCALE": str(scale)},
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT_S,
    )
    step.seconds = time.perf_counter() - started
    passing = [int(n) for n in re.findall(r"(\d+) passing, \d+ failing", result.stdout)]
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    step.figures = {"inputs tried": sum(passing), "properties": len(passing), "pytest": summary}
    if result.returncode != 0:
        step.problems.append(result.stdout[-6_000:] + result.stderr[-2_000:])
    step.ok = not step.problems
    return step


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.reliability.soak", description=__doc__)
    parser.add_argument("--examples", type=int, default=200, help="schemathesis max-examples")
    parser.add_argument(
        "--fuzz-seconds", type=int, default=120, help="schemathesis --max-time: it fuzzes that long"
    )
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--operations", type=int, default=150, help="operations per client")
    parser.add_argument("--namespaces", type=int, default=32)
    parser.add_argument("--fuzz-scale", type=int, default=3, help="multiplies each property")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--report", type=Path, default=ROOT / "reports" / "soak.json")
    args = parser.parse_args(argv)

    steps = []
    for run in (
        lambda: upstream_fuzzing(args.examples, args.fuzz_seconds, args.seed),
        lambda: long_load(args.clients, args.operations, args.namespaces, args.seed),
        lambda: long_properties(args.fuzz_scale),
    ):
        step = run()
        steps.append(step)
        mark = "ok" if step.ok else "FAILED"
        print(f"\n== {step.name}: {mark} in {step.seconds:.0f} s", flush=True)
        for name, value in step.figures.items():
            print(f"   {name}: {value}", flush=True)
        for problem in step.problems:
            print(f"   PROBLEM: {problem}", flush=True)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps([asdict(s) for s in steps], indent=2, default=str))
    total = sum(s.seconds for s in steps)
    failed = [s.name for s in steps if not s.ok]
    print(f"\nsoak: {'FAILED: ' + ', '.join(failed) if failed else 'all held'} ({total:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
