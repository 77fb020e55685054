"""The audit of an imported data set (kb import epoch): verdict counts, largest discrepancies, a chart.

`audit(kb, results, folder)` gathers, for the claims an import wrote into `claims/<folder>/`, what
the page shows: counts by verdict (claims, and per kind of check), the inconsistent checks with
the largest factors first, every (stated, recomputed) pair of training compute, and what the
import could not read or check (from its report). `chart_svg(data)` draws stated against
recomputed training compute, log-log, coloured by verdict. `pages(ctx)` makes the site's page
of it, to add to the site plan:

    pages += audit.pages(ctx)        # in kb.site.pages.plan, beside the other pages

The page embeds its chart (no separate file to write or cache).
"""

from __future__ import annotations

import io
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kb.contents import KnowledgeBase
from kb.results import VERDICTS, CheckResult, Results
from kb.verdicts import Verdict

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from kb.site.context import SiteContext
    from kb.site.pages import Page

CHECK_LABELS = {
    "six-n-d": "compute vs 6 · parameters · tokens",
    "hardware": "compute vs chips × peak FLOP/s × time × utilization",
    "chips-times-time": "chip-hours vs chips × training time",
    "chip-hours-times-price": "cost vs chip-hours × cloud price",
}
CHECK_MARKERS = {"six-n-d": "o", "hardware": "s"}
CLUSTERS = (
    (
        "six-n-d",
        4 / 3,
        "4/3",
        "the stated compute counts the data set size as tokens while the column, by the data "
        "set's convention, holds words (or the column holds tokens)",
    ),
    (
        "hardware",
        3 / 4,
        "3/4",
        "Epoch's estimate used a 40% utilization where the check assumes its 30% default",
    ),
    (
        "hardware",
        4.0,
        "4",
        "Epoch took a V100-class chip's FP16 throughput without tensor cores (31 TFLOP/s), "
        "the check the tensor-core figure (125 TFLOP/s)",
    ),
    ("hardware", 1 / 8, "1/8", "FP32 against 16-bit tensor throughput (a factor of about 8 on these chips)"),
    (None, 1000.0, "1000", "a dropped or added 'thousand'"),
    (None, 1e-3, "1/1000", "a dropped or added 'thousand'"),
)
"""Factors that recur among inconsistent checks, with what they usually mean in this data set."""


@dataclass(frozen=True)
class Discrepancy:
    """An inconsistent check: what was stated, what was recomputed, how far apart, and why (maybe)."""

    claim_id: str
    subject: str
    quantity: str
    check_id: str
    stated: str
    recomputed: str
    factor: float | None
    severity: str
    diagnosis: str
    assumptions: tuple[str, ...] = ()

    @property
    def distance(self) -> float:
        """Orders of magnitude between recomputed and stated (for sorting)."""
        return abs(math.log10(self.factor)) if self.factor and self.factor > 0 else math.inf


@dataclass(frozen=True)
class Pair:
    """A stated training compute and its recomputation by one check, in FLOP."""

    claim_id: str
    subject: str
    check_id: str
    stated: float
    recomputed: float
    verdict: str


@dataclass
class AuditData:
    folder: str
    claims: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    """Verdict -> claims (kind 'claim') of the folder."""
    references: int = 0
    assumptions: int = 0
    check_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    """Check id -> verdict -> checks."""
    bases: dict[str, int] = field(default_factory=dict)
    """For consistent checks: what they needed (exact, rounding, about, tolerance)."""
    discrepancies: list[Discrepancy] = field(default_factory=list)
    """Inconsistent checks, largest factor first."""
    pairs: list[Pair] = field(default_factory=list)
    """Stated vs recomputed training compute."""
    clusters: list[tuple[str, str, int, str]] = field(default_factory=list)
    """Recurring factors among the discrepancies: (check, factor, how many within 2%, what it means)."""
    release: str = ""
    models_file: str = ""
    rows: int = 0
    rows_imported: int = 0
    unreadable: list[str] = field(default_factory=list)
    """Rows or cells the import could not read, with the reason."""
    skipped: dict[str, int] = field(default_factory=dict)
    """Checks the import could not make, by reason."""
    mixture_of_experts: int = 0


