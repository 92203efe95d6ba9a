"""`make bench` runs from start to end and writes its three reports.

The unit tests beside this one check the harness's parts; this one runs the whole harness
once, shrunk to a fraction of a second per row (one connection, one answer size, the Python
load generator, no peer, a small memory and engine run), so a part that no longer fits the
others fails here rather than in the middle of a five-minute run. It measures nothing:
the figures of such a short run mean nothing, only that every row got one.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TINY_RUN = [
    "--duration", "0.3",
    "--warmup", "0.1",
    "--connections", "1",
    "--top-k", "10",
    "--generator", "python",
    "--asgi", "uvicorn",
    "--no-prism",
    "--startup-samples", "1",
    "--memory-executions", "2000",
    "--memory-every", "1000",
    "--engine-sizes", "1000,2000",
    "--engine-seconds", "0.1",
    "--contract-examples", "0",
    "--budget", "200",
]  # fmt: skip


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, Path]:
    out = tmp_path_factory.mktemp("bench")
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench", *TINY_RUN, "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=400,
    )
    return result, out


def test_a_tiny_bench_run_finishes_and_writes_json_markdown_and_a_chart(bench_run):
    result, out = bench_run
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert {"bench.json", "bench.md", "bench.png"} <= {path.name for path in out.iterdir()}
    assert "# Mock server benchmark" in (out / "bench.md").read_text()


def test_every_row_it_planned_was_measured_or_says_why_not(bench_run):
    result, out = bench_run
    assert result.returncode == 0, result.stderr[-4000:]
    rows = json.loads((out / "bench.json").read_text())["rows"]
    servers = {row["server"] for row in rows}
    assert {"ceiling", "mock", "mock --strict"} <= servers
    if shutil.which("redis-server"):
        assert {"mock 1 worker redis", "mock 2 workers redis"} <= servers
    unmeasured = [row for row in rows if not row.get("rps") and not row.get("skipped")]
    assert unmeasured == []


def test_the_memory_driver_takes_its_fast_path_through_the_executor():
    """Nine executes in ten skip the HTTP edge; if the mock's internals moved, the driver
    falls back to the whole app, at half the pace, and 1,000,000 executions no longer fit
    in the bench's time budget. This says so the day it happens."""
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.memory_driver", "--executions", "300", "--every", "100"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert {"asgi_every": 10} in lines, lines
    checkpoints = [line for line in lines if "executions" in line]
    assert [line["executions"] for line in checkpoints] == [0, 100, 200, 300]
    assert all(line["errors"] == 0 for line in checkpoints), checkpoints
