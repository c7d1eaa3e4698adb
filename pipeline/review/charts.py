"""The list page's charts as SVG made on the server: incidents per month stacked by type, and
how severities are distributed. No script and no chart library: the page works offline and
the charts print."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from markupsafe import Markup, escape

__all__ = ["PALETTE", "months_chart", "severity_chart"]

# Okabe-Ito's colour-blind-safe palette, then two greys; repeated past ten types.
PALETTE = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7",
    "#56B4E9", "#F0E442", "#000000", "#999999", "#666666",
)  # fmt: skip
_W, _H, _PAD, _AXIS = 640, 180, 28, 18


def _colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def _bar(x: float, y: float, width: float, height: float, attrs: str, title: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" {attrs}>'
        f"<title>{escape(title)}</title></rect>"
    )


def _text(x: float, y: float, text: object) -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" class="tick">{escape(str(text))}</text>'


def _frame(title: str, body: list[str], height: int = _H) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {height}" role="img"'
        f' aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>{"".join(body)}</svg>'
    )


def months_chart(counts: Sequence[tuple[str, str, int]]) -> Markup:
    """Stacked bars: one per month from the first to the last, one colour per incident type."""
    if not counts:
        return _frame("Incidents per month by type: none dated", [])
    by_month: dict[str, dict[str, int]] = defaultdict(dict)
    for month, itype, n in counts:
        by_month[month][itype] = n
    months = _month_range(min(by_month), max(by_month))
    types = sorted({t for _, t, _ in counts})
    top = max(sum(v.values()) for v in by_month.values())
    plot_h = _H - _PAD - _AXIS
    step = (_W - 2 * _PAD) / len(months)
    body = [f'<line x1="{_PAD}" y1="{_H - _AXIS}" x2="{_W - _PAD}" y2="{_H - _AXIS}" class="axis"/>']
    for i, month in enumerate(months):
        y = float(_H - _AXIS)
        for t, itype in enumerate(types):
            n = by_month.get(month, {}).get(itype, 0)
            if not n:
                continue
            h = plot_h * n / top
            y -= h
            x, width = _PAD + i * step, max(step - 1, 0.5)
            body.append(_bar(x, y, width, h, f'fill="{_colour(t)}"', f"{month} {itype}: {n}"))
    every = max(1, len(months) // 8)
    body += [_text(_PAD + i * step, _H - 4, months[i]) for i in range(0, len(months), every)]
    body.append(_text(2, _PAD - 8, top))
    legend = []
    for t, itype in enumerate(types):
        x, y = _PAD + 120 * (t % 5), 4 + 14 * (t // 5)
        legend += [_bar(x, y, 10, 10, f'fill="{_colour(t)}"', itype), _text(x + 14, y + 9, itype)]
    offset = 14 * ((len(types) + 4) // 5)
    shifted = f'<g transform="translate(0,{offset})">{"".join(body)}</g>'
    return _frame("Incidents per month by type", [*legend, shifted], _H + offset)


def _month_range(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    out: list[str] = []
    while f"{year:04d}-{month:02d}" <= last and len(out) < 1200:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def severity_chart(bins: Sequence[int]) -> Markup:
    """Ten bars: incidents with severity 0-9, 10-19, ... 90-100."""
    top = max(bins) if any(bins) else 1
    plot_h = _H - _PAD - _AXIS
    step = (_W - 2 * _PAD) / len(bins)
    body = [f'<line x1="{_PAD}" y1="{_H - _AXIS}" x2="{_W - _PAD}" y2="{_H - _AXIS}" class="axis"/>']
    for i, n in enumerate(bins):
        h = plot_h * n / top
        label = f"{10 * i}-{10 * i + 9 if i < 9 else 100}"
        x, y = _PAD + i * step, _H - _AXIS - h
        body += [
            _bar(x, y, step - 4, h, f'class="sev sev{i}"', f"severity {label}: {n}"),
            _text(x, _H - 4, label),
        ]
        if n:
            body.append(_text(x, y - 3, n))
    return _frame("Incidents by severity", body)
