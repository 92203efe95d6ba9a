"""Rows and their ratios, the targets' verdicts, and the Markdown report."""

from __future__ import annotations

import json
import sys

import pytest
from PIL import Image

from benchmarks.chart import render_chart, short_label
from benchmarks.report import render_markdown, write_json
from benchmarks.rows import add_ratios, asgi_comparison, find_row, plan_rows, strict_cost
from benchmarks.stats import LoadResult
from benchmarks.targets import evaluate


def _measured(
    rps: dict[tuple[str, str, int | None, str | None, int], float], *, with_prism: bool = True
):
    rows = plan_rows([1, 64], [10, 100], with_prism=with_prism)
    for row in rows:
        key = (row.server, row.operation, row.top_k, row.queries, row.connections)
        row.result = LoadResult(
            requests=int(rps.get(key, 100.0) * 3),
            seconds=3.0,
            p50_ms=1.0 if row.connections == 1 else 20.0,
            p99_ms=4.0 if row.connections == 1 else 60.0,
        )
    add_ratios(rows)
    return rows


def test_the_plan_has_every_row_of_the_issue():
    rows = plan_rows([1, 64], [10, 25, 100])
    labels = {(row.label, row.connections) for row in rows}
    assert len(rows) == len(labels) == 26
    assert ("mock execute top_k=100 distinct", 64) in labels
    assert ("mock get-execution", 1) in labels
    assert ("mock --strict execute top_k=10 repeated", 64) in labels
    assert ("prism execute top_k=10", 64) in labels
    assert not [row for row in plan_rows([1], [10], with_prism=False) if row.server == "prism"]


def test_ratios_are_to_the_ceiling_of_the_same_size_and_to_prism_for_the_same_request():
    rows = _measured(
        {
            ("ceiling", "execute", 10, None, 64): 4000.0,
            ("ceiling", "execute", 100, None, 64): 2000.0,
            ("mock", "execute", 10, "repeated", 64): 3000.0,
            ("mock", "execute", 100, "repeated", 64): 500.0,
            ("mock", "get-execution", None, None, 64): 3600.0,
            ("prism", "execute", 10, None, 64): 300.0,
            ("prism", "get-execution", None, None, 64): 400.0,
        }
    )
    headline = find_row(rows, server="mock", top_k=10, queries="repeated", connections=64)
    assert headline.to_ceiling == pytest.approx(0.75)
    assert headline.to_prism == pytest.approx(10.0)
    large = find_row(rows, server="mock", top_k=100, queries="repeated", connections=64)
    assert (large.to_ceiling, large.to_prism) == (pytest.approx(0.25), None)
    reads = find_row(rows, server="mock", operation="get-execution", connections=64)
    assert (reads.to_ceiling, reads.to_prism) == (pytest.approx(0.9), pytest.approx(9.0))
    peer = find_row(rows, server="prism", operation="execute", connections=64)
    assert (peer.to_ceiling, peer.to_prism) == (pytest.approx(0.075), None)
    assert find_row(rows, server="ceiling", connections=64).to_ceiling is None


def test_strict_cost_compares_with_the_same_request_without_strict_mode():
    rows = _measured(
        {
            ("mock", "execute", 10, "repeated", 64): 3000.0,
            ("mock --strict", "execute", 10, "repeated", 64): 2400.0,
        }
    )
    cost = next(c for c in strict_cost(rows) if c["connections"] == 64)
    assert cost["throughput_lost_pct"] == pytest.approx(20.0)
    assert cost["p50_added_ms"] == 0.0


def _results(rows, **parts):
    return {"rows": [row.as_dict() for row in rows], **parts}


MEMORY = {
    "target_executions": 1_000_000,
    "reached": 1_000_000,
    "seconds": 120.0,
    "checkpoints": [
        {"executions": n, "rss_mb": 70.0 + min(n, 100_000) / 3000, "stored": min(n, 10_000)}
        for n in range(0, 1_000_001, 100_000)
    ],
    "max_rss_mb": 103.3,
    "rise_after_flat_from_mb": 0.0,
    "stored": 10_000,
}
ENGINE = {
    "sizes": [
        {"documents": 10_000, "p50_ms": 5.0, "runs": 30},
        {"documents": 100_000, "p50_ms": 60.0, "runs": 12},
    ],
    "growth_factor": 1.2,
    "growth_exponent": 1.08,
}


def test_targets_are_judged_from_the_figures():
    rows = _measured(
        {
            ("ceiling", "execute", 10, None, 64): 4000.0,
            ("mock", "execute", 10, "repeated", 64): 3000.0,
            ("prism", "execute", 10, None, 64): 500.0,
        }
    )
    targets = evaluate(_results(rows, startup={"median_ms": 600.0}, memory=MEMORY, engine=ENGINE))
    verdicts = {t.name: t.met for t in targets}
    assert verdicts == {
        "execute throughput at 64 connections / ceiling": True,
        "execute throughput at 64 connections / Prism": False,
        "execute p99 at 1 connection": True,
        "start to first 200 (median)": True,
        "RSS after 1,000,000 executions": True,
        "engine p50 at 100,000 documents, filtered": False,
        "engine cost growth 10,000 -> 100,000 documents (linear = 1.0)": False,
    }


