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
# A row ends at its </tr>, or where the next row or the table's part begins: HTML lets </tr> out,
# and model cards do ("<tr><th>13B</th>...<th>94\n</th>\n<tr><th>33B</th>...").
_ROW = re.compile(
    r"<tr\b[^>]*>.*?(?:</tr\s*>|(?=<tr\b|</t(?:body|head|foot|able)\b))", re.IGNORECASE | re.DOTALL
)
_CELL = re.compile(r"<t([dh])\b([^>]*)>(.*?)(?=<t[dh]\b|</tr|</t(?:body|head|foot|able)\b|$)", re.I | re.S)
_SPAN = re.compile(r"rowspan\s*=\s*\"?(\d{1,3})", re.IGNORECASE)
_COLSPAN = re.compile(r"colspan\s*=\s*\"?(\d{1,2})", re.IGNORECASE)
_THEAD = re.compile(r"<thead\b.*?</thead\s*>", re.IGNORECASE | re.DOTALL)


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
    caption: str = ""
    """The paragraph right before the table, which often says what its figures are ("We profile
    the memory (GB) and speed (s/iter)")."""


def html_rows(text: str) -> list[HtmlRow]:
    """The rows of every HTML table of a text after its header rows, in order."""
    out = []
    for table in _TABLE.finditer(text):
        rows = list(_ROW.finditer(table.group()))
        heads = _header_rows(table.group(), rows)
        if len(rows) <= heads:
            continue
        spans: dict[int, tuple[int, str]] = {}  # column -> (rows left, cell text)
        # The last header row names the columns: the most specific ("n layers" under "Model hyper
        # parameters"); a cell spanning rows from a header row above is in it.
        header = [_cells(row.group(), spans)[0] for row in rows[:heads]][-1]
        caption = _caption(text[: table.start()])
        for row in rows[heads:]:
            cells, filled = _cells(row.group(), spans)
            start = table.start() + row.start()
            joined = "| " + " | ".join(c.replace("|", "/") for c in cells) + " |"
            out.append(
                HtmlRow(start, " ".join(row.group().split()), joined, header, frozenset(filled), caption)
            )
    return out


def _caption(before: str) -> str:
    """The last paragraphs before a table (four, up to 3,000 characters), markup stripped: "The
    statistics are listed below:" follows the paragraph that says what they measure."""
    paragraphs = [p for p in re.split(r"\n\s*\n", before[-3000:]) if plain(p).text.strip()]
    return " ".join(plain(p).text for p in paragraphs[-4:])


def _header_rows(table: str, rows: list[re.Match[str]]) -> int:
    """How many rows head the table: those of its <thead>; without one, the leading rows of <th>
    cells only, but never every row (a table may write its body in <th> cells too), and at least one."""
    thead = _THEAD.search(table)
    if thead:
        return max(1, sum(1 for r in rows if r.start() < thead.end()))
    heads = 0
    while heads < len(rows) - 1 and _all_th(rows[heads].group()):
        heads += 1
    return max(1, heads)


def _all_th(row: str) -> bool:
    kinds = [m.group(1).lower() for m in _CELL.finditer(row)]
    return bool(kinds) and all(k == "h" for k in kinds)


def _cells(row: str, spans: dict[int, tuple[int, str]]) -> tuple[list[str], set[int]]:
    """A row's cells by column (spanning cells of rows above filled in), and the filled columns.
    A cell spanning columns fills them too (so the columns after it line up with the header),
    marked filled: its numbers are read once, in its first column."""
    written = [(m.group(2), _cell_text(m)) for m in _CELL.finditer(row)]
    cells: list[str] = []
    filled: set[int] = set()
    col = 0
    for attrs, cell in written:
        while col in spans:
            cells.append(_take(spans, col))
            filled.add(col)
            col += 1
        width = int(m.group(1)) if (m := _COLSPAN.search(attrs)) else 1
        down = int(m.group(1)) if (m := _SPAN.search(attrs)) else 1
        for extra in range(max(1, min(width, 50))):
            cells.append(cell)
            if extra:
                filled.add(col)
            if down > 1:
                spans[col] = (down - 1, cell)
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
