"""A self-contained HTML report of a run: the summary, the coverage table, and each failure
with its requests and answers. One file, no scripts, no external resources; every value
is escaped (``html.escape``) and secrets are redacted as in the cassettes."""

from __future__ import annotations

import contextlib
import json
import os
from html import escape
from pathlib import Path

from .cassette import REDACTED, redact
from .exchange import Exchange
from .report import Finding, Report

__all__ = ["render_html", "write_html"]

_STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #222; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: .5rem 0; }
td, th { border: 1px solid #ccc; padding: .2rem .6rem; text-align: left; vertical-align: top; }
.ok { color: #176b2c; } .broken { color: #a51d1d; font-weight: bold; } .idle { color: #8a5a00; }
pre { background: #f6f6f6; padding: .6rem; overflow-x: auto; white-space: pre-wrap; }
details { margin: .4rem 0 1rem; } summary { cursor: pointer; }
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _body(content: bytes | None, secret: str) -> str:
    text = (content or b"").decode("utf-8", "replace")
    with contextlib.suppress(ValueError):
        text = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    return redact(text, secret)


def _headers(headers: dict[str, str], secret: str) -> str:
    return "\n".join(
        f"{name}: {REDACTED if name.lower() == 'authorization' else redact(value, secret)}"
        for name, value in headers.items()
    )


def _exchange(exchange: Exchange, number: int, report: Report) -> str:
    secret = report.target.api_key
    url = report.target.url + exchange.path + (f"?{exchange.query}" if exchange.query else "")
    sent = exchange.request_content
    if sent is None and exchange.request_body is not None:
        sent = json.dumps(exchange.request_body).encode()
    return (
        f"<h4>Step {number}: {_e(exchange.method)} {_e(redact(url, secret))} &rarr; "
        f"{exchange.status_code}</h4>"
        f"<pre>{_e(_headers(dict(exchange.request_headers), secret))}\n\n"
        f"{_e(_body(sent, secret))}</pre>"
        f"<p>Answer {exchange.status_code}:</p>"
        f"<pre>{_e(_headers(dict(exchange.response_headers), secret))}\n\n"
        f"{_e(_body(exchange.response_content, secret))}</pre>"
    )


def _finding(finding: Finding, report: Report) -> str:
    secret = report.target.api_key
    steps = "".join(
        _exchange(exchange, number, report)
        for number, exchange in enumerate(finding.exchanges, start=1)
    )
    curl = (
        f"<p>Reproduce with:</p><pre>{_e(redact(finding.curl, secret))}</pre>"
        if finding.curl
        else ""
    )
    return (
        f"<details open><summary>[{_e(finding.source)}] "
        f"{_e(redact(finding.message.strip().splitlines()[0], secret))}</summary>"
        f"<pre>{_e(redact(finding.message.strip(), secret))}</pre>{curl}{steps}</details>"
    )


def _coverage(report: Report) -> str:
    coverage = report.coverage
    if coverage is None:
        return ""
    broken = set(report.broken_rules)
    rows = []
    for rule in coverage.rules:
        count = coverage.judged[rule]
        if rule in broken:
            state = '<span class="broken">broken</span>'
        elif count:
            state = '<span class="ok">held</span>'
        else:
            state = f'<span class="idle">{_e(coverage.need(rule))}</span>'
        rows.append(f"<tr><td><code>{_e(rule)}</code></td><td>{count}</td><td>{state}</td></tr>")
    seen = []
    for group, expected in coverage.expected.items():
        counter = coverage.seen[group]
        items = [*expected, *sorted(set(counter) - set(expected))]
        cells = ", ".join(
            f"{_e(item)} {counter[item]}"
            if counter[item]
            else f'<span class="idle">{_e(item)} never</span>'
            for item in items
        )
        seen.append(f"<tr><td>{_e(group)}</td><td>{cells}</td></tr>")
    return (
        f"<h2>Coverage: {len(coverage.exercised)} of {len(coverage.rules)} rules exercised "
        f"({coverage.share:.0%})</h2>"
        "<table><tr><th>rule</th><th>answers judged</th><th>verdict</th></tr>"
        + "".join(rows)
        + "</table><h3>Seen</h3><table>"
        + "".join(seen)
        + "</table>"
    )


def render_html(report: Report, *, folder: Path | None = None) -> str:
    """The report as one HTML page (links to replay files relative to ``folder``)."""
    secret = report.target.api_key
    lines = [*report.traffic.lines(), report.verdict()]
    if report.incomplete:
        lines.append(f"INCOMPLETE: the run stopped early: {report.incomplete}.")
    lines += [f"NOT COVERED: {problem}." for problem in report.shortfalls]
    failures = []
    for rule, findings in report.by_rule().items():
        links = [
            Path(os.path.relpath(path, folder)) if folder is not None else path
            for path in report.replay_files.get(rule, [])
        ]
        files = "".join(
            f"<li><a href='{_e(link.as_posix())}'>{_e(link.as_posix())}</a></li>" for link in links
        )
        replay = f"<p>Replay files:</p><ul>{files}</ul>" if files else ""
        failures.append(
            f"<h2 class='broken'>Broken rule <code>{_e(rule)}</code> ({len(findings)} "
            f"finding(s))</h2>{replay}" + "".join(_finding(f, report) for f in findings)
        )
    verdict = "OK: every rule held." if report.ok else "The contract does not hold."
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>Contract report: {_e(redact(report.target.url, secret))}</title>"
        f"<style>{_STYLE}</style></head><body>"
        f"<h1>{_e(redact(report.headline(), secret))}</h1>"
        f"<p class='{'ok' if report.ok else 'broken'}'>{_e(verdict)}</p>"
        "<ul>"
        + "".join(f"<li>{_e(line)}</li>" for line in lines)
        + "</ul>"
        + _coverage(report)
        + "".join(failures)
        + "</body></html>\n"
    )


def write_html(report: Report, path: Path) -> Path:
    """Write :func:`render_html` to ``path`` (its folder is created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report, folder=path.parent), encoding="utf-8")
    report.html = path
    return path
