"""A run's figures as Markdown (printed and written to reports/bench.md) and as JSON.

:func:`render_markdown` is pure: the same results give the same text.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["fmt", "render_markdown", "write_json"]


def fmt(value: float | None, digits: int = 0, *, suffix: str = "") -> str:
    """A number for a table: thousands separated, ``-`` when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.{digits}f}{suffix}"


def _ratio(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}x" if value < 10 else f"{value:.1f}x"


def _others(machine: Mapping[str, Any]) -> str:
    share = machine.get("others_cpu_share")
    return (
        f", other processes used {share:.0%} of the CPU during the run" if share is not None else ""
    )


def _table(header: Sequence[str], align: str, lines: Sequence[Sequence[str]]) -> list[str]:
    rule = ["---:" if a == "r" else "---" for a in align]
    out = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    out += ["| " + " | ".join(cells) + " |" for cells in lines]
    return out


def _throughput(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    lines = []
    for row in rows:
        if row.get("skipped"):
            lines.append([row["label"], str(row["connections"]), "skipped", *["-"] * 7])
            continue
        lines.append(
            [
                row["label"],
                str(row["connections"]),
                fmt(row["rps"]),
                fmt(row["p50_ms"], 2),
                fmt(row["p99_ms"], 2),
                fmt(row.get("server_cpu_us")),
                fmt(row["errors"]),
                fmt(row["answer_bytes"]),
                _ratio(row["ratio_to_ceiling"]),
                _ratio(row["ratio_to_prism"]),
            ]
        )
    header = ["row", "conns", "req/s", "p50 ms", "p99 ms", "CPU us/req", "errors", "answer B"]
    return _table([*header, "/ ceiling", "/ Prism"], "lrrrrrrrrr", lines)


def _startup(startup: Mapping[str, Any]) -> str:
    if "median_ms" not in startup:
        return startup.get("skipped", "-")
    samples = ", ".join(fmt(s) for s in startup["samples_ms"])
    return f"median {fmt(startup['median_ms'])} ms ({samples} ms)"


def _strict(costs: Sequence[Mapping[str, Any]]) -> str:
    if not costs:
        return "-"
    return "; ".join(
        f"{c['connections']} conn: {fmt(c['rps_off'])} -> {fmt(c['rps_strict'])} req/s "
        f"(x{c['rps_strict'] / c['rps_off']:.2f}), p50 {c['p50_added_ms']:+.2f} ms, "
        f"p99 {c['p99_added_ms']:+.2f} ms"
        for c in costs
    )


def _asgi(compared: Sequence[Mapping[str, Any]]) -> str:
    if not compared:
        return "-"
    return "; ".join(
        f"{c['row']} @{c['connections']}: {fmt(c['rps_uvicorn'])} -> {fmt(c['rps_other'])} "
        f"req/s ({_ratio(c['speedup'])}), p99 {fmt(c['p99_uvicorn_ms'], 1)} -> "
        f"{fmt(c['p99_other_ms'], 1)} ms, CPU {fmt(c['cpu_us_uvicorn'])} -> "
        f"{fmt(c['cpu_us_other'])} us/req"
        for c in compared
    )


def _memory(memory: Mapping[str, Any]) -> str:
    if not memory.get("checkpoints"):
        return memory.get("skipped", "-")
    series = ", ".join(
        f"{c['executions'] // 1000:,}k: {c['rss_mb']:.1f}" for c in memory["checkpoints"]
    )
    per = memory.get("kb_per_stored_execution")
    return (
        f"{memory['reached']:,} of {memory['target_executions']:,} executions in "
        f"{memory['seconds']:.0f} s (store keeps {memory.get('stored', '-'):,}); RSS MB at "
        f"{series}" + (f"; ~{per:.1f} kB per stored execution" if per else "")
    )


def _engine(engine: Mapping[str, Any]) -> str:
    if not engine.get("sizes"):
        return engine.get("skipped", "-")
    parts = []
    for size in engine["sizes"]:
        cpu = f", CPU {size['cpu_p50_ms']:.1f} ms" if size.get("cpu_p50_ms") is not None else ""
        first = f", first run {size['first_ms']:,.0f} ms" if size.get("first_ms") else ""
        parts.append(
            f"{size['documents'] // 1000:,}k docs: {size['p50_ms']:.1f} ms "
            f"({size['runs']} runs{cpu}{first})"
        )
    factor, cpu_factor = engine.get("growth_factor"), engine.get("cpu_growth_factor")
    fastest = engine.get("fastest_growth_factor")
    growth = f"; growth factor {factor:.2f}" if factor is not None else ""
    extra = [f"CPU time: {cpu_factor:.2f}"] if cpu_factor is not None else []
    extra += [f"fastest runs: {fastest:.2f}"] if fastest is not None else []
    growth += f" ({', '.join(extra)})" if extra else ""
    if engine.get("sizes_taking_turns"):
        growth += "; the sizes took turns, one run each"
    return "; ".join(parts) + growth


def _contracts(contracts: Mapping[str, Any]) -> str:
    if "cases" not in contracts:
        return contracts.get("skipped", "-")
    rules = contracts.get("rules_checked")
    broken = contracts.get("rules_broken")
    rules_text = f", {rules} rules, {broken} broken" if rules is not None else ""
    return (
        f"{fmt(contracts['cases_per_s'], 1)} cases/s ({contracts['cases']:,} cases in "
        f"{contracts['seconds']:.1f} s, --max-examples {contracts['max_examples']} --seed "
        f"{contracts['seed']}{rules_text}, exit {contracts['exit_code']})"
    )


def _server_rss(results: Mapping[str, Any]) -> str:
    rss = results.get("server_rss_mb")
    if rss is None:
        return "-"
    served = results.get("server_requests")
    after = f" after {served:,} requests" if served else ""
    top_k = results.get("server_last_top_k")
    held = f", of the last execute row: {top_k} documents each" if top_k else ""
    return f"{rss:.1f} MB{after} (its store holds the last 10,000 executions{held})"


def render_markdown(results: Mapping[str, Any]) -> str:
    machine = results.get("machine", {})
    config = results.get("config", {})
    lines = [
        "# Mock server benchmark",
        "",
        f"{results.get('started_at', '')} - {machine.get('cpu', '?')}, "
        f"{machine.get('cores', '?')} cores, load average {machine.get('load_average', '?')} "
        f"at start{_others(machine)} - Python {machine.get('python', '?')}, uvicorn {machine.get('uvicorn', '?')}"
        f"{', granian ' + machine['granian'] if machine.get('granian') else ''}, "
        f"starlette {machine.get('starlette', '?')} - load generator "
        f"{results.get('generator', '?')} - Prism {machine.get('prism') or 'skipped'}"
        f"{' on node ' + machine['node'] if machine.get('node') else ''} - "
        f"run took {fmt(results.get('elapsed_s'), 0)} s",
        "",
        f"The mock runs as `{config.get('mock_command', '?')}`: {config.get('mock_note', '')}",
        f"Each row: {config.get('duration_s', '?')} s of load on 127.0.0.1 with keep-alive "
        "connections, after a warm-up. `/ ceiling`: the row's throughput over the bare "
        "Starlette endpoint's with an answer of the same size and the same connections. "
        "`/ Prism`: over Prism's for the same request and connections. `CPU us/req`: the "
        "CPU time the server process spent per request during the row (it hardly depends "
        "on what else runs on the machine, unlike req/s). Rows marked (granian) serve the "
        "same app with granian instead of uvicorn; their `/ ceiling` is granian's ceiling.",
        "",
        "## Throughput and latency",
        "",
        *_throughput(results.get("rows", [])),
        "",
        "## Other figures",
        "",
        *_table(
            ["figure", "value"],
            "ll",
            [
                ["start to first 200", _startup(results.get("startup", {}))],
                ["strict mode cost", _strict(results.get("strict_cost", []))],
                [
                    f"uvicorn -> granian {machine.get('granian') or ''}".strip(),
                    _asgi(results.get("asgi_comparison", [])),
                ],
                ["memory (RSS) over executions", _memory(results.get("memory", {}))],
                ["engine p50, filtered query", _engine(results.get("engine", {}))],
                ["contract suite against the mock", _contracts(results.get("contracts", {}))],
                ["mock server RSS after the HTTP rows", _server_rss(results)],
            ],
        ),
        "",
        "## Targets (a missed target does not fail the run)",
        "",
        *_table(
            ["target", "wanted", "figure", "verdict"],
            "llll",
            [
                [
                    t["name"],
                    t["wanted"],
                    t["figure"] + (f" ({t['note']})" if t["note"] else ""),
                    t["verdict"],
                ]
                for t in results.get("targets", [])
            ],
        ),
    ]
    notes = [*results.get("skipped", []), *results.get("notes", [])]
    notes += [
        f"{row['label']} @{row['connections']}: {note}"
        for row in results.get("rows", [])
        for note in row.get("notes", [])
    ]
    if notes:
        lines += ["", "## Skipped and notes", "", *[f"- {note}" for note in notes]]
    return "\n".join(lines) + "\n"


def write_json(results: Mapping[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    return path
