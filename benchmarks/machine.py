"""What the figures were measured on: CPU, cores, load, Python and the server's libraries."""

from __future__ import annotations

import os
import platform
import resource
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = ["CpuMeter", "busy_warning", "machine_info"]

#: A machine whose load average per core is at least this before the run is "busy".
BUSY_LOAD_PER_CORE = 0.25


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def machine_info() -> dict[str, Any]:
    try:
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        load = "unknown"
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "load_average": load,
        "platform": platform.platform(),
        "python": platform.python_version(),
        **{
            name: _version(name)
            for name in ("uvicorn", "starlette", "pydantic", "h11", "httptools", "uvloop")
        },
    }


def busy_warning(machine: dict[str, Any]) -> str | None:
    """A warning when other work already loads the machine: every figure suffers then."""
    try:
        load = float(str(machine.get("load_average", "")).split(",")[0])
    except ValueError:
        return None
    cores = machine.get("cores") or 1
    if load < BUSY_LOAD_PER_CORE * cores:
        return None
    return (
        f"The machine was busy before the run (load average {load:.2f} on {cores} cores): "
        "other processes took CPU time from the servers and the load generator, so the "
        "figures are lower and noisier than on an idle machine."
    )


def _machine_busy_s() -> float | None:
    """CPU seconds all processes have used since boot (every core), from /proc/stat."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except (OSError, IndexError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _own_s() -> float:
    """CPU seconds of this process and of its children that ended (all of the bench's)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class CpuMeter:
    """How much CPU other processes took while the bench ran: the machine's busy time
    less the bench's own (its processes are all waited for before :meth:`others_share`)."""

    def __init__(self) -> None:
        self._busy, self._own = _machine_busy_s(), _own_s()

    def others_share(self, elapsed_s: float) -> float | None:
        """Other processes' CPU time over the machine's (cores x elapsed), 0 to 1."""
        busy = _machine_busy_s()
        if busy is None or self._busy is None or elapsed_s <= 0:
            return None
        others = (busy - self._busy) - (_own_s() - self._own)
        return max(0.0, others / (elapsed_s * (os.cpu_count() or 1)))
