"""Contract-suite cases per second: the runner (``python -m mixpeek_toolkit.contracts``)
against a running mock, with a fixed example count and seed.

A case is one request the suite sends: the mock's journal numbers every ``/v1``
request it answers (``seq`` never repeats), so the last ``seq`` before and after the run
tells how many the suite sent. The runner's own summary gives the rules checked.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from .servers import REPO
from .workload import API_KEY, RETRIEVER

__all__ = ["last_journal_seq", "measure_contract_speed", "parse_summary"]

SUMMARY = re.compile(r"(\d+) rules checked, (\d+) broken")


def last_journal_seq(base_url: str) -> int:
    entries = httpx.get(f"{base_url}/_mock/journal", params={"limit": 1}, timeout=5).json()
    return entries["entries"][-1]["seq"] if entries["entries"] else 0


def parse_summary(output: str) -> tuple[int, int] | None:
    """``(rules checked, rules broken)`` from the runner's summary, if it printed one."""
    found = SUMMARY.search(output)
    return (int(found.group(1)), int(found.group(2))) if found else None


def measure_contract_speed(
    base_url: str, work_dir: Path, *, max_examples: int, seed: int, timeout_s: float = 150
) -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "mixpeek_toolkit.contracts",
        "--base-url",
        base_url,
        "--api-key",
        API_KEY,
        "--namespace",
        "bench-contracts",
        "--retriever-id",
        RETRIEVER,
        "--max-examples",
        str(max_examples),
        "--seed",
        str(seed),
        "--junit-xml",
        str(work_dir / "contracts.xml"),
        "--quiet",
    ]
    before = last_journal_seq(base_url)
    began = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=timeout_s)
    elapsed = time.perf_counter() - began
    cases = last_journal_seq(base_url) - before
    summary = parse_summary(done.stdout)
    return {
        "cases": cases,
        "seconds": elapsed,
        "cases_per_s": cases / elapsed if elapsed > 0 else 0.0,
        "exit_code": done.returncode,
        "rules_checked": summary[0] if summary else None,
        "rules_broken": summary[1] if summary else None,
        "max_examples": max_examples,
        "seed": seed,
        "measured": "requests the suite sent (the mock's journal seq) over the runner's "
        "wall time, process start-up included",
        "output_tail": (done.stdout + done.stderr)[-600:] if done.returncode else "",
    }
