"""Multi-request workflows Schemathesis does not chain by itself, run with plain ``httpx``.

Schemathesis' ``ensure_resource_availability`` does not pair ``POST .../execute`` with
``GET .../executions/{id}`` (it pairs by path prefix), and no generated request crosses
namespaces or drops credentials on purpose. These workflows do, against any target:

- ``execute_then_read_back``: execute, then read the execution back (same id, documents).
- ``in_flight_polled_to_end``: ask for an in-flight execution (``Prefer``; a real server may
  ignore it), poll it until terminal within ``target.max_polls`` reads, then read it again.
- ``pagination_walk_<method>``: walk every page of one result with each pagination method,
  with a ``pagination`` that names no method (cursor, the default) and with the legacy
  ``limit``/``offset``; each document once, counts agree with ``total``. Pages may be
  ``completed`` or ``degraded`` and their metadata in the seeds' shape or API 0.82's.
- ``page_size_alias``: the top-level ``page_size`` (0.82's alias of ``limit``) sizes the page.
- ``scored_page``: a page asked with ``inputs.min_score`` holds no document scoring below it.
- ``cross_namespace_read``: an execution is not readable from another namespace.
- ``unauthenticated_read`` / ``wrongly_authenticated_read``: no or malformed credentials get 401.
- ``unknown_execution_read``: a well-formed id nobody created answers 404.
- ``unbounded_inputs_accepted``: what the spec leaves unbounded (a long query, any Unicode, a
  ``top_k`` far above any ceiling) is accepted, never refused (``valid_requests_are_accepted``).

Every response of every workflow is also judged by every rule of :mod:`mixpeek_toolkit.contracts.rules`
(each workflow request keeps the schemas, so a refusal is judged as one of a valid request).
A session keeps every exchange and counts the verdicts of every rule, for the coverage report.
A status the target accepts by name (``Target.accept_statuses``) ends a poll or a walk
without a verdict: nothing says whether it is in flight, finished, or has documents.
"""

from __future__ import annotations

import hashlib
import secrets
import shlex
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from . import rules
from .exchange import Exchange, parse_json
from .facts import (
    DEFAULT_METHOD,
    DOCUMENT_STATUSES,
    IN_FLIGHT,
    KNOWN_STATUSES,
    MAX_PAGE_SIZE,
    PAGE_SIZE_ALIAS,
)
from .ledger import ExecutionLedger
from .pages import LEGACY, METHODS, TOKEN_REQUEST_FIELD, read_meta
from .target import Target
from .transport import TransportFault
from .violations import (
    AccessViolation,
    LifecycleViolation,
    PaginationViolation,
    RuleViolation,
)

__all__ = [
    "WORKFLOWS",
    "Step",
    "WorkflowFailure",
    "WorkflowOutcome",
    "WorkflowSession",
    "run_workflows",
]

#: Documents the pagination walks ask for in all, and per page (several pages, one short).
WALK_TOP_K = 23
WALK_PAGE_SIZE = 5
#: Characters of the long query `unbounded_inputs_accepted` sends (the spec sets no bound).
LONG_QUERY_CHARS = 500
#: The `min_score` of `scored_page`: low enough that a relevant query keeps documents.
SCORED_PAGE_MIN_SCORE = 0.1
#: A `top_k` far above any server's ceiling (a server clamps it, reported in `limits`).
HUGE_TOP_K = 1_000_000


@dataclass(frozen=True)
class Step:
    """One request a workflow sent, as a curl command that replays it."""

    curl: str


@dataclass(frozen=True)
class WorkflowFailure:
    """A rule broken during a workflow, with the requests that led there (last one broke it)."""

    workflow: str
    violation: RuleViolation
    steps: tuple[Step, ...]
    exchanges: tuple[Exchange, ...] = ()
    """The exchanges of the workflow up to the failure, in order (the last one broke it)."""

    @property
    def rule(self) -> str:
        return self.violation.rule


@dataclass(frozen=True)
class WorkflowOutcome:
    """What one workflow did: its exchanges, the verdicts of every rule, and how it ended."""

    name: str
    exchanges: tuple[Exchange, ...]
    judged: Counter[str]
    """The workflow's own verdicts by rule (held or broken), beyond the rules that judge
    each answer: a walk yields each document once, a read from another namespace fails..."""
    failures: tuple[WorkflowFailure, ...] = ()
    """Every rule the workflow broke (each once), in the order broken."""
    fault: TransportFault | None = None
    """A request of the workflow failed below HTTP on every attempt: it ended there."""


