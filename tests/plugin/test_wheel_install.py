"""Installing the built wheel makes the fixtures available to a project outside this repo.

The wheel is built with ``python -m build``, installed with ``pip --no-deps --no-index``
into a fresh virtual environment (no pip of its own), whose dependencies come from this
repository's environment through a ``.pth`` line (no dependency is downloaded). The outside
project then runs pytest with ``mixpeek_mock`` and never sees this source tree.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

OUTSIDE_TEST = """
import mixpeek_toolkit.mockserver.testing.plugin as plugin


def test_the_installed_plugin_serves_a_mock(mixpeek_mock):
    response = mixpeek_mock.client.post(
        "/v1/retrievers/ret_product_search/execute", json={"inputs": {"query": "headphones"}}
    )
    assert response.status_code == 200
    mixpeek_mock.assert_executed("ret_product_search", times=1)


def test_the_plugin_comes_from_the_wheel():
    print("PLUGIN FILE", plugin.__file__)
"""


def run(*command: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result


def test_the_wheel_brings_the_fixtures_to_an_outside_project(tmp_path):
    dist, venv, project = tmp_path / "dist", tmp_path / "venv", tmp_path / "outside"
    # With hatchling in this environment the build needs no network; otherwise `build`
    # fetches it (pinned by pyproject's build-system) from the package index.
    offline = ("--no-isolation",) if importlib.util.find_spec("hatchling") else ()
    run(sys.executable, "-m", "build", "--wheel", *offline, "--outdir", dist, REPO, cwd=REPO)
    [wheel] = dist.glob("*.whl")

    run(sys.executable, "-m", "venv", "--without-pip", venv)
    fresh_python = venv / "bin" / "python"
    fresh_site = Path(
        run(
            fresh_python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"
        ).stdout.strip()
    )
    # Dependencies (pytest, starlette, uvicorn...) from this environment; .pth files in that
    # directory are not processed, so this repository's editable install stays out.
    (fresh_site / "toolkit_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run(
        sys.executable, "-m", "pip", "--python", fresh_python, "install",
        "--no-deps", "--no-index", "--quiet", "--disable-pip-version-check", wheel,
    )  # fmt: skip

    project.mkdir()
    (project / "pytest.ini").write_text("[pytest]\nfilterwarnings = error\n")
    (project / "test_outside.py").write_text(OUTSIDE_TEST)
    result = run(fresh_python, "-m", "pytest", "-p", "no:cacheprovider", "-s", "-q", cwd=project)

    assert "2 passed" in result.stdout
    plugin_file = next(
        line.split(" ", 2)[2] for line in result.stdout.splitlines() if "PLUGIN FILE" in line
    )
    assert Path(plugin_file).is_relative_to(fresh_site), plugin_file
