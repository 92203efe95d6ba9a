"""reports/bench.png: throughput, one horizontal bar per row (the ceiling, the mock's rows,
the peer), each with its ratios to the ceiling and to Prism; one panel per number of
connections. Drawn with matplotlib (the ``[bench]`` extra, in ``[dev]``); without it the
chart is skipped and the report says so."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["COLORS", "render_chart", "short_label"]

COLORS = {
    "ceiling": "#969696",
    "mock": "#3465a4",
    "mock --strict": "#e68c28",
    "prism": "#c43c3c",
}
OTHER_COLOR = "#6a9f58"
"""Servers without a colour of their own (e.g. the mock on another ASGI server)."""


def short_label(row: Mapping[str, Any]) -> str:
    """A row's name on the chart: ``execute k=10 distinct``, ``ceiling k=100``, ..."""
    server, operation = row["server"], row["operation"]
    size = f"k={row['top_k']}" if row.get("top_k") is not None else ""
    if server in ("ceiling", "prism") or server.startswith("ceiling "):
        return " ".join(word for word in (server, size if server != "prism" else operation) if word)
    words = [
        "strict" if server == "mock --strict" else server.removeprefix("mock").strip(),
        operation,
        size,
        row.get("queries") or "",
    ]
    return " ".join(word for word in words if word)


def _annotation(row: Mapping[str, Any]) -> str:
    parts = [f"{row['rps']:,.0f}"]
    if row.get("ratio_to_ceiling") is not None:
        parts.append(f"{row['ratio_to_ceiling']:.2f}x ceiling")
    if row.get("ratio_to_prism") is not None:
        parts.append(f"{row['ratio_to_prism']:.1f}x prism")
    return "  ".join(parts)


def render_chart(rows: Sequence[Mapping[str, Any]], title: str, path: Path) -> Path | None:
    """Draw the measured rows, a panel per number of connections; None when no row was
    measured or matplotlib is not installed."""
    measured = [row for row in rows if row.get("rps") is not None]
    if not measured:
        return None
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return None
    loads = sorted({row["connections"] for row in measured})
    most = max(sum(1 for row in measured if row["connections"] == c) for c in loads)
    figure = Figure(figsize=(8.5 * len(loads), 1.2 + 0.36 * most), layout="constrained")
    figure.suptitle(title, fontsize=12)
    for axes, connections in zip(
        figure.subplots(1, len(loads), squeeze=False)[0], loads, strict=True
    ):
        shown = [row for row in measured if row["connections"] == connections][::-1]
        bars = axes.barh(
            [short_label(row) for row in shown],
            [row["rps"] for row in shown],
            color=[COLORS.get(row["server"], OTHER_COLOR) for row in shown],
        )
        axes.bar_label(bars, labels=[_annotation(row) for row in shown], padding=4, fontsize=8)
        axes.set_title(f"{connections} connection{'s' if connections != 1 else ''}", fontsize=10)
        axes.set_xlabel("requests per second (higher is better)")
        axes.margins(x=0.45)
        axes.tick_params(axis="y", labelsize=8)
        axes.grid(axis="x", color="#e1e1e1")
        axes.set_axisbelow(True)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    return path
