"""``mixpeek-mock --workers N --store redis://...`` as a subprocess on a free 127.0.0.1 port.

Started in its own process group and stopped with it (SIGTERM, then SIGKILL after a
bounded wait), so no worker outlives the test. Ready when ``/_mock/health`` answers.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.redis_server import free_port

__all__ = ["ServedMock"]

READY_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 15.0
MOCK = Path(sys.executable).with_name("mixpeek-mock")


class ServedMock:
    def __init__(self, *flags: str, log: Path) -> None:
        self.port = free_port()
        self.flags = flags
        self.log = log
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServedMock:
        command = [str(MOCK), "--host", "127.0.0.1", "--port", str(self.port), *self.flags]
        with self.log.open("wb") as out:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the workers stop with it
            )
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:
            try:
                if httpx.get(f"{self.base_url}/_mock/health", timeout=1.0).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"{' '.join(command)} did not become ready:\n"
                    + self.log.read_text(errors="replace")[-3000:]
                )
            time.sleep(0.05)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(STOP_TIMEOUT_S)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # any worker left behind
        process.wait(STOP_TIMEOUT_S)
