"""A count-bounded concurrent load on a live mock, and the ledger that proves nothing was lost.

``run_load`` starts ``clients`` threads, each with its own HTTP connection and namespace.
The namespaces are shared unevenly: half the clients go round robin over all of them,
the other half over the first half of them, so busy namespaces (three times the
clients) run out of budget while quiet ones do not. Each client performs exactly
``operations`` operations drawn from its own seeded random plan (execute, poll one of
its executions still in flight, re-read a finished one, read another namespace's
execution), then polls its in-flight executions to the end and reads every execution
once more. Every answer is checked as it arrives; what breaks a rule is a *violation*
(a sentence), never an exception in a thread:

- every read answers its own ``execution_id`` and ``retriever_id``;
- statuses only move forward by the spec's ``x-lifecycle-rank`` and a finished
  execution never changes;
- every execution stays readable from its namespace until the end, and a read from
  another namespace is a 404;
- per namespace, ``credits_remaining`` (read from a final answer) equals the credits it
  started with minus the ``credits_used`` of its finished executions, exactly.

The test (``test_concurrency.py``) runs it small; ``make soak`` runs it long.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from mixpeek_toolkit import spec

__all__ = ["STATUS_RANK", "LoadReport", "run_load"]

STATUS_RANK: dict[str, int] = dict(
    spec.load_openapi()["components"]["schemas"]["KnownExecutionStatus"]["x-lifecycle-rank"]
)
"""Lifecycle order of the statuses, as the spec declares it."""
TERMINAL_RANK = max(STATUS_RANK.values())
WORDS = ["headphones", "espresso", "travel", "refund", "sunset", "camera", "laptop", "shoes"]
WORDS += ["password reset", "harbour", "noise cancelling", "kitchen", "hiking", "invoice"]
TIMEOUT_S = 30.0


@dataclass
class Tracked:
    """One execution as its client saw it."""

    execution_id: str
    namespace: str
    retriever_id: str
    statuses: list[str] = field(default_factory=list)
    last: dict[str, Any] = field(default_factory=dict)

    @property
    def terminal(self) -> bool:
        return STATUS_RANK.get(self.statuses[-1], -1) == TERMINAL_RANK


@dataclass
class LoadReport:
    """What a load run did and what it found."""

    clients: int
    operations: int
    namespaces: int
    requests: int = 0
    executions: int = 0
    reads: int = 0
    foreign_reads: int = 0
    seconds: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    budget_exhausted: int = 0
    violations: list[str] = field(default_factory=list)
    budgets: dict[str, tuple[float, float]] = field(default_factory=dict)
    """namespace -> (credits_remaining answered, credits expected)."""


class _Ledger:
    """Shared, thread-safe: every execution created, and the report."""

    def __init__(self, report: LoadReport) -> None:
        self.report = report
        self.lock = threading.Lock()
        self.executions: list[Tracked] = []

    def violation(self, message: str) -> None:
        with self.lock:
            self.report.violations.append(message)

    def count(self, **increments: int) -> None:
        with self.lock:
            for name, value in increments.items():
                setattr(self.report, name, getattr(self.report, name) + value)

    def created(self, tracked: Tracked) -> None:
        with self.lock:
            self.executions.append(tracked)

    def foreign(self, namespace: str, rng: random.Random) -> Tracked | None:
        with self.lock:
            others = [t for t in self.executions[-200:] if t.namespace != namespace]
        return rng.choice(others) if others else None


class _Client:
    def __init__(
        self,
        index: int,
        base_url: str,
        namespace: str,
        retrievers: list[dict[str, Any]],
        ledger: _Ledger,
        seed: int,
    ) -> None:
        self.namespace = namespace
        self.retrievers = retrievers
        self.ledger = ledger
        self.rng = random.Random(f"{seed}:{index}")
        self.http = httpx.Client(
            base_url=base_url,
            headers={"Authorization": f"Bearer sk_load_{index}", "X-Namespace": namespace},
            timeout=TIMEOUT_S,
        )
        self.own: list[Tracked] = []

    # ------------------------------------------------------------ operations

    def run(self, operations: int) -> None:
        try:
            for _ in range(operations):
                self.step()
            self.drain()
            for tracked in self.own:
                self.read(tracked, final=True)
        except Exception as error:  # a transport failure is a finding, not a crash
            self.ledger.violation(f"{self.namespace}: {type(error).__name__}: {error}")
        finally:
            self.http.close()

    def step(self) -> None:
        in_flight = [t for t in self.own if not t.terminal]
        finished = [t for t in self.own if t.terminal]
        roll = self.rng.random()
        if roll < 0.45 or not self.own:
            self.execute()
        elif roll < 0.8 and in_flight:
            self.read(self.rng.choice(in_flight))
        elif roll < 0.9 and finished:
            self.read(self.rng.choice(finished))
        else:
            other = self.ledger.foreign(self.namespace, self.rng)
            if other is None:
                self.execute()
            else:
                self.read_foreign(other)

    def execute(self) -> None:
        retriever = self.rng.choice(self.retrievers)
        inputs: dict[str, Any] = {"query": self.rng.choice(WORDS)}
        if any(i["name"] == "media_type" and i["required"] for i in retriever["inputs"]):
            inputs["media_type"] = self.rng.choice(["image", "video"])
        body = {"inputs": inputs, "pagination": {"method": "cursor", "limit": 5}}
        response = self.http.post(f"/v1/retrievers/{retriever['retriever_id']}/execute", json=body)
        self.ledger.count(requests=1, executions=1)
        if response.status_code != 200:
            self.ledger.violation(f"execute answered {response.status_code}: {response.text[:300]}")
            return
        answer = response.json()
        tracked = Tracked(answer["execution_id"], self.namespace, retriever["retriever_id"])
        self.observe(tracked, answer, "execute")
        self.own.append(tracked)
        self.ledger.created(tracked)

    def read(self, tracked: Tracked, *, final: bool = False) -> None:
        response = self.http.get(self.path(tracked))
        self.ledger.count(requests=1, reads=1)
        if response.status_code != 200:
            self.ledger.violation(
                f"{tracked.execution_id} ({tracked.namespace}) became unreadable: "
                f"{response.status_code} {response.text[:300]}"
            )
            return
        answer = response.json()
        was_terminal = tracked.terminal
        before = dict(tracked.last)
        self.observe(tracked, answer, "read")
        if was_terminal and _settled(answer) != _settled(before):
            self.ledger.violation(
                f"{tracked.execution_id}: a finished execution changed: "
                f"{_settled(before)} -> {_settled(answer)}"
            )
        if final and not tracked.terminal:
            self.ledger.violation(f"{tracked.execution_id} never finished: {tracked.statuses}")

    def read_foreign(self, other: Tracked) -> None:
        response = self.http.get(self.path(other))  # our namespace header, their execution
        self.ledger.count(requests=1, foreign_reads=1)
        if response.status_code != 404:
            self.ledger.violation(
                f"{other.execution_id} of namespace {other.namespace!r} answered "
                f"{response.status_code} to namespace {self.namespace!r}"
            )

    def drain(self) -> None:
        for tracked in self.own:
            for _ in range(len(tracked.last.get("stage_statistics", {}).get("stages", {})) + 25):
                if tracked.terminal:
                    break
                self.read(tracked)

    # ------------------------------------------------------------ checks

    def path(self, tracked: Tracked) -> str:
        return f"/v1/retrievers/{tracked.retriever_id}/executions/{tracked.execution_id}"

    def observe(self, tracked: Tracked, answer: dict[str, Any], what: str) -> None:
        status = answer.get("status")
        for name, expected in (
            ("execution_id", tracked.execution_id),
            ("retriever_id", tracked.retriever_id),
        ):
            if answer.get(name) != expected:
                self.ledger.violation(
                    f"{what} of {tracked.execution_id} answered {name} {answer.get(name)!r}"
                )
        if status not in STATUS_RANK:
            self.ledger.violation(f"{tracked.execution_id}: unknown status {status!r}")
            return
        if tracked.statuses:
            previous = tracked.statuses[-1]
            if STATUS_RANK[status] < STATUS_RANK[previous] or (
                STATUS_RANK[previous] == TERMINAL_RANK and status != previous
            ):
                self.ledger.violation(
                    f"{tracked.execution_id}: status moved backwards: "
                    f"{' -> '.join([*tracked.statuses, status])}"
                )
        tracked.statuses.append(status)
        tracked.last = answer


def _settled(answer: dict[str, Any]) -> tuple:
    budget = answer.get("budget") or {}
    return (answer.get("status"), answer.get("completed_at"), budget.get("credits_used"))


def _budget_probe(base_url: str, namespace: str, retriever_id: str) -> dict[str, Any]:
    """An execution that fails on purpose (and so costs nothing): the namespace's budget now."""
    with httpx.Client(base_url=base_url, timeout=TIMEOUT_S) as http:
        response = http.post(
            f"/v1/retrievers/{retriever_id}/execute",
            json={"inputs": {"query": "budget"}},
            headers={
                "Authorization": "Bearer sk_load_probe",
                "X-Namespace": namespace,
                "Prefer": 'outcome=failed, error="budget probe"',
            },
        )
    response.raise_for_status()
    return response.json()


