"""Run the whole contract against one target and collect what broke and what was proved.

``run_contract(target)`` runs, in order:

1. a pre-flight probe (network targets): one request with a short connect timeout, so an
   unreachable target fails in seconds with one clear sentence (:class:`TargetUnreachable`);
2. Schemathesis' engine over spec/openapi.yaml (examples, coverage, fuzzing and stateful
   phases) with every built-in check and every rule of :mod:`mixpeek_toolkit.contracts.checks`;
3. the plain-HTTP workflows of :mod:`mixpeek_toolkit.contracts.workflows`.

Every request of 2 and 3 goes through one polite client (:func:`polite_client`: pacing,
waits for limited answers, retries of transport faults, the run's time budget); Schemathesis
reaches it through a :class:`~.relay.Relay`. It answers a
:class:`~mixpeek_toolkit.contracts.report.Report` with the run's coverage and traffic; it never
raises for a broken rule, and a spent budget ends the run early, said in the report.
"""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any

import httpx

from ..mockserver.testing.in_process import asgi_client
from . import checks as _registered  # noqa: F401  (registers the rules as Schemathesis checks)
from .checks import RULE_CHECK_NAMES, exchange_from_schemathesis
from .coverage import Coverage
from .exchange import Exchange
from .pacing import Pacer
from .relay import Relay
from .report import TRANSPORT_RULE, Finding, Report, Traffic
from .target import LOCAL_MOCK_URL, Target, load_schema
from .transport import PoliteTransport, RunIncomplete, TransportFault
from .workflows import run_workflows

__all__ = ["TargetUnreachable", "client_for", "polite_client", "preflight", "run_contract"]

_RULE_PREFIX = re.compile(r"\[([a-z_]+)\]")
_FILTERED_AUTH = "Authorization: [Filtered]"
#: Where Schemathesis believes the relay lives; curl commands name the target instead.
_RELAY_ORIGINS = (LOCAL_MOCK_URL, "http://testserver")
#: Schemathesis' probe of a path decoder that refuses control characters before routing.
_UNSAFE_PATH_PROBE = "schemathesis-probe%5C%1B%01"


class TargetUnreachable(RuntimeError):
    """The target refused the connection or did not answer in time."""


@contextmanager
def client_for(target: Target, app: Any = None) -> Iterator[httpx.Client]:
    """A plain HTTP client for the target: over the network, or in process for an ASGI ``app``."""
    timeout = httpx.Timeout(target.timeout, connect=target.connect_timeout)
    if app is not None:
        with asgi_client(app, base_url=target.url, timeout=timeout) as client:
            yield client
        return
    with httpx.Client(base_url=target.url, timeout=timeout) as client:
        yield client


class _Through(httpx.BaseTransport):
    """A transport that sends through another client (an in-process app's)."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.client.send(request)


@contextmanager
def polite_client(
    target: Target,
    app: Any = None,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[tuple[httpx.Client, PoliteTransport]]:
    """The run's one client: the target's transport (the network, or ``app`` in process)
    wrapped in a :class:`PoliteTransport` configured by ``target`` (``max_rps``,
    ``max_wait``, ``retries``, ``time_budget``)."""
    timeout = httpx.Timeout(target.timeout, connect=target.connect_timeout)
    with ExitStack() as stack:
        if app is not None:
            inner: httpx.BaseTransport = _Through(stack.enter_context(client_for(target, app)))
        else:
            inner = httpx.HTTPTransport()
        pacer = Pacer(max_rps=target.max_rps, max_wait=target.max_wait, clock=clock, sleep=sleep)
        transport = PoliteTransport(
            inner,
            pacer,
            retries=target.retries,
            deadline=clock() + target.time_budget,
            clock=clock,
            sleep=sleep,
        )
        client = stack.enter_context(
            httpx.Client(base_url=target.url, timeout=timeout, transport=transport)
        )
        yield client, transport


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


def _readable_curl(code_sample: str, target: Target) -> str:
    sample = code_sample.replace(_FILTERED_AUTH, "Authorization: Bearer $MIXPEEK_API_KEY")
    for placeholder in _RELAY_ORIGINS:
        sample = sample.replace(placeholder, target.url)
    return sample


class _SchemathesisRun:
    """One run of Schemathesis' engine through the relay: findings, exchanges, check counts."""

    def __init__(self, target: Target, client: httpx.Client, report: Report) -> None:
        self.target, self.client, self.report = target, client, report
        self.exchanges: list[Exchange] = []
        self.checks: Counter[str] = Counter()
        self._seen: set[tuple[str, str]] = set()

    def run(self, progress: Callable[[str], None], phases: Sequence[str] | None) -> None:
        from schemathesis.engine import events, from_schema

        # Schemathesis sees only the relay, under a placeholder URL: its own probes of the
        # server (sent around any app) then reach nothing, and every request of the run goes
        # through the polite client. The probes' findings are made here instead.
        schema = load_schema(
            self.target.evolve(base_url=None), app=Relay(self.client, self.target.url)
        )
        self._probe(schema)
        if phases is not None:
            schema.config.phases.update(phases=list(phases))
        stream = from_schema(schema).execute()
        stopped: RunIncomplete | None = None
        for event in stream:
            if stopped is not None:
                continue  # drain the engine after stop()
            if isinstance(event, events.PhaseStarted):
                progress(f"schemathesis: {event.phase.name.value} phase")
            elif isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
                self._scenario(event.recorder)
            elif isinstance(event, events.NonFatalError):
                if isinstance(event.value, RunIncomplete):
                    stopped = event.value
                    stream.stop()
                else:
                    self._error(event)
            elif isinstance(event, events.FatalError):
                raise event.exception
        if stopped is not None:
            raise stopped

    def _probe(self, schema: Any) -> None:
        """What Schemathesis' probes learn, learned through the polite client."""
        # The relay's client (httpx) cannot send a NUL byte in a header: never generate one.
        schema.adapt_to_null_byte_in_header_failure()
        # A front that refuses control characters in paths before routing (400, no body):
        # generated paths avoid them, as Schemathesis does when its probe finds such a front.
        response = self.client.get(f"{self.target.url}/{_UNSAFE_PATH_PROBE}")
        if response.status_code == 400 and not response.content:
            schema.adapt_to_path_decoder_rejection()

    def _scenario(self, recorder: Any) -> None:
        exchanges: dict[str, Exchange] = {}
        for case_id, interaction in recorder.interactions.items():
            node = recorder.cases.get(case_id)
            if interaction.response is None or node is None:
                continue
            exchange = exchange_from_schemathesis(interaction.response, node.value)
            exchanges[case_id] = exchange
            self.exchanges.append(exchange)
        for case_id, nodes in recorder.checks.items():
            for node in nodes:
                self.report.ran(node.name)
                if node.name not in RULE_CHECK_NAMES and node.status.name in (
                    "SUCCESS",
                    "FAILURE",
                ):
                    self.checks[node.name] += 1
                if node.failure_info is not None:
                    self._failure(recorder, case_id, node, exchanges)

    def _failure(
        self, recorder: Any, case_id: str, node: Any, exchanges: dict[str, Exchange]
    ) -> None:
        info = node.failure_info
        failure = info.failure
        message = f"{failure.title}: {failure.message}".strip()
        match = _RULE_PREFIX.search(failure.message or "")
        rule = match.group(1) if match else node.name
        curl = _readable_curl(info.code_sample, self.target)
        if (rule, curl) in self._seen:
            return
        self._seen.add((rule, curl))
        step_ids = [step.case_id for step in info.steps] or [
            case.id for case in recorder.iter_chain_cases(case_id=case_id)
        ]
        if case_id not in step_ids:
            step_ids.append(case_id)
        steps = tuple(exchanges[i] for i in step_ids if i in exchanges)
        self.report.add(
            Finding(rule=rule, message=message, curl=curl, source="schemathesis", exchanges=steps)
        )

    def _error(self, event: Any) -> None:
        error = event.value
        if isinstance(error, TransportFault):
            message = f"{event.label}: {error}"
        else:
            message = f"{event.label}: {event.info.title}: {event.info.message}"
        self.report.add(
            Finding(rule=TRANSPORT_RULE, message=message, curl="", source="schemathesis")
        )


