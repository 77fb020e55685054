"""Drawing charts with matplotlib: the specs of kb/site/charts.py as themed SVG.

Drawing uses matplotlib's object API (no pyplot state) with settings made once; tick labels are
plain text, because mathtext costs most of the drawing time. Artists are batched: bars by style
(one collection per colour and marker), histograms as one filled step shape per verdict. Each
kind of chart is drawn on a Figure kept for the whole process and reset between charts (kb/site/canvas.py),
by a renderer that remembers text metrics from chart to chart: the SVG is byte for byte what a new
Figure and print_svg write, at a third of the CPU.

The SVG follows the page's light or dark scheme: text and axes are drawn in sentinel colours that
are then replaced by CSS variables defined under `prefers-color-scheme`.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from kb import display
from kb.site import canvas as canvases
from kb.site.canvas import Canvas
from kb.values import format_number
from kb.verdicts import Verdict

if TYPE_CHECKING:
    from kb.site.charts import ChartSpec, HistogramSpec, Row

COLOURS: dict[str, str] = {
    Verdict.CONSISTENT: "#1f883d",
    Verdict.INCONSISTENT: "#d1242f",
    Verdict.ERROR: "#bc4c00",
    Verdict.UNVERIFIED: "#6e7781",
}
"""Verdict colours, the same as the stylesheet's; each verdict also has its own marker shape."""
MARKERS: dict[str, str] = {
    Verdict.CONSISTENT: "o",
    Verdict.INCONSISTENT: "X",
    Verdict.ERROR: "^",
    Verdict.UNVERIFIED: "s",
}
RECOMPUTED_MARKER = "D"
_INK, _LINE, _GRID = "#010101", "#020202", "#030303"
_RC: Any = {
    "svg.fonttype": "none",
    "svg.hashsalt": "kb",
    "font.size": 9,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "text.color": _INK,
    "axes.edgecolor": _LINE,
    "axes.labelcolor": _INK,
    "axes.facecolor": "none",
    "figure.facecolor": "none",
    "savefig.facecolor": "none",
    "xtick.color": _LINE,
    "ytick.color": _LINE,
    "xtick.labelcolor": _INK,
    "ytick.labelcolor": _INK,
    "grid.color": _GRID,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "date.epoch": "1970-01-01T00:00:00",
}
_STYLE = """<style>
svg { --ink: #1f2328; --line: #57606a; --grid: #d0d7de; }
@media screen and (prefers-color-scheme: dark) { svg { --ink: #e6edf3; --line: #8b949e; --grid: #30363d; } }
text { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
</style>"""
WIDTH_IN = 8.0
ROW_IN = 0.3
TOP_IN, BOTTOM_IN = 0.45, 0.55
LOG_SPAN = 8.0
"""Values spanning more than this factor are drawn on a log axis."""
HIST_HEIGHT_IN = 3.2


_SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e4, "k"))


def tick_label(x: float, unit: str = "1") -> str:
    """Axis numbers as readers write them, in what the unit counts: 2800 (亿 parameters) -> 280B,
    1.8T, 60k, 5,000 and 0.5 as they are; beyond trillions and tiny ones as 2.15e25."""
    # No "$" here: matplotlib would read it as maths; the axis title says "US dollars".
    v = x * display.words(unit).scale
    av = abs(v)
    if v == 0 or 1e-3 <= av < 1e4:
        return format_number(v, 3)
    if 1e4 <= av < 1e15:
        size, suffix = next((s, t) for s, t in _SUFFIXES if av >= s)
        return f"{format_number(v / (1e3 if suffix == 'k' else size), 3)}{suffix}"
    mant, exp = f"{v:.2e}".split("e")
    return f"{mant.rstrip('0').rstrip('.')}e{int(exp)}"


def _limits(rows: Iterable[Row], log: bool) -> tuple[float, float]:
    finite = [x for r in rows for x in (r.lo, r.hi, r.point) if math.isfinite(x) and (x > 0 or not log)]
    lo, hi = min(finite), max(finite)
    if log:
        return lo / 2.0, hi * 2.0
    span = hi - lo or max(abs(hi) * 0.1, 1.0)
    low = lo - span * 0.08
    return (max(low, 0.0) if lo >= 0 else low), hi + span * 0.08


def use_log(spec: ChartSpec) -> bool:
    """A log axis when every value is positive and they span more than LOG_SPAN; else linear."""
    if spec.dates or not all(r.point > 0 and r.lo >= 0 for r in spec.rows):
        return False
    finite = [x for r in spec.rows for x in (r.lo, r.hi, r.point) if math.isfinite(x) and x > 0]
    return max(finite) / min(finite) > LOG_SPAN


