"""``mixpeek-mock`` / ``python -m mixpeek_toolkit.mockserver``: serve the mock with uvicorn.

The flags are derived from the :class:`~.settings.Settings` fields, one flag per field:
``--`` + the field name with ``_`` as ``-`` (unless the field's metadata names another
flag), read according to the field's type, with the help its metadata gives. Only
``--log-level`` (uvicorn's, not a setting) is written by hand. The start-up line says
where the mock listens and gives a first curl command to try.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .settings import Settings
from .workers import check_workers, serve_workers

__all__ = ["banner", "build_parser", "flag_of", "main", "settings_from_args"]

SAMPLE_KEY = "sk_test_local"
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


def banner(settings: Settings, retriever_id: str, elapsed_s: float) -> str:
    base = f"http://{settings.host}:{settings.port}"
    key = sorted(settings.api_keys)[0] if settings.api_keys else SAMPLE_KEY
    namespace = sorted(settings.namespaces)[0] if settings.namespaces else SAMPLE_NAMESPACE
    return (
        f"Mixpeek mock listening on {base} (seed {settings.seed}, ready in {elapsed_s * 1000:.0f} ms)\n"
        f"Control API: {base}/_mock/health, {base}/_mock/world\n"
        "Try:\n"
        f"  curl -s -X POST {base}/v1/retrievers/{retriever_id}/execute \\\n"
        f"    -H 'Authorization: Bearer {key}' -H 'X-Namespace: {namespace}' \\\n"
        '    -H \'Content-Type: application/json\' -d \'{"inputs": {"query": "espresso machine"}}\'\n'
    )


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

    app = create_app(settings)
    template = app.state.mock.namespaces.template
    retriever_id = template.retrievers[0].retriever_id if template.retrievers else "ret_example"
    config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level=args.log_level)
    server = uvicorn.Server(config)
    original_startup = server.startup

    async def startup(sockets=None):
        await original_startup(sockets=sockets)
        if server.started:
            print(banner(settings, retriever_id, time.perf_counter() - started), flush=True)

    server.startup = startup  # type: ignore[method-assign]
    server.run()
    return 0 if server.started else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
