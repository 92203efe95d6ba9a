"""Start-up: from spawning ``python -m mixpeek_toolkit.mockserver`` to its first 200 on execute."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .servers import answers_200, free_port, mock_command, spawn
from .stats import median
from .workload import execute

__all__ = ["measure_startup"]


def measure_startup(log_dir: Path, samples: int = 3) -> dict[str, Any]:
    """Start the mock ``samples`` times, each time polling (every 5 ms) ``POST execute``
    until it answers 200, then stop it. Times in milliseconds."""
    times_ms = []
    probe = answers_200(execute(10))
    for index in range(samples):
        port = free_port()
        served = spawn(f"startup-{index}", mock_command(port), port, log_dir, probe, timeout_s=20)
        try:
            times_ms.append(served.ready_s * 1000)
        finally:
            served.stop()
    return {
        "samples_ms": times_ms,
        "median_ms": median(times_ms),
        "max_ms": max(times_ms),
        "measured": "spawn of python -m mixpeek_toolkit.mockserver to the first 200 of "
        "POST execute (polled every 5 ms)",
    }
