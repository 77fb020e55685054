"""Reading Epoch's CSV tables: rows with their line numbers, columns mapped to meanings, and every
record or cell that is not readable, with the reason."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from kb.errors import KbError
from kb.importers.epoch.columns import ColumnMap, map_columns, norm_header
from kb.importers.epoch.report import RowProblem

CHIP_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": (r"hardware name", r"name of the hardware"),
    "fp32": (r"fp32 \(single precision\) performance \(flop/s\)", r"fp32 .*performance.*"),
    "tf32": (r"tf32 \(tensorfloat-32\) performance \(flop/s\)", r"tf32 .*performance.*"),
    "fp16": (r"fp16 \(half precision\) performance \(flop/s\)", r"fp16 \(half.*"),
    "tensor16": (r"tensor-fp16/bf16 performance \(flop/s\)", r"tensor-fp16.*"),
    "fp8": (r"fp8 performance \(flop/s\)",),
    "tdp": (r"tdp \(w\)",),
}
PRICE_COLUMNS: dict[str, tuple[str, ...]] = {
    "hardware": (r"hardware model",),
    "date": (r"price date",),
    "vendor": (r"vendor",),
    "cud3": (r"price per chip-hour \(3-year cud\)",),
    "cud1": (r"price per chip-hour \(1-year cud\)",),
    "on_demand": (r"price per chip-hour \(on-demand\)",),
}


@dataclass(frozen=True)
class Row:
    number: int
    line: int
    last_line: int
    cells: dict[str, str]
    """Canonical field -> cell text, for the columns found."""
    raw: dict[str, str]
    """Header as written -> cell text, for the excerpt."""


@dataclass
class Table:
    path: Path
    header: list[str]
    columns: dict[str, str]
    """Canonical field -> header as written."""
    column_match: dict[str, re.Match[str]]
    rows: list[Row]
    data: bytes
    problems: list[RowProblem]
    column_map: ColumnMap | None = None
    """For the models table: meanings by exact name, and the columns that changed."""

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @cached_property
    def keys(self) -> dict[str, str]:
        """Header as written -> canonical field."""
        return {h: k for k, h in self.columns.items()}


def read_table(path: Path, patterns: dict[str, tuple[str, ...]] | None) -> Table:
    """Read a CSV file: its rows with their line numbers, and its columns mapped to canonical fields
    (by `patterns`, or for the models table when None, by the known names of columns)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KbError(f"cannot read {path}: {exc.strerror}", code="import-file") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise KbError(
            f"{path} is not UTF-8 text (byte {exc.start})", "export the table as UTF-8 CSV", "import-file"
        ) from None
    problems: list[RowProblem] = []
    # A carriage return alone (not before a line feed) ends a record for the csv module, and a line
    # for line numbers: inside a cell it is a stray byte (chips.csv has one after a chip's name).
    for cr in re.finditer(r"\r(?!\n)", text):
        line = text.count("\n", 0, cr.start()) + 1
        reason = "a stray carriage return, read as a space"
        problems.append(RowProblem(path.name, 0, line, "", "", "", reason))
    text = re.sub(r"\r(?!\n)", " ", text)
    limit = csv.field_size_limit(len(text) + 1)  # cells are bounded below, by MAX_CELL, with their row
    try:
        return _read_rows(path, data, text, patterns, problems)
    finally:
        csv.field_size_limit(limit)


MAX_CELL = 128 * 1024
"""The largest cell kb imports: Epoch AI's notes run to a few KiB."""
_CONTROL = re.compile(r"[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")
"""Characters YAML does not allow in a file (NUL, other controls): a claim holding one could not be read."""


def _clean_cells(
    path: Path, number: int, line: int, header: list[str], record: list[str]
) -> list[RowProblem]:
    """Replace the characters YAML refuses in a record (in place); a problem for each cell that had one."""
    problems = []
    for i, cell in enumerate(record):
        if _CONTROL.search(cell):
            record[i] = _CONTROL.sub("\ufffd", cell)
            reason = "a control character (NUL or another), replaced by U+FFFD"
            problems.append(
                RowProblem(path.name, number, line, record[0][:80], _column(header, i), record[i], reason)
            )
    return problems


def _column(header: list[str], i: int) -> str:
    return header[i] if i < len(header) else f"cell {i + 1}"


def _oversized(path: Path, number: int, line: int, header: list[str], record: list[str]) -> RowProblem | None:
    for i, cell in enumerate(record):
        if len(cell) > MAX_CELL:
            reason = f"{len(cell):,} characters, more than the {MAX_CELL:,} kb imports: the row is skipped"
            return RowProblem(path.name, number, line, record[0][:80], _column(header, i), cell[:60], reason)
    return None


def _read_rows(
    path: Path,
    data: bytes,
    text: str,
    patterns: dict[str, tuple[str, ...]] | None,
    problems: list[RowProblem],
) -> Table:
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    try:
        header = next(reader)
    except StopIteration:
        raise KbError(f"{path} is empty", code="import-file") from None
    except csv.Error as exc:
        raise KbError(f"{path}: cannot read the header: {exc}", code="import-file") from None
    header = [_CONTROL.sub("\ufffd", h) for h in header]
    norm = [norm_header(h) for h in header]
    column_map = map_columns(header) if patterns is None else None
    columns: dict[str, str] = dict(column_map.columns) if column_map else {}
    matches: dict[str, re.Match[str]] = {}
    for key, pats in (patterns or {}).items():
        for pat in pats:
            hit = next(((i, m) for i, h in enumerate(norm) if (m := re.fullmatch(pat, h))), None)
            if hit is not None:
                columns[key] = header[hit[0]]
                matches[key] = hit[1]
                break
    index = {key: header.index(col) for key, col in columns.items()}
    rows: list[Row] = []
    number = 0
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            number += 1
            problems.append(RowProblem(path.name, number, start, "", "", "", f"not valid CSV: {exc}"))
            continue
        if not record or all(not c.strip() for c in record):
            continue
        number += 1
        too_big = _oversized(path, number, start, header, record)
        if too_big is not None:
            problems.append(too_big)
            continue
        problems.extend(_clean_cells(path, number, start, header, record))
        if len(record) != len(header):
            problems.append(
                RowProblem(
                    path.name,
                    number,
                    start,
                    "",
                    "",
                    "",
                    f"{len(record)} cells for {len(header)} columns: cells are matched to columns by "
                    "position, "
                    "so its values may be shifted; check the row",
                )
            )
        cells = {key: record[i] if i < len(record) else "" for key, i in index.items()}
        raw = {h: record[i] for i, h in enumerate(header) if i < len(record)}
        rows.append(Row(number, start, reader.line_num, cells, raw))
    return Table(path, header, columns, matches, rows, data, problems, column_map)
