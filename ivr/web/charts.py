"""Charts for the Reports page, drawn on the server as SVG geometry.

No script and no inline style (the desk's CSP forbids both): a chart is a list
of shapes with coordinates and a CSS class; templates/reports.html draws them
as <rect>, <polyline> and <text>, and desk.css colours the classes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 12, 28  # room for the axis labels


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str  # shown on hover: the exact figure


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "middle"


@dataclass(frozen=True)
class Chart:
    """One chart: its shapes, axis labels, and maybe a line and a target."""

    title: str
    width: int = WIDTH
    height: int = HEIGHT
    rects: list[Rect] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    line: str = ""  # polyline points "x,y x,y"
    dots: list[Rect] = field(default_factory=list)
    target: float | None = None  # the y of the target line
    empty: bool = False
    # What each colour means (name, css class), and what the axes count: read beside the chart.
    legend: list[tuple[str, str]] = field(default_factory=list)
    units: str = ""  # e.g. "세로: 통화 수(건) · 가로: 시각(시)"


def _plot() -> tuple[float, float]:
    return WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM


def _scale_labels(top: float, unit: str) -> list[Label]:
    _, h = _plot()
    return [Label(LEFT - 6, TOP + h - h * f + 4, f"{top * f:g}{unit}", "end") for f in (0.0, 0.5, 1.0)]


def _nice(top: float) -> float:
    """A round upper bound for a count axis (1, 2, 5, 10, 20, 50 ...)."""
    step = 1.0
    while True:
        for m in (1, 2, 5):
            if top <= m * step:
                return m * step
        step *= 10


def stacked_bars(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float]]],
    every: int = 1,
    units: str = "",
) -> Chart:
    """Bars per label, each stacking the series (name, css class, values) from the bottom;
    the legend names each series, `units` says what the axes count."""
    w, h = _plot()
    totals = [sum(values[i] for _, _, values in series) for i in range(len(labels))]
    if not labels or max(totals, default=0) == 0:
        return Chart(title, empty=True)
    top = _nice(max(totals))
    slot = w / len(labels)
    rects: list[Rect] = []
    texts = _scale_labels(top, "")
    for i, label in enumerate(labels):
        base = TOP + h
        for name, css, values in series:
            height = h * values[i] / top
            if height > 0:
                rects.append(
                    Rect(
                        LEFT + i * slot + slot * 0.15,
                        base - height,
                        slot * 0.7,
                        height,
                        css,
                        f"{label} {name} {values[i]:g}",
                    )
                )
            base -= height
        if i % every == 0:
            texts.append(Label(LEFT + i * slot + slot / 2, HEIGHT - 8, label))
    legend = [(name, css) for name, css, _ in series]
    return Chart(title, rects=rects, labels=texts, legend=legend, units=units)


def share_line(
    title: str, labels: Sequence[str], shares: Sequence[float | None], target: float, units: str = ""
) -> Chart:
    """A line of shares (0..1) per label, with the target as a dashed rule; gaps where None."""
    w, h = _plot()
    if not any(s is not None for s in shares):
        return Chart(title, empty=True)
    slot = w / len(labels)
    points: list[str] = []
    dots: list[Rect] = []
    texts = _scale_labels(100, "%")
    every = max(1, len(labels) // 12)
    for i, (label, share) in enumerate(zip(labels, shares, strict=True)):
        x = LEFT + i * slot + slot / 2
        if share is not None:
            y = TOP + h - h * share
            points.append(f"{x:.1f},{y:.1f}")
            dots.append(Rect(x - 3, y - 3, 6, 6, "dot", f"{label} {share * 100:.1f}%"))
        if i % every == 0:
            texts.append(Label(x, HEIGHT - 8, label[5:] if len(label) == 10 else label))
    legend = [("실적", "trend"), (f"목표 {target * 100:g}%", "target")]
    return Chart(
        title,
        labels=texts,
        line=" ".join(points),
        dots=dots,
        target=TOP + h - h * target,
        legend=legend,
        units=units,
    )
