"""``mixpeek-mock`` / ``python -m mixpeek_toolkit.mockserver``: serve the mock with uvicorn.

The flags are derived from the :class:`~.settings.Settings` fields, one flag per field:
``--`` + the field name with ``_`` as ``-`` (unless the field's metadata names another
flag), read according to the field's type, with the help its metadata gives. Only
``--log-level`` (uvicorn's, not a setting) is written by hand. The start-up line says
where the mock listens and gives a first curl command to try (never a configured key).

Bugs of the mock (:mod:`.bugs`) are logged on stderr with their traceback. Listening on
anything but a loopback address with an open control API prints a warning on stderr.
"""

from __future__ import annotations

import argparse
import dataclasses
import ipaddress
import logging
import sys
import time
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .bugs import LOGGER_NAME
from .settings import Settings
from .workers import check_workers, serve_workers

__all__ = [
    "banner",
    "build_parser",
    "exposure_warning",
    "flag_of",
    "log_to",
    "main",
    "settings_from_args",
]

SAMPLE_KEY = "sk_test_local"
CONFIGURED_KEY = "$MIXPEEK_API_KEY"
"""What the banner shows in place of a configured key: keys are never printed."""
LOCAL_HOSTS = frozenset({"localhost"})
SAMPLE_NAMESPACE = "my-namespace"
PLAIN_TYPES = (int, float, str, Path)


def flag_of(setting: dataclasses.Field[Any]) -> str:
    """The command-line flag of a Settings field: its ``flag`` metadata, else ``--kebab-name``."""
    return setting.metadata.get("flag") or "--" + setting.name.replace("_", "-")


def _without_none(annotation: Any) -> Any:
    """``X`` for ``X | None`` (the flag is then optional, default None); else the annotation."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        rest = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(rest) == 1:
            return rest[0]
    return annotation


def _shown(default: Any) -> str:
    """A default as ``--help`` shows it: ``on``/``off`` for a switch, else the value."""
    if isinstance(default, bool):
        return "on" if default else "off"
    return str(default)


def _argument(setting: dataclasses.Field[Any], annotation: Any) -> dict[str, Any]:
    """The ``add_argument`` keywords of one Settings field: from its type, default and help."""
    value_type = _without_none(annotation)
    help_text = setting.metadata.get("help", "").strip()
    if not help_text:
        raise TypeError(
            f"Settings.{setting.name} has no help: declare it with field(..., metadata=doc(...))."
        )
    options: dict[str, Any] = {"dest": setting.name, "default": setting.default}
    if value_type is bool:
        options["action"] = argparse.BooleanOptionalAction
    elif typing.get_origin(value_type) is typing.Literal:
        options["choices"] = typing.get_args(value_type)
    elif typing.get_origin(value_type) is frozenset and typing.get_args(value_type) == (str,):
        options.update(action="append", default=list(setting.default))
        help_text += " Repeatable."
    elif isinstance(value_type, type) and issubclass(value_type, PLAIN_TYPES):
        options["type"] = value_type  # a subclass (settings.StoreUrl) checks the text itself
    else:
        raise TypeError(
            f"Settings.{setting.name} is a {annotation!r}: the command line reads int, float, "
            "str, Path, bool, Literal, frozenset[str] and X | None; add its type to cli._argument."
        )
    if "choices" not in options and value_type is not bool:
        options["metavar"] = flag_of(setting).lstrip("-").replace("-", "_").upper()
    if setting.default is not None and setting.default != frozenset():
        help_text += f" (default: {_shown(setting.default)})"
    options["help"] = help_text.replace("%", "%%")
    return options


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``mixpeek-mock``: one flag per Settings field, and ``--log-level``."""
    parser = argparse.ArgumentParser(
        prog="mixpeek-mock",
        description="Stateful mock of the Mixpeek retriever execution API (see docs/mockserver.md).",
        epilog="Each flag but --log-level sets the Settings field of the same name.",
    )
    annotations = typing.get_type_hints(Settings)
    for setting in dataclasses.fields(Settings):
        parser.add_argument(flag_of(setting), **_argument(setting, annotations[setting.name]))
    parser.add_argument(
        "--log-level", default="warning", help="uvicorn's log level (default: warning)"
    )
    return parser


