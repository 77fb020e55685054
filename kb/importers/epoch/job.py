"""One run of the import, orchestrated: read the tables, turn each row into its claims (rows,
claims) with the checks it allows (checks, hardware, chips, prices), group them with the
excerpts they quote (sources), and write the files (output)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kb.errors import KbError
from kb.importers import yamlout
from kb.importers.epoch import rows
from kb.importers.epoch.cells import clean_name, release_tag
from kb.importers.epoch.checks import RowChecks
from kb.importers.epoch.chips import Chips
from kb.importers.epoch.claims import RowClaims
from kb.importers.epoch.context import Context, build_context
from kb.importers.epoch.hardware import HardwareChecks
from kb.importers.epoch.output import GENERATED, Excerpt, schema_line, write_import
from kb.importers.epoch.prices import Prices
from kb.importers.epoch.report import ImportReport
from kb.importers.epoch.sources import CHIPS_URL, DATASET_URL, PRICES_URL, ImportFiles
from kb.importers.epoch.table import CHIP_COLUMNS, PRICE_COLUMNS, Row, Table, read_table


class EpochImport:
    """One run of the import: reads the tables, builds every file in memory (`files`)."""

    def __init__(
        self,
        models: Table,
        claims_root: Path,
        into: Path,
        release: str,
        chips: Table | None,
        prices: Table | None,
        context: Context,
    ) -> None:
        self.models = models
        self.claims_root = claims_root
        self.into = into
        self.release = release
        self.ctx = context
        self.sources_dir = claims_root / "sources" / into.name
        self.report = ImportReport(models.path.name, release, str(into))
        self.report.problems.extend(models.problems)
        self.out = ImportFiles(claims_root, self.sources_dir, release, self.report)
        self.files = self.out.files
        self.groups: dict[str, Excerpt] = {}
        self.group_claims: dict[str, list[tuple[str, list[dict[str, Any]]]]] = {}
        """Excerpt group -> per row, a comment and the row's claims."""
        self.chips = Chips(chips, self.out, self.report) if chips is not None else None
        self.prices = Prices(prices, self.out, self.report) if prices is not None else None
        self.claims = RowClaims(models, self.report.problems)
        hardware = HardwareChecks(models.columns, context, self.report, self.chips)
        self.checks = RowChecks(context, self.report, hardware, self.prices)

    def run(self) -> None:
        models = self.models
        if "model" not in models.columns:
            raise KbError(
                f"{models.path.name}: no model name column (looked for 'Model' or 'System')",
                "is this Epoch AI's all_ml_systems CSV?",
                "import-columns",
            )
        if models.column_map is not None:
            self.report.columns = models.column_map.changes()
            self.report.missing_columns = list(models.column_map.missing)
            self.report.absent_columns = list(models.column_map.absent)
        self.archive_tables()
        slugs = rows.slugs(models, self.report)
        groups = rows.group_keys(models)
        self.report.rows = len(models.rows)
        for row in models.rows:
            if row.number in slugs:
                self.import_row(row, slugs[row.number], groups[row.number])
        for key in sorted(self.groups):
            self.write_group(key)
        if self.chips is not None:
            self.chips.write(self.into)
        if self.prices is not None:
            self.prices.write(self.into)
        if self.ctx.own_assumptions:
            self.out.claims_file(
                self.into / "assumptions.yaml",
                self.ctx.own_assumptions,
                f"# {GENERATED}: labelled assumptions its checks use that the knowledge base lacks.\n",
            )
            self.report.claims += len(self.ctx.own_assumptions)

    def archive_tables(self) -> None:
        """Each table whole, as the source its excerpts name."""
        release = self.release
        self.out.whole_file(
            self.models, "models", f"Epoch AI, Data on AI Models ({release} snapshot)", DATASET_URL
        )
        if self.chips is not None:
            title = f"Epoch AI, Data on Machine Learning Hardware ({release} snapshot)"
            self.out.whole_file(self.chips.table, "chips", title, CHIPS_URL)
        if self.prices is not None:
            title = f"Epoch AI, hardware prices ({release} snapshot)"
            self.out.whole_file(self.prices.table, "prices", title, PRICES_URL)

    def group(self, key: str) -> Excerpt:
        """The excerpt of the rows of a group (group_keys), made on first use."""
        ex = self.groups.get(key)
        if ex is None:
            when = (
                "without a publication date"
                if key == "undated"
                else f"published in {key.replace('-q', ' Q')}"
            )
            ex = self.out.excerpt(
                f"epoch-{self.release}-models-{key}",
                f"Epoch AI, Data on AI Models ({self.release}): models {when}",
                self.models,
                "models",
                f"Data on AI Models, the models {when}",
                DATASET_URL,
            )
            self.groups[key] = ex
        return ex

    def import_row(self, row: Row, slug: str, group: str) -> None:
        """The row's claims and checks, added to its group; the report counts them."""
        report = self.report
        numbers = rows.read_numbers(self.models, row, report.problems)
        hardware = rows.hardware_of(row.cells)
        if not numbers and not hardware:
            report.rows_empty += 1
            return
        ex = self.group(group)
        m, block = rows.model_row(self.models, row, slug, numbers, hardware, ex.source_id)
        if m.moe:
            report.mixture_of_experts.append(m.name)
        m.text_unit = rows.text_unit(m, self.models, report.conventions)
        claims = self.claims.make(m)
        self.checks.add(m)
        claims += m.extra
        ex.lines += block.lines
        self.group_claims.setdefault(group, []).append(
            (f"Row {row.number} (line {row.line}): {block.label}", claims)
        )
        self.count_row(row, block.label, claims)

    def count_row(self, row: Row, label: str, claims: list[dict[str, Any]]) -> None:
        """An imported row in the report: the model's facets for the audit page, its claims and checks."""
        report, cells = self.report, row.cells
        report.rows_imported += 1
        report.models[str(row.number)] = {
            "name": label,
            "organization": clean_name(cells.get("organization", "")),
            "year": cells.get("publication_date", "").strip()[:4],
            "domain": clean_name(cells.get("domain", "")),
        }
        for c in claims:
            report.claim_rows[c["id"]] = str(row.number)
            for k in c.get("checks", []):
                report.made[k["id"]] = report.made.get(k["id"], 0) + 1
        report.claims += len(claims)
        report.checks += sum(len(c.get("checks", [])) for c in claims)

    def write_group(self, key: str) -> None:
        """A group's excerpt, and its rows' claims in one file (a comment naming each row)."""
        ex = self.groups[key]
        self.out.write_excerpt(ex)
        path = self.into / f"models-{key}.yaml"
        header = (
            schema_line(path.parent, self.claims_root, "claims.schema.json")
            + f"# {GENERATED} from {self.models.path.name}:\n"
            + f"# {ex.title[len('Epoch AI, ') :]}.\n"
            "# The next import overwrites edits here: correct the data set, or write claims in another "
            "file.\n"
        )
        self.files[path] = (header + yamlout.dump_sections("claims", self.group_claims[key])).encode("utf-8")


