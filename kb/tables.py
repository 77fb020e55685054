"""HTML tables of a document as rows of cells, the way `kb extract` reads markdown rows.

Model cards write tables in HTML (`<table><tr><td>8B</td>...`), cells spanning rows
(`rowspan="2"`). Each `<tr>` becomes a row: its cells joined by pipes for reading (a cell that a
row above spans is filled in, so columns line up with the header, and marked so its numbers are
read once, in the row that writes them), with the row's own words, verbatim, as its quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.markup import plain

_TABLE = re.compile(r"<table\b[^>]*>.*?</table\s*>", re.IGNORECASE | re.DOTALL)
_ROW = re.compile(r"<tr\b[^>]*>.*?</tr\s*>", re.IGNORECASE | re.DOTALL)
_CELL = re.compile(r"<t([dh])\b([^>]*)>(.*?)(?=<t[dh]\b|</tr)", re.IGNORECASE | re.DOTALL)
_SPAN = re.compile(r"rowspan\s*=\s*\"?(\d{1,3})", re.IGNORECASE)


@dataclass(frozen=True)
class HtmlRow:
    start: int
    """Where the row's `<tr>` starts in the document."""
    quote: str
    """The row as written (white space folded)."""
    text: str
    """Its cells' plain text joined by pipes: "| Llama 3 8B | 1.3M | 700 | 390 |"."""
    header: list[str]
    """The table's first row, by column."""
    filled: frozenset[int]
    """Columns whose cell a row above spans: not this row's words."""


def html_rows(text: str) -> list[HtmlRow]:
    """The rows of every HTML table of a text after its header row, in order."""
    out = []
    for table in _TABLE.finditer(text):
        rows = list(_ROW.finditer(table.group()))
        if len(rows) < 2:
            continue
        spans: dict[int, tuple[int, str]] = {}  # column -> (rows left, cell text)
        header = _cells(rows[0].group(), spans)[0]
        for row in rows[1:]:
            cells, filled = _cells(row.group(), spans)
            start = table.start() + row.start()
            joined = "| " + " | ".join(c.replace("|", "/") for c in cells) + " |"
            out.append(HtmlRow(start, " ".join(row.group().split()), joined, header, frozenset(filled)))
    return out


def _cells(row: str, spans: dict[int, tuple[int, str]]) -> tuple[list[str], set[int]]:
    """A row's cells by column (spanning cells of rows above filled in), and the filled columns."""
    written = [(m.group(2), _cell_text(m)) for m in _CELL.finditer(row)]
    cells: list[str] = []
    filled: set[int] = set()
    col = 0
    for attrs, cell in written:
        while col in spans:
            cells.append(_take(spans, col))
            filled.add(col)
            col += 1
        cells.append(cell)
        span = _SPAN.search(attrs)
        if span and int(span.group(1)) > 1:
            spans[col] = (int(span.group(1)) - 1, cell)
        col += 1
    while col in spans:
        cells.append(_take(spans, col))
        filled.add(col)
        col += 1
    return cells, filled


def row_cells(row: str) -> list[str]:
    """The plain text of each cell an HTML table row writes ('<tr> <td>Llama 3 8B </td> <td>1.3M
    </td> </tr>' -> ['Llama 3 8B', '1.3M']); a row quoted without its </tr> keeps its last cell."""
    closed = row if re.search(r"</tr", row, re.IGNORECASE) else row + "</tr>"
    return [_cell_text(m) for m in _CELL.finditer(closed)]


def _cell_text(m: re.Match[str]) -> str:
    return " ".join(plain(m.group(3)).text.split())


def _take(spans: dict[int, tuple[int, str]], col: int) -> str:
    left, cell = spans[col]
    if left <= 1:
        del spans[col]
    else:
        spans[col] = (left - 1, cell)
    return cell


_FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def blank_tables(text: str) -> str:
    """The text with its HTML tables blanked out (same length): their rows are read as rows; and its
    fenced code blocks, whose numbers are a program's, not claims ("torchrun --nnodes 2")."""
    blank = lambda m: re.sub(r"[^\n]", " ", m.group())  # noqa: E731
    return _FENCE.sub(blank, _TABLE.sub(blank, text))
