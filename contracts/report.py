"""What a contract run found: a readable summary and JUnit XML (one test case per rule)."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .target import Target

__all__ = ["Finding", "Report"]

#: Most findings shown per rule in the summary (all of them go to the JUnit XML).
SHOWN_PER_RULE = 3


@dataclass(frozen=True)
class Finding:
    """One broken rule: what broke, and a curl command (or several) that reproduces it."""

    rule: str
    message: str
    curl: str
    source: str


@dataclass
class Report:
    """Every rule a run evaluated, and the findings of those that broke."""

    target: Target
    rules: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    workflows_run: list[str] = field(default_factory=list)

    def ran(self, rule: str) -> None:
        if rule not in self.rules:
            self.rules.append(rule)

    def add(self, finding: Finding) -> None:
        self.ran(finding.rule)
        self.findings.append(finding)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def broken_rules(self) -> list[str]:
        return sorted({finding.rule for finding in self.findings})

    def by_rule(self) -> dict[str, list[Finding]]:
        grouped: dict[str, list[Finding]] = defaultdict(list)
        for finding in self.findings:
            grouped[finding.rule].append(finding)
        return dict(sorted(grouped.items()))

    def summary(self) -> str:
        """A plain-text summary: one line per rule outcome, then each broken rule with curl."""
        target = self.target
        lines = [
            f"Contract of spec/openapi.yaml against {target.url} "
            f"(namespace {target.namespace!r}, retriever {target.retriever_id!r})",
        ]
        if target.unknown_accepted_statuses:
            accepted = ", ".join(sorted(target.unknown_accepted_statuses))
            lines.append(f"Statuses accepted by name: {accepted}.")
        lines.append(f"{len(self.rules)} rules checked, {len(self.broken_rules)} broken.")
        if self.ok:
            lines.append("OK: every rule held.")
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
        lines += ["", "Broken rules: " + ", ".join(self.broken_rules)]
        return "\n".join(lines)

    def write_junit(self, path: Path) -> Path:
        """Write JUnit XML: one test suite, one test case per rule, a failure per finding."""
        grouped = self.by_rule()
        suite = ElementTree.Element(
            "testsuite",
            name="mixpeek-contracts",
            tests=str(len(self.rules)),
            failures=str(len(grouped)),
            errors="0",
        )
        properties = ElementTree.SubElement(suite, "properties")
        for name, value in (
            ("base_url", self.target.url),
            ("namespace", self.target.namespace),
            ("retriever_id", self.target.retriever_id),
        ):
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
        path.parent.mkdir(parents=True, exist_ok=True)
        ElementTree.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
        return path
