"""Proposing every numeric claim of a document: the reading of `kb add`, run over the whole text.

Each number becomes a proposal: its sentence (or table row) as the verbatim quote, its value and
unit as written, a quantity guessed from the vocabulary and the words around the number (a table
cell's column header counts), and a subject guessed from the row or the document. Guesses are
named in `guessed`: a person reviews each proposal before it becomes a claim.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from kb.choosing import FROM, glued_symbol
from kb.contents import KnowledgeBase, Source
from kb.errors import KbError
from kb.figures import (
    SIZE_LABEL,
    binary_k,
    inherit,
    lost_exponent,
    parameters,
    per_accelerator,
    scaled_ranges,
    vague,
)
from kb.guessing import PER, Context, Vocabulary, related, words
from kb.markup import CELL, plain
from kb.nonfigures import no_figure
from kb.quotes import fold
from kb.reading import Reading, readings
from kb.subjects import (
    NAME,
    by_length,
    document_subject,
    families,
    mentions,
    model_names,
    sized,
    subject_before,
)
from kb.tables import blank_tables, html_rows
from kb.units import SCALE_WORDS, unit_info
from kb.words import ACCELERATOR_CHIP, counted_noun

MAX_QUOTE = 300


@dataclass
class Proposal:
    """A claim proposed from a number of the document, with what was guessed."""

    quote: str
    reading: Reading
    quantity: str | None
    subject: str
    guessed: list[str] = field(default_factory=list)

    @property
    def unit(self) -> str:
        return self.reading.unit


def sentences(text: str) -> list[tuple[int, str]]:
    """The sentences and table rows of a text, with their offsets; white space folded, so a sentence
    wrapped over lines is one ("may take 1-10 Wh (~0.001–0.01\nkWh)")."""
    out = []
    for line_start, line in _lines(text):
        for m in re.finditer(r"[^。！？!?]+[。！？!?]?", line) if not _is_row(line) else [None]:
            part = line if m is None else m.group()
            start = line_start + (0 if m is None else m.start())
            for piece_start, piece in _english_sentences(part):
                folded = fold(piece)
                if folded:
                    out.append((start + piece_start + len(piece) - len(piece.lstrip()), folded))
    return out


_BLOCK = re.compile(r"\s*(?:$|[-*•#>|]|\d+\\?[.)]\s)")
_ENDS = re.compile(r"[.!?。！？:：|]\s*$|^\s*$")


def _lines(text: str) -> list[tuple[int, str]]:
    """Logical lines: a line wrapped onto the next (no end punctuation, no new block) is one line."""
    out: list[tuple[int, str]] = []
    pos = 0
    joined = False
    for line in text.split("\n"):
        if joined:
            start, prev = out[-1]
            out[-1] = (start, prev + "\n" + line)
        else:
            out.append((pos, line))
        pos += len(line) + 1
        joined = not _ENDS.search(line) and not _is_row(line)
        rest = text[pos : pos + 40]
        joined = joined and not _BLOCK.match(rest.split("\n")[0] if rest else "")
    return out


def _is_row(line: str) -> bool:
    """A markdown table row: cells between pipes (at least two)."""
    return line.count(CELL) >= 2


def _english_sentences(text: str) -> list[tuple[int, str]]:
    """Split at '. ' followed by a capital, not inside numbers ("1.8") or abbreviations ("e.g.")."""
    cuts = [0] + [m.end() for m in re.finditer(r"(?<![A-Z]\.)(?<!\be\.g)(?<!\bi\.e)\.\s+(?=[A-Z“\"(])", text)]
    return [(a, text[a:b]) for a, b in zip(cuts, [*cuts[1:], len(text)], strict=True)]


def _header(text: str, row_start: int) -> list[str] | None:
    """The header cells of the markdown table a row belongs to (the first row of its block of rows)."""
    lines = text[:row_start].split("\n")[:-1]
    block = []
    for line in reversed(lines):
        if CELL not in line:
            break
        block.append(line)
    rows = [r for r in reversed(block) if not re.fullmatch(r"[\s|:\-]*", r)]
    return _cells(rows[0]) if rows else None


def _cells(row: str) -> list[str]:
    """A row's cells; the pipes at its ends are optional in markdown ("||Params|" has an empty first cell)."""
    r = row.strip()
    r = r[1:] if r.startswith(CELL) else r
    r = r[:-1] if r.endswith(CELL) else r
    return [c.strip() for c in r.split(CELL)]


def _column(row: str, index: int) -> int:
    return row[:index].count(CELL) - (1 if row.lstrip().startswith(CELL) else 0)


