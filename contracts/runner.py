"""``python -m mixpeek_toolkit.contracts`` / ``mixpeek-contracts``: verify one server against the contract.

    python -m mixpeek_toolkit.contracts --base-url https://api.example.com --api-key sk_... \\
        --namespace my-ns --retriever-id ret_product_search

Every flag falls back to its environment variable (``MIXPEEK_BASE_URL``,
``MIXPEEK_API_KEY``, ``MIXPEEK_NAMESPACE``, ``MIXPEEK_RETRIEVER_ID``, ...). Without a base
URL the local mock is started on a free 127.0.0.1 port (strict mode) and verified.
``--accept-status queued`` (repeatable; ``MIXPEEK_ACCEPT_STATUSES=queued,archived``) accepts a
status the API does not document, by name.

It is a polite client (``--max-rps``, ``--max-wait``, ``--retries``, ``--time-budget``), says
what it proved (a coverage table; ``--min-coverage``, ``--require``), and writes, beside the
JUnit XML, an HTML report and, for each broken rule, a replay test and a cassette.

Exit status: 0 when every rule held and the coverage asked for was reached, 1 when a rule
broke or the coverage fell short, 2 when the target could not be reached, the options are
wrong, or the run stopped early (a budget spent) with no rule broken.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from .html_report import write_html
from .replay import write_replay_files
from .suite import TargetUnreachable, run_contract
from .target import ENV_VARS, Target, accepted_statuses, listed

__all__ = ["main"]

EXIT_OK, EXIT_BROKEN, EXIT_UNUSABLE = 0, 1, 2
DEFAULT_JUNIT = Path("reports/contracts.xml")
#: Share of the local mock's executions that end degraded (``Settings.degraded_rate``).
LOCAL_DEGRADED_RATE = 0.1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mixpeek-contracts",
        description="Verify that a server keeps the Mixpeek retriever execution contract "
        "(spec/openapi.yaml). Without --base-url, the local mock is started and verified.",
    )
    env = ENV_VARS
    parser.add_argument(
        "--base-url", help=f"root URL of the server, without /v1 (${env['base_url']})"
    )
    parser.add_argument("--api-key", help=f"a valid API key, sk_... (${env['api_key']})")
    parser.add_argument("--namespace", help=f"namespace to test in (${env['namespace']})")
    parser.add_argument(
        "--retriever-id", help=f"a retriever that exists in the namespace (${env['retriever_id']})"
    )
    parser.add_argument("--other-namespace", help="a second namespace for isolation checks")
    parser.add_argument(
        "--max-examples", type=int, help=f"examples per operation and mode (${env['max_examples']})"
    )
    parser.add_argument(
        "--seed", type=int, help=f"Hypothesis seed, to replay a run (${env['seed']})"
    )
    parser.add_argument(
        "--timeout", type=float, help=f"seconds one request may take (${env['timeout']})"
    )
    parser.add_argument(
        "--accept-status",
        action="append",
        metavar="STATUS",
        help="accept an execution status the API does not document (repeatable, or "
        "comma-separated); it is judged only by the rules that do not depend on the "
        f"lifecycle (${env['accept_statuses']}, comma-separated)",
    )
    parser.add_argument(
        "--max-rps",
        type=float,
        help="most requests per second, for a polite run against production (default: as fast "
        f"as the target's X-RateLimit-* headers allow) (${env['max_rps']})",
    )
    parser.add_argument(
        "--max-wait",
        type=float,
        help="most seconds the whole run waits out 429/503 answers before it stops, incomplete "
        f"(default 300) (${env['max_wait']})",
    )
    parser.add_argument(
        "--retries",
        type=int,
        help="retries of a request that failed below HTTP (timeout, refused or reset "
        f"connection, truncated body) (default 2) (${env['retries']})",
    )
    parser.add_argument(
        "--time-budget",
        type=float,
        help="most seconds the whole run lasts before it stops, incomplete (default 1800) "
        f"(${env['time_budget']})",
    )
    parser.add_argument(
        "--min-coverage",
        type=float,
        help="least share of the rules the run must exercise, 0 to 1 (e.g. 0.8); below it the "
        f"run fails, naming what was not covered (${env['min_coverage']})",
    )
    parser.add_argument(
        "--require",
        action="append",
        metavar="KIND:NAME",
        help="coverage the run must reach: exercised:RULE or seen:ITEM of the coverage table "
        f"(e.g. seen:processing) (repeatable, or comma-separated; ${env['require']})",
    )
    parser.add_argument(
        "--junit-xml",
        type=Path,
        default=DEFAULT_JUNIT,
        help=f"where to write the JUnit XML report (default {DEFAULT_JUNIT}); the HTML report "
        "and the replay files (replay/) go beside it",
    )
    parser.add_argument(
        "--phases",
        help="comma-separated Schemathesis phases to run: examples, coverage, fuzzing, "
        "stateful (default: all)",
    )
    parser.add_argument("--quiet", action="store_true", help="print only the summary")
    return parser


@contextmanager
def _local_mock(target: Target, say) -> Iterator[Target]:
    """Serve the mock (strict mode) on a free 127.0.0.1 port while the run lasts."""
    import httpx

    from ..mockserver import Settings
    from ..mockserver.testing import MockServer

    # A generous rate limit: the run sends thousands of requests and 429 waits only slow it.
    # Some degraded runs, as the real API answers them, so that their rules are exercised.
    settings = Settings(strict=True, rate_limit=1_000_000, degraded_rate=LOCAL_DEGRADED_RATE)
    with MockServer(settings) as server:
        say(f"started the local mock on {server.base_url}")
        retriever_id = target.retriever_id
        world = httpx.get(f"{server.base_url}/_mock/world", timeout=target.timeout).json()
        known = [r.get("retriever_id") for r in world.get("retrievers", [])]
        if known and retriever_id not in known:
            retriever_id = known[0]
        yield target.evolve(base_url=server.base_url, retriever_id=retriever_id)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    started = time.monotonic()

    def say(message: str) -> None:
        if not arguments.quiet:
            print(f"[{time.monotonic() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    try:
        target = Target.from_env(
            base_url=arguments.base_url,
            api_key=arguments.api_key,
            namespace=arguments.namespace,
            retriever_id=arguments.retriever_id,
            other_namespace=arguments.other_namespace,
            max_examples=arguments.max_examples,
            seed=arguments.seed,
            timeout=arguments.timeout,
            accept_statuses=accepted_statuses(arguments.accept_status),
            max_rps=arguments.max_rps,
            max_wait=arguments.max_wait,
            retries=arguments.retries,
            time_budget=arguments.time_budget,
            min_coverage=arguments.min_coverage,
            require=listed(arguments.require),
        )
    except ValueError as error:
        print(f"mixpeek-contracts: {error}", file=sys.stderr)
        return EXIT_UNUSABLE
    phases = arguments.phases.split(",") if arguments.phases else None
    try:
        if target.base_url is None:
            with _local_mock(target, say) as local:
                report = run_contract(local, progress=say, phases=phases)
        else:
            report = run_contract(target, progress=say, phases=phases)
    except TargetUnreachable as error:
        print(f"mixpeek-contracts: {error}", file=sys.stderr)
        return EXIT_UNUSABLE
    folder = arguments.junit_xml.parent
    replay = write_replay_files(report, folder / "replay")
    html = write_html(report, arguments.junit_xml.with_suffix(".html"))
    path = report.write_junit(arguments.junit_xml)
    print(report.summary())
    print(f"JUnit XML: {path}; HTML report: {html}", end="")
    if replay:
        print(f"; replay tests and cassettes: {folder / 'replay'}/", end="")
    print(f" ({time.monotonic() - started:.1f} s)")
    if report.ok:
        return EXIT_OK
    if report.incomplete and not report.findings:
        return EXIT_UNUSABLE
    return EXIT_BROKEN


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