def _curl(request: httpx.Request, base_url: str) -> str:
    parts = ["curl", "-X", request.method]
    for name, value in request.headers.items():
        if name.lower() in {
            "host",
            "content-length",
            "accept-encoding",
            "connection",
            "user-agent",
        }:
            continue
        if name.lower() == "authorization" and value.lower().startswith("bearer sk_"):
            value = "Bearer $MIXPEEK_API_KEY"
            parts += ["-H", f'"{name}: {value}"']
            continue
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    if request.content:
        parts += ["-d", shlex.quote(request.content.decode("utf-8", "replace"))]
    url = base_url.rstrip("/") + request.url.raw_path.decode()
    parts.append(shlex.quote(url))
    return " ".join(parts)


@dataclass
class WorkflowSession:
    """Sends a workflow's requests, judges every answer with every rule, remembers the steps.

    A rule an answer breaks is kept (:attr:`failures`, once per rule) and the workflow goes
    on, so that one broken rule does not hide the others; the workflow's own expectations
    (:meth:`expect`) end it.
    """

    client: httpx.Client
    target: Target
    name: str = ""
    ledger: ExecutionLedger = field(default_factory=ExecutionLedger)
    steps: list[Step] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    judged: Counter[str] = field(default_factory=Counter)
    failures: list[WorkflowFailure] = field(default_factory=list)

    def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        headers: dict[str, str] | None = None,
        prefer: str | None = None,
    ) -> Exchange:
        sent_headers = self.target.headers() if headers is None else dict(headers)
        if prefer:
            sent_headers["Prefer"] = prefer
        request = self.client.build_request(method, path, json=json, headers=sent_headers)
        self.steps.append(Step(curl=_curl(request, self.target.url)))
        started = time.perf_counter()
        response = self.client.send(request)
        exchange = Exchange(
            method=method,
            path=path,
            request_headers=sent_headers,
            request_body=json,
            status_code=response.status_code,
            body=parse_json(response.content),
            content_type=response.headers.get("content-type", ""),
            query=request.url.query.decode(),
            request_content=request.content or None,
            response_headers=dict(response.headers),
            response_content=response.content,
            schema_valid=True,
            elapsed=time.perf_counter() - started,
        )
        self.exchanges.append(exchange)
        try:
            verdicts = rules.verdicts(
                exchange, self.ledger, accepted_statuses=self.target.accept_statuses
            )
        finally:
            self.ledger.record(exchange)
        for violation in verdicts.values():
            if violation is not None and all(f.rule != violation.rule for f in self.failures):
                self.failures.append(self.failure(violation))
        return exchange

    def failure(self, violation: RuleViolation) -> WorkflowFailure:
        """``violation``, with the steps and exchanges that led to it."""
        return WorkflowFailure(self.name, violation, tuple(self.steps), tuple(self.exchanges))

    def expect(
        self, condition: bool, violation: type[RuleViolation], rule: str, explanation: str
    ) -> None:
        """A workflow's own verdict on ``rule``: it holds when ``condition`` does."""
        self.judged[rule] += 1
        if not condition:
            raise violation(rule=rule, explanation=explanation)

    def execute(self, body: dict[str, Any], **kwargs: Any) -> Exchange:
        return self.send(
            "POST", f"/v1/retrievers/{self.target.retriever_id}/execute", json=body, **kwargs
        )

    def read(self, execution_id: str, **kwargs: Any) -> Exchange:
        path = f"/v1/retrievers/{self.target.retriever_id}/executions/{execution_id}"
        return self.send("GET", path, **kwargs)

    def query(self, **extra: Any) -> dict[str, Any]:
        return {"inputs": {"query": self.target.query, **extra}}


def _execution_id(session: WorkflowSession, exchange: Exchange, workflow: str) -> str:
    execution = exchange.execution
    if execution is None or not isinstance(execution.get("execution_id"), str):
        session.expect(  # a precondition: counted as a verdict only when it fails
            False,
            LifecycleViolation,
            "execution_read_back_matches_creation",
            f"{workflow}: executing the target's retriever answered {exchange.status_code}, not "
            "an execution; check --retriever-id and --namespace.",
        )
    assert execution is not None
    return execution["execution_id"]


# --- the workflows ------------------------------------------------------------------------


def execute_then_read_back(session: WorkflowSession) -> None:
    created = session.execute(session.query())
    execution_id = _execution_id(session, created, "execute_then_read_back")
    for _ in range(2):
        read = session.read(execution_id)
        session.expect(
            read.status_code == 200,
            LifecycleViolation,
            "execution_read_back_matches_creation",
            f"execution {execution_id} was just created but reading it back answered {read.status_code}.",
        )


