"""Markup stripped for reading numbers, with a map back to the text as written.

Quotes from model cards and web pages carry HTML and markdown: "3.0 x 10<sup>-4</sup>",
"&#10007;", "**39.3**M", table pipes, link addresses ("kdnuggets.com/2023/07/..."). A quote
stays verbatim (it is what the source says); only
the reading of its numbers sees the plain text, and every position found there maps back.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

# One pattern for every piece of markup, tried left to right; each kind is replaced as below.
_MARKUP = re.compile(
    r"(?P<sup><sup>)|(?P<sup_end></sup>|</?sub>)"
    r"|(?P<tag></?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]{0,2000})?/?>)"
    r"|(?P<entity>&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]{2,8});)"
    r"|(?P<link>\]\([^()\s]{0,2000}\)|(?:https?://|www\.)[^\s)\]>]{1,2000})"
    r"|(?P<escape>\\(?=[.\-*_#|\[\]()]))"
    r"|(?P<emph>\*\*|__|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])|`)",
)


@dataclass(frozen=True)
class Plain:
    """A text with its markup stripped, and for each of its characters the offset in the original."""

    text: str
    offsets: tuple[int, ...]
    original: str

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of text[start:end]."""
        if not self.offsets:
            return 0, 0
        a = self.offsets[min(start, len(self.offsets) - 1)]
        # Up to the next character kept: markup closing the words ("</sup>") belongs to them.
        b = self.offsets[end] if end < len(self.offsets) else len(self.original)
        return a, max(a, b)

    def words(self, start: int, end: int) -> str:
        """The original words for text[start:end]."""
        a, b = self.span(start, end)
        return self.original[a:b].rstrip()


def _replacement(m: re.Match[str]) -> str:
    if m.group("sup"):
        return "^"  # "10<sup>-4</sup>" reads as 10^-4
    if m.group("entity"):
        char = html.unescape(m.group("entity"))
        return " " if char.isspace() else char
    if m.group("tag"):
        return " "  # "</td><td>" separates cells
    if m.group("link"):
        return "] " if m.group("link").startswith("]") else " "  # a link's address is not the text
    return ""  # emphasis, the end of a superscript


_MARKS = ("<", "&", "](", "http", "www.", "\\", "*", "__", "`")
"""What every piece of markup `_MARKUP` finds begins with: a text with none of them has none."""


def plain(text: str) -> Plain:
    """The text without HTML tags, entities and markdown emphasis, and where each character came from."""
    if not any(mark in text for mark in _MARKS):  # most quotes: nothing to strip
        return Plain(text, tuple(range(len(text))), text)
    out: list[str] = []
    offsets: list[int] = []
    last = 0
    for m in _MARKUP.finditer(text):
        out.append(text[last : m.start()])
        offsets.extend(range(last, m.start()))
        rep = _replacement(m)
        out.append(rep)
        offsets.extend([m.start()] * len(rep))
        last = m.end()
    out.append(text[last:])
    offsets.extend(range(last, len(text)))
    return Plain("".join(out), tuple(offsets), text)


CELL = "|"
"""Markdown table cells are separated by pipes; a number that shares a cell with words is a name."""


def cell_at(text: str, index: int) -> tuple[int, int] | None:
    """The span of the table cell holding `index` when the text is a table row, else None."""
    if CELL not in text:
        return None
    start = text.rfind(CELL, 0, index) + 1
    end = text.find(CELL, index)
    return start, len(text) if end < 0 else end


def is_name_cell(text: str, start: int, end: int) -> bool:
    """Whether the number at text[start:end] sits in a table cell with words before it ("Llama 2")."""
    cell = cell_at(text, start)
    if cell is None or text.count(CELL) < 2:
        return False
    before = text[cell[0] : start].strip()
    return re.match(r"[A-Za-z\u4e00-\u9fff]{2,}[^($~≈<>]*$", before) is not None
