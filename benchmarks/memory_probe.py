"""Memory after many executions, seen from the bench: :class:`MemoryProbe` runs
``python -m benchmarks.memory_driver`` (the mock app driven in process; see there why and
how) in the background and collects its checkpoints.

HTTP at a few thousand requests a second would need minutes for a million executions,
hence a child driving the app without sockets. It starts in the idle CPU class
(``SCHED_IDLE``): beside the timed measurements it only takes CPU time they leave; once
they are done the bench puts it back in the normal class (:meth:`MemoryProbe.promote`)
and waits for it until the run's time budget is spent.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .servers import REPO
from .stats import rise_after
from .targets import FLAT_FROM

__all__ = ["MemoryProbe"]


class MemoryProbe:
    """The child process, seen from the bench: start, collect checkpoints, stop."""

    def __init__(self, executions: int, every: int, asgi_every: int, log: Path) -> None:
        self.executions = executions
        self.every = every
        self.asgi_every = asgi_every
        self.log = log
        self.checkpoints: list[dict[str, Any]] = []
        self.info: dict[str, Any] = {}
        self._process: subprocess.Popen | None = None
        self._reader: threading.Thread | None = None
        self.started_at = 0.0

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "benchmarks.memory_driver",
            "--executions",
            str(self.executions),
            "--every",
            str(self.every),
            "--asgi-every",
            str(self.asgi_every),
        ]
        self.started_at = time.perf_counter()
        with self.log.open("wb") as errors:
            self._process = subprocess.Popen(
                command,
                cwd=REPO,
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
                start_new_session=True,
            )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        for line in self._process.stdout:
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if "executions" in item:
                self.checkpoints.append(item)
            else:
                self.info.update(item)

    def promote(self) -> bool:
        """Back to the normal CPU class, once nothing else is timed; False if it failed."""
        process = self._process
        if process is None or process.poll() is not None:
            return False
        try:
            os.sched_setscheduler(process.pid, os.SCHED_OTHER, os.sched_param(0))
        except (AttributeError, OSError):
            return False
        return True

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """The child stopped (``SIGSTOP``) for a measurement that needs the machine alone.

        At idle priority it still takes a core the measurement leaves free, and with it
        a share of the shared cache and of the memory bandwidth, which slows a large
        corpus more than a small one. Stopped, it keeps its memory and takes neither.
        """
        process = self._process
        running = process is not None and process.poll() is None
        if running:
            os.killpg(process.pid, signal.SIGSTOP)
        try:
            yield
        finally:
            if running:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGCONT)

    @property
    def reached(self) -> int:
        return self.checkpoints[-1]["executions"] if self.checkpoints else 0

    def wait(self, deadline: float) -> bool:
        """Wait until the child has done every execution or ``deadline`` (perf_counter)
        passes; True when it finished."""
        assert self._process is not None
        while time.perf_counter() < deadline:
            if self._process.poll() is not None:
                break
            time.sleep(0.2)
        if self._reader is not None:
            self._reader.join(timeout=2)
        return self.reached >= self.executions

    def stop(self) -> None:
        """End the child if it still runs, and release its pipe."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        reader = self._reader
        if reader is not None:
            reader.join(timeout=5)
        if process.stdout is not None and not (reader is not None and reader.is_alive()):
            process.stdout.close()

    def summary(self, finished: bool, promoted: bool) -> dict[str, Any]:
        """The figures of the checkpoints: the series, its maximum, its rise from
        FLAT_FROM executions on, and the memory a stored execution takes."""
        checkpoints = self.checkpoints
        if not checkpoints:
            return {"skipped": f"the memory probe reported nothing: {self.log_tail()}"}
        series = [(c["executions"], c["rss_mb"]) for c in checkpoints]
        stored = max(c["stored"] or 0 for c in checkpoints)
        full = next((c for c in checkpoints[1:] if c["stored"] == stored), None)
        per_execution = None
        if full is not None and stored:  # the store's share, and the bounded caches'
            per_execution = (full["rss_mb"] - checkpoints[0]["rss_mb"]) * 1000 / stored
        return {
            "target_executions": self.executions,
            "reached": self.reached,
            "finished": finished,
            "seconds": time.perf_counter() - self.started_at,
            "checkpoints": checkpoints,
            "max_rss_mb": max(value for _, value in series),
            "rise_after_flat_from_mb": rise_after(series, FLAT_FROM),
            "stored": stored,
            "kb_per_stored_execution": per_execution,
            "errors": checkpoints[-1]["errors"],
            **self.info,
            "priority_after_the_timed_phases": "normal" if promoted else self.info.get("priority"),
            "measured": "in process: create_app(Settings(...)) driven without sockets, one "
            "execute in asgi_every through the whole ASGI app, the others through its "
            "executor and answer cache; RSS of that process",
        }

    def log_tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-1000:]
        except OSError:
            return ""