def in_flight_polled_to_end(session: WorkflowSession) -> None:
    for prefer in ("respond-async", "outcome=processing"):
        created = session.execute(session.query(), prefer=prefer)
        execution_id = _execution_id(session, created, "in_flight_polled_to_end")
        status = created.body.get("status")
        polls = 0
        while status in IN_FLIGHT:
            session.expect(
                polls < session.target.max_polls,
                LifecycleViolation,
                "in_flight_execution_is_coherent",
                f"execution {execution_id} is still {status!r} after {polls} reads.",
            )
            read = session.read(execution_id)
            polls += 1
            session.expect(
                read.status_code == 200,
                LifecycleViolation,
                "execution_read_back_matches_creation",
                f"polling execution {execution_id} answered {read.status_code}.",
            )
            status = read.body.get("status")
        for _ in range(2):
            session.read(execution_id)  # terminal_state_never_changes judges these


#: The walks: the four methods, a `pagination` without `method`, and the legacy fields.
DEFAULT = "default"
WALKS = (*sorted(METHODS), DEFAULT, LEGACY)


def _walk(
    session: WorkflowSession, first: dict[str, Any], walk: str
) -> tuple[list[str], Any] | None:
    """Follow next-page links from ``first``; answer every document id seen and the first
    total, or ``None`` when a page has a status the API does not answer (accepted by name, or
    broken rule ``execution_status_is_known``): nothing to judge."""
    body = first
    ids: list[str] = []
    total = None
    for page in range(WALK_TOP_K + 2):
        exchange = session.execute(body)
        execution = exchange.execution
        status = (execution or {}).get("status")
        if execution is not None and isinstance(status, str) and status not in KNOWN_STATUSES:
            # Accepted by name, or caught by `execution_status_is_known`: no place on the
            # lifecycle, so nothing to walk.
            return None
        session.expect(
            execution is not None and status in DOCUMENT_STATUSES,
            PaginationViolation,
            "pagination_walk_yields_each_document_once",
            f"page {page + 1} ({walk}) answered {exchange.status_code} {status!r}, not a "
            f"finished execution with documents ({' or '.join(sorted(DOCUMENT_STATUSES))}).",
        )
        assert execution is not None
        raw = execution.get("pagination")
        meta = read_meta(raw if isinstance(raw, dict) else {})
        ids += [str(d.get("document_id")) for d in execution.get("documents") or []]
        total = meta.total if total is None else total
        if not meta.has_next:
            return ids, total
        body = _next_page(body, meta.token, walk)
    raise PaginationViolation(
        rule="pagination_agrees_with_total_and_has_next",
        explanation=f"{walk}: has_next is still true after {WALK_TOP_K + 2} pages of {WALK_PAGE_SIZE} "
        f"documents with top_k {WALK_TOP_K}.",
    )


def _next_page(body: dict[str, Any], token: Any, walk: str) -> dict[str, Any]:
    if walk == LEGACY:
        return {**body, "offset": body["offset"] + body["limit"]}
    pagination = dict(body["pagination"])
    if walk == "offset":
        pagination["page_number"] += 1
    else:
        method = DEFAULT_METHOD if walk == DEFAULT else walk
        pagination[TOKEN_REQUEST_FIELD[method]] = token
    return {**body, "pagination": pagination}


def _first_page(session: WorkflowSession, walk: str) -> dict[str, Any]:
    body = session.query(top_k=WALK_TOP_K)
    if walk == LEGACY:
        return {**body, "limit": WALK_PAGE_SIZE, "offset": 0}
    if walk == "offset":
        return {
            **body,
            "pagination": {"method": "offset", "page_size": WALK_PAGE_SIZE, "page_number": 1},
        }
    if walk == DEFAULT:
        return {**body, "pagination": {"limit": WALK_PAGE_SIZE}}
    return {**body, "pagination": {"method": walk, "limit": WALK_PAGE_SIZE}}


def _pagination_walk(method: str) -> Callable[[WorkflowSession], None]:
    def walk(session: WorkflowSession) -> None:
        walked = _walk(session, _first_page(session, method), method)
        if walked is None:
            return
        ids, total = walked
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        session.expect(
            not duplicates,
            PaginationViolation,
            "pagination_walk_yields_each_document_once",
            f"walking {method} pages yielded {duplicates[:5]} more than once.",
        )
        everything = session.execute(
            {
                **session.query(top_k=WALK_TOP_K),
                "pagination": {"method": "offset", "page_size": MAX_PAGE_SIZE["offset"]},
            }
        )
        whole = [
            str(d.get("document_id")) for d in (everything.execution or {}).get("documents") or []
        ]
        session.expect(
            sorted(ids) == sorted(whole),
            PaginationViolation,
            "pagination_walk_yields_each_document_once",
            f"walking {method} pages yielded {len(ids)} documents, but the whole result in one page "
            f"holds {len(whole)}; {sorted(set(whole) - set(ids))[:5]} were never reached.",
        )
        session.expect(
            not isinstance(total, int) or total == len(ids),
            PaginationViolation,
            "pagination_agrees_with_total_and_has_next",
            f"walking {method} pages yielded {len(ids)} documents but pagination.total said {total}.",
        )

    walk.__name__ = f"pagination_walk_{method}"
    return walk


