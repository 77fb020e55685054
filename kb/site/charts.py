"""Charts: every estimate of one subject's quantity side by side, drawn at build time as SVG.

A chart is a pure function of its spec (plain numbers and labels), so it is named by the hash of
its spec: an unchanged group keeps its file name, and a cache folder (or the previous build) can
skip drawing it again (see `write_charts`).

Which charts: a group (one subject's quantity) with two or more estimates, and a quantity page
with two or more estimates over all its subjects. Up to MAX_ROWS bars, each estimate is a bar
(`ChartSpec`: its stated interval, recomputed values as dashed bars); beyond that the chart is a
histogram (`HistogramSpec`: how many estimates fall in each range, by verdict, with the
recomputed values as a line; one filled step shape per verdict), which costs the same to draw
for ten thousand estimates as for a hundred; the table beside it lists every estimate.

Drawing (matplotlib, themed SVG) is in kb/site/drawing.py; `Drawer` draws in a process of its own
while the pages are rendered.
"""

from __future__ import annotations

import hashlib
import math
import os
import shutil
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from kb import procs
from kb.cachedir import package_hash
from kb.site.context import ClaimView, Group, QuantityView, convert
from kb.site.drawing import (  # noqa: F401 - re-exported: what tests and vega.py read
    _INK,
    _LINE,
    _RC,
    BOTTOM_IN,
    COLOURS,
    HIST_HEIGHT_IN,
    LOG_SPAN,
    MARKERS,
    ROW_IN,
    TOP_IN,
    WIDTH_IN,
    _themed,
    render_histogram,
    render_svg,
    tick_label,
    use_log,
)
from kb.units import UnitInfo

MAX_LABEL = 42
PARALLEL_FROM = 16
"""Draw in parallel processes from this many charts on."""
MAX_WORKERS = 8
MAX_ROWS = 60
"""Most bars in one chart; more estimates than this are drawn as a histogram."""
BINS = 40


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
    n_rows = sum(1 + len(cv.recomputations) for cv in claims)
    if n_rows > MAX_ROWS:
        return histogram_spec(claims, unit)
    rows: list[Row] = []
    for cv in claims:
        e = cv.entry
        assert e.value is not None and e.unit is not None
        stated = convert(e.value.stated, e.unit, unit)
        nominal = convert(e.value.nominal, e.unit, unit)
        rows.append(Row(_label(label(cv)), stated.lo, stated.hi, nominal.mid(), cv.verdict))
        for c in cv.recomputations:
            assert c.computed is not None
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
        for c in cv.recomputations:
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


def _draw(spec: AnyChart) -> str:
    return spec.draw()


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