def preload() -> None:
    """Import what drawing needs and load matplotlib's fonts: a long-running `kb serve` does it
    once, so that the process each rebuild forks to draw its charts starts with them (0.6 CPU-s)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.backends.backend_svg  # noqa: F401 - imported for the processes forked later
    import matplotlib.collections  # noqa: F401
    import matplotlib.figure  # noqa: F401
    import matplotlib.patches  # noqa: F401
    from matplotlib import font_manager

    font_manager.findfont(_RC["font.sans-serif"][0])


def _bars_axes(ax: Any) -> None:
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", which="major", linewidth=0.6)
    # No y label, so none to place beside the row labels: placing it costs measuring every row
    # label once more while drawing.
    ax.yaxis.set_label_coords(0.0, 0.5)


def _histogram_axes(ax: Any) -> None:
    ax.set_ylabel("estimates")
    ax.grid(axis="y", linewidth=0.6)


def _canvas(bars: bool) -> Canvas:
    return canvases.canvas(bars, _bars_axes if bars else _histogram_axes)


def discard_canvases() -> None:
    """Forget this process's canvases: the next chart is drawn on a new Figure (for tests)."""
    canvases.discard()


@contextmanager
def _settings() -> Iterator[None]:
    """matplotlib's settings for drawing (_RC), and the caller's back afterwards: what
    rc_context(_RC) does, without copying and restoring all of rcParams for every chart."""
    from matplotlib import rcParams

    saved = {key: rcParams[key] for key in _RC}
    rcParams.update(_RC)
    try:
        yield
    finally:
        rcParams.update(saved)


