"""The peer: Stoplight Prism serving spec/openapi.yaml in dynamic mode.

``benchmarks/npm/package.json`` pins ``@stoplight/prism-cli`` (its package-lock.json the
whole tree); :func:`ensure_prism` installs it into ``benchmarks/npm/node_modules``
(git-ignored) the first time, with ``npm ci`` from the npm registry. Without node or
npm, or when the install fails, it answers the reason and the bench skips the peer.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from mixpeek_toolkit import spec

__all__ = ["NPM_DIR", "ensure_prism", "node_version", "prism_command", "prism_version"]

NPM_DIR = Path(__file__).with_name("npm")
BIN = NPM_DIR / "node_modules" / ".bin" / "prism"
INSTALL_TIMEOUT_S = 240


def _installed_version() -> str | None:
    manifest = NPM_DIR / "node_modules" / "@stoplight" / "prism-cli" / "package.json"
    try:
        return json.loads(manifest.read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


def _pinned_version() -> str:
    return json.loads((NPM_DIR / "package.json").read_text())["dependencies"][
        "@stoplight/prism-cli"
    ]


def prism_version() -> str | None:
    return _installed_version()


def node_version() -> str | None:
    try:
        done = subprocess.run(["node", "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None


def ensure_prism(say=print) -> tuple[Path | None, str | None]:
    """``(path of prism, None)``, installing the pinned version when missing, or
    ``(None, why)`` when it cannot be had."""
    if BIN.exists() and _installed_version() == _pinned_version():
        return BIN, None
    if shutil.which("node") is None or shutil.which("npm") is None:
        return None, "node and npm are not installed (Debian: apt-get install nodejs npm)"
    verb = "ci" if (NPM_DIR / "package-lock.json").exists() else "install"
    say(f"installing Prism {_pinned_version()} (npm {verb} in {NPM_DIR}) ...")
    try:
        done = subprocess.run(
            ["npm", verb, "--no-audit", "--no-fund", "--prefix", str(NPM_DIR)],
            cwd=NPM_DIR,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_S,
        )
    except (OSError, subprocess.TimeoutExpired) as problem:
        return None, f"npm {verb} of Prism failed: {problem}"
    if done.returncode != 0 or not BIN.exists():
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return None, f"npm {verb} of Prism failed: {' / '.join(tail)}"
    return BIN, None


def prism_command(prism: Path, port: int, host: str = "127.0.0.1") -> list[str]:
    """Prism mocking our spec with generated (dynamic) answers. Its log is silenced (it
    would otherwise write a line per request), which only helps its figures."""
    return [
        str(prism),
        "mock",
        str(spec.OPENAPI_PATH),
        "--dynamic",
        "--host",
        host,
        "--port",
        str(port),
        "--verboseLevel",
        "silent",
    ]
