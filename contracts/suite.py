"""Run the whole contract against one target and collect what broke.

``run_contract(target)`` runs, in order:

1. a pre-flight probe (network targets): one request with a short connect timeout, so an
   unreachable target fails in seconds with one clear sentence (:class:`TargetUnreachable`);
2. Schemathesis' engine over spec/openapi.yaml (examples, coverage, fuzzing and stateful
   phases) with every built-in check and every rule of :mod:`mixpeek_toolkit.contracts.checks`;
3. the plain-HTTP workflows of :mod:`mixpeek_toolkit.contracts.workflows`.

It answers a :class:`~mixpeek_toolkit.contracts.report.Report`; it never raises for a broken rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import httpx

from ..mockserver.testing.in_process import asgi_client
from . import checks as _registered  # noqa: F401  (registers the rules as Schemathesis checks)
from .checks import RULE_CHECK_NAMES
from .report import Finding, Report
from .target import Target, load_schema
from .workflows import WORKFLOWS, run_workflows

__all__ = ["TargetUnreachable", "client_for", "preflight", "run_contract"]

_RULE_PREFIX = re.compile(r"\[([a-z_]+)\]")
_FILTERED_AUTH = "Authorization: [Filtered]"


class TargetUnreachable(RuntimeError):
    """The target refused the connection or did not answer in time."""


@contextmanager
def client_for(target: Target, app: Any = None) -> Iterator[httpx.Client]:
    """An HTTP client for the target: over the network, or in process for an ASGI ``app``."""
    timeout = httpx.Timeout(target.timeout, connect=target.connect_timeout)
    if app is not None:
        with asgi_client(app, base_url=target.url, timeout=timeout) as client:
            yield client
        return
    with httpx.Client(base_url=target.url, timeout=timeout) as client:
        yield client


def preflight(target: Target) -> None:
    """Fail fast, with one sentence, when the target is not reachable."""
    url = f"{target.url}/v1/retrievers/{target.retriever_id}/executions/exec_preflight"
    timeout = httpx.Timeout(target.connect_timeout)
    try:
        httpx.get(url, headers=target.headers(), timeout=timeout)
    except httpx.ConnectError as error:
        raise TargetUnreachable(
            f"Could not connect to {target.url} ({error}); check that the server is running "
            "and that --base-url names its scheme, host and port."
        ) from None
    except httpx.TimeoutException:
        raise TargetUnreachable(
            f"{target.url} did not answer within {target.connect_timeout:g} s; check that the "
            "server is up and reachable from here (proxy, firewall), or raise --timeout."
        ) from None
    except httpx.HTTPError as error:
        raise TargetUnreachable(f"Could not reach {target.url}: {error}.") from None


def _readable_curl(code_sample: str) -> str:
    return code_sample.replace(_FILTERED_AUTH, "Authorization: Bearer $MIXPEEK_API_KEY")


def _schemathesis_findings(
    target: Target,
    app: Any,
    report: Report,
    progress: Callable[[str], None],
    phases: Sequence[str] | None,
) -> None:
    from schemathesis.engine import events, from_schema

    schema = load_schema(target, app=app)
    if phases is not None:
        schema.config.phases.update(phases=list(phases))
    seen: set[tuple[str, str]] = set()
    for event in from_schema(schema).execute():
        if isinstance(event, events.PhaseStarted):
            progress(f"schemathesis: {event.phase.name.value} phase")
        if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
            for nodes in event.recorder.checks.values():
                for node in nodes:
                    report.ran(node.name)
                    info = node.failure_info
                    if info is None:
                        continue
                    failure = info.failure
                    message = f"{failure.title}: {failure.message}".strip()
                    match = _RULE_PREFIX.search(failure.message or "")
                    rule = match.group(1) if match else node.name
                    curl = _readable_curl(info.code_sample)
                    if (rule, curl) in seen:
                        continue
                    seen.add((rule, curl))
                    report.add(
                        Finding(rule=rule, message=message, curl=curl, source="schemathesis")
                    )
        elif isinstance(event, events.NonFatalError):
            report.add(
                Finding(
                    rule="requests_complete",
                    message=f"{event.label}: {event.info.title}: {event.info.message}",
                    curl="",
                    source="schemathesis",
                )
            )
        elif isinstance(event, events.FatalError):
            raise event.exception


def run_contract(
    target: Target,
    *,
    app: Any = None,
    progress: Callable[[str], None] = lambda message: None,
    schemathesis: bool = True,
    workflows: bool = True,
    phases: Sequence[str] | None = None,
) -> Report:
    """Verify ``target`` (or the ASGI ``app`` in process) against the whole contract.

    ``phases`` narrows the Schemathesis phases (``examples``, ``coverage``, ``fuzzing``,
    ``stateful``); all of them run by default.
    """
    report = Report(target=target)
    if app is None:
        preflight(target)
    for name in RULE_CHECK_NAMES:
        report.ran(name)
    if schemathesis:
        _schemathesis_findings(target, app, report, progress, phases)
    if workflows:
        progress("workflows")
        with client_for(target, app) as client:
            report.ran("pagination_walk_yields_each_document_once")
            for _name, failure in run_workflows(client, target):
                if failure is not None:
                    report.add(
                        Finding(
                            rule=failure.rule,
                            message=f"{failure.workflow}: {failure.violation}",
                            curl="\n".join(step.curl for step in failure.steps),
                            source=f"workflow {failure.workflow}",
                        )
                    )
    report.workflows_run = [workflow.__name__ for workflow in WORKFLOWS] if workflows else []
    return report
