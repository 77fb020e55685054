"""Whom a number of a document is about: the model names `kb extract` finds, and how it picks one.

A number's subject is the model named closest before it in its sentence or table row; a row
labelled by a size alone ("7B") is the document's model of that size ("LLaMA 7B"); any other number
is about the document's common name: the name it writes most, where a family of several sizes
counts as one ("Pythia" for "Pythia-70M" ... "Pythia-12B", not whichever size is written most).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from kb.markup import plain
from kb.words import ACCELERATOR_CHIP, ACCELERATOR_LINE

# A model's name, bounded by Latin letters and digits (a Chinese character beside it is no part of
# it, where \b would see none): capitalised words joined by hyphens and a version ("Llama 3", "GPT-4",
# "DeepSeek-V3", "Cerebras-GPT 13B"),
# maybe a size ("ChatGLM-6B", "Llama 3 8B"). Not a date ("March 2023", "Since 2020"), a sentence's first word
# before a count ("The 20 models"), a word that qualifies a count ("Additional 32 GPUs", "Nearly 40"),
# a document's part ("Version 1.0.0", "Appendix 2", "Article 9") nor the start of a dotted version ("v1.0.0").
NAME = re.compile(
    r"(?<![A-Za-z0-9])(?!(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b)"
    r"(?!(?:The|This|That|These|Those|Since|From|With|Over|Under|About|After|Before|Until|Only|All"
    r"|Each|Every|Our|Their|Table|Figure|Section|Step|Top|Page|Total|And|For"
    r"|Additional|Another|Extra|Nearly|Almost|Around|Approximately|Roughly|Some|Up|Over|Below|Above"
    r"|Version|Release|Revision|Appendix|Chapter|Part|Article|Paragraph|Clause|Phase|Stage|Day|Week|Month|Year)\b)"
    r"(?<![0-9][BMKT]-)"  # not the "Chat-4" of "Yi-6B-Chat-4bits": that name began before
    r"(?!(?:INT|Int|FP|BF|SXM|PCIe)\d)"  # a number format or a GPU's form factor ("INT4", "SXM4")
    r"(?!(?:CUDA|Cuda|PyTorch|Pytorch|Python|ZeRO|Zero)[ -]?\d)"  # software versions, DeepSpeed stages
    r"(?:[A-Z][A-Za-z]{2,}(?:-[A-Z][A-Za-z]+)*(?:[ -]?(?:V|v)?(?!(?:19|20)\d\d\b)\d+(?:\.\d+)?(?![.\d])"
    r"(?:[BMKT](?![A-Za-z0-9])|(?![A-Za-z])))"
    r"|[A-Z][a-z]-\d+(?:\.\d+)?[BMKT](?![A-Za-z0-9]))"  # a short name with its size: "Yi-34B"
    r"(?:[ -]\d+(?:\.\d+)?[BMK](?![A-Za-z0-9]))?"
)
# Accelerators are named like models ("RTX 4090", "Ascend 910") but are no document's subject.
_HARDWARE = re.compile(rf"(?:{ACCELERATOR_LINE}|{ACCELERATOR_CHIP}(?![A-Za-z0-9]))")
_SIZE = re.compile(r"(?P<sep>[ -])(?P<size>\d+(?:\.\d+)?[BMKT])$")
"""The size that ends a model's name: the "-1.4B" of "Pythia-1.4B", the " 8B" of "Llama 3 8B"."""


def mentions(subject: str, text: str) -> list[re.Match[str]]:
    """Where `subject` is named as a whole: "Llama 3" is not named inside "Llama 3.1" or "Llama 30".
    Latin letters and digits only bound a name: "ChatGPT的成本" names ChatGPT."""
    return list(_mention(subject).finditer(text))


@lru_cache(maxsize=1 << 14)
def _mention(subject: str) -> re.Pattern[str]:
    # Compiled once a subject: each number of a document looks for every known subject (thousands
    # once an Epoch release is imported), more than re's own cache holds.
    return re.compile(r"(?<![A-Za-z0-9_])" + re.escape(subject) + r"(?![A-Za-z0-9_]|\.\d)")


def model_names(text: str) -> Counter[str]:
    """The model names of a document and how often each is written ("Llama 3": 40, "Llama 3 8B": 3)."""
    return Counter(m.group() for m in NAME.finditer(plain(text).text))


def families(text: str, names: Counter[str]) -> set[str]:
    """The names of model families the document writes in several sizes and also on their own:
    "Pythia" for "Pythia-70M", "Pythia-1.4B" and "the Pythia suite"; not "GLM" for GLM-130B alone,
    nor a prefix never written alone."""
    sizes: dict[str, set[str]] = {}
    for name in names:
        if m := _SIZE.search(name):
            sizes.setdefault(name[: m.start()], set()).add(m.group("size"))
    alone = re.compile(r"[ -]?\d")  # "Pythia-1.4B" is a size's name, "Pythia models" the family's
    return {
        f
        for f, s in sizes.items()
        if len(s) >= 2 and any(not alone.match(text, m.end()) for m in mentions(f, text))
    }


def by_length(subjects: set[str]) -> list[str]:
    """Longest first ("Llama 3 8B" before "Llama 3"), the same order on every run."""
    return sorted(subjects, key=lambda s: (-len(s), s))


def document_subject(text: str, subjects: list[str], title_names: list[str], fallback: str) -> str:
    """The name the document writes most (a family counts its sizes' mentions: "Pythia-1.4B" names
    Pythia), a name of its title first among equals, never an accelerator's ("RTX 4090");
    `fallback` when it names none."""
    counts = {s: len(mentions(s, text)) for s in subjects}
    named = [s for s in subjects if counts[s] and not _HARDWARE.match(s)]
    if not named:
        return fallback
    return max(named, key=lambda s: (counts[s], s in title_names, len(s), s))


def subject_before(sentence: str, start: int, subjects: list[str]) -> str | None:
    """The known subject named closest before `start` in a sentence or row."""
    best: tuple[int, str] | None = None
    for s in subjects:
        before = [m.start() for m in mentions(s, sentence) if m.end() <= start]
        pos = before[-1] if before else -1
        if pos >= 0 and (best is None or pos > best[0] or (pos == best[0] and len(s) > len(best[1]))):
            best = (pos, s)
    return best[1] if best else None


def sized(document: str, label: str, subjects: list[str]) -> str | None:
    """The document's model of the size a table row is labelled by ("7B" in LLaMA's card: "LLaMA
    7B"), written as the document writes its sizes' names ("Pythia-1.4B"); None for another label."""
    if not re.fullmatch(r"\d+(?:\.\d+)?[BMKT]", label):
        return None
    # "Cerebras-GPT 13B" names the family's 13B: its 111M row is no "Cerebras-GPT 13B 111M"
    family = _SIZE.sub("", document)
    for sep in (" ", "-"):
        for s in subjects:
            if s.lower() == f"{family}{sep}{label}".lower():
                return s
    return f"{family} {label}"
