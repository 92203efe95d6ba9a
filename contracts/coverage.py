"""What a run proved: how many answers each rule judged, and what the run got to see.

A rule that judged nothing proved nothing. Against the real API the ``Prefer`` hints do
nothing: no execution is ever seen in flight or failed, so the lifecycle rules never get a
chance to fail, and "every rule held" would overstate the run. :class:`Coverage` says, for
each rule, how many answers it judged ("not exercised" when none), and, for each operation,
which documented statuses were answered, which execution statuses and pagination methods
were seen, and whether a streamed answer was. ``min_coverage`` and ``require`` turn gaps into
a failed run (:meth:`Coverage.shortfalls`).

Verdicts are counted from the exchanges of the run, judged again by every rule with a fresh
ledger per scope (Schemathesis' run, each workflow), as the run judged them: rules are pure
functions of what they see. Schemathesis' built-in checks count every answer they ran on
(Schemathesis does not say when one did not apply); the workflows add their own verdicts
(e.g. a pagination walk).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from . import rules
from .exchange import Exchange
from .facts import (
    DOCUMENT_STATUSES,
    DOCUMENTED_STATUSES,
    IN_FLIGHT,
    KNOWN_STATUSES,
    OPERATION_IDS,
    STATUS_RANK,
)
from .ledger import ExecutionLedger
from .pages import LEGACY, METHODS, request_method

__all__ = ["NEEDS", "Coverage", "Requirement"]

_LIFECYCLE = " or ".join(sorted(IN_FLIGHT, key=STATUS_RANK.__getitem__))
#: What each rule needs to see to judge anything (the reason a skipped rule gives).
NEEDS: Mapping[str, str] = {
    "execution_status_is_known": "an execution in an answer",
    "error_set_exactly_when_failed": "an execution with a known status",
    "degraded_entries_say_what_was_skipped": "a degraded execution listing what it skipped",
    "in_flight_execution_is_coherent": (
        f"an execution in flight ({_LIFECYCLE}); a server that ignores `Prefer: respond-async` "
        "answers every execution finished"
    ),
    "terminal_state_never_changes": "the same execution answered twice",
    "execution_read_back_matches_creation": "an execution read back after it was created",
    "unknown_execution_is_not_found": "a read of an execution id nobody created",
    "documents_sorted_by_score": "a finished page of two or more documents without `sort`",
    "document_ids_unique": "an answer with two or more documents",
    "page_within_requested_size": "a finished page",
    "scores_at_least_min_score": "a finished page of documents for a request with `min_score`",
    "pagination_agrees_with_total_and_has_next": "a finished page with pagination metadata",
    "pagination_walk_yields_each_document_once": "a pagination walk to the last page",
    "budget_figures_coherent": "an execution with a `budget`",
    "error_envelope_matches_status": "an error answer (4xx/5xx) of the two operations",
    "namespace_isolation": "a read of an execution from another namespace",
    "unauthenticated_requests_refused": "a request without `Authorization`",
    "wrongly_authenticated_requests_refused": "a request with malformed credentials",
    "valid_requests_are_accepted": "a request that keeps the schemas",
}
_DEFAULT_NEED = "an answer it applies to"
STREAMING = "text/event-stream"


@dataclass(frozen=True)
class Requirement:
    """``exercised:RULE`` or ``seen:ITEM``: coverage a run must reach."""

    kind: str
    name: str

    @classmethod
    def parse(cls, raw: str) -> Requirement:
        kind, _, name = raw.partition(":")
        return cls(kind, name)

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}"


@dataclass
class Coverage:
    """Verdicts per rule, and what the run saw (see the module)."""

    judged: Counter[str] = field(default_factory=Counter)
    """Answers each rule judged (held or broke), by rule."""
    rules: list[str] = field(default_factory=list)
    """Every rule of the run, in the order first met."""
    seen: dict[str, Counter[str]] = field(default_factory=dict)
    """What the run saw, by group (``executeRetriever status``, ``execution status``, ...)."""
    expected: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """The items each group of :attr:`seen` should show (each documented status, ...)."""

    def __post_init__(self) -> None:
        for name in rules.RULES:
            self._rule(name)
        for operation_id, statuses in DOCUMENTED_STATUSES.items():
            self._expect(f"{operation_id} status", [str(code) for code in statuses])
        known = sorted(KNOWN_STATUSES, key=lambda status: (STATUS_RANK[status], status))
        self._expect("execution status", known)
        self._expect("pagination", [*sorted(METHODS), LEGACY])
        self._expect("streaming", [STREAMING])

    # --- counting -------------------------------------------------------------------------

    def _rule(self, name: str) -> None:
        if name not in self.rules:
            self.rules.append(name)

    def _expect(self, group: str, items: Iterable[str]) -> None:
        self.expected[group] = tuple(items)
        self.seen.setdefault(group, Counter())

    def add_rule(self, name: str, judged: int = 0) -> None:
        """A rule outside :data:`rules.RULES` (a built-in check, a workflow's own)."""
        self._rule(name)
        self.judged[name] += judged

    def add_scope(
        self, exchanges: Iterable[Exchange], *, accepted_statuses: Collection[str] = ()
    ) -> None:
        """Judge one scope's exchanges again, in order, with a fresh ledger, and count."""
        ledger = ExecutionLedger()
        for exchange in exchanges:
            verdicts = rules.verdicts(exchange, ledger, accepted_statuses=accepted_statuses)
            ledger.record(exchange)
            self.judged.update(verdicts.keys())
            self._saw(exchange)

    def _saw(self, exchange: Exchange) -> None:
        operation_id = OPERATION_IDS.get(exchange.operation)
        if operation_id is None:
            return
        self.seen.setdefault(f"{operation_id} status", Counter())[str(exchange.status_code)] += 1
        execution = exchange.execution
        status = execution.get("status") if execution is not None else None
        if isinstance(status, str):
            self.seen["execution status"][status] += 1
        if exchange.operation != "execute" or not exchange.ok:
            return
        if exchange.content_type.startswith(STREAMING):
            self.seen["streaming"][STREAMING] += 1
        elif status in DOCUMENT_STATUSES and isinstance(exchange.request_body, dict):
            method = request_method(exchange.request_body)
            if method is not None:
                self.seen["pagination"][method] += 1

    # --- verdict ----------------------------------------------------------------------------

    @property
    def exercised(self) -> list[str]:
        return [name for name in self.rules if self.judged[name]]

    @property
    def not_exercised(self) -> list[str]:
        return [name for name in self.rules if not self.judged[name]]

    @property
    def share(self) -> float:
        """Share of the rules exercised (0 to 1)."""
        return len(self.exercised) / len(self.rules) if self.rules else 0.0

    def need(self, rule: str) -> str:
        """Why ``rule`` was not exercised: what it needs to see."""
        return f"not exercised: no answer of this run was {NEEDS.get(rule, _DEFAULT_NEED)}"

    def unseen(self, group: str) -> list[str]:
        return [item for item in self.expected.get(group, ()) if not self.seen[group][item]]

    def is_seen(self, item: str) -> bool:
        """Whether ``item`` (``processing``, ``keyset``, ``executeRetriever:422``, ...) was seen."""
        group, _, name = item.rpartition(":")
        counters = (
            [counter for key, counter in self.seen.items() if key.startswith(f"{group} ")]
            if group
            else list(self.seen.values())
        )
        return any(counter[name] for counter in counters)

    def shortfalls(self, min_coverage: float, required: Iterable[str]) -> list[str]:
        """What the run was asked to cover and did not, one sentence each."""
        problems = []
        if self.share + 1e-9 < min_coverage:
            problems.append(
                f"{len(self.exercised)} of {len(self.rules)} rules exercised "
                f"({self.share:.0%}), below --min-coverage {min_coverage:g}; not exercised: "
                + ", ".join(self.not_exercised)
            )
        for raw in sorted(required):
            requirement = Requirement.parse(raw)
            if requirement.kind == "exercised":
                if requirement.name not in self.rules:
                    problems.append(f"{requirement}: no rule of this run is named so")
                elif not self.judged[requirement.name]:
                    problems.append(f"{requirement}: {self.need(requirement.name)}")
            elif not self.is_seen(requirement.name):
                problems.append(f"{requirement}: the run never saw it")
        return problems

    def table(self) -> list[str]:
        """The coverage table of the summary, as lines."""
        width = max(len(name) for name in self.rules)
        lines = [
            f"Coverage: {len(self.exercised)} of {len(self.rules)} rules exercised "
            f"({self.share:.0%}).",
        ]
        for name in self.rules:
            count = self.judged[name]
            said = f"{count} judged" if count else "NOT EXERCISED"
            lines.append(f"  {name:<{width}}  {said}")
        lines.append("Seen:")
        for group, expected in self.expected.items():
            counter = self.seen[group]
            extra = sorted(set(counter) - set(expected))
            items = [f"{item} {counter[item]}" for item in (*expected, *extra) if counter[item]]
            missing = self.unseen(group)
            line = f"  {group}: " + (", ".join(items) if items else "none")
            if missing:
                line += f"; never: {', '.join(missing)}"
            lines.append(line)
        return lines