def page_size_alias(session: WorkflowSession) -> None:
    # `page_within_requested_size` judges the answer: the page holds at most `page_size`.
    session.execute({**session.query(top_k=WALK_TOP_K), PAGE_SIZE_ALIAS: WALK_PAGE_SIZE - 2})


def scored_page(session: WorkflowSession) -> None:
    # `scores_at_least_min_score` judges the answer: no document scores below `min_score`.
    session.execute(session.query(min_score=SCORED_PAGE_MIN_SCORE, top_k=WALK_TOP_K))


def cross_namespace_read(session: WorkflowSession) -> None:
    created = session.execute(session.query())
    execution_id = _execution_id(session, created, "cross_namespace_read")
    other = session.target.headers(namespace=session.target.other_namespace)
    read = session.read(execution_id, headers=other)
    session.expect(
        not read.ok,
        AccessViolation,
        "namespace_isolation",
        f"execution {execution_id} of namespace {session.target.namespace!r} was read "
        f"({read.status_code}) from namespace {session.target.other_namespace!r}.",
    )


def _refused_without_valid_credentials(
    session: WorkflowSession, rule: str, headers: dict[str, str]
) -> None:
    created = session.execute(session.query())
    execution_id = _execution_id(session, created, rule)
    for exchange in (
        session.execute(session.query(), headers=headers),
        session.read(execution_id, headers=headers),
    ):
        session.expect(
            exchange.status_code == 401,
            AccessViolation,
            rule,
            f"{exchange.method} {exchange.path} with Authorization "
            f"{headers.get('Authorization', '(none)')!r} answered {exchange.status_code}, not 401.",
        )


def unauthenticated_read(session: WorkflowSession) -> None:
    headers = {k: v for k, v in session.target.headers().items() if k != "Authorization"}
    _refused_without_valid_credentials(session, "unauthenticated_requests_refused", headers)


def wrongly_authenticated_read(session: WorkflowSession) -> None:
    for authorization in ("Bearer not-an-api-key", f"Basic {session.target.api_key}"):
        headers = {**session.target.headers(), "Authorization": authorization}
        _refused_without_valid_credentials(
            session, "wrongly_authenticated_requests_refused", headers
        )


def unknown_execution_read(session: WorkflowSession) -> None:
    seed = session.target.seed
    # Seeded, the same id every run (a run judges the same requests); unseeded, a fresh one.
    token = (
        hashlib.sha256(f"unknown-{seed}".encode()).hexdigest()[:32]
        if seed is not None
        else secrets.token_hex(16)
    )
    execution_id = f"exec_{token}"
    read = session.read(execution_id)
    session.expect(
        read.status_code == 404,
        LifecycleViolation,
        "unknown_execution_is_not_found",
        f"execution {execution_id} was never created, yet reading it answered {read.status_code}.",
    )


def unbounded_inputs_accepted(session: WorkflowSession) -> None:
    # `valid_requests_are_accepted` judges each answer: the spec bounds none of these inputs.
    words = (session.target.query + " ") * (LONG_QUERY_CHARS // (len(session.target.query) + 1))
    session.execute(session.query(query=words[:LONG_QUERY_CHARS]))
    session.execute(session.query(query=f"{session.target.query} \u2014 café 東京 🎧"))
    session.execute(session.query(top_k=HUGE_TOP_K))


WORKFLOWS: tuple[Callable[[WorkflowSession], None], ...] = (
    execute_then_read_back,
    in_flight_polled_to_end,
    *(_pagination_walk(walk) for walk in WALKS),
    page_size_alias,
    scored_page,
    cross_namespace_read,
    unauthenticated_read,
    wrongly_authenticated_read,
    unknown_execution_read,
    unbounded_inputs_accepted,
)


def run_workflows(client: httpx.Client, target: Target) -> Iterator[WorkflowOutcome]:
    """Run every workflow (each with a fresh ledger) and yield what each did.

    A broken expectation of the workflow, or a request that failed below HTTP on every
    attempt, ends that workflow; the end of the run's time or waiting budget
    (``RunIncomplete``) ends them all.
    """
    for workflow in WORKFLOWS:
        name = workflow.__name__
        session = WorkflowSession(client=client, target=target, name=name)
        fault = None
        try:
            workflow(session)
        except RuleViolation as violation:
            if all(f.rule != violation.rule for f in session.failures):
                session.failures.append(session.failure(violation))
        except TransportFault as error:
            fault = error
        yield WorkflowOutcome(
            name,
            tuple(session.exchanges),
            session.judged,
            failures=tuple(session.failures),
            fault=fault,
        )
