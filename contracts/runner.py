"""``python -m mixpeek_toolkit.contracts`` / ``mixpeek-contracts``: verify one server against the contract.

    python -m mixpeek_toolkit.contracts --base-url https://api.example.com --api-key sk_... \\
        --namespace my-ns --retriever-id ret_product_search

Every flag falls back to its environment variable (``MIXPEEK_BASE_URL``,
``MIXPEEK_API_KEY``, ``MIXPEEK_NAMESPACE``, ``MIXPEEK_RETRIEVER_ID``, ...). Without a base
URL the local mock is started on a free 127.0.0.1 port (strict mode) and verified.
``--accept-status queued`` (repeatable; ``MIXPEEK_ACCEPT_STATUSES=queued,archived``) accepts a
status the API does not document, by name.

Exit status: 0 when every rule held, 1 when a rule broke, 2 when the target could not
be reached or the options are wrong.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from .suite import TargetUnreachable, run_contract
from .target import ENV_VARS, Target, accepted_statuses

__all__ = ["main"]

EXIT_OK, EXIT_BROKEN, EXIT_UNUSABLE = 0, 1, 2
DEFAULT_JUNIT = Path("reports/contracts.xml")


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
        "--junit-xml",
        type=Path,
        default=DEFAULT_JUNIT,
        help=f"where to write the JUnit XML report (default {DEFAULT_JUNIT})",
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
    with MockServer(Settings(strict=True, rate_limit=1_000_000)) as server:
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
    path = report.write_junit(arguments.junit_xml)
    print(report.summary())
    print(f"JUnit XML: {path} ({time.monotonic() - started:.1f} s)")
    return EXIT_OK if report.ok else EXIT_BROKEN


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
