"""generated/models.py is exactly what the pinned generator makes of the spec today.

The models are committed so users can read and import them, and never edited by hand.
When the spec changes and nobody ran `make generate`, this test says so.
"""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = Path(sys.executable).with_name("datamodel-codegen")


def test_the_committed_models_match_a_fresh_generation():
    # `--check` regenerates with the options pinned in pyproject.toml and compares.
    result = subprocess.run(
        [str(GENERATOR), "--check"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, (
        "generated/models.py differs from the spec; run `make generate` and commit.\n"
        + result.stdout[-4000:]
        + result.stderr[-2000:]
    )


def test_the_models_name_the_generator_version_that_made_them():
    header = (ROOT / "generated" / "models.py").read_text().splitlines()[:8]
    assert any(version("datamodel-code-generator") in line for line in header), header
