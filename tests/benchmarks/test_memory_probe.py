"""The memory probe stands still while the engine is timed alone.

At idle priority the probe still takes the core a measurement leaves free, and a share
of the shared cache with it; the engine's largest corpus suffers most, so its growth
looked worse than linear. `make bench` pauses the probe (SIGSTOP) for that phase and
lets it go on afterwards.
"""

from __future__ import annotations

import os

from benchmarks.memory_probe import MemoryProbe


def _wait_for(pid: int, state: int) -> int:
    """Block until the child is reported stopped or continued (no polling, no timing)."""
    found = os.waitid(os.P_PID, pid, state | os.WNOWAIT)
    assert found is not None
    return found.si_code


def test_the_probe_is_stopped_while_paused_and_runs_on_afterwards(tmp_path):
    probe = MemoryProbe(2_000_000, 1_000_000, 10, tmp_path / "probe.log")
    probe.start()
    try:
        pid = probe._process.pid
        with probe.paused():
            assert _wait_for(pid, os.WSTOPPED) == os.CLD_STOPPED
            assert probe._process.poll() is None  # stopped, not ended
        assert _wait_for(pid, os.WCONTINUED) == os.CLD_CONTINUED
        assert probe._process.poll() is None
    finally:
        probe.stop()


def test_pausing_a_probe_that_has_ended_does_nothing(tmp_path):
    probe = MemoryProbe(10, 10, 10, tmp_path / "probe.log")
    with probe.paused():  # never started
        pass
