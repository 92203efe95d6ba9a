"""The bench's two apps served by granian instead of uvicorn: the mock and the ceiling.

granian (a Rust HTTP server, ``pip install granian``) imports its application in its
worker process, so the apps are factories that read what they serve from the
environment. The mock runs exactly as ``python -m mixpeek_toolkit.mockserver.serve``
runs it (:mod:`mixpeek_toolkit.mockserver.serve`: the ``mixpeek-mock`` flags in
``MIXPEEK_MOCK_FLAGS``); :func:`ceiling` serves the answers named in
``BENCH_CEILING_BODIES`` (a JSON object ``{"top_k": "path"}``), with the same granian
options (one worker, HTTP/1.1, no websockets).
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from mixpeek_toolkit.mockserver.serve import FLAGS_VARIABLE, granian_command

__all__ = ["available", "ceiling", "ceiling_command", "granian_version", "mock_command"]

CEILING_BODIES = "BENCH_CEILING_BODIES"


def available() -> bool:
    return importlib.util.find_spec("granian") is not None


def granian_version() -> str | None:
    try:
        return metadata.version("granian")
    except metadata.PackageNotFoundError:
        return None


def ceiling() -> Any:
    """The ceiling app, answering the files named in ``BENCH_CEILING_BODIES``."""
    from .ceiling import ceiling_app

    bodies = json.loads(os.environ[CEILING_BODIES])
    return ceiling_app({int(top_k): Path(path).read_bytes() for top_k, path in bodies.items()})


def mock_command(flags: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """The command and environment serving the mock with ``flags`` on granian."""
    return granian_command(flags), {**os.environ, FLAGS_VARIABLE: json.dumps(list(flags))}


def ceiling_command(
    host: str, port: int, bodies: dict[int, Path]
) -> tuple[list[str], dict[str, str]]:
    """The command and environment serving the ceiling with ``bodies`` on granian."""
    command = granian_command(["--host", host, "--port", str(port)])
    command[-1] = f"{__name__}:ceiling"
    environment = {
        **os.environ,
        CEILING_BODIES: json.dumps({str(k): str(v) for k, v in bodies.items()}),
    }
    return command, environment
