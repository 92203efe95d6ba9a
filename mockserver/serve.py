"""Serve the mock with granian, a Rust HTTP server, instead of uvicorn.

``python -m mixpeek_toolkit.mockserver.serve [mixpeek-mock flags]`` takes the flags of
``mixpeek-mock`` and serves the same app with granian (``pip install granian``): on the
bench's 2-core machine about 1.5-2x the execute throughput at 64 connections, with a
lower p99 (docs/mockserver.md, *Performance*). One granian worker, so all state stays
in one process, as under uvicorn.

granian imports its application in its worker, so the app comes from a factory,
:func:`app_from_flags`, which reads the flags from ``MIXPEEK_MOCK_FLAGS`` (a JSON list)
and builds the app exactly as ``mixpeek-mock`` would. This module never imports granian
itself: it runs ``python -m granian``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections.abc import Sequence

from starlette.applications import Starlette

__all__ = ["FLAGS_VARIABLE", "app_from_flags", "granian_command", "main"]

FLAGS_VARIABLE = "MIXPEEK_MOCK_FLAGS"
"""The environment variable :func:`app_from_flags` reads the ``mixpeek-mock`` flags from."""

APP_TARGET = "mixpeek_toolkit.mockserver.serve:app_from_flags"
"""What granian serves (by this name: run as ``-m``, this module is ``__main__``)."""
_LOG_LEVELS = {"trace": "debug"}  # uvicorn's levels granian lacks


def app_from_flags() -> Starlette:
    """The mock as ``mixpeek-mock`` builds it from the flags in ``MIXPEEK_MOCK_FLAGS``."""
    from .app import create_app
    from .cli import build_parser, settings_from_args

    flags = json.loads(os.environ.get(FLAGS_VARIABLE, "[]"))
    return create_app(settings_from_args(build_parser().parse_args(flags)))


def granian_command(flags: Sequence[str]) -> list[str]:
    """The granian command serving :func:`app_from_flags` where ``flags`` say (host, port,
    log level), with one worker, HTTP/1.1 and no websockets."""
    from .cli import build_parser

    args = build_parser().parse_args(list(flags))
    level = _LOG_LEVELS.get(args.log_level, args.log_level)
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "asgi",
        "--factory",
        "--host",
        args.host,
        "--port",
        str(args.port),
        "--workers",
        "1",
        "--http",
        "1",
        "--no-ws",
        "--log-level",
        level,
        APP_TARGET,
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Check the flags as ``mixpeek-mock`` does (exit 2 on a bad one), then become granian."""
    from .cli import build_parser, settings_from_args

    flags = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    parser.prog = "python -m mixpeek_toolkit.mockserver.serve"
    try:
        settings_from_args(parser.parse_args(flags))
    except ValueError as problem:
        parser.error(str(problem))
    command = granian_command(flags)
    if importlib.util.find_spec("granian") is None:
        print("granian is not installed: pip install granian", file=sys.stderr)
        return 2
    environment = {**os.environ, FLAGS_VARIABLE: json.dumps(flags)}
    os.execve(sys.executable, command, environment)  # never returns


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
