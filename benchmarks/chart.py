"""reports/bench.png: throughput at the most connections, one horizontal bar per row
(the ceiling, the mock's rows, the peer), each with its ratios to the ceiling and Prism."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .png import GLYPH_HEIGHT, Canvas

__all__ = ["nice_ticks", "render_chart", "short_label"]

COLORS = {
    "ceiling": (150, 150, 150),
    "mock": (52, 101, 164),
    "mock --strict": (230, 140, 40),
    "prism": (196, 60, 60),
}
INK, GRID, FAINT = (30, 30, 30), (225, 225, 225), (110, 110, 110)
SCALE = 2
LINE = GLYPH_HEIGHT * SCALE
BAR, GAP, MARGIN = 26, 10, 24


def short_label(row: Mapping[str, Any]) -> str:
    """A row's name on the chart: ``execute k=10 distinct``, ``ceiling k=100``, ..."""
    server, operation = row["server"], row["operation"]
    size = f"k={row['top_k']}" if row.get("top_k") is not None else ""
    if server == "ceiling":
        return f"ceiling {size}"
    if server == "prism":
        return f"prism {operation}"
    words = [
        "strict" if server == "mock --strict" else "",
        operation,
        size,
        row.get("queries") or "",
    ]
    return " ".join(word for word in words if word)


def nice_ticks(maximum: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``maximum`` (steps of 1, 2 or 5 times 10**n)."""
    if maximum <= 0:
        return [0.0, 1.0]
    raw = maximum / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return [i * step for i in range(math.ceil(maximum / step) + 1)]


def _annotation(row: Mapping[str, Any]) -> str:
    parts = [f"{row['rps']:,.0f}"]
    if row.get("ratio_to_ceiling") is not None:
        parts.append(f"{row['ratio_to_ceiling']:.2f}x ceiling")
    if row.get("ratio_to_prism") is not None:
        parts.append(f"{row['ratio_to_prism']:.1f}x prism")
    return "  ".join(parts)


def render_chart(rows: Sequence[Mapping[str, Any]], title: str, path: Path) -> Path | None:
    """Draw the rows at the highest number of connections; None when none was measured."""
    measured = [row for row in rows if row.get("rps") is not None]
    if not measured:
        return None
    most = max(row["connections"] for row in measured)
    shown = [row for row in measured if row["connections"] == most]
    labels = [short_label(row) for row in shown]
    notes = [_annotation(row) for row in shown]
    label_w = max(Canvas.text_width(label, SCALE) for label in labels)
    note_w = max(Canvas.text_width(note, SCALE) for note in notes)
    plot_w = 560
    width = MARGIN + label_w + 16 + plot_w + 12 + note_w + MARGIN
    top = MARGIN + 2 * (LINE + 10)
    height = top + len(shown) * (BAR + GAP) + LINE + 3 * MARGIN
    canvas = Canvas(width, height)
    canvas.text(MARGIN, MARGIN, title, INK, SCALE)
    canvas.text(
        MARGIN,
        MARGIN + LINE + 10,
        f"requests per second at {most} connections (higher is better)",
        FAINT,
        SCALE,
    )
    ticks = nice_ticks(max(row["rps"] for row in shown))
    left = MARGIN + label_w + 16
    bottom = top + len(shown) * (BAR + GAP)
    for tick in ticks:
        x = left + round(plot_w * tick / ticks[-1])
        canvas.rect(x, top - 4, 1, bottom - top + 4, GRID)
        text = f"{tick:,.0f}"
        canvas.text(x - Canvas.text_width(text, SCALE) // 2, bottom + 8, text, FAINT, SCALE)
    for index, (row, label, note) in enumerate(zip(shown, labels, notes, strict=True)):
        y = top + index * (BAR + GAP)
        text_y = y + (BAR - LINE) // 2
        canvas.text(left - 16 - Canvas.text_width(label, SCALE), text_y, label, INK, SCALE)
        bar_w = max(1, round(plot_w * row["rps"] / ticks[-1]))
        canvas.rect(left, y, bar_w, BAR, COLORS.get(row["server"], COLORS["mock"]))
        canvas.text(left + bar_w + 12, text_y, note, INK, SCALE)
    legend_x = MARGIN
    legend_y = bottom + LINE + 2 * MARGIN - 8
    for server, color in COLORS.items():
        canvas.rect(legend_x, legend_y, LINE, LINE, color)
        legend_x += LINE + 8
        legend_x += canvas.text(legend_x, legend_y, server, INK, SCALE) + 28
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(canvas.png())
    return path