def _in_folder(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder)
    except ValueError:
        return False
    return True


def audit(kb: KnowledgeBase, results: Results, folder: str = "epoch") -> AuditData | None:
    """The audit of the claims under claims/<folder>/; None when there are none."""
    root = (kb.root / folder).resolve()
    data = AuditData(folder)
    counts: Counter[str] = Counter()
    checks: dict[str, Counter[str]] = {}
    bases: Counter[str] = Counter()
    for cid, entry in kb.claims.items():
        if not _in_folder(entry.doc.path, root):
            continue
        result = results.claims.get(cid)
        if result is None:
            continue
        kind = entry.claim.kind
        if kind == "reference":
            data.references += 1
        elif kind == "assumption":
            data.assumptions += 1
        else:
            data.claims += 1
            counts[result.verdict] += 1
        for cr in result.checks:
            checks.setdefault(cr.check_id, Counter())[cr.verdict] += 1
            if cr.verdict == Verdict.CONSISTENT and cr.basis:
                bases[cr.basis] += 1
            if cr.verdict == Verdict.INCONSISTENT:
                data.discrepancies.append(_discrepancy(entry.claim.subject, entry.claim.quantity, cr))
            if (
                entry.claim.quantity == "training_compute"
                and entry.value is not None
                and entry.unit is not None
            ):
                pair = _pair(entry.claim.subject, entry.value.nominal.mid() * entry.unit.factor, cr)
                if pair is not None:
                    data.pairs.append(pair)
    if not data.claims and not data.references:
        return None
    data.counts = {v: counts.get(v, 0) for v in VERDICTS}
    data.check_counts = {c: {v: n.get(v, 0) for v in VERDICTS} for c, n in sorted(checks.items())}
    data.bases = dict(bases.most_common())
    data.discrepancies.sort(key=lambda d: (-d.distance, d.claim_id))
    for check, value, label, meaning in CLUSTERS:
        n = sum(
            1
            for d in data.discrepancies
            if d.factor
            and (check is None or d.check_id == check)
            and abs(math.log(d.factor / value)) < math.log(1.02)
        )
        if n:
            data.clusters.append((CHECK_LABELS.get(check or "", "any check"), label, n, meaning))
    _add_report(data, root)
    return data


def _discrepancy(subject: str, quantity: str, cr: CheckResult) -> Discrepancy:
    return Discrepancy(
        cr.claim_id,
        subject,
        quantity,
        cr.check_id,
        cr.stated_text,
        cr.computed_text,
        cr.factor,
        cr.severity or "",
        cr.diagnosis,
        tuple(cr.assumptions),
    )


def _pair(subject: str, stated: float, cr: CheckResult) -> Pair | None:
    if cr.verdict == Verdict.ERROR or not math.isfinite(stated) or stated <= 0:
        return None
    if cr.factor is not None and cr.factor > 0:
        recomputed = stated * cr.factor
    elif cr.computed is not None:
        return None  # a zero or unbounded recomputation has no place on a log scale
    else:
        return None
    return Pair(cr.claim_id, subject, cr.check_id, stated, recomputed, cr.verdict)


def _add_report(data: AuditData, root: Path) -> None:
    from kb.importers.epoch import read_report

    report = read_report(root)
    if report is None:
        return
    data.release = report.release
    data.models_file = report.models_file
    data.rows = report.rows
    data.rows_imported = report.rows_imported
    data.unreadable = [str(p) for p in report.problems]
    data.skipped = report.skipped_by_reason()
    data.mixture_of_experts = len(report.mixture_of_experts)


# --- the chart -------------------------------------------------------------------------------------


