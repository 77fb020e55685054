"""Guessing a number's quantity from the words around it: the vocabulary's words against the quote's.

`kb extract` proposes a quantity for each number: among the quantities whose unit the number fits,
the one whose id and label share most words with the number's clause, its sentence, its table
header or the lines before it, Chinese keywords read as English ones. A guess, marked as one.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, replace

from kb.markup import plain
from kb.model import Quantity
from kb.reading import Reading, complete
from kb.units import UnitInfo, unit_info
from kb.words import ACCELERATOR_CHIP

# Chinese words, as the English words of quantity ids and labels they stand for.
_ZH_WORDS = {
    "参数": "parameters",
    "层": "layers",
    "令牌": "tokens",
    "词元": "tokens",
    "词": "words",
    "成本": "cost",
    "费用": "cost",
    "花费": "cost",
    "售价": "price",
    "价格": "price",
    "训练": "training",
    "专家": "experts",
    "批量": "batch",
    "上下文": "context",
    "序列": "context",
    "周期": "epochs",
    "倍": "ratio",
    "大小": "size",
    "规模": "parameters",
    "处理器": "gpu",
    "显卡": "gpu",
    "每小时": "hour price",
    "推理": "inference",
    "浮点": "flop compute",
    "注意力": "attention",
    "指令": "instruction rows",
    "数据集": "dataset unique",
    "模型组成": "submodels",
    "历时": "duration",
    "过去": "between",
}
_STOP = frozenset(
    {
        *("a", "an", "and", "or", "the", "of", "per", "in", "for", "to", "on", "by", "at", "with"),
        *("from", "is", "are", "was", "were", "it", "its", "one", "model", "models"),
    }
)
# English words that stand for a quantity's word ("response" is a query, "hr" an hour); read in
# the quote's words only, never in the quantity's.
_SYNONYMS = {
    **{"response": "query", "request": "query", "hr": "hour", "salary": "annual", "card": "gpu"},
    **{"gpu": "chip", "emitted": "emissions", "carbon": "emissions", "lr": "learning", "param": "parameters"},
    **{"activated": "active", "activate": "active"},
    **{"dimension": "width", "dim": "width"},  # a model's dimension (d_model) is its width
}
# A word with a capital inside after two small letters is a name ("HumanEval", "DeepSpeed",
# "TruthfulQA"), not words of a quantity; "kWh", "FLOPs", "GPUs" are not caught.
_CAMEL = re.compile(r"\b[A-Za-z]*[a-z]{2}[A-Z][A-Za-z0-9]*")
_D_MODEL = re.compile(r"\bd[_ ]?model\b", re.IGNORECASE)
_D_HEAD = re.compile(r"\bd[_ ]?head\b", re.IGNORECASE)
PER = re.compile(r"(?:每|per|for every|every)\s*\S{0,3}\s*$", re.IGNORECASE)
_MONEY_WORDS = frozenset({"cost", "price"})
_GPU_NAME = re.compile(rf"(?<![A-Za-z0-9])(?:{ACCELERATOR_CHIP}s?|GPUs?)(?![A-Za-z0-9])")  # "A100s" too


def words(text: str, synonyms: bool = True) -> set[str]:
    """Lower-case English words of a text, Chinese keywords translated, stop words left out."""
    text = plain(text).text  # not the words of link addresses
    text = _D_MODEL.sub(" width ", text)  # a column "d_model" is the model's width, not "model"
    text = _D_HEAD.sub(" head width ", text)  # "d_head": the width of a head, no count of heads
    text = _CAMEL.sub(" ", text)  # "HumanEval", "TruthfulQA": a benchmark's name, not "human"
    found = {w for w in re.findall(r"[a-z]+", text.lower().replace("_", " ")) if len(w) > 1}
    if synonyms:
        found |= {_SYNONYMS[w.rstrip("s")] for w in found if w.rstrip("s") in _SYNONYMS}
    if _GPU_NAME.search(text):
        found.add("gpu")
    text = text.replace("大规模", " ")  # "large-scale": no model's size (规模) of parameters
    for zh, en in _ZH_WORDS.items():
        if zh in text:
            found.update(en.split())
    return found - _STOP


def _stem(word: str) -> str:
    return re.sub(r"(?:ing|ed|es|s|ly)$", "", word) if len(word) > 4 else word


def related(a: str, b: str) -> bool:
    """The same word or stem, or one a prefix of the other ("hour" and "hourly", "train" and "training")."""
    x, y = sorted((_stem(a), _stem(b)), key=len)
    # A short ending only ("context", "contextual"): "human" is no part of "humaneval" (a
    # benchmark's name), "token" none of "tokenizer".
    return x == y or (len(x) >= 5 and y.startswith(x) and len(y) - len(x) <= 3)


def _own_words(text: str) -> set[str]:
    """A quantity's words, a compound left out when its parts are there ("finetuning": fine, tuning)."""
    found = words(text, synonyms=False)
    return {w for w in found if not any(w == a + b for a in found for b in found if a != w and b != w)}