def propose(
    text: str, vocabulary: Vocabulary, subjects: list[str], fallback: str, title_model: str | None = None
) -> list[Proposal]:
    """Every number of the text as a proposed claim, in the order of the text; `title_model`: the
    model the document's title names, its subject."""
    document = title_model or document_subject(text, subjects, [fallback], fallback)
    units = [
        *(
            (
                start,
                sentence,
                sentence,
                _header(text, start) if _is_row(sentence) else None,
                frozenset[int](),
                "",
            )
            for start, sentence in sentences(blank_tables(text))
        ),
        *((row.start, row.text, row.quote, row.header, row.filled, row.caption) for row in html_rows(text)),
    ]
    out = []
    for start, sentence, quote, header, filled, caption in sorted(units, key=lambda u: u[0]):
        found = readings(sentence)
        for reading, named in [*inherit(sentence, found), *vague(sentence), *scaled_ranges(sentence)]:
            column = _column(sentence, reading.start) if header is not None else -1
            model = _sized_name(sentence, reading, subjects)
            if (
                _list_marker(sentence, reading)
                or column in filled
                or (not model and _in_name(sentence, reading, subjects))
            ):
                continue
            if _label(sentence, reading) or no_figure(sentence, reading):
                continue
            if _range_end(sentence, reading, found):
                continue
            if model or (column == 0 and _size_label(sentence, reading)):
                reading, named = parameters(reading)
            if header is not None and not named:
                reading, named = _header_unit(reading, header[column:][:1])
            if not named:
                reading, named = _symbol_unit(reading, sentence[reading.end :])
            own = header[column:][:1] if header is not None else None  # the number's own column
            reading, named = _glued_bytes(reading, sentence, own, caption) or (reading, named)
            reading = per_accelerator(reading, sentence)
            if not named and reading.text.isascii() and reading.text.isalpha():
                continue  # "one model of each size", "two sizes": a count of nothing kb measures
            if re.match(r"[A-Za-z]{2}", sentence[reading.end : reading.end + 2]) and not named:
                continue  # the 3 of "Qwen3MoE": a number glued to letters that are no unit is a name
            context = _context(text, start, sentence, reading, header)
            counted = None if named else counted_noun(sentence[reading.end :])
            quantity, fitted = vocabulary.guess(reading, named, context, counted)
            fitted = lost_exponent(binary_k(fitted, quantity.id if quantity else None))
            if quantity is None and fitted.unit == "1":
                continue  # a bare number no word names ("Java整理12"): nothing to claim
            subject = model or _subject(sentence, reading, header, subjects, document)
            guessed = ["quantity", "subject"] if quantity else ["subject"]
            cited = _cited(sentence, quote, reading)
            out.append(Proposal(cited, fitted, quantity.id if quantity else None, subject, guessed))
    return out


def _symbol_unit(reading: Reading, after: str) -> tuple[Reading, bool]:
    """ "13GB", "13 GB": the number in the unit whose symbol follows it, if kb knows that symbol as a
    unit of something (memory, time, power), not a scale word; else the reading as it was. After a
    space only a symbol with a capital counts: "13 in the table" is no length in inches."""
    symbol = glued_symbol(after)
    if not symbol or (after[0] == " " and symbol.islower()):
        return reading, False
    try:
        info = unit_info(symbol)
    except KbError:
        return reading, False
    if not info.dims or info.is_date or symbol.lower() in SCALE_WORDS:
        return reading, False
    end = reading.end + after.index(symbol) + len(symbol)
    return replace(reading, unit=symbol, note="", end=end, after=after[end - reading.end :]), True


_PREFIX_SCALES = {"T": "trillion"}
"""A prefix letter numbers.py reads as a scale word ("2.5T" is 2.5 trillion); G and P it does not.
K and M are left as scale words: "32K" of a context, "4M" of a batch are rarely bytes."""
# What says a figure is an amount of bytes: words of memory and storage, or an accelerator named
# right before it (an "A100 (40G)", an "A100-SXM4-80G" is sold by its memory).
_BYTE_WORDS = frozenset({"memory", "ram", "vram", "disk", "storage", "byte", "bytes", "file", "checkpoint"})
_BYTE_UNITS = re.compile(r"\b[KMGTP]i?B\b")
_ACCELERATOR = re.compile(rf"(?<![A-Za-z0-9])(?:{ACCELERATOR_CHIP}|RTX \d{{4}}(?: Ti)?)[-\w]{{0,8}}[\s(]*$")