def run_load(
    base_url: str,
    *,
    clients: int = 64,
    operations: int = 20,
    namespaces: int = 16,
    credits_per_namespace: float,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> LoadReport:
    """Run the load against a live mock at ``base_url`` (freshly reset) and check it."""
    report = LoadReport(clients=clients, operations=operations, namespaces=namespaces)
    ledger = _Ledger(report)
    with httpx.Client(base_url=base_url, timeout=TIMEOUT_S) as http:
        http.post("/_mock/reset").raise_for_status()
        retrievers = http.get("/_mock/world").json()["retrievers"]
    names = [f"load-{seed}-{n}" for n in range(namespaces)]
    busy = max(namespaces // 2, 1)
    workers = [
        _Client(
            i,
            base_url,
            names[i % namespaces if i < clients // 2 else i % busy],
            retrievers,
            ledger,
            seed,
        )
        for i in range(clients)
    ]
    threads = [
        threading.Thread(target=w.run, args=(operations,), name=f"load-{i}")
        for i, w in enumerate(workers)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report.seconds = time.perf_counter() - started

    spent: dict[str, float] = defaultdict(float)
    for tracked in ledger.executions:
        report.statuses[tracked.statuses[-1]] += 1
        if "Budget exceeded" in str(tracked.last.get("error") or ""):
            report.budget_exhausted += 1
        spent[tracked.namespace] += float(tracked.last.get("budget", {}).get("credits_used", 0))
    ids = [t.execution_id for t in ledger.executions]
    if len(set(ids)) != len(ids):
        report.violations.append(f"{len(ids) - len(set(ids))} execution ids were issued twice")
    for namespace in names:
        probe = _budget_probe(base_url, namespace, retrievers[0]["retriever_id"])
        remaining = float(probe["budget"]["credits_remaining"])
        expected = max(credits_per_namespace - spent[namespace], 0.0)
        report.budgets[namespace] = (remaining, expected)
        if remaining != expected:
            report.violations.append(
                f"namespace {namespace!r}: credits_remaining {remaining} != {credits_per_namespace}"
                f" - {spent[namespace]} spent by its finished executions"
            )
    with httpx.Client(base_url=base_url, timeout=TIMEOUT_S) as http:
        stored = http.get("/_mock/health").json()["executions"]
    if stored != len(ids) + len(names):  # every execution, plus one budget probe each
        report.violations.append(f"the store holds {stored} executions, {len(ids)} were made")
    if progress is not None:
        progress(f"{report.requests} requests in {report.seconds:.1f} s")
    return report
