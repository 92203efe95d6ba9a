"""The upstream ``schemathesis run`` CLI of this environment, as a user runs it on our spec."""

from __future__ import annotations

import sys
from pathlib import Path

from mixpeek_toolkit import spec

__all__ = ["SCHEMATHESIS", "schemathesis_run"]

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def schemathesis_run(
    base_url: str,
    *,
    namespace: str,
    api_key: str,
    seed: int,
    options: list[str],
    config: Path | None = None,
) -> list[str]:
    """``schemathesis run spec/openapi.yaml --checks all`` against ``base_url`` with a key and
    a namespace, seeded and without an example database, plus ``options``."""
    command = [str(SCHEMATHESIS)]
    if config is not None:
        command += ["--config-file", str(config)]
    return [
        *command,
        "run",
        str(spec.OPENAPI_PATH),
        "--url",
        base_url,
        "--checks",
        "all",
        "-H",
        f"Authorization: Bearer {api_key}",
        "-H",
        f"X-Namespace: {namespace}",
        *options,
        "--seed",
        str(seed),
        "--generation-database",
        "none",
        "--no-color",
    ]