def _glued_bytes(
    reading: Reading, sentence: str, header: list[str] | None, caption: str = ""
) -> tuple[Reading, bool] | None:
    """ "40G", "260G", "1.2T": a prefix letter glued to a number, no unit after it, is that many
    bytes where the context says so (a word of memory or storage in the sentence or in the header
    of its column, given as `header`, or in the caption of its table, the paragraph before it: "We
    profile the memory (GB) and speed"; a byte unit, an accelerator named right before); None
    otherwise ("2.5T corpora" stays 2.5 trillion, "5G" is no bytes)."""
    glued = re.match(r"[GP](?![A-Za-z0-9])", sentence[reading.end :])
    letter = glued.group() if glued else reading.text[-1:]
    scale = _PREFIX_SCALES.get(letter)
    if not glued and (scale is None or reading.unit != scale):
        return None  # nothing glued, or a scale letter followed by its noun ("7B tokens")
    context = (sentence if header is None else " ".join(header)) + " " + caption
    if not (words(context) & _BYTE_WORDS or _BYTE_UNITS.search(context)) and not _ACCELERATOR.search(
        sentence[: reading.start]
    ):
        return None
    unit = f"{letter}B"
    end = reading.end + (1 if glued else 0)
    note = f"{letter!r} glued to the number is read as {unit}: the context speaks of memory or storage"
    return replace(reading, unit=unit, note=note, end=end, text=sentence[reading.start : end]), True


def _size_label(row: str, reading: Reading) -> bool:
    """Whether the number is the size a table row's label begins with ("| 1.8B |", "| 72B + vLLM |")."""
    m = SIZE_LABEL.match(_cells(row)[0])
    return m is not None and m.group() == plain(reading.text).text.strip()


def _sized_name(sentence: str, reading: Reading, subjects: list[str]) -> str | None:
    """The model whose name ends with this number as its size ("LLaMA2-70B", "Llama 3 8B"); None
    where a name-like word goes before it, so the name kb knows is only its tail ("InternLM Chat
    7B" is no "Chat 7B")."""
    if not re.search(r"\d[BMT]$", reading.text):
        return None
    for s in subjects:
        for m in mentions(s, sentence):
            if m.start() < reading.start and reading.end == m.end():
                return None if _NAME_BEFORE.search(sentence, 0, m.start()) else s
            if sentence[m.end() : reading.start] == "/":  # "Qwen-1.8B/7B": Qwen-7B
                sibling = re.sub(r"\d+(?:\.\d+)?[BMT]$", reading.text, s)
                if sibling != s and sibling in subjects:
                    return sibling
    return None


_NAME_BEFORE = re.compile(r"\b[A-Za-z]*[A-Z][a-z]*(?:[A-Z]|\d)[\w.-]*[ -]$")
"""A word with two capitals or a digit ("InternLM", "GPT-4") right before a name: its first part."""


def _cited(sentence: str, quote: str, reading: Reading) -> str:
    """The quote of a proposal: its sentence or row; a long sentence's clause; a long markdown
    row's cells up to the number's (cut at a pipe, never inside a cell's link), or its cell alone."""
    if quote is not sentence or len(sentence) <= MAX_QUOTE:
        return quote
    if not _is_row(sentence):
        return _clause(sentence, reading)
    end = sentence.find(CELL, reading.end)
    end = len(sentence) if end < 0 else end + 1
    if end <= MAX_QUOTE:
        return sentence[:end].strip()
    start = max(0, sentence.rfind(CELL, 0, reading.start))  # a row need not begin with a pipe
    return sentence[start:end].strip()


def _context(text: str, start: int, sentence: str, reading: Reading, header: list[str] | None) -> Context:
    """The words that may name a number's quantity: its clause, its sentence, and its column's header
    in a table, or the lines just before a short line (a flattened table's row label)."""
    if header is not None:  # the column's header, and the row's label (its cells before the number)
        col = _column(sentence, reading.start)
        cell = NAME.sub(" ", header[col]) if col < len(header) else ""  # a model's name is no quantity
        label = " ".join(c for c in _cells(sentence)[:col] if not re.search(r"\d", c))
        return Context(words(cell) | words(label), set(), set())
    before = set()
    if len(sentence) < 60:
        lines = text[:start].rstrip("\n").split("\n")[-3:]
        before = words(" ".join(line for line in lines if len(line) < 60))
    # The nouns of the sentence's other numbers are theirs ("(~10 tokens) → ~$0.01": not per token).
    others = {
        w
        for r, _ in readings(sentence)
        if (r.end <= reading.start or r.start >= reading.end) and not PER.search(sentence[: r.start])
        for w in words(r.unit)
    }
    own = words(sentence)
    theirs = {w for w in own | before if any(related(w, o) for o in others)}
    return Context(words(_clause(sentence, reading)), own - theirs, before - theirs)


def _list_marker(sentence: str, reading: Reading) -> bool:
    """The "1." of a numbered list or the "6.1" of a heading, not a figure."""
    after = sentence[reading.end : reading.end + 2]
    before = plain(sentence[: reading.start]).text
    if re.fullmatch(r"\s*#+\s*", before):
        return True
    return (
        re.match(r"\\?\.(?:\s|$)", after) is not None
        and re.fullmatch(r"[\s\[\]()+*•>#-]*", before) is not None
    )


