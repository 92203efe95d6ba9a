"""``python -m mockserver`` / ``mixpeek-mock``: serve the mock with uvicorn.

Every :class:`~mockserver.settings.Settings` field has a flag; the start-up line
says where the mock listens and gives a first curl command to try.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .settings import PROGRESSIONS, Settings

__all__ = ["build_parser", "main", "settings_from_args"]

SAMPLE_KEY = "sk_test_local"
SAMPLE_NAMESPACE = "my-namespace"


def build_parser() -> argparse.ArgumentParser:
    d = Settings()
    p = argparse.ArgumentParser(
        prog="mixpeek-mock",
        description="Stateful mock of the Mixpeek retriever execution API (see docs/mockserver.md).",
    )
    p.add_argument("--host", default=d.host, help="interface to bind (default %(default)s)")
    p.add_argument("--port", type=int, default=d.port, help="port to bind (default %(default)s)")
    p.add_argument("--seed", type=int, default=d.seed, help="seed of every random choice")
    p.add_argument(
        "--fixtures", type=Path, default=None, help="world YAML/JSON file (default: packaged world)"
    )
    p.add_argument(
        "--api-key",
        action="append",
        default=[],
        dest="api_keys",
        help="accept only this API key (repeatable; default: any sk_ key)",
    )
    p.add_argument(
        "--namespace",
        action="append",
        default=[],
        dest="namespaces",
        help="allow only this namespace (repeatable; default: any)",
    )
    p.add_argument("--credits-per-namespace", type=float, default=d.credits_per_namespace)
    p.add_argument(
        "--latency-ms", type=int, default=d.latency_ms, help="latency added to every /v1 answer"
    )
    p.add_argument(
        "--failure-rate", type=float, default=d.failure_rate, help="share of executions that fail"
    )
    p.add_argument(
        "--in-flight-rate",
        type=float,
        default=d.in_flight_rate,
        help="share of executions that start in flight",
    )
    p.add_argument(
        "--progression",
        choices=PROGRESSIONS,
        default=d.progression,
        help="how in-flight executions advance: per poll or with the clock",
    )
    p.add_argument("--stage-duration-ms", type=int, default=d.stage_duration_ms)
    p.add_argument("--max-executions", type=int, default=d.max_executions)
    p.add_argument("--max-namespaces", type=int, default=d.max_namespaces)
    p.add_argument("--journal-size", type=int, default=d.journal_size)
    p.add_argument(
        "--max-body-bytes",
        type=int,
        default=d.max_body_bytes,
        help="largest request body read (default %(default)s); a larger one gets 422",
    )
    p.add_argument(
        "--rate-limit", type=int, default=d.rate_limit, help="requests per window per API key"
    )
    p.add_argument("--rate-limit-window-s", type=int, default=d.rate_limit_window_s)
    p.add_argument(
        "--strict",
        action=argparse.BooleanOptionalAction,
        default=d.strict,
        help="check every answer against the spec (500 on a violation)",
    )
    p.add_argument(
        "--cursor-secret", default=None, help="secret signing cursors (default: from the seed)"
    )
    p.add_argument("--log-level", default="warning", help="uvicorn log level")
    return p


def settings_from_args(args: argparse.Namespace) -> Settings:
    return Settings(
        seed=args.seed,
        host=args.host,
        port=args.port,
        api_keys=frozenset(args.api_keys),
        namespaces=frozenset(args.namespaces),
        fixtures_path=args.fixtures,
        credits_per_namespace=args.credits_per_namespace,
        latency_ms=args.latency_ms,
        failure_rate=args.failure_rate,
        in_flight_rate=args.in_flight_rate,
        progression=args.progression,
        stage_duration_ms=args.stage_duration_ms,
        max_executions=args.max_executions,
        max_namespaces=args.max_namespaces,
        journal_size=args.journal_size,
        max_body_bytes=args.max_body_bytes,
        rate_limit=args.rate_limit,
        rate_limit_window_s=args.rate_limit_window_s,
        strict=args.strict,
        cursor_secret=args.cursor_secret,
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
