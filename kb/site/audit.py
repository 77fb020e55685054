"""The audit of an imported data set (kb import epoch): verdict counts, findings per model, a chart.

`audit(kb, results, folder)` gathers, for the claims an import wrote into `claims/<folder>/`, what
the page shows: counts by verdict (claims, and per kind of check), every model with a failed
relation ranked by what to fix first (kb.site.findings), every (stated, recomputed) pair of
training compute, and what the import could not read or check. What each check compares, which
failures are impossible and each model's CSV row come from the import's own description (the
"audit" key of its report): this module imports no importer and knows no check id.
`chart_svg(data)` draws stated against recomputed training compute, log-log, coloured by
verdict. `pages(ctx)` makes the site's page of it:

    pages += audit.pages(ctx)        # in kb.site.pages.plan, beside the other pages

The page embeds its chart and the CSV of its findings (no separate file to write or cache).
"""

from __future__ import annotations

import io
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kb.contents import KnowledgeBase
from kb.importers import REPORT
from kb.results import VERDICTS, CheckResult, Results
from kb.site.findings import ModelFindings, findings, findings_csv, in_folder, label
from kb.verdicts import Verdict

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from kb.site.context import SiteContext
    from kb.site.pages import Page


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
    """What a check compares -> verdict -> checks."""
    bases: dict[str, int] = field(default_factory=dict)
    """For consistent checks: what they needed (exact, rounding, about, tolerance)."""
    models: list[ModelFindings] = field(default_factory=list)
    """Every model with a failed relation, what to fix first first."""
    pairs: list[Pair] = field(default_factory=list)
    """Stated vs recomputed training compute."""
    markers: dict[str, str] = field(default_factory=dict)
    """Check id -> chart marker, for the checks that recompute the training compute."""
    legend: dict[str, str] = field(default_factory=dict)
    """Check id -> what it compares (the chart's legend)."""
    lede: str = ""
    release: str = ""
    models_file: str = ""
    rows: int = 0
    rows_imported: int = 0
    unreadable: list[str] = field(default_factory=list)
    """Rows or cells the import could not read, with the reason."""
    skipped: dict[str, int] = field(default_factory=dict)
    """Checks the import could not make, by reason."""
    not_run: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    """Column changes of the release (unknown, missing, read in a release-specific unit)."""
    conventions: list[str] = field(default_factory=list)
    passes: list[str] = field(default_factory=list)
    mixture_of_experts: int = 0

    @property
    def findings(self) -> int:
        return sum(len(m.findings) for m in self.models)

    def facets(self, name: str) -> list[str]:
        """The values of one filter (organization, year, domain) among the models with findings."""
        values = {v.strip() for m in self.models for v in str(getattr(m, name)).split(",")}
        return sorted(v for v in values if v)

    def csv(self) -> str:
        return findings_csv(self.models)


def read_report(root: Path) -> dict[str, Any]:
    """The import's report (with its "audit" description); empty when absent or unreadable."""
    try:
        data = json.loads((root / REPORT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def audit(kb: KnowledgeBase, results: Results, folder: str = "epoch") -> AuditData | None:
    """The audit of the claims under claims/<folder>/; None when there are none."""
    root = (kb.root / folder).resolve()
    report = read_report(root)
    desc: dict[str, Any] = report.get("audit") or {}
    checks: dict[str, dict[str, Any]] = desc.get("checks", {})
    drawn = {k: v for k, v in checks.items() if v.get("marker")}
    data = AuditData(
        folder,
        markers={k: v["marker"] for k, v in drawn.items()},
        legend={k: v["label"] for k, v in drawn.items()},
    )
    counts: Counter[str] = Counter()
    per_check: dict[str, Counter[str]] = {}
    bases: Counter[str] = Counter()
    for cid, entry in kb.claims.items():
        result = results.claims.get(cid)
        if result is None or not in_folder(entry.doc.path, root):
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
            per_check.setdefault(label(cr, checks), Counter())[cr.verdict] += 1
            if cr.verdict == Verdict.CONSISTENT and cr.basis:
                bases[cr.basis] += 1
            compute = entry.claim.quantity == "training_compute" and cr.check_id in data.markers
            if compute and entry.value is not None and entry.unit is not None:
                pair = _pair(entry.claim.subject, entry.value.nominal.mid() * entry.unit.factor, cr)
                if pair is not None:
                    data.pairs.append(pair)
    if not data.claims and not data.references:
        return None
    data.counts = {v: counts.get(v, 0) for v in VERDICTS}
    data.check_counts = {c: {v: n.get(v, 0) for v in VERDICTS} for c, n in sorted(per_check.items())}
    data.bases = dict(bases.most_common())
    data.models = findings(kb, results, root, desc)
    _add_report(data, report, desc)
    return data


def _pair(subject: str, stated: float, cr: CheckResult) -> Pair | None:
    if cr.verdict == Verdict.ERROR or not math.isfinite(stated) or stated <= 0:
        return None
    if cr.factor is None or cr.factor <= 0:
        return None  # a zero or unbounded recomputation has no place on a log scale
    return Pair(cr.claim_id, subject, cr.check_id, stated, stated * cr.factor, cr.verdict)


def _add_report(data: AuditData, report: dict[str, Any], desc: dict[str, Any]) -> None:
    data.lede = str(desc.get("lede", ""))
    data.release = str(report.get("release", ""))
    data.models_file = str(report.get("models_file", ""))
    data.rows = int(report.get("rows", 0))
    data.rows_imported = int(report.get("rows_imported", 0))
    data.unreadable = [_problem(p) for p in report.get("problems", []) if isinstance(p, dict)]
    data.skipped = dict(report.get("skipped_by_reason", {}))
    data.not_run = list(desc.get("not_run", []))
    data.columns = list(report.get("columns", []))
    data.conventions = list(report.get("conventions", []))
    data.passes = list(report.get("passes", []))
    data.mixture_of_experts = len(report.get("mixture_of_experts", []))


def _problem(p: dict[str, Any]) -> str:
    """A row or cell the import could not read, as its report words it."""
    where = f"{p.get('file', '')}: "
    if not p.get("row"):
        return f"{where}line {p.get('line', '')}: {p.get('reason', '')}"
    what = f"{p.get('column')} {str(p.get('text', ''))[:60]!r}" if p.get("column") else "row"
    who = f" ({p['model']})" if p.get("model") else ""
    return f"{where}row {p['row']} (line {p.get('line', '')}){who}: {what}: {p.get('reason', '')}"


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
        for check, marker in data.markers.items():
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
            [], [], linestyle="none", marker=m, markerfacecolor="none", markeredgecolor=charts._INK, label=c
        )
        for c, m in data.markers.items()
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

    from kb.site import vega
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
                {
                    "audit": data,
                    "chart": Markup(chart_svg(data)),
                    "vega": vega.audit_chart(data.pairs, data.legend),
                },
                indexed=True,
                section="sources",
            )
        )
    return out