_LABEL = re.compile(
    r"\b(?:version|release|revision|section|table|figure|fig\.|appendix|chapter|equation|eq\.)\s+$", re.I
)


def _label(sentence: str, reading: Reading) -> bool:
    """The 1 of "version 1 of the model", the 2 of "Table 2": what names a part, not a figure."""
    return _LABEL.search(sentence[: reading.start]) is not None


def _clause(sentence: str, reading: Reading) -> str:
    """The clause of a sentence holding a reading (between commas, semicolons, dashes)."""
    cuts = [m.end() for m in re.finditer(r"[,;，；:：—()（）]", sentence)]
    a = max((c for c in cuts if c <= reading.start), default=0)
    b = min((c - 1 for c in cuts if c > reading.end), default=len(sentence))
    return sentence[a:b].strip() or sentence


def _range_end(sentence: str, reading: Reading, found: list[tuple[Reading, bool]]) -> bool:
    """An end of a range the sentence states ("$1–$3"): the range is the figure, unless it runs
    "from 7 billion to 70 billion", which as often names two things."""
    for r, _ in found:
        if (
            isinstance(r.value, list)
            and r.start <= reading.start
            and reading.end <= r.end
            and r is not reading
        ):
            return not FROM.search(sentence[: r.start])
    return False


def _subject(
    sentence: str, reading: Reading, header: list[str] | None, subjects: list[str], document: str
) -> str:
    """The model named closest before the number in its sentence or row; in a table row labelled by
    a size alone, the document's model of that size; else the document's common name."""
    found = subject_before(sentence, reading.start, subjects)
    if found is None and header is not None:
        cells = [c.strip() for c in _cells(sentence)]
        found = sized(document, cells[0], subjects)
        sizes = len(header) > 1 and _SIZE_HEADER.search(header[1]) is not None
        if found is None and sizes and len(cells) > 1 and _FAMILY_CELL.fullmatch(cells[0]):
            found = sized(cells[0], cells[1], subjects)  # "| Cerebras-GPT | 111M |": Cerebras-GPT 111M
    return found or document


_FAMILY_CELL = re.compile(r"[A-Z][\w.-]*(?: [A-Z][\w.-]*)?")
"""A table's first cell naming a family whose size the next cell gives (a column of sizes:
_SIZE_HEADER; "| Total | 7.7M |" under "GPU hours" is no model)."""
_SIZE_HEADER = re.compile(r"param|size|model", re.IGNORECASE)


def _in_name(sentence: str, reading: Reading, subjects: list[str]) -> bool:
    """Whether the number is part of a model's name ("Llama 3", "Llama 3 8B" as a whole)."""
    for s in subjects:
        for m in mentions(s, sentence):
            size = re.search(r"\d[BMK]$", reading.text)  # "Llama 3 8B": its size is a figure
            if m.start() < reading.start and reading.end <= m.end() and not size:
                return True
    return False


def extract_source(kb: KnowledgeBase, source: Source) -> list[Proposal]:
    """The proposals for an archived source of the knowledge base."""
    assert source.text is not None
    used = Counter(e.claim.quantity for e in kb.claims.values())
    names = model_names(source.text)
    known = {e.claim.subject for e in kb.claims.values()}
    names.update({f: len(mentions(f, source.text)) for f in families(source.text, names)})
    subjects = by_length(known | set(names))
    in_title = [n for n in names if mentions(n, source.meta.title)]
    fallback = max(in_title, key=lambda n: (names[n], n)) if in_title else source.meta.title
    # A model the title names is what the document is about, however often it names others: the
    # OPT-175B team's note names GPT-3 four times to compare, "OPT-175B" only in its title.
    titled = model_names(source.meta.title)
    title_model = max(titled, key=lambda n: (names[n], len(n), n)) if titled else None
    return propose(source.text, Vocabulary(kb.quantities, used), subjects, fallback, title_model)


def _header_unit(reading: Reading, cells: list[str]) -> tuple[Reading, bool]:
    """A column's unit from its header ("Time (GPU hours)", "Power Consumption (W)") for a bare number."""
    m = re.search(r"\(([^()]{1,40})\)\s*$", plain(cells[0]).text) if cells else None
    if not m or isinstance(reading.value, list):
        return reading, False
    # "Speed (Tokens/s)": a rate, tokens per second, never a count of tokens.
    rate = re.fullmatch(r"\s*(.+?)\s*/\s*(?:s|sec|second)\s*", m.group(1))
    noun = [
        r.unit
        for r, named in readings("1 " + (rate.group(1) if rate else m.group(1)))
        if named and r.start == 0
    ]
    if not noun or noun[0] == "1":
        return reading, False
    noun[0] += "/second" if rate else ""
    unit = noun[0] if reading.unit == "1" else f"{reading.unit} {noun[0]}"
    return replace(reading, unit=unit, note=f"the unit {noun[0]!r} is the column header's"), True