def _workflows(target: Target, client: httpx.Client, report: Report, coverage: Coverage) -> None:
    report.ran("pagination_walk_yields_each_document_once")
    for outcome in run_workflows(client, target):
        report.workflows_run.append(outcome.name)
        report.exchanges.extend(outcome.exchanges)
        coverage.add_scope(outcome.exchanges, accepted_statuses=target.accept_statuses)
        for rule, count in outcome.judged.items():
            coverage.add_rule(rule, count)
        for failure in outcome.failures:
            report.add(
                Finding(
                    rule=failure.rule,
                    message=f"{failure.workflow}: {failure.violation}",
                    curl="\n".join(step.curl for step in failure.steps),
                    source=f"workflow {failure.workflow}",
                    exchanges=failure.exchanges,
                )
            )
        if outcome.fault is not None:
            report.add(
                Finding(
                    rule=TRANSPORT_RULE,
                    message=f"{outcome.name}: {outcome.fault}",
                    curl="",
                    source=f"workflow {outcome.name}",
                    exchanges=outcome.exchanges,
                )
            )


def run_contract(
    target: Target,
    *,
    app: Any = None,
    progress: Callable[[str], None] = lambda message: None,
    schemathesis: bool = True,
    workflows: bool = True,
    phases: Sequence[str] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Report:
    """Verify ``target`` (or the ASGI ``app`` in process) against the whole contract.

    ``phases`` narrows the Schemathesis phases (``examples``, ``coverage``, ``fuzzing``,
    ``stateful``); all of them run by default. Without a seed one is drawn (the report names
    it). ``clock`` and ``sleep`` pace the run (tests give fake ones).
    """
    if target.seed is None:  # drawn here, so the summary can say how to judge the same requests
        target = target.evolve(seed=random.SystemRandom().randrange(1, 2**31))
    report = Report(target=target)
    if app is None:
        preflight(target)
    for name in RULE_CHECK_NAMES:
        report.ran(name)
    coverage = Coverage()
    started = clock()
    with polite_client(target, app, clock=clock, sleep=sleep) as (client, transport):
        engine = _SchemathesisRun(target, client, report)
        try:
            if schemathesis:
                engine.run(progress, phases)
            if workflows:
                progress("workflows")
                _workflows(target, client, report, coverage)
        except RunIncomplete as stop:
            report.incomplete = stop.reason
        finally:
            report.exchanges[:0] = engine.exchanges
            coverage.add_scope(engine.exchanges, accepted_statuses=target.accept_statuses)
            for name, count in engine.checks.items():
                coverage.add_rule(name, count)
            report.traffic = Traffic(
                pacing=transport.pacer.stats, transport=transport.stats, seconds=clock() - started
            )
    for rule in report.rules:
        if rule != TRANSPORT_RULE:
            coverage.add_rule(rule)
    report.coverage = coverage
    return report
