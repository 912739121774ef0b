"""Charts as inline SVG: the geometry is computed here, the template only draws it (no script, no
external library, nothing fetched). Colours come from CSS classes in the site's stylesheet."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

WIDTH, HEIGHT = 760, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 46
PALETTE = 8  # CSS classes c0 .. c7, then `other`


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    bars: list[Bar] = field(default_factory=list)
    labels: list[tuple[float, str]] = field(default_factory=list)   # x (centre), text under the axis
    ticks: list[tuple[float, str]] = field(default_factory=list)    # y, value on the left axis
    legend: list[tuple[str, str, int]] = field(default_factory=list)  # css class, name, total

    @property
    def baseline(self) -> float:
        return self.height - BOTTOM


def palette(names: Iterable[str]) -> Callable[[str], str]:
    """CSS class per series name: the first PALETTE names (in the given order) get colours, the rest `other`."""
    ranked = {name: f"c{i}" for i, name in enumerate(list(names)[:PALETTE])}
    return lambda name: ranked.get(name, "other")


def stacked_bars(points: Iterable[tuple[str, str, int]], css: Callable[[str], str],
                 *, unit: str = "documents") -> Chart:
    """One bar per x value (in sorted order), stacked by series: `points` are (x, series, value)."""
    values: dict[str, Counter[str]] = {}
    for x, series, value in points:
        values.setdefault(x, Counter())[series] += value
    chart = Chart()
    if not values:
        return chart
    columns = sorted(values)
    totals = Counter()
    for counter in values.values():
        totals.update(counter)
    top = max(sum(c.values()) for c in values.values()) or 1
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    step = plot_w / len(columns)
    bar_w = max(1.0, step * 0.8)
    every = max(1, round(len(columns) / 12))  # at most ~12 labels under the axis
    order = [name for name, _ in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))]
    for i, column in enumerate(columns):
        x = LEFT + i * step + (step - bar_w) / 2
        y = TOP + plot_h
        for name in order:
            value = values[column].get(name, 0)
            if not value:
                continue
            h = plot_h * value / top
            y -= h
            chart.bars.append(Bar(round(x, 1), round(y, 1), round(bar_w, 1), round(h, 1), css(name),
                                  f"{column} · {name}: {value} {unit}"))
        if i % every == 0:
            chart.labels.append((round(x + bar_w / 2, 1), column))
    for fraction in (0, 0.5, 1):
        value = top * fraction
        text = f"{value:.0f}" if value == int(value) else f"{value:.1f}"
        chart.ticks.append((round(TOP + plot_h * (1 - fraction), 1), text))
    chart.legend = [(css(name), name, totals[name]) for name in order]
    return chart
