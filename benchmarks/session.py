"""One bench run's context: its options, its clock, what it found, how it drives load."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .pyload import run_python_load
from .stats import LoadResult
from .workload import Workload
from .wrk import run_wrk

__all__ = ["Session"]


@dataclass
class Session:
    """Options, output folders, the clock (``began``), the results so far, and the load
    generator: wrk when ``wrk`` is its path, else the Python one."""

    args: argparse.Namespace
    out: Path
    logs: Path
    began: float = field(default_factory=time.perf_counter)
    wrk: str | None = None
    results: dict[str, Any] = field(default_factory=dict)

    def say(self, message: str) -> None:
        """Progress, on stderr (stdout gets the report)."""
        print(f"[{time.perf_counter() - self.began:6.1f}s] {message}", file=sys.stderr, flush=True)

    def skip(self, message: str) -> None:
        self.results.setdefault("skipped", []).append(message)
        self.say(f"SKIPPED: {message}")

    def note(self, message: str) -> None:
        self.results.setdefault("notes", []).append(message)

    @property
    def deadline(self) -> float:
        """When (``time.perf_counter``) the whole run must be over: ``--budget``."""
        return self.began + self.args.budget

    def drive(
        self, base_url: str, workload: Workload, connections: int, seconds: float
    ) -> LoadResult:
        if self.wrk:
            return run_wrk(
                self.wrk,
                base_url,
                workload,
                connections=connections,
                duration_s=seconds,
                threads=min(connections, self.args.wrk_threads),
            )
        return run_python_load(base_url, workload, connections=connections, duration_s=seconds)
