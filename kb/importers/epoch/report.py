"""What an import did: counts, and every row, cell and check it could not use, with the reason."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kb import importers
from kb.importers.epoch import audit as epoch_audit

REPORT = importers.REPORT


@dataclass(frozen=True)
class RowProblem:
    """A row or cell that kb could not read, and why."""

    file: str
    row: int
    """Data row, counting from 1 after the header."""
    line: int
    """Line of the file where the row starts."""
    model: str
    column: str
    text: str
    reason: str

    def __str__(self) -> str:
        if not self.row:
            return f"{self.file}: line {self.line}: {self.reason}"
        what = f"{self.column} {self.text[:60]!r}" if self.column else "row"
        who = f" ({self.model})" if self.model else ""
        return f"{self.file}: row {self.row} (line {self.line}){who}: {what}: {self.reason}"


@dataclass(frozen=True)
class SkippedCheck:
    """A check the row's data could not support, and why; not an error."""

    model: str
    claim: str
    check: str
    reason: str


@dataclass
class ImportReport:
    """What an import did: counts, and every row, cell and check it could not use, with the reason."""

    models_file: str
    release: str
    into: str
    rows: int = 0
    rows_imported: int = 0
    rows_empty: int = 0
    """Rows with no value kb could import: the imported columns are empty, or unreadable."""
    claims: int = 0
    checks: int = 0
    sources: int = 0
    chips: int = 0
    prices: int = 0
    files_written: int = 0
    files_unchanged: int = 0
    files_removed: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    skipped: list[SkippedCheck] = field(default_factory=list)
    mixture_of_experts: list[str] = field(default_factory=list)
    conventions: list[str] = field(default_factory=list)
    """Rows whose cells follow another convention than their column's (tokens in a words column)."""
    passes: list[str] = field(default_factory=list)
    """Rows with blank epochs (or a release without the column): the passes over the data set
    their compute implies."""
    models: dict[str, dict[str, str]] = field(default_factory=dict)
    """CSV row number -> the model's name, organization, year and domain (for the audit page)."""
    claim_rows: dict[str, str] = field(default_factory=dict)
    """Claim id -> the CSV row number it comes from."""
    made: dict[str, int] = field(default_factory=dict)
    """Check id -> how many the import wrote."""
    warnings: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    """Column changes of the release: unknown, missing, read under a release-specific unit."""
    missing_columns: list[str] = field(default_factory=list)
    """Keys of the expected columns the release lacks."""
    absent_columns: list[str] = field(default_factory=list)
    """Keys of every column kb reads that the release lacks (the checks that need one do not run)."""
    dry_run: bool = False

    def skipped_by_reason(self) -> dict[str, int]:
        counts = Counter(f"{s.check}: {s.reason}" for s in self.skipped)
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def text(self, limit: int = 50) -> str:
        lines = [
            f"kb import epoch: {self.models_file} (release {self.release}) -> {self.into}",
            f"  rows read      {self.rows:>7}",
            f"  rows imported  {self.rows_imported:>7}",
            f"  rows with no value kb could import (empty, or unreadable as listed below): {self.rows_empty}",
            f"  claims         {self.claims:>7}  ({self.checks} checks; {self.chips} chip facts, "
            f"{self.prices} prices)",
            f"  sources        {self.sources:>7}",
            f"  files          {self.files_written} written, {self.files_unchanged} unchanged, "
            f"{self.files_removed} removed",
            f"  mixture-of-experts models (6·N·D only a bound): {len(self.mixture_of_experts)}",
        ]
        lines += [f"warning: {w}" for w in self.warnings]
        made = Counter(self.made)
        not_run = epoch_audit.not_run(made, self.skipped_by_reason(), self.absent_columns)
        lines += [f"check {n}" for n in not_run]
        if self.conventions:
            lines.append(
                f"  rows whose data set size holds another unit than its column's convention: "
                f"{len(self.conventions)} (all in {REPORT})"
            )
        if self.passes and "epochs" in self.absent_columns:
            lines.append(
                f"  rows whose passes are unknown (the release has no Epochs column; implied passes in "
                f"{REPORT}): {len(self.passes)}"
            )
        elif self.passes:
            lines.append(f"  rows with blank epochs (implied passes in {REPORT}): {len(self.passes)}")
        if self.columns:
            lines += ["", f"Columns ({len(self.columns)} to look at):"]
            lines += [f"  {c}" for c in self.columns]
        if self.skipped:
            lines += ["", f"Checks not made ({len(self.skipped)}), by reason:"]
            lines += [f"  {n:>6}  {reason}" for reason, n in self.skipped_by_reason().items()]
        if self.problems:
            lines += ["", f"Rows or cells kb could not read ({len(self.problems)}):"]
            lines += [f"  {p}" for p in self.problems[:limit]]
            if len(self.problems) > limit:
                where = "--all-problems lists them" if self.dry_run else f"all in {self.into}/{REPORT}"
                lines.append(f"  ... and {len(self.problems) - limit} more ({where})")
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["skipped_by_reason"] = self.skipped_by_reason()
        data["audit"] = epoch_audit.description(
            self.release,
            self.models_file,
            self.models,
            self.claim_rows,
            Counter(self.made),
            self.skipped_by_reason(),
            self.absent_columns,
        )
        return data


def read_report(into: Path) -> ImportReport | None:
    """The report of the last import into `into` (for the audit page); None when there is none."""
    try:
        data = json.loads((into / REPORT).read_text(encoding="utf-8"))
        data.pop("skipped_by_reason", None)
        data.pop("audit", None)
        data["problems"] = [RowProblem(**p) for p in data.get("problems", [])]
        data["skipped"] = [SkippedCheck(**s) for s in data.get("skipped", [])]
        return ImportReport(**data)
    except (OSError, ValueError, TypeError, AttributeError):
        return None
