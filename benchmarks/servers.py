"""Processes the bench starts on 127.0.0.1: spawned, waited for, measured, always stopped.

Every process runs in its own session, so :meth:`Served.stop` ends it and whatever it
started (npm's wrapper, node) by its process group, and nothing else.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from .workload import Workload

__all__ = [
    "HOST",
    "REPO",
    "Served",
    "ceiling_command",
    "free_port",
    "mock_command",
    "mock_flags",
    "process_cpu_s",
    "rss_mb",
    "send_once",
    "spawn",
]

HOST = "127.0.0.1"
REPO = Path(__file__).resolve().parents[1]
#: Lifts the rate limit and the budget: a load test meets neither (see mock_command).
LIFTED_RATE_LIMIT = 1_000_000_000
LIFTED_CREDITS = 1_000_000_000_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` in MB (10**6 bytes); NaN when it cannot be read."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        pass
    return float("nan")


def process_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by ``pid`` and its descendants (a server
    and its workers); NaN when it cannot be read. Unlike throughput, the CPU a server
    spends per request hardly depends on what else runs on the machine."""
    total = 0.0
    pending = [pid]
    tick = os.sysconf("SC_CLK_TCK")
    try:
        while pending:
            current = pending.pop()
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
    except (OSError, ValueError, IndexError):
        return float("nan")
    return total


def mock_flags(port: int, *, strict: bool = False, seed: int = 1) -> list[str]:
    """The ``mixpeek-mock`` flags of the bench's mock (see :func:`mock_command`)."""
    return [
        "--host",
        HOST,
        "--port",
        str(port),
        "--seed",
        str(seed),
        "--rate-limit",
        str(LIFTED_RATE_LIMIT),
        "--credits-per-namespace",
        str(LIFTED_CREDITS),
        "--strict" if strict else "--no-strict",
        "--log-level",
        "warning",
    ]


def mock_command(port: int, *, strict: bool = False, seed: int = 1) -> list[str]:
    """The mock as ``mixpeek-mock`` would run it, with the rate limit and budget lifted:
    at the defaults (600 requests a minute, 1,000 credits) a load test meets 429s and
    failed executions within a second, and would measure those instead."""
    return [
        sys.executable,
        "-m",
        "mixpeek_toolkit.mockserver",
        *mock_flags(port, strict=strict, seed=seed),
    ]


def ceiling_command(port: int, bodies: dict[int, Path]) -> list[str]:
    command = [sys.executable, "-m", "benchmarks.ceiling", "--port", str(port)]
    for top_k, path in sorted(bodies.items()):
        command += ["--body", f"{top_k}={path}"]
    return command


def send_once(base_url: str, workload: Workload, timeout_s: float = 5.0) -> httpx.Response:
    """One request of ``workload`` (its first body), for checks before and after a load."""
    with httpx.Client(base_url=base_url, timeout=timeout_s) as client:
        return client.request(
            workload.method,
            workload.path,
            headers=workload.all_headers(),
            content=workload.body_for(0, 1),
        )


@dataclass
class Served:
    """One started process and where it answers."""

    name: str
    process: subprocess.Popen
    base_url: str
    log: Path
    ready_s: float = float("nan")

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        for sig, wait_s in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(timeout=wait_s)
                return
            except subprocess.TimeoutExpired:
                continue

    def log_tail(self, characters: int = 1500) -> str:
        try:
            return self.log.read_text(errors="replace")[-characters:]
        except OSError:
            return ""


def spawn(
    name: str,
    command: list[str],
    port: int,
    log_dir: Path,
    ready: Callable[[str], bool],
    *,
    timeout_s: float = 30.0,
    poll_s: float = 0.005,
    cwd: Path = REPO,
    env: dict[str, str] | None = None,
) -> Served:
    """Start ``command`` and wait until ``ready(base_url)`` is true; ``ready_s`` is the time
    from just before the spawn to that moment. Raises RuntimeError (the process stopped)
    when it exits or is not ready within ``timeout_s``."""
    log = log_dir / f"{name.replace(' ', '_')}.log"
    began = time.perf_counter()
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    served = Served(name, process, f"http://{HOST}:{port}", log)
    try:
        while time.perf_counter() - began < timeout_s:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{served.log_tail()}")
            try:
                if ready(served.base_url):
                    served.ready_s = time.perf_counter() - began
                    return served
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(poll_s)
        raise RuntimeError(f"{name} was not ready within {timeout_s:g} s:\n{served.log_tail()}")
    except BaseException:
        served.stop()
        raise


def _status(base_url: str, workload: Workload) -> int:
    """The status of one request, with the standard library's client: a probe sent every
    few milliseconds must cost next to nothing (an httpx client builds an SSL context)."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=2.0)
    try:
        body = workload.body_for(0, 1)
        connection.request(workload.method, workload.path, body, workload.all_headers())
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def answers_200(workload: Workload) -> Callable[[str], bool]:
    """A readiness check: ``workload`` answers 200 (not just "the port is open")."""
    return lambda base_url: _status(base_url, workload) == 200


def answers_http(path: str, headers: dict[str, str] | None = None) -> Callable[[str], bool]:
    """A readiness check: ``GET path`` gets any HTTP answer."""
    workload = Workload("GET", path, headers=dict(headers or {}))
    return lambda base_url: _status(base_url, workload) > 0
