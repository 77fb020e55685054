"""The files of an import, built in memory: the sources its claims quote (each table archived
whole, the excerpts of its rows, each with its YAML description) and the claims files."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from kb.importers.epoch.output import Excerpt, dump_yaml, schema_line
from kb.importers.epoch.report import ImportReport
from kb.importers.epoch.table import Table
from kb.importers.yamlout import Literal

DATASET_URL = "https://epoch.ai/data/ai-models"
CHIPS_URL = "https://epoch.ai/data/machine-learning-hardware"
PRICES_URL = "https://github.com/epoch-research/training-cost-trends"
_HARDWARE = {
    "chips": (
        "Epoch AI, Data on Machine Learning Hardware ({}): the chips of the imported models",
        "Data on Machine Learning Hardware, the chips the models were trained on",
        CHIPS_URL,
    ),
    "prices": (
        "Epoch AI, hardware prices ({}): the prices kb uses",
        "hardware prices, the rows kb uses",
        PRICES_URL,
    ),
}
"""Title (with the release), what the excerpt holds, and address of each hardware table's excerpt."""


class ImportFiles:
    """Path -> bytes of every file the import writes (`files`); sources go in `sources_dir`."""

    def __init__(self, claims_root: Path, sources_dir: Path, release: str, report: ImportReport) -> None:
        self.claims_root = claims_root
        self.sources_dir = sources_dir
        self.release = release
        self.report = report
        self.files: dict[Path, bytes] = {}
        self.whole: dict[str, str] = {}
        """Table kind -> the source id of the whole file."""

    @property
    def published(self) -> str | None:
        return self.release if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", self.release) else None

    def source_yaml(
        self, sid: str, title: str, url: str, text_name: str, sha: str, original: str, description: str
    ) -> None:
        path = self.sources_dir / f"{sid}.yaml"
        meta: dict[str, Any] = {
            "id": sid,
            "title": title,
            "author": "Epoch AI",
            "publisher": "Epoch AI",
            "url": url,
            "language": "en",
        }
        if self.published:
            meta["published"] = Literal(self.published)
        meta.update(
            {
                "kind": "dataset",
                "text": text_name,
                "sha256": sha,
                "original_name": original,
                "description": description,
            }
        )
        self.files[path] = dump_yaml(meta, schema_line(path.parent, self.claims_root, "source.schema.json"))
        self.report.sources += 1

    def whole_file(self, table: Table, kind: str, title: str, url: str) -> None:
        """Archive the table byte for byte, as the source its excerpts name."""
        sid = f"epoch-{self.release}-{kind}-csv"
        self.whole[kind] = sid
        self.files[self.sources_dir / f"{sid}.csv"] = table.data
        self.source_yaml(
            sid,
            title,
            url,
            f"{sid}.csv",
            table.sha256,
            table.path.name,
            f"The whole file {table.path.name} as published by Epoch AI (CC-BY), byte for byte: "
            f"{len(table.rows)} rows. Claims quote excerpts of it (sources epoch-{self.release}-{kind}...), "
            "which give each row's number and lines here.",
        )

    def excerpt(self, sid: str, title: str, table: Table, kind: str, what: str, url: str) -> Excerpt:
        """An empty excerpt of a table archived whole (whole_file first); rows add their lines."""
        whole = self.whole[kind]
        head = [
            f"Epoch AI, {what}: {table.path.name}.",
            "Excerpt written by kb import epoch: for each row, the cells kb reads, one per line as "
            "'Name | Column: cell', each cell byte for byte.",
            f"The whole file is archived as source {whole} (sha256 {table.sha256}).",
        ]
        desc = (
            f"{what[0].upper()}{what[1:]}: the cells kb reads from {table.path.name}, row by row; "
            f"the whole file is source {whole}."
        )
        return Excerpt(sid, title, desc, url, table.path.name, self.published, head)

    def hardware_excerpt(self, kind: str, table: Table) -> Excerpt:
        """The excerpt of the rows kb uses of the chip table ("chips") or the price table ("prices")."""
        title, what, url = _HARDWARE[kind]
        sid = f"epoch-{self.release}-{kind}"
        return self.excerpt(sid, title.format(self.release), table, kind, what, url)

    def write_excerpt(self, ex: Excerpt) -> None:
        data = ex.text().encode("utf-8")
        self.files[self.sources_dir / f"{ex.source_id}.txt"] = data
        self.source_yaml(
            ex.source_id,
            ex.title,
            ex.url,
            f"{ex.source_id}.txt",
            hashlib.sha256(data).hexdigest(),
            ex.original_name,
            ex.description,
        )

    def claims_file(self, path: Path, claims: list[dict[str, Any]], comment: str) -> None:
        header = schema_line(path.parent, self.claims_root, "claims.schema.json") + comment
        self.files[path] = dump_yaml({"claims": claims}, header)

    def reference_file(
        self, path: Path, excerpt: Excerpt | None, claims: list[dict[str, Any]], comment: str
    ) -> int:
        """Write reference claims (chips, prices) with the excerpt they quote; how many (0: none written)."""
        if excerpt is None or not claims:
            return 0
        self.write_excerpt(excerpt)
        self.claims_file(path, claims, comment)
        self.report.claims += len(claims)
        return len(claims)
