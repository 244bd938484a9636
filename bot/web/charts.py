"""Horizontal bar charts as inline SVG, drawn on the server (no script, no CDN).

A chart repeats what its table says, for the eye; the table stays next to it for screen
readers and for copying. A hidden small count ("< 5") draws no bar, only its label.
"""

from __future__ import annotations

from html import escape

from markupsafe import Markup

from bot.core.reports import Table

BAR_HEIGHT = 22
GAP = 6
LABEL_WIDTH = 220
BAR_WIDTH = 360
VALUE_WIDTH = 70
MAX_BARS = 20


def bar_chart(table: Table) -> Markup | None:
    if table.chart is None or not table.rows:
        return None
    rows = table.rows[:MAX_BARS]
    numbers = [cells[table.chart] for _, cells in rows]
    largest = max((n for n in numbers if isinstance(n, int | float)), default=0) or 1
    height = len(rows) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    title = f"{table.title} ({table.columns[table.chart + 1]})"
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for index, ((label, _cells), value) in enumerate(zip(rows, numbers, strict=True)):
        y = GAP + index * (BAR_HEIGHT + GAP)
        middle = y + BAR_HEIGHT * 0.7
        short = label if len(label) <= 30 else label[:29] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{middle:.1f}" text-anchor="end" class="label">'
            f"{escape(short)}</text>"
        )
        if isinstance(value, int | float) and value > 0:
            length = max(2.0, BAR_WIDTH * value / largest)
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" '
                f'rx="3" class="bar"/>'
            )
            end = LABEL_WIDTH + length
        else:
            end = LABEL_WIDTH
        parts.append(
            f'<text x="{end + 6:.1f}" y="{middle:.1f}" class="value">{escape(str(value))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
