"""The spec and the mock agree under upstream Schemathesis, run as a user runs it.

`schemathesis run spec/openapi.yaml --checks all` (the CLI from this environment, not our
runner, so none of our tuning: no steering, no extra accepted statuses, no custom checks)
against a live mock in strict mode must find nothing. A failure here is either a spec that
claims what the mock does not do, or a mock that answers what the spec does not allow.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from mixpeek_toolkit.mockserver import Settings
from mixpeek_toolkit.mockserver.testing import MockServer
from tests.upstream_cli import schemathesis_run


@pytest.mark.timeout(600)
def test_upstream_schemathesis_with_every_check_finds_nothing_on_the_mock(tmp_path: Path) -> None:
    settings = Settings(strict=True, rate_limit=1_000_000, seed=11)
    with MockServer(settings) as server:
        result = subprocess.run(
            schemathesis_run(
                server.base_url,
                namespace="upstream",
                api_key="sk_test_x",
                seed=1,
                options=["--max-examples", "10"],
            ),
            cwd=tmp_path,  # it writes .schemathesis/ and .hypothesis/ where it runs
            capture_output=True,
            text=True,
            timeout=540,
        )

    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-4000:]
    assert "No issues found" in result.stdout