def chart_svg(data: AuditData, width_in: float = 7.0, height_in: float = 6.2) -> str:
    """Stated vs recomputed training compute (log-log), coloured by verdict, one marker per check."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    from kb.site import charts

    with rc_context(charts._RC):
        fig = _figure(data, width_in, height_in)
        buf = io.StringIO()
        FigureCanvasSVG(fig).print_svg(buf, metadata={"Date": None, "Creator": None})
    return charts._themed(buf.getvalue())


def _figure(data: AuditData, width_in: float, height_in: float) -> Figure:
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    from kb.site import charts

    pairs = data.pairs
    fig = Figure(figsize=(width_in, height_in))
    fig.subplots_adjust(left=0.12, right=0.97, top=0.86, bottom=0.1)
    ax = fig.add_subplot()
    ax.set_xscale("log")
    ax.set_yscale("log")
    values = [v for p in pairs for v in (p.stated, p.recomputed)] or [1e15, 1e27]
    lo = 10.0 ** math.floor(math.log10(min(values)) - 0.3)
    hi = 10.0 ** math.ceil(math.log10(max(values)) + 0.3)
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.plot([lo, hi], [lo, hi], "-", color=charts._LINE, linewidth=0.8)
    for k in (10.0, 0.1):
        ax.plot([lo, hi], [lo * k, hi * k], ":", color=charts._LINE, linewidth=0.7)
    for verdict in (Verdict.INCONSISTENT, Verdict.CONSISTENT):
        for check, marker in CHECK_MARKERS.items():
            pts = [p for p in pairs if p.verdict == verdict and p.check_id == check]
            if pts:
                colour = charts.COLOURS[verdict]
                ax.scatter(
                    [p.stated for p in pts],
                    [p.recomputed for p in pts],
                    s=16,
                    marker=marker,
                    facecolors=colour if verdict == Verdict.INCONSISTENT else "none",
                    edgecolors=colour,
                    linewidths=0.8,
                    alpha=0.8,
                )
    decades = math.log10(hi / lo)
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(LogLocator(base=10, numticks=14 if decades <= 14 else 8))
        axis.set_minor_formatter(NullFormatter())
        axis.set_major_formatter(FuncFormatter(lambda x, _p: f"1e{round(math.log10(x))}" if x > 0 else ""))
    ax.grid(which="major", linewidth=0.5)
    ax.set_xlabel("training compute stated by the data set (FLOP)")
    ax.set_ylabel("recomputed from the row's other columns (FLOP)")
    handles = [
        Line2D(
            [],
            [],
            linestyle="none",
            marker=CHECK_MARKERS[c],
            markerfacecolor="none",
            markeredgecolor=charts._INK,
            label="from " + CHECK_LABELS[c].split(" vs ")[1],
        )
        for c in CHECK_MARKERS
    ]
    handles += [
        Line2D(
            [],
            [],
            linestyle="none",
            marker="o",
            markerfacecolor="none" if v == Verdict.CONSISTENT else charts.COLOURS[v],
            markeredgecolor=charts.COLOURS[v],
            label=v,
        )
        for v in (Verdict.CONSISTENT, Verdict.INCONSISTENT)
    ]
    handles.append(Line2D([], [], color=charts._LINE, linestyle=":", label="a factor of 10 apart"))
    fig.legend(handles=handles, loc="upper center", ncol=3, frameon=False, fontsize=8)
    return fig


# --- the page --------------------------------------------------------------------------------------


def describe(data: AuditData) -> str:
    c = data.counts
    return (
        f"Audit of {data.models_file or data.folder}: {data.claims} claims checked against each other, "
        f"{c.get('consistent', 0)} consistent, {c.get('inconsistent', 0)} inconsistent."
    )


def pages(ctx: SiteContext, folders: tuple[str, ...] = ("epoch",)) -> list[Page]:
    """The audit page of each imported folder that has claims."""
    from markupsafe import Markup

    from kb.site.pages import Page

    out: list[Page] = []
    for folder in folders:
        if not (ctx.kb.root / folder).is_dir():
            continue  # nothing imported there (and no need to look at every claim's path)
        data = audit(ctx.kb, ctx.results, folder)
        if data is None:
            continue
        out.append(
            Page(
                f"audit/{folder}.html",
                "audit.html",
                f"Audit: {data.models_file or folder}",
                describe(data),
                {"audit": data, "chart": Markup(chart_svg(data)), "labels": CHECK_LABELS},
                indexed=True,
                section="sources",
            )
        )
    return out
