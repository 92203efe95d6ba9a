"""The documented CI recipe works: its steps, run here as GitHub Actions would run them,
start the mock in the background, wait for its health, and pass the example tests."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import yaml

REPO = Path(__file__).resolve().parents[2]
RECIPE = REPO / "examples" / "ci" / "github-actions.yml"
STEPS_RUN_HERE = (
    "Start the mock in the background",
    "Wait until the mock is healthy",
    "Tests against the running mock",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_step(script: str, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_the_github_actions_recipe_runs_the_example_tests_against_a_background_mock(tmp_path):
    job = next(iter(yaml.safe_load(RECIPE.read_text())["jobs"].values()))
    steps = {step.get("name"): step.get("run") for step in job["steps"]}
    port = free_port()
    environment = {
        **os.environ,
        **{key: str(value) for key, value in job["env"].items()},
        "MOCK_PORT": str(port),
        "MOCK_URL": f"http://127.0.0.1:{port}",
        "RUNNER_TEMP": str(tmp_path),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }

    try:
        for name in STEPS_RUN_HERE:
            result = run_step(steps[name], environment)
            assert result.returncode == 0, (
                f"step {name!r} failed:\n{result.stdout}\n{result.stderr}"
            )

        # The target-driven test reached the background mock, in the recipe's namespace.
        journal = httpx.get(f"http://127.0.0.1:{port}/_mock/journal").json()["entries"]
        assert any(
            entry["namespace"] == "ci" and entry["path"].endswith("/execute") for entry in journal
        ), journal
    finally:
        pid_file = tmp_path / "mock.pid"
        if pid_file.exists():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid_file.read_text()), signal.SIGTERM)