def render_svg(spec: ChartSpec) -> str:
    """Draw the chart; returns the SVG text."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

    rows = spec.rows
    n = len(rows)
    log = use_log(spec)
    xmin, xmax = _limits(rows, log)
    label_in = min(3.2, 0.35 + 0.062 * max(len(r.label) for r in rows))
    top_in, bottom_in = TOP_IN, BOTTOM_IN
    height = spec.height_in
    with _settings():
        canvas = _canvas(True)
        canvas.busy = True
        fig, ax = canvas.fig, canvas.ax
        fig.set_size_inches(WIDTH_IN, height)
        fig.subplots_adjust(
            left=label_in / WIDTH_IN,
            right=1 - 0.25 / WIDTH_IN,
            top=1 - top_in / height,
            bottom=bottom_in / height,
        )
        ax.set_xscale("log" if log else "linear")
        ax.set_xlim(xmin, xmax)
        # Artists are batched by style (one per colour and marker, not one per row): drawing costs
        # per artist, and a group may hold hundreds of estimates.
        segments: dict[tuple[str, bool], list[list[tuple[float, float]]]] = defaultdict(list)
        marks: dict[tuple[str, str, bool], tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
        for y, r in enumerate(rows):
            colour = COLOURS.get(r.verdict, COLOURS[Verdict.UNVERIFIED])
            lo_open = not math.isfinite(r.lo) or (log and r.lo <= 0) or r.lo < xmin
            hi_open = not math.isfinite(r.hi) or r.hi > xmax
            lo = xmin if lo_open else r.lo
            hi = xmax if hi_open else r.hi
            segments[(colour, r.recomputed)].append([(lo, y), (hi, y)])
            for end, is_open, mark in ((lo, lo_open, "<"), (hi, hi_open, ">")):
                xs, ys = marks[(colour, mark if is_open else "|", False)]
                xs.append(end)
                ys.append(y)
            if math.isfinite(r.point) and xmin <= r.point <= xmax:
                mark = RECOMPUTED_MARKER if r.recomputed else MARKERS.get(r.verdict, "s")
                xs, ys = marks[(colour, mark, r.recomputed)]
                xs.append(r.point)
                ys.append(y)
        # The limits are set, so the artists need not update the data limits (autolim), and lines
        # are made directly rather than through Axes.plot's argument parsing.
        for (colour, recomputed), lines in segments.items():
            ax.add_collection(
                LineCollection(
                    lines,
                    colors=colour,
                    linewidths=1.6 if recomputed else 2.4,
                    linestyles="--" if recomputed else "-",
                    capstyle="butt",
                ),
                autolim=False,
            )
        for (colour, mark, hollow), (xs, ys) in marks.items():
            if hollow:
                line = Line2D(
                    xs,
                    ys,
                    linestyle="none",
                    marker=mark,
                    markersize=6,
                    markerfacecolor="none",
                    markeredgecolor=colour,
                    markeredgewidth=1.4,
                )
            else:
                line = Line2D(xs, ys, linestyle="none", marker=mark, markersize=7, color=colour)
            ax.add_line(line)
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_yticks(range(n), [r.label for r in rows])
        if spec.dates:
            _date_axis(ax)
        else:
            if log:
                decades = math.log10(xmax / xmin)
                subs = (1.0, 2.0, 5.0) if decades < 3 else (1.0,)
                ax.xaxis.set_major_locator(LogLocator(base=10, subs=subs, numticks=12))
                ax.xaxis.set_minor_formatter(NullFormatter())
            else:
                ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
            ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _p: tick_label(x, spec.unit)))
            ax.set_xlabel(display.unit_name(spec.unit) + (" (log scale)" if log else ""))
        stated = dict.fromkeys(r.verdict for r in rows if not r.recomputed)
        verdicts = tuple(v for v in stated if v in COLOURS)
        recomputed = any(r.recomputed for r in rows)

        def handles() -> list[Any]:
            made = [
                Line2D([], [], color=COLOURS[v], marker=MARKERS[v], linewidth=2.4, label=f"stated: {v}")
                for v in verdicts
            ]
            if recomputed:
                made.append(
                    Line2D(
                        [],
                        [],
                        color=_LINE,
                        marker=RECOMPUTED_MARKER,
                        markerfacecolor="none",
                        linestyle="--",
                        label="recomputed by a check",
                    )
                )
            return made

        canvas.legend(
            (verdicts, recomputed),
            label_in / WIDTH_IN,
            handles,
            ncol=len(verdicts) + recomputed,
            frameon=False,
            fontsize=8,
            handlelength=2.2,
            borderaxespad=0.3,
        )
        svg = canvas.svg()
        canvas.busy = False
    return _themed(svg)


HATCHES: dict[str, str] = {
    Verdict.CONSISTENT: "",
    Verdict.INCONSISTENT: "xx",
    Verdict.ERROR: "..",
    Verdict.UNVERIFIED: "//",
}
"""Bars of a histogram differ by hatching as well as colour."""


def render_histogram(spec: HistogramSpec) -> str:
    """Draw a histogram spec; returns the SVG text."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

    edges = list(spec.edges)
    with _settings():
        canvas = _canvas(False)
        canvas.busy = True
        fig, ax = canvas.fig, canvas.ax
        fig.set_size_inches(WIDTH_IN, HIST_HEIGHT_IN)
        fig.subplots_adjust(
            left=0.8 / WIDTH_IN, right=1 - 0.25 / WIDTH_IN, top=1 - 0.45 / 3.2, bottom=0.6 / 3.2
        )
        ax.set_xscale("log" if spec.log else "linear")
        bottom = [0] * (len(edges) - 1)
        for verdict, counts in spec.counts:
            # One filled step shape per verdict, stacked on the ones before (not a patch per bin).
            colour = COLOURS.get(verdict, COLOURS[Verdict.UNVERIFIED])
            top = [b + c for b, c in zip(bottom, counts, strict=True)]
            ax.stairs(
                top,
                edges,
                baseline=bottom,
                fill=True,
                facecolor=colour,
                edgecolor=_LINE,
                linewidth=0.3,
                hatch=HATCHES.get(verdict, ""),
            )
            bottom = top
        recomputed = any(spec.recomputed)
        if recomputed:
            ax.stairs(spec.recomputed, edges, color=_INK, linestyle="--", linewidth=1.4)
        ax.set_xlim(edges[0], edges[-1])
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        if spec.dates:
            _date_axis(ax)
        else:
            if spec.log:
                ax.xaxis.set_major_locator(LogLocator(base=10, numticks=12))
                ax.xaxis.set_minor_formatter(NullFormatter())
            else:
                ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
            ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _p: tick_label(x, spec.unit)))
            ax.set_xlabel(display.unit_name(spec.unit) + (" (log scale)" if spec.log else ""))
        verdicts = tuple(verdict for verdict, _counts in spec.counts)

        def handles() -> list[Any]:
            made: list[Any] = [
                Patch(
                    facecolor=COLOURS.get(v, COLOURS[Verdict.UNVERIFIED]),
                    hatch=HATCHES.get(v, ""),
                    label=f"stated: {v}",
                )
                for v in verdicts
            ]
            if recomputed:
                made.append(Line2D([], [], color=_INK, linestyle="--", label="recomputed by a check"))
            return made

        canvas.legend(
            (verdicts, recomputed),
            0.8 / WIDTH_IN,
            handles,
            ncol=len(verdicts) + recomputed,
            frameon=False,
            fontsize=8,
            borderaxespad=0.3,
        )
        svg = canvas.svg()
        canvas.busy = False
    return _themed(svg)


def _themed(svg: str) -> str:
    svg = svg.replace(_INK, "var(--ink)").replace(_LINE, "var(--line)").replace(_GRID, "var(--grid)")
    svg = re.sub(r"font-family: [^;\"]*;?", "", svg)
    return svg.replace("<defs>", "<defs>\n" + _STYLE, 1)


def _date_axis(ax: Any) -> None:
    """An axis of dates, labelled as concisely as the range allows."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    locator = AutoDateLocator(maxticks=7)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator, show_offset=True))
    ax.set_xlabel("date")