def import_epoch(
    models: Path,
    claims_root: Path,
    *,
    chips: Path | None = None,
    prices: Path | None = None,
    into: Path | None = None,
    release: str | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Import the models table (with the chip and price tables) into `into` (default claims/epoch)."""
    into = into if into is not None else claims_root / "epoch"
    root = claims_root.resolve()
    if root not in into.resolve().parents:
        raise KbError(f"--into {into} is not inside the claims folder {claims_root}", code="import-usage")
    if (root / "sources") in (into.resolve(), *into.resolve().parents):
        raise KbError("--into cannot be in the sources folder", code="import-usage")
    models_table = read_table(models, None)
    chips_table = read_table(chips, CHIP_COLUMNS) if chips is not None else None
    prices_table = read_table(prices, PRICE_COLUMNS) if prices is not None else None
    if chips_table is not None and "name" not in chips_table.columns:
        raise KbError(
            f"{chips}: no 'Hardware name' column: is this Epoch AI's chip table?", code="import-columns"
        )
    tag = release_tag(models, models_table.data, release)
    warnings: list[str] = []
    ctx = build_context(claims_root, into, warnings)
    job = EpochImport(models_table, claims_root, into, tag, chips_table, prices_table, ctx)
    job.report.warnings.extend(warnings)
    job.run()
    if dry_run:
        job.report.dry_run = True
        return job.report
    write_import(job.files, claims_root, into, job.sources_dir, tag, job.report)
    return job.report
