"""Charts: every estimate of one subject's quantity side by side, drawn at build time as SVG.

A chart is a pure function of its spec (plain numbers and labels), so it is named by the hash of
its spec: an unchanged group keeps its file name, and a cache folder (or the previous build) can
skip drawing it again (see `write_charts`).

Which charts: a group (one subject's quantity) with two or more estimates, and a quantity page
with two or more estimates over all its subjects. Up to MAX_ROWS bars, each estimate is a bar
(`ChartSpec`: its stated interval, recomputed values as dashed bars); beyond that the chart is a
histogram (`HistogramSpec`: how many estimates fall in each range, by verdict, with the
recomputed values as a line), which costs the same to draw for ten thousand estimates as for a
hundred; the table beside it lists every estimate.

Drawing uses matplotlib's object API (no pyplot state) with settings made once; tick labels are
plain text, because mathtext costs most of the drawing time.

The SVG follows the page's light or dark scheme: text and axes are drawn in sentinel colours that
are then replaced by CSS variables defined under `prefers-color-scheme`.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import re
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from kb import display, procs
from kb.cachedir import package_hash
from kb.site.context import ClaimView, Group, QuantityView, convert
from kb.units import UnitInfo
from kb.values import format_number
from kb.verdicts import Verdict

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
MAX_LABEL = 42
WIDTH_IN = 8.0
ROW_IN = 0.3
TOP_IN, BOTTOM_IN = 0.45, 0.55
PARALLEL_FROM = 16
"""Draw in parallel processes from this many charts on."""
MAX_WORKERS = 8
LOG_SPAN = 8.0
"""Values spanning more than this factor are drawn on a log axis."""
MAX_ROWS = 60
"""Most bars in one chart; more estimates than this are drawn as a histogram."""
BINS = 40
HIST_HEIGHT_IN = 3.2


@dataclass(frozen=True)
class Row:
    """One bar of a chart: a stated value, or the value a check recomputed for it."""

    label: str
    lo: float
    hi: float
    point: float
    verdict: str
    recomputed: bool = False


class _Named:
    """A chart named by the hash of what it shows: the same content drawn by the same code is one file."""

    def _content(self) -> str:
        raise NotImplementedError

    @cached_property
    def _key(self) -> str:
        return hashlib.sha256(_salt() + self._content().encode("utf-8")).hexdigest()[:20]

    def key(self) -> str:
        return self._key

    @property
    def path(self) -> str:
        return f"charts/{self.key()}.svg"


@dataclass(frozen=True)
class ChartSpec(_Named):
    """Everything a chart shows; its hash names the file."""

    unit: str
    dates: bool
    rows: tuple[Row, ...]

    def _content(self) -> str:
        rows = tuple((r.label, r.lo, r.hi, r.point, r.verdict, r.recomputed) for r in self.rows)
        return repr((self.unit, self.dates, rows))

    @property
    def height_in(self) -> float:
        return TOP_IN + BOTTOM_IN + ROW_IN * len(self.rows) + 0.2

    @property
    def size_px(self) -> tuple[int, int]:
        """Width and height in CSS pixels, for the <img> to reserve its space."""
        return round(WIDTH_IN * 96), round(self.height_in * 96)

    @property
    def count(self) -> int:
        """How many stated estimates it shows."""
        return sum(1 for r in self.rows if not r.recomputed)

    def draw(self) -> str:
        return render_svg(self)


@dataclass(frozen=True)
class HistogramSpec(_Named):
    """Many estimates at once: how many fall in each range of values, by verdict."""

    unit: str
    dates: bool
    log: bool
    edges: tuple[float, ...]
    """BINS + 1 bin edges, in the chart's unit (log-spaced on a log axis)."""
    counts: tuple[tuple[str, tuple[int, ...]], ...]
    """Per verdict, the number of stated values in each bin."""
    recomputed: tuple[int, ...]
    """The number of recomputed values in each bin."""
    count: int

    def _content(self) -> str:
        return repr(self)

    @property
    def size_px(self) -> tuple[int, int]:
        return round(WIDTH_IN * 96), round(HIST_HEIGHT_IN * 96)

    def draw(self) -> str:
        return render_histogram(self)


AnyChart = ChartSpec | HistogramSpec