class Vocabulary:
    """The quantities, with their words and units, for guessing which one a number is."""

    def __init__(self, quantities: dict[str, Quantity], used: Counter[str]) -> None:
        self.items: list[tuple[Quantity, UnitInfo, set[str]]] = []
        for q in quantities.values():
            try:
                info = unit_info(q.unit)
            except Exception:  # noqa: BLE001 - a broken quantity is reported by kb check, not here
                continue
            self.items.append((q, info, _own_words(f"{q.id} {q.label}")))
        self.used = used

    def guess(
        self, reading: Reading, named: bool, context: Context, counts: str | None = None
    ) -> tuple[Quantity | None, Reading]:
        """The quantity whose words best fit the context and unit the reading (None: no word fits).

        `counts`: the word after a number that kb does not read as a unit ("143000 steps"). The
        number counts that, or the word qualifies it: see _counts. It never borrows the unit of a
        quantity the word does not name (143000 steps are no batch size in tokens)."""
        best: tuple[float, Quantity | None, Reading] = (-math.inf, None, reading)
        money = any(c in reading.unit for c in ("USD", "cent", "CNY"))
        for q, info, qwords in self.items:
            fitted = _fit(reading, named, info)
            if fitted is None or (counts and not _counts(counts, qwords, reading.unit, fitted.unit)):
                continue
            hits = [context.weight(w) for w in qwords]
            if not info.dims and max(hits, default=0.0) < 1.0:
                continue  # a pure number fits any figure: only its own clause can say what it counts
            if money and qwords & _MONEY_WORDS:  # an amount of money is a cost or a price (once)
                hits.append(1.0 - max(h for w, h in zip(qwords, hits, strict=False) if w in _MONEY_WORDS))
            if not any(hits):
                continue
            score = sum(hits) - 0.25 * hits.count(0.0) + (0.3 if named and not fitted.note else 0.0)
            score -= 0.5 if not money and qwords & _MONEY_WORDS else 0.0  # a bare count is no price
            score -= 0.5 if not context.names(_added_per(reading.unit, fitted.unit)) else 0.0
            score -= 0.5 if "/" in reading.unit and "/" not in fitted.unit else 0.0  # its "per" dropped
            score -= 0.05 * fitted.unit.count("/") - 0.001 * min(self.used[q.id], 100) / 100
            if score > best[0]:
                best = (score, q, fitted)
        return best[1], best[2]


def _fit(reading: Reading, named: bool, target: UnitInfo) -> Reading | None:
    """The reading in the target's unit; an amount of money read 'per' something may fit without
    its 'per' ("$1–$3 per hour" of a price per GPU-hour); "54 tokens/s" is no count of tokens."""
    fitted = complete(reading, named, target)
    money = any(c in reading.unit.split("/")[0] for c in ("USD", "cent", "CNY"))
    if fitted is None and "/" in reading.unit and named and money:  # a rate of tokens stays a rate
        fitted = complete(replace(reading, unit=reading.unit.split("/")[0]), True, target)
    return fitted


def _counts(noun: str, qwords: set[str], read: str, fitted: str) -> bool:
    """Whether a number followed by `noun` may be a quantity of these words in the unit `fitted`.
    A plural noun is what the number counts ("143000 steps"): a quantity it names in the number's
    own unit (training steps), or a unit it names ("4 nodes"). A singular one may qualify the
    figure ("32k context"): a quantity it names may lend its unit (a context length in tokens)."""
    n = noun.lower()
    names = lambda ws: any(related(n, w) or n in (w + "s", w + "es") for w in ws)  # noqa: E731
    plural = n.endswith("s") and not n.endswith("ss")
    return (names(qwords) and (fitted == read or not plural)) or names(words(fitted, synonyms=False))


def _added_per(read: str, fitted: str) -> set[str]:
    """The words of what a completed unit is 'per' that the quote's own unit was not ("/GPU/hour")."""
    if "/" not in fitted or fitted == read:
        return set()
    return words(fitted.split("/", 1)[1].replace("kilo", "")) - words(read)


@dataclass(frozen=True)
class Context:
    """The words around a number, by how close: its clause, its sentence, the lines before a short one."""

    clause: set[str]
    sentence: set[str]
    before: set[str]

    def names(self, words_: set[str]) -> bool:
        """Whether the number's sentence names every one of these words."""
        return all(any(related(w, c) for c in self.clause | self.sentence | self.before) for w in words_)

    def weight(self, word: str) -> float:
        for ws, w in ((self.clause, 1.0), (self.sentence, 0.4), (self.before, 0.4)):
            if any(related(word, c) for c in ws):
                return w
        return 0.0