def settings_from_args(args: argparse.Namespace) -> Settings:
    """The Settings the parsed flags describe; an invalid value raises ``ValueError``."""
    return Settings(
        **{item.name: getattr(args, item.name) for item in dataclasses.fields(Settings)}
    )


def banner(
    settings: Settings, retriever_id: str, elapsed_s: float, *, port: int | None = None
) -> str:
    """What the mock prints once it listens (``port``: the bound one, when it was 0)."""
    base = f"http://{settings.host}:{port or settings.port}"
    key = CONFIGURED_KEY if settings.api_keys else SAMPLE_KEY
    namespace = sorted(settings.namespaces)[0] if settings.namespaces else SAMPLE_NAMESPACE
    if not settings.control_api:
        control = "Control API: off"
    elif settings.control_token is not None:
        control = f"Control API (token required): {base}/_mock/health, {base}/_mock/world"
    else:
        control = f"Control API: {base}/_mock/health, {base}/_mock/world"
    return (
        f"Mixpeek mock listening on {base} (seed {settings.seed}, ready in {elapsed_s * 1000:.0f} ms)\n"
        f"{control}\n"
        "Try:\n"
        f"  curl -s -X POST {base}/v1/retrievers/{retriever_id}/execute \\\n"
        f"    -H \"Authorization: Bearer {key}\" -H 'X-Namespace: {namespace}' \\\n"
        '    -H \'Content-Type: application/json\' -d \'{"inputs": {"query": "espresso machine"}}\'\n'
    )


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (127.0.0.0/8, ::1, localhost)."""
    if host.lower() in LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def exposure_warning(settings: Settings) -> str | None:
    """One sentence when the mock listens beyond this machine with an open control API."""
    if is_loopback(settings.host) or not settings.control_api or settings.control_token:
        return None
    return (
        f"Warning: the mock listens on {settings.host}, beyond this machine, and its control "
        "API (/_mock/: reset, world, journal) is open to anyone who can reach it; protect it "
        "with --control-token TOKEN or turn it off with --no-control-api."
    )


def log_to(stream: typing.TextIO) -> logging.Handler:
    """Print the mock's own log (bugs, with their traceback) on ``stream``."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s: %(message)s"))
    logging.getLogger(LOGGER_NAME).addHandler(handler)
    return handler


def main(argv: Sequence[str] | None = None) -> int:
    started = time.perf_counter()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = settings_from_args(args)
        check_workers(settings)
        if settings.shared:
            from .shared import connection  # noqa: F401  (says which extra brings redis)
    except (ValueError, ImportError) as problem:
        parser.error(str(problem))
    warning = exposure_warning(settings)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    if settings.workers > 1:
        print(
            f"Mixpeek mock: starting {settings.workers} workers on "
            f"http://{settings.host}:{settings.port}, sharing the state in {settings.store} "
            f"(key prefix {settings.redis_prefix!r})",
            flush=True,
        )
        serve_workers(settings, args.log_level)
        return 0
    import uvicorn

    from .app import create_app
    from .serving import uvicorn_config

    app = create_app(settings)
    template = app.state.mock.namespaces.template
    retriever_id = template.retrievers[0].retriever_id if template.retrievers else "ret_example"
    config = uvicorn_config(app, host=settings.host, port=settings.port, log_level=args.log_level)
    server = uvicorn.Server(config)
    original_startup = server.startup

    async def startup(sockets=None):
        await original_startup(sockets=sockets)
        if server.started:
            elapsed = time.perf_counter() - started
            print(banner(settings, retriever_id, elapsed, port=_bound_port(server)), flush=True)

    server.startup = startup  # type: ignore[method-assign]
    handler = log_to(sys.stderr)
    try:
        server.run()
    finally:
        logging.getLogger(LOGGER_NAME).removeHandler(handler)
    return 0 if server.started else 1


def _bound_port(server: typing.Any) -> int | None:
    """The port uvicorn listens on (the one the system chose for ``--port 0``)."""
    for listener in getattr(server, "servers", []):
        for sock in listener.sockets:
            return sock.getsockname()[1]
    return None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
