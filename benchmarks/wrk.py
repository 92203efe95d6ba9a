"""wrk, the load generator: found, installed from Debian's packages when missing, and run.

:func:`ensure_wrk` answers the path of ``wrk``, installing it with ``apt-get`` when we
are root (``apt-get update`` first only if the plain install fails), or None with the
reason. :func:`run_wrk` drives one :class:`~benchmarks.workload.Workload` through
``wrk_request.lua`` and parses the line that script prints when the run is done.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from .stats import LoadResult
from .workload import Workload

__all__ = ["ensure_wrk", "parse_wrk_output", "run_wrk", "wrk_version"]

SCRIPT = Path(__file__).with_name("wrk_request.lua")
RESULT_MARK = "BENCH_RESULT "
APT_TIMEOUT_S = 180


def _apt(*args: str) -> bool:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        done = subprocess.run(
            ["apt-get", *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=APT_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def ensure_wrk(say=print) -> tuple[str | None, str | None]:
    """``(path, None)`` when wrk is there (installed now if need be), else ``(None, why)``."""
    found = shutil.which("wrk")
    if found:
        return found, None
    if os.geteuid() != 0:
        return None, "wrk is not installed and we are not root (apt-get install wrk)"
    if shutil.which("apt-get") is None:
        return None, "wrk is not installed and there is no apt-get"
    say("wrk is missing: apt-get install -y wrk ...")
    if not _apt("install", "-y", "--no-install-recommends", "wrk"):
        say("  apt-get install failed: apt-get update, then again ...")
        if not (_apt("update") and _apt("install", "-y", "--no-install-recommends", "wrk")):
            return None, "apt-get install wrk failed"
    found = shutil.which("wrk")
    return (found, None) if found else (None, "apt-get installed no wrk on the PATH")


def wrk_version(wrk: str) -> str:
    try:
        done = subprocess.run([wrk, "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    first = (done.stdout or done.stderr).strip().splitlines()
    return first[0].split(" Copyright")[0] if first else "unknown"


def parse_wrk_output(output: str) -> dict[str, float]:
    """The figures ``wrk_request.lua`` printed (its last ``BENCH_RESULT`` line)."""
    lines = [line for line in output.splitlines() if line.startswith(RESULT_MARK)]
    if not lines:
        raise ValueError(f"wrk printed no {RESULT_MARK.strip()} line:\n{output[-2000:]}")
    return json.loads(lines[-1][len(RESULT_MARK) :])


def to_load_result(figures: dict[str, float]) -> LoadResult:
    errors = sum(
        int(figures[name])
        for name in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
    )
    return LoadResult(
        requests=int(figures["requests"]),
        seconds=figures["duration_us"] / 1e6,
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        errors=errors,
        generator="wrk",
        detail={k: v for k, v in figures.items() if k not in ("requests", "duration_us")},
    )


def run_wrk(
    wrk: str,
    base_url: str,
    workload: Workload,
    *,
    connections: int,
    duration_s: float,
    threads: int,
    timeout_s: float = 10.0,
) -> LoadResult:
    """Drive ``workload`` with ``connections`` keep-alive connections for ``duration_s``."""
    threads = max(1, min(threads, connections))
    env = {
        **os.environ,
        "BENCH_METHOD": workload.method,
        "BENCH_PATH": workload.path,
        "BENCH_BODY": workload.body or "",
        "BENCH_VARY_QUERY": "1" if workload.vary_query else "0",
        "BENCH_HEADERS": "\n".join(f"{k}: {v}" for k, v in workload.all_headers().items()),
    }
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration_s))}s",
        f"--timeout={max(1, round(timeout_s))}s",
        "-s",
        str(SCRIPT),
        base_url + workload.path,
    ]
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=duration_s + timeout_s + 30
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return to_load_result(parse_wrk_output(done.stdout))