def test_unmeasured_targets_say_so_and_a_short_memory_run_is_not_met():
    rows = _measured({}, with_prism=False)
    short = {**MEMORY, "reached": 400_000, "checkpoints": MEMORY["checkpoints"][:5]}
    targets = {
        t.name: t for t in evaluate(_results(rows, memory=short, engine={"skipped": "no time"}))
    }
    assert targets["execute throughput at 64 connections / Prism"].verdict == "not measured"
    assert targets["start to first 200 (median)"].verdict == "not measured"
    memory = targets["RSS after 1,000,000 executions"]
    assert (memory.met, "reached 400,000") == (False, memory.note[:15])
    assert targets["engine p50 at 100k documents, filtered"].note == "no time"


def test_the_markdown_report_has_the_table_the_figures_and_the_targets(tmp_path):
    rows = _measured({("mock", "execute", 10, "repeated", 64): 3210.0})
    rows[-1].notes.append("a single request before the load answered 404")
    results = _results(
        rows,
        machine={"cpu": "Test CPU", "cores": 2, "python": "3.11"},
        startup={"median_ms": 640.0, "samples_ms": [650.0, 640.0, 630.0]},
        memory=MEMORY,
        engine=ENGINE,
        strict_cost=strict_cost(rows),
        skipped=["Prism: node is missing"],
    )
    results["targets"] = [t.as_dict() for t in evaluate(results)]
    text = render_markdown(results)
    assert "| mock execute top_k=10 repeated | 64 | 3,210 | 20.00 | 60.00 |" in text
    assert "median 640 ms (650, 640, 630 ms)" in text
    assert "| RSS after 1,000,000 executions |" in text
    assert "- Prism: node is missing" in text
    assert "prism get-execution @64: a single request before the load answered 404" in text
    assert text == render_markdown(results)
    written = write_json(results, tmp_path / "out" / "bench.json")
    assert json.loads(written.read_text())["rows"][0]["server"] == "ceiling"


def test_the_chart_is_a_png_with_a_panel_per_load(tmp_path):
    rows = [r.as_dict() for r in _measured({})]
    assert short_label(rows[0]) == "ceiling k=10"
    assert short_label({"server": "mock --strict", "operation": "execute", "top_k": 10}) == (
        "strict execute k=10"
    )
    assert short_label({"server": "prism", "operation": "get-execution"}) == "prism get-execution"
    path = render_chart(rows, "test", tmp_path / "bench.png")
    with Image.open(path) as image:
        assert image.format == "PNG"
        width, height = image.size
    assert width > 1.5 * height  # two panels side by side (1 and 64 connections)
    assert render_chart([], "nothing", tmp_path / "none.png") is None


def test_without_matplotlib_there_is_no_chart(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # import fails
    rows = [r.as_dict() for r in _measured({})]
    assert render_chart(rows, "test", tmp_path / "bench.png") is None
    assert not (tmp_path / "bench.png").exists()


def _with_granian(rps: dict[tuple[str, str, str | None, str, int], float]):
    rows = plan_rows([1, 64], [10], with_prism=False, asgi_servers=("uvicorn", "granian"))
    for row in rows:
        key = (row.server, row.operation, row.queries, row.asgi, row.connections)
        row.result = LoadResult(
            requests=int(rps.get(key, 100.0) * 3), seconds=3.0, p50_ms=1.0, p99_ms=4.0
        )
        row.server_cpu_us = 500.0 if row.asgi == "uvicorn" else 400.0
    add_ratios(rows)
    return rows


def test_granian_rows_are_planned_and_compared_with_granians_own_ceiling():
    rows = _with_granian(
        {
            ("ceiling", "execute", None, "uvicorn", 64): 2000.0,
            ("ceiling", "execute", None, "granian", 64): 10000.0,
            ("mock", "execute", "repeated", "uvicorn", 64): 800.0,
            ("mock", "execute", "repeated", "granian", 64): 1200.0,
        }
    )
    labels = {row.label for row in rows if row.asgi == "granian"}
    assert labels == {
        "ceiling (granian) execute top_k=10",
        "mock (granian) execute top_k=10 repeated",
        "mock (granian) execute top_k=10 distinct",
        "mock (granian) get-execution",
    }
    fast = find_row(rows, server="mock", queries="repeated", connections=64, asgi="granian")
    assert fast.to_ceiling == pytest.approx(0.12)
    compared = {
        (c["row"], c["connections"]): c for c in asgi_comparison(rows) if c["asgi"] == "granian"
    }
    mock = compared[("mock execute top_k=10 repeated", 64)]
    assert (mock["speedup"], mock["cpu_us_uvicorn"], mock["cpu_us_other"]) == (
        pytest.approx(1.5),
        500.0,
        400.0,
    )
    # The targets judge mixpeek-mock as it runs: uvicorn's rows.
    targets = {t.name: t for t in evaluate(_results(rows))}
    assert targets["execute throughput at 64 connections / ceiling"].figure.startswith("0.40")


def test_the_report_shows_server_cpu_and_the_granian_comparison():
    rows = _with_granian({})
    results = _results(rows, machine={"granian": "2.8.7"})
    results["asgi_comparison"] = asgi_comparison(rows)
    text = render_markdown(results)
    assert "| CPU us/req |" in text
    assert "| mock (granian) execute top_k=10 repeated | 64 | 100 | 1.00 | 4.00 | 400 |" in text
    assert "| uvicorn -> granian 2.8.7 | " in text
