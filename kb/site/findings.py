"""The findings of an imported data set, one entry per model, ranked by what to fix first.

A finding is a failed relation of the model's claims: what it compares (from the importer's
audit description, or the law's title), the stated and recomputed values, the factor between
them, the cells the blame falls on (each with its column and suggested value) and the likely
cause only where a known slip fits. A model is ranked first when one of its findings is
impossible (a physical or definitional bound fails), then by its largest factor; a model whose
findings are all in doubt comes last. A finding is in doubt when the blame falls on labelled
assumptions only (a default the data set's estimate may not have used): it names the assumption
and what the row needs instead, and blames no cell.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb import display
from kb.contents import KnowledgeBase
from kb.results import CheckResult, Results
from kb.verdicts import Standing, Verdict

_COLUMN = re.compile(r"column '([^']*)'")
IN_DOUBT = "in doubt"


@dataclass(frozen=True)
class Blamed:
    """A claim the blame falls on: its column in the data set and the value the relations allow."""

    claim_id: str
    column: str
    value: str
    suggested: str
    either: bool
    """A tie: this claim or another is wrong, equally likely."""
    in_doubt: bool = False
    """A labelled assumption the relation puts in doubt for this row (not a wrong cell)."""


@dataclass(frozen=True)
class Finding:
    key: str
    label: str
    stated: str
    recomputed: str
    factor: float | None
    impossible: bool
    blamed: tuple[Blamed, ...]
    cause: str
    """The slip that maps the stated value onto the recomputed one; empty when none fits."""
    implied: str = ""
    """What the stated value implies, where the importer says (the share of the chips' peak)."""

    @property
    def in_doubt(self) -> bool:
        """Only labelled assumptions are blamed: the row may be right and the default not apply."""
        return bool(self.blamed) and all(b.in_doubt for b in self.blamed)

    @property
    def verdict(self) -> str:
        return "impossible" if self.impossible else IN_DOUBT if self.in_doubt else "inconsistent"

    @property
    def doubt(self) -> str:
        """Why the finding is in doubt, in words ('' when it is not)."""
        if not self.in_doubt:
            return ""
        names = ", ".join(b.claim_id for b in self.blamed)
        needs = f" (the row {self.implied})" if self.implied else ""
        return (
            f"In doubt: the relation fails only under the labelled assumption {names}, which may not "
            f"hold for this row{needs}; no cell is blamed. The row's notes say what its estimate used."
        )

    @property
    def distance(self) -> float:
        """Orders of magnitude between stated and recomputed."""
        return abs(math.log10(self.factor)) if self.factor and self.factor > 0 else math.inf


@dataclass
class ModelFindings:
    subject: str
    row: str
    organization: str
    year: str
    domain: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def impossible(self) -> bool:
        return any(f.impossible for f in self.findings)

    @property
    def in_doubt(self) -> bool:
        return all(f.in_doubt for f in self.findings)

    @property
    def verdict(self) -> str:
        return "impossible" if self.impossible else IN_DOUBT if self.in_doubt else "inconsistent"

    def rank(self) -> tuple[int, float, str]:
        """Impossible first, then inconsistent, then in doubt; within each, the largest factor first."""
        tier = 0 if self.impossible else 2 if self.in_doubt else 1
        return (tier, -max(f.distance for f in self.findings), self.subject)


def label(cr: CheckResult, checks: dict[str, dict[str, Any]]) -> str:
    spec = checks.get(f"law:{cr.law}" if cr.law else cr.check_id)
    if spec:
        return str(spec["label"])
    return cr.law_title or cr.check_id


def _impossible(cr: CheckResult, checks: dict[str, dict[str, Any]]) -> bool:
    return bool(checks.get(f"law:{cr.law}" if cr.law else cr.check_id, {}).get("impossible"))


def _implied(cr: CheckResult, checks: dict[str, dict[str, Any]]) -> str:
    """'needs 50% of the chips' peak': the share the stated value needs, where the importer says
    what it is (`implies`). The recomputed value is that share at 100%, times the relation's
    labelled assumptions (a default utilization) where it has any."""
    what = checks.get(cr.check_id, {}).get("implies")
    if not what or not cr.factor or cr.factor <= 0:
        return ""
    # An assumption's stated value is the middle of its rounding interval (30% is [25%, 35%]).
    scale = math.prod(
        (i.interval.lo + i.interval.hi) / 2 * i.unit.factor for i in cr.inputs if i.kind == "assumption"
    )
    return f"needs {100 * scale / cr.factor:,.0f}% {what}"


def _blamed(kb: KnowledgeBase, results: Results, ids: list[str]) -> tuple[Blamed, ...]:
    out = []
    for cid in ids:
        entry, result = kb.claims.get(cid), results.claims.get(cid)
        if entry is None or result is None:
            continue
        locator = entry.claim.sources[0].locator if entry.claim.sources else ""
        column = _COLUMN.search(locator or "")
        value = display.written(entry.claim.value, entry.claim.unit, entry.claim.qualifier)
        doubted = result.standing == Standing.IN_DOUBT
        # An assumption's suggestion spans every row it is doubted in; the row's own need is `implied`.
        suggested = result.suggested.text if result.suggested and not doubted else ""
        name = column.group(1) if column else f"assumption {cid}" if doubted else cid
        out.append(Blamed(cid, name, value, suggested, result.standing == Standing.SUSPECT, doubted))
    return tuple(out)


def _failures(kb: KnowledgeBase, results: Results, root: Path) -> dict[str, tuple[str, CheckResult]]:
    """Key -> (a claim of the folder it relates, failed relation), for the folder's claims."""
    inside = {cid for cid, e in kb.claims.items() if in_folder(e.doc.path, root)}
    out: dict[str, tuple[str, CheckResult]] = {}
    for cid in sorted(inside):
        result = results.claims.get(cid)
        for cr in result.checks if result else []:
            if cr.verdict == Verdict.INCONSISTENT and cr.key not in out:
                out[cr.key] = (cid, cr)
    for cr in results.relations:
        members = sorted(m for m in cr.members if m in inside)
        if cr.verdict == Verdict.INCONSISTENT and members and cr.key not in out:
            out[cr.key] = (members[0], cr)
    return out


def in_folder(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder)
    except ValueError:
        return False
    return True


def findings(kb: KnowledgeBase, results: Results, root: Path, desc: dict[str, Any]) -> list[ModelFindings]:
    """Every model with a failed relation, ranked: impossible first, then the largest factor."""
    checks: dict[str, dict[str, Any]] = desc.get("checks", {})
    rows: dict[str, dict[str, str]] = desc.get("rows", {})
    claim_rows: dict[str, str] = desc.get("claims", {})
    condemned: dict[str, list[str]] = {}
    for cid, result in results.claims.items():
        for key in result.condemned_by:
            condemned.setdefault(key, []).append(cid)
    models: dict[str, ModelFindings] = {}
    for key, (cid, cr) in sorted(_failures(kb, results, root).items()):
        row = claim_rows.get(cid, "")
        facets = rows.get(row, {})
        model = models.setdefault(
            row or kb.claims[cid].claim.subject,
            ModelFindings(
                facets.get("name") or kb.claims[cid].claim.subject,
                row,
                facets.get("organization", ""),
                facets.get("year", ""),
                facets.get("domain", ""),
            ),
        )
        blamed = _blamed(kb, results, condemned.get(key, []))
        cause = cr.diagnosis if cr.slip else ""
        model.findings.append(
            Finding(
                key,
                label(cr, checks),
                cr.stated_text,
                cr.computed_text,
                cr.factor,
                _impossible(cr, checks),
                blamed,
                cause,
                _implied(cr, checks),
            )
        )
    for model in models.values():
        model.findings.sort(key=lambda f: (not f.impossible, -f.distance, f.key))
    return sorted(models.values(), key=ModelFindings.rank)


CSV_FIELDS = (
    "rank",
    "model",
    "csv_row",
    "organization",
    "year",
    "domain",
    "verdict",
    "relation",
    "stated",
    "recomputed",
    "factor",
    "blamed_cells",
    "suggested",
    "likely_cause",
    "in_doubt_because",
)


def findings_csv(models: list[ModelFindings]) -> str:
    """The findings as CSV for the data set's maintainers: one line per failed relation."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for rank, m in enumerate(models, 1):
        for f in m.findings:
            writer.writerow(
                (
                    rank,
                    m.subject,
                    m.row,
                    m.organization,
                    m.year,
                    m.domain,
                    f.verdict,
                    f.label,
                    f.stated,
                    f.recomputed,
                    f"{f.factor:.3g}" if f.factor else "",
                    "; ".join(("either " if b.either else "") + b.column for b in f.blamed),
                    "; ".join(f"{b.column}: {b.suggested}" for b in f.blamed if b.suggested),
                    "; ".join(x for x in (f.implied, f.cause) if x),
                    f.doubt,
                )
            )
    return buf.getvalue()
