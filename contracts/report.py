"""What a contract run found and proved: a readable summary and JUnit XML (one test case per rule).

A :class:`Report` holds the findings (each broken rule with the exchanges that broke it and a
curl command per request), the run's :class:`~.coverage.Coverage` (what each rule judged, what
the run saw), its :class:`Traffic` (how often the target limited it, how long the runner
waited, which transport faults a retry cured), and why it stopped early, if it did.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .coverage import Coverage
from .digest import requests_digest
from .exchange import Exchange
from .pacing import PacingStats
from .target import Target
from .transport import TransportStats

__all__ = ["TRANSPORT_RULE", "Finding", "Report", "Traffic"]

#: Most findings shown per rule in the summary (all of them go to the JUnit XML).
SHOWN_PER_RULE = 3
#: The rule a request breaks when it fails below HTTP on every attempt.
TRANSPORT_RULE = "requests_complete"


@dataclass(frozen=True)
class Finding:
    """One broken rule: what broke, and a curl command (or several) that reproduces it."""

    rule: str
    message: str
    curl: str
    source: str
    exchanges: tuple[Exchange, ...] = ()
    """The exchanges that led to it, in order; the last one broke the rule."""


@dataclass
class Traffic:
    """How the run went on the wire."""

    pacing: PacingStats = field(default_factory=PacingStats)
    transport: TransportStats = field(default_factory=TransportStats)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        pacing, transport = self.pacing, self.transport
        lines = [f"Traffic: {transport.requests:,} requests in {self.seconds:.1f} s."]
        if pacing.limited_total:
            statuses = ", ".join(f"{s}: {n}" for s, n in sorted(pacing.limited.items()))
            lines.append(
                f"Rate limits: the target limited the run {pacing.limited_total} time(s) "
                f"({statuses}); the runner waited {pacing.waited_s:.1f} s as told, then retried."
            )
        else:
            lines.append("Rate limits: the target never limited the run.")
        if pacing.paced_requests:
            lines.append(
                f"Pacing: {pacing.paced_requests:,} request(s) waited {pacing.paced_s:.1f} s in "
                "all to stay below the target's limit (X-RateLimit-*) or --max-rps."
            )
        if transport.recovered or transport.persistent:
            cured = ", ".join(f"{kind} {n}" for kind, n in sorted(transport.recovered.items()))
            lasting = ", ".join(f"{kind} {n}" for kind, n in sorted(transport.persistent.items()))
            lines.append(
                f"Flaky target: {transport.recovered.total()} fault(s) cured by a retry"
                f"{f' ({cured})' if cured else ''}; "
                + (
                    f"{lasting} persisted (rule {TRANSPORT_RULE})."
                    if lasting
                    else "none persisted."
                )
            )
        return lines


@dataclass
class Report:
    """Every rule a run evaluated, the findings of those that broke, and what it proved."""

    target: Target
    rules: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    workflows_run: list[str] = field(default_factory=list)
    coverage: Coverage | None = None
    traffic: Traffic = field(default_factory=Traffic)
    incomplete: str | None = None
    """Why the run stopped before its end (a budget spent), or ``None``."""
    exchanges: list[Exchange] = field(default_factory=list)
    """Every exchange the rules judged, in the order sent (Schemathesis', then the workflows')."""
    replay_files: dict[str, list[Path]] = field(default_factory=dict)
    """Files written to replay each broken rule (a pytest test, a cassette), by rule."""
    html: Path | None = None

    def ran(self, rule: str) -> None:
        if rule not in self.rules:
            self.rules.append(rule)

    def add(self, finding: Finding) -> None:
        self.ran(finding.rule)
        self.findings.append(finding)

    @property
    def shortfalls(self) -> list[str]:
        """What the run was asked to cover (``min_coverage``, ``require``) and did not."""
        if self.coverage is None:
            return []
        return self.coverage.shortfalls(self.target.min_coverage, self.target.require)

    @property
    def not_exercised(self) -> list[str]:
        if self.coverage is None:
            return []
        broken = set(self.broken_rules)
        return [rule for rule in self.coverage.not_exercised if rule not in broken]

    @property
    def ok(self) -> bool:
        """Every rule held, the run reached its end and the coverage it was asked for."""
        return not self.findings and self.incomplete is None and not self.shortfalls

    @property
    def broken_rules(self) -> list[str]:
        return sorted({finding.rule for finding in self.findings})

    def by_rule(self) -> dict[str, list[Finding]]:
        grouped: dict[str, list[Finding]] = defaultdict(list)
        for finding in self.findings:
            grouped[finding.rule].append(finding)
        return dict(sorted(grouped.items()))

    def headline(self) -> str:
        target = self.target
        seed = f", seed {target.seed}" if target.seed is not None else ""
        return (
            f"Contract of spec/openapi.yaml against {target.url} (namespace "
            f"{target.namespace!r}, retriever {target.retriever_id!r}{seed})"
        )

    def verdict(self) -> str:
        """One line: how many rules held, broke, or were never exercised."""
        parts = [f"{len(self.rules)} rules checked", f"{len(self.broken_rules)} broken"]
        if self.coverage is not None:
            parts.append(f"{len(self.not_exercised)} not exercised")
        return ", ".join(parts) + "."

    def summary(self) -> str:
        """A plain-text summary: traffic, coverage, each broken rule with curl, and the verdict."""
        target = self.target
        lines = [self.headline()]
        if target.unknown_accepted_statuses:
            accepted = ", ".join(sorted(target.unknown_accepted_statuses))
            lines.append(f"Statuses accepted by name: {accepted}.")
        lines += self.traffic.lines()
        if self.exchanges:
            lines.append(
                f"Judged requests: {len(self.exchanges):,}, digest {requests_digest(self.exchanges)}"
                f" (--seed {target.seed} against the same server judges the same requests)."
                if target.seed is not None
                else f"Judged requests: {len(self.exchanges):,}."
            )
        if self.coverage is not None:
            lines += ["", *self.coverage.table()]
        lines += ["", self.verdict()]
        if self.incomplete is not None:
            lines.append(f"INCOMPLETE: the run stopped early: {self.incomplete}.")
        for problem in self.shortfalls:
            lines.append(f"NOT COVERED: {problem}.")
        if not self.findings:
            if self.ok:
                lines.append("OK: every rule held.")
                if self.not_exercised:
                    lines.append(
                        "Not exercised (judged nothing, so proved nothing here): "
                        + ", ".join(self.not_exercised)
                        + "."
                    )
            return "\n".join(lines)
        for rule, findings in self.by_rule().items():
            lines += ["", f"BROKEN RULE {rule} ({len(findings)} finding(s))"]
            for finding in findings[:SHOWN_PER_RULE]:
                lines.append(
                    f"  - [{finding.source}] {finding.message.strip()}".replace("\n", "\n    ")
                )
                if finding.curl:
                    lines.append("    reproduce with:")
                    lines += [f"      {command}" for command in finding.curl.splitlines()]
            if len(findings) > SHOWN_PER_RULE:
                lines.append(
                    f"  ... and {len(findings) - SHOWN_PER_RULE} more (see the JUnit XML)."
                )
            for path in self.replay_files.get(rule, []):
                lines.append(f"    replay: {path}")
        lines += ["", "Broken rules: " + ", ".join(self.broken_rules)]
        return "\n".join(lines)

    def write_junit(self, path: Path) -> Path:
        """Write JUnit XML: one test suite, one test case per rule (a failure per finding,
        skipped when the rule judged nothing), and one for the coverage asked for."""
        grouped = self.by_rule()
        skipped = set(self.not_exercised)
        shortfalls = self.shortfalls
        suite = ElementTree.Element(
            "testsuite",
            name="mixpeek-contracts",
            tests=str(
                len(self.rules)
                + (1 if self.coverage is not None else 0)
                + (1 if self.incomplete else 0)
            ),
            failures=str(len(grouped) + (1 if shortfalls else 0)),
            errors="1" if self.incomplete else "0",
            skipped=str(len(skipped)),
        )
        properties = ElementTree.SubElement(suite, "properties")
        pairs = [
            ("base_url", self.target.url),
            ("namespace", self.target.namespace),
            ("retriever_id", self.target.retriever_id),
            ("seed", "" if self.target.seed is None else str(self.target.seed)),
            ("requests", str(self.traffic.transport.requests)),
            ("rate_limited", str(self.traffic.pacing.limited_total)),
            ("waited_s", f"{self.traffic.pacing.waited_s:.1f}"),
        ]
        if self.coverage is not None:
            pairs.append(("coverage", f"{self.coverage.share:.3f}"))
        if self.incomplete:
            pairs.append(("incomplete", self.incomplete))
        for name, value in pairs:
            ElementTree.SubElement(properties, "property", name=name, value=value)
        for rule in sorted(self.rules):
            case = ElementTree.SubElement(
                suite, "testcase", classname="mixpeek_toolkit.contracts.rules", name=rule
            )
            findings = grouped.get(rule, [])
            if findings:
                failure = ElementTree.SubElement(
                    case, "failure", message=findings[0].message.splitlines()[0][:500]
                )
                failure.text = "\n\n".join(
                    f"[{f.source}] {f.message}\nreproduce with:\n{f.curl}" for f in findings
                )
            elif rule in skipped and self.coverage is not None:
                ElementTree.SubElement(case, "skipped", message=self.coverage.need(rule))
        if self.coverage is not None:
            case = ElementTree.SubElement(
                suite, "testcase", classname="mixpeek_toolkit.contracts.coverage", name="coverage"
            )
            if shortfalls:
                failure = ElementTree.SubElement(case, "failure", message=shortfalls[0][:500])
                failure.text = "\n".join(shortfalls)
            case_out = ElementTree.SubElement(case, "system-out")
            case_out.text = "\n".join(self.coverage.table())
        if self.incomplete:
            case = ElementTree.SubElement(
                suite, "testcase", classname="mixpeek_toolkit.contracts.run", name="run_completed"
            )
            error = ElementTree.SubElement(case, "error", message=self.incomplete[:500])
            error.text = self.incomplete
        path.parent.mkdir(parents=True, exist_ok=True)
        ElementTree.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
        return path