def _numeric(claims: Iterable[ClaimView], unit: UnitInfo) -> list[ClaimView]:
    return [
        cv
        for cv in claims
        if cv.entry.value is not None and cv.entry.unit is not None and cv.entry.unit.dims == unit.dims
    ]


def needs_chart(group: Group) -> bool:
    """Only groups where a comparison shows something: two or more estimates side by side. (A lone
    estimate's recomputation is on its own page, in numbers.)"""
    return group.unit is not None and len(_numeric(group.claims, group.unit)) >= 2


def _spec(claims: list[ClaimView], unit: UnitInfo, label: Callable[[ClaimView], str]) -> AnyChart | None:
    """Bars for each estimate (and its recomputations), or a histogram when there are too many."""
    n_rows = sum(1 + sum(1 for c in cv.checks if c.computed is not None) for cv in claims)
    if n_rows > MAX_ROWS:
        return histogram_spec(claims, unit)
    rows: list[Row] = []
    for cv in claims:
        e = cv.entry
        assert e.value is not None and e.unit is not None
        stated = convert(e.value.stated, e.unit, unit)
        nominal = convert(e.value.nominal, e.unit, unit)
        rows.append(Row(_label(label(cv)), stated.lo, stated.hi, nominal.mid(), cv.verdict))
        for c in cv.checks:
            if c.computed is None:
                continue
            iv = convert(c.computed, e.unit, unit)
            rows.append(Row(_label(f"↳ recomputed: {c.check_id}"), iv.lo, iv.hi, iv.mid(), c.verdict, True))
    if not rows:
        return None
    return ChartSpec("" if unit.is_date else unit.text, unit.is_date, tuple(rows))


def group_spec(group: Group) -> AnyChart | None:
    """The chart of a group, in the group's unit, or None when it needs none."""
    if not needs_chart(group) or group.unit is None:
        return None
    return _spec(_numeric(group.claims, group.unit), group.unit, lambda cv: f"{cv.id} ({cv.first_source})")


def quantity_spec(q: QuantityView) -> AnyChart | None:
    """Every estimate of a quantity, over all subjects; None unless two subjects have one."""
    unit = next((g.unit for g in q.groups if g.unit is not None), None)
    if unit is None:
        return None
    per_group = [_numeric(g.claims, unit) for g in q.groups]
    claims = [cv for members in per_group for cv in members]
    if len(claims) < 2 or sum(1 for members in per_group if members) < 2:
        return None  # one subject only: its group's chart shows them all
    return _spec(claims, unit, lambda cv: f"{cv.claim.subject}: {cv.id}")


def histogram_spec(claims: list[ClaimView], unit: UnitInfo) -> HistogramSpec | None:
    """How many estimates (stated values, and recomputed ones) fall in each of BINS ranges."""
    stated: list[tuple[float, str]] = []
    recomputed: list[float] = []
    for cv in claims:
        e = cv.entry
        assert e.value is not None and e.unit is not None
        point = convert(e.value.nominal, e.unit, unit).mid()
        if math.isfinite(point):
            stated.append((point, cv.verdict))
        for c in cv.checks:
            if c.computed is not None:
                mid = convert(c.computed, e.unit, unit).mid()
                if math.isfinite(mid):
                    recomputed.append(mid)
    values = [v for v, _ in stated] + recomputed
    if not stated:
        return None
    lo, hi = min(values), max(values)
    log = not unit.is_date and lo > 0 and hi / lo > LOG_SPAN
    if log:
        a, b = math.log10(lo), math.log10(hi)
        edges = [10 ** (a + (b - a) * i / BINS) for i in range(BINS + 1)]
    else:
        if hi == lo:
            lo, hi = lo - max(abs(lo) * 0.1, 0.5), hi + max(abs(hi) * 0.1, 0.5)
        edges = [lo + (hi - lo) * i / BINS for i in range(BINS + 1)]

    def bin_of(x: float) -> int:
        if log:
            i = int(
                (math.log10(x) - math.log10(edges[0])) / (math.log10(edges[-1]) - math.log10(edges[0])) * BINS
            )
        else:
            i = int((x - edges[0]) / (edges[-1] - edges[0]) * BINS)
        return min(max(i, 0), BINS - 1)

    counts: dict[str, list[int]] = {}
    for x, verdict in stated:
        counts.setdefault(verdict, [0] * BINS)[bin_of(x)] += 1
    again = [0] * BINS
    for x in recomputed:
        again[bin_of(x)] += 1
    order = [v for v in COLOURS if v in counts]
    return HistogramSpec(
        "" if unit.is_date else unit.text,
        unit.is_date,
        log,
        tuple(edges),
        tuple((v, tuple(counts[v])) for v in order),
        tuple(again),
        len(stated),
    )


