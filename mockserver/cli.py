"""``python -m mockserver`` / ``mixpeek-mock``: serve the mock with uvicorn.

Every :class:`~mockserver.settings.Settings` field has a flag, derived from the field
itself: its type gives the flag's kind (a number, a choice, a repeatable value, an
on/off switch) and its ``doc(...)`` metadata the help text and, where it differs from
``--`` + the field name, the flag's name. The start-up line says where the mock
listens and gives a first curl command to try.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .settings import Settings

__all__ = ["build_parser", "flag_of", "main", "settings_from_args"]

SAMPLE_KEY = "sk_test_local"
SAMPLE_NAMESPACE = "my-namespace"


def flag_of(setting: dataclasses.Field) -> str:
    """The command-line flag of a ``Settings`` field."""
    return setting.metadata.get("flag") or "--" + setting.name.replace("_", "-")


def _add_setting(
    parser: argparse.ArgumentParser, setting: dataclasses.Field, kind: Any, default: Any
) -> None:
    help_text = setting.metadata.get("help", "")
    flag = flag_of(setting)
    options: dict[str, Any] = {"dest": setting.name, "help": help_text}
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    optional = type(None) in args
    if optional:
        (kind,) = [a for a in args if a is not type(None)]
        origin, args = typing.get_origin(kind), typing.get_args(kind)
    metavar = flag.lstrip("-").replace("-", "_").upper()
    if kind is bool:
        options.update(action=argparse.BooleanOptionalAction, default=default)
    elif origin is frozenset:
        options.update(action="append", default=[], metavar=metavar)
    elif origin is typing.Literal:
        options.update(choices=args, default=default)
        options["help"] += " (default %(default)s)"
    elif kind in (int, float, str, Path):
        options.update(type=kind, default=default, metavar=metavar)
        if default is not None:
            options["help"] += " (default %(default)s)"
    else:  # pragma: no cover - a new kind of setting needs a rule here
        raise TypeError(f"Settings.{setting.name}: no command-line rule for {kind!r}")
    parser.add_argument(flag, **options)


def build_parser() -> argparse.ArgumentParser:
    defaults = Settings()
    kinds = typing.get_type_hints(Settings)
    parser = argparse.ArgumentParser(
        prog="mixpeek-mock",
        description="Stateful mock of the Mixpeek retriever execution API (see docs/mockserver.md).",
    )
    for setting in dataclasses.fields(Settings):
        _add_setting(parser, setting, kinds[setting.name], getattr(defaults, setting.name))
    parser.add_argument("--log-level", default="warning", help="uvicorn log level")
    return parser


def settings_from_args(args: argparse.Namespace) -> Settings:
    return Settings(**{s.name: getattr(args, s.name) for s in dataclasses.fields(Settings)})


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
    except ValueError as problem:
        parser.error(str(problem))
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