def _label(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


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


def render_svg(spec: ChartSpec) -> str:
    """Draw the chart; returns the SVG text."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import rc_context
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

    rows = spec.rows
    n = len(rows)
    log = use_log(spec)
    xmin, xmax = _limits(rows, log)
    label_in = min(3.2, 0.35 + 0.062 * max(len(r.label) for r in rows))
    top_in, bottom_in = TOP_IN, BOTTOM_IN
    height = spec.height_in
    with rc_context(_RC):
        fig = Figure(figsize=(WIDTH_IN, height))
        fig.subplots_adjust(
            left=label_in / WIDTH_IN,
            right=1 - 0.25 / WIDTH_IN,
            top=1 - top_in / height,
            bottom=bottom_in / height,
        )
        ax = fig.add_subplot()
        if log:
            ax.set_xscale("log")
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
        for (colour, recomputed), lines in segments.items():
            ax.add_collection(
                LineCollection(
                    lines,
                    colors=colour,
                    linewidths=1.6 if recomputed else 2.4,
                    linestyles="--" if recomputed else "-",
                    capstyle="butt",
                )
            )
        for (colour, mark, hollow), (xs, ys) in marks.items():
            if hollow:
                ax.plot(
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
                ax.plot(xs, ys, linestyle="none", marker=mark, markersize=7, color=colour)
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_yticks(range(n), [r.label for r in rows])
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="x", which="major", linewidth=0.6)
        if spec.dates:
            from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

            locator = AutoDateLocator(maxticks=7)
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(ConciseDateFormatter(locator, show_offset=True))
            ax.set_xlabel("date")
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
        verdicts = list(dict.fromkeys(r.verdict for r in rows if not r.recomputed))
        handles = [
            Line2D([], [], color=COLOURS[v], marker=MARKERS[v], linewidth=2.4, label=f"stated: {v}")
            for v in verdicts
            if v in COLOURS
        ]
        if any(r.recomputed for r in rows):
            handles.append(
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
        fig.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(label_in / WIDTH_IN, 1.0),
            ncol=len(handles),
            frameon=False,
            fontsize=8,
            handlelength=2.2,
            borderaxespad=0.3,
        )
        buf = io.StringIO()
        FigureCanvasSVG(fig).print_svg(buf, metadata={"Date": None, "Creator": None})
    return _themed(buf.getvalue())


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
    from matplotlib import rc_context
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

    edges = list(spec.edges)
    lefts, widths = edges[:-1], [b - a for a, b in zip(edges, edges[1:], strict=False)]
    with rc_context(_RC):
        fig = Figure(figsize=(WIDTH_IN, HIST_HEIGHT_IN))
        fig.subplots_adjust(
            left=0.8 / WIDTH_IN, right=1 - 0.25 / WIDTH_IN, top=1 - 0.45 / 3.2, bottom=0.6 / 3.2
        )
        ax = fig.add_subplot()
        if spec.log:
            ax.set_xscale("log")
        bottom = [0] * len(lefts)
        handles: list[Any] = []
        for verdict, counts in spec.counts:
            colour = COLOURS.get(verdict, COLOURS[Verdict.UNVERIFIED])
            ax.bar(
                lefts,
                counts,
                width=widths,
                bottom=bottom,
                align="edge",
                color=colour,
                edgecolor=_LINE,
                linewidth=0.3,
                hatch=HATCHES.get(verdict, ""),
            )
            bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
            handles.append(
                Patch(facecolor=colour, hatch=HATCHES.get(verdict, ""), label=f"stated: {verdict}")
            )
        if any(spec.recomputed):
            ax.stairs(spec.recomputed, edges, color=_INK, linestyle="--", linewidth=1.4)
            from matplotlib.lines import Line2D

            handles.append(Line2D([], [], color=_INK, linestyle="--", label="recomputed by a check"))
        ax.set_xlim(edges[0], edges[-1])
        ax.set_ylabel("estimates")
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        ax.grid(axis="y", linewidth=0.6)
        if spec.dates:
            from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

            locator = AutoDateLocator(maxticks=7)
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(ConciseDateFormatter(locator, show_offset=True))
            ax.set_xlabel("date")
        else:
            if spec.log:
                ax.xaxis.set_major_locator(LogLocator(base=10, numticks=12))
                ax.xaxis.set_minor_formatter(NullFormatter())
            else:
                ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
            ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _p: tick_label(x, spec.unit)))
            ax.set_xlabel(display.unit_name(spec.unit) + (" (log scale)" if spec.log else ""))
        fig.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(0.8 / WIDTH_IN, 1.0),
            ncol=len(handles),
            frameon=False,
            fontsize=8,
            borderaxespad=0.3,
        )
        buf = io.StringIO()
        FigureCanvasSVG(fig).print_svg(buf, metadata={"Date": None, "Creator": None})
    return _themed(buf.getvalue())


def _draw(spec: AnyChart) -> str:
    return spec.draw()


def _themed(svg: str) -> str:
    svg = svg.replace(_INK, "var(--ink)").replace(_LINE, "var(--line)").replace(_GRID, "var(--grid)")
    svg = re.sub(r"font-family: [^;\"]*;?", "", svg)
    return svg.replace("<defs>", "<defs>\n" + _STYLE, 1)


def write_charts(
    specs: Iterable[AnyChart],
    out: Path,
    cache: Path | None = None,
    workers: int | None = None,
    previous: Path | None = None,
) -> int:
    """Write each distinct chart into out/charts/; returns how many were drawn (not cached).

    A chart is linked from the previous build's charts folder (`previous`), else copied from the
    cache, else drawn: in parallel processes when there are enough of them.
    """
    folder = out / "charts"
    folder.mkdir(parents=True, exist_ok=True)
    todo: dict[str, AnyChart] = {}
    for spec in specs:
        key = spec.key()
        name = f"{key}.svg"
        if key in todo or (folder / name).exists():
            continue
        if previous is not None and _link(previous / name, folder / name):
            continue
        cached = cache / name if cache is not None else None
        if cached is not None and cached.is_file():
            shutil.copyfile(cached, folder / name)
            continue
        todo[key] = spec
    workers = workers if workers is not None else min(os.cpu_count() or 1, MAX_WORKERS)
    if workers > 1 and len(todo) >= PARALLEL_FROM:
        with ProcessPoolExecutor(max_workers=workers, initializer=procs.die_with_parent) as pool:
            drawn = zip(todo, pool.map(_draw, todo.values(), chunksize=4), strict=True)
            for key, svg in drawn:
                _write(folder, cache, key, svg)
    else:
        for key, spec in todo.items():
            _write(folder, cache, key, spec.draw())
    return len(todo)


def _link(src: Path, dst: Path) -> bool:
    """Hard-link src to dst (a copy where links are refused); False when src is missing."""
    try:
        os.link(src, dst)
        return True
    except FileNotFoundError:
        return False
    except OSError:
        try:
            shutil.copyfile(src, dst)
            return True
        except OSError:
            return False


def _write(folder: Path, cache: Path | None, key: str, svg: str) -> None:
    (folder / f"{key}.svg").write_text(svg, encoding="utf-8")
    if cache is None:
        return
    try:
        cache.mkdir(parents=True, exist_ok=True)
        tmp = cache / f".{key}.{os.getpid()}.tmp"
        tmp.write_text(svg, encoding="utf-8")
        tmp.replace(cache / f"{key}.svg")
    except OSError:
        pass  # a cache that cannot be written only costs time


@lru_cache(maxsize=1)
def _salt() -> bytes:
    """Chart keys change with kb's code (every file of the package) and matplotlib's version.

    The version is read from the package metadata: importing matplotlib costs 0.3 s, which a build
    whose charts are all drawn already should not pay.
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        mpl = version("matplotlib")
    except PackageNotFoundError:  # pragma: no cover - matplotlib is a dependency
        mpl = "unknown"
    return hashlib.sha256(package_hash().encode() + mpl.encode()).digest()
