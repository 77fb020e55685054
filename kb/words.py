"""The words around numbers that `kb add` and `kb extract` read: nouns that are units, and marks
of a qualifier ("about", "at least", "左右"), in English and Chinese."""

from __future__ import annotations

import re

from kb.errors import KbError
from kb.units import unit_info

# Nouns after a number, as kb units. Keys are lower-cased English words, singular.
NOUNS_EN = {
    "token": "token",
    "parameter": "parameter",
    "param": "parameter",
    "word": "word",
    "gpu": "GPU",
    "chip": "GPU",
    "accelerator": "GPU",
    "expert": "expert",
    "layer": "layer",
    "query": "query",
    "queries": "query",
    "request": "query",
    "response": "query",
    "epoch": "epoch",
    "sample": "sample",
    "sequence": "sample",
    "engineer": "engineer",
    "person": "person",
    "people": "person",
    "flop": "FLOP",
    "day": "day",
    "hour": "hour",
    "minute": "minute",
    "second": "second",
    "week": "week",
    "month": "month",
    "year": "year",
    "watt": "W",
    "kilowatt": "kW",
    "megawatt": "MW",
    "times": "times",
}
# Case matters for these (MW is not mW).
NOUNS_EXACT = {
    "W": "W",
    "kW": "kW",
    "MW": "MW",
    "GW": "GW",
    "Wh": "Wh",
    "kWh": "kWh",
    "MWh": "MWh",
    "GWh": "GWh",
    "TWh": "TWh",
    "FLOPs": "FLOP",
    "FLOPS": "FLOP",
    "FLOP": "FLOP",
    "MB": "MB",
    "GB": "GB",
    "TB": "TB",
    "PB": "PB",
    "GiB": "GiB",
    "TiB": "TiB",
    "GFLOP": "GFLOP",
    "TFLOP": "TFLOP",
    "PFLOP": "PFLOP",
    "TFLOPS": "TFLOP/s",
    "TFLOP/s": "TFLOP/s",
    "PFLOPS": "PFLOP/s",
    "PF-days": "pfs_day",
    "petaflop/s-days": "pfs_day",
    "petaflop/s-day": "pfs_day",
    "x": "times",
    "×": "times",
    "tCO2e": "tCO2e",
    "tCO2eq": "tCO2e",
    "kgCO2e": "kgCO2e",
    "kgCO2eq": "kgCO2e",
}
# A noun that may follow another to make one unit: "GPU hours" is GPU*hour, not GPU.
TIME_NOUNS = frozenset({"hour", "day", "week", "month", "year", "second", "minute"})
NOUNS_ZH = (
    ("参数", "parameter"),
    ("token", "token"),
    ("词元", "token"),
    ("令牌", "token"),  # as some translations call a token
    ("层", "layer"),
    ("周期", "epoch"),
    ("次浮点", "FLOP"),
    ("浮点运算", "FLOP"),
    ("浮点操作", "FLOP"),
    ("专家", "expert"),
    ("GPU", "GPU"),
    ("显卡", "GPU"),
    ("芯片", "GPU"),
    ("卡", "GPU"),  # 1024 块卡: cards, as Chinese documents call accelerators
    ("小时", "hour"),
    ("天", "day"),
    ("周", "week"),
    ("个月", "month"),
    ("月", "month"),
    ("年", "year"),
    ("千瓦时", "kWh"),
    ("瓦", "W"),
    ("词", "word"),
    ("查询", "query"),
    ("请求", "query"),
    ("样本", "sample"),
    ("工程师", "engineer"),
    ("人", "person"),
    ("倍", "times"),
)
ACCELERATOR_CHIP = r"(?:[AHVBL]\d{2,3}|MI\d{3}X?|TPU(?:v\d+\w*)?)"
"""An accelerator's model as documents write it: A100, H800, V100, B200, L40, MI300X, TPUv4. The one
pattern every reader of text builds on (a chip named before a memory size, a count of them)."""
ACCELERATOR_LINE = r"(?:RTX|GTX|Tesla|Titan|Quadro|Radeon|Instinct|Ascend|Atlas|Gaudi|Kunlun|DGX|HGX)"
"""A maker's line of accelerators, whose number names a product, not a figure (RTX 4090, Ascend 910)."""
GPU_MODEL = re.compile(rf"^{ACCELERATOR_CHIP}s?$")
MODEL_NAME = re.compile(r"[A-Za-z]-$")
CLASSIFIERS = "个块张台名位次颗"
STOP = frozenset(
    {
        "and",
        "or",
        "of",
        "in",
        "with",
        "across",
        "for",
        "to",
        "from",
        "at",
        "but",
        "which",
        "that",
        "on",
        "by",
        "is",
        "are",
        "was",
        "were",
        "the",
        "a",
        "an",
    }
)
PER = re.compile(
    r"\s*(?:per|/|每)\s*(?P<n>1,000|1000|1k|1K|thousand|千)?\s*个?\s*(?P<w>[A-Za-z]+|[^\W\d_]{1,2})"
)

BEFORE: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "about",
        (
            "~",
            "≈",
            "about",
            "around",
            "roughly",
            "approximately",
            "approx.",
            "nearly",
            "almost",
            "some",
            "circa",
            "ca.",
            "estimated",
            "an estimated",
            "约",
            "大约",
            "约为",
            "约合",
            "大概",
            "近",
            "将近",
            "接近",
            "估计",
        ),
    ),
    (
        "at_least",
        (
            "at least",
            "more than",
            "over",
            "above",
            "in excess of",
            "exceeding",
            "exceed",
            "upwards of",
            "greater than",
            "至少",
            "超过",
            "逾",
            "不少于",
            "多于",
            "高于",
            "大于",
        ),
    ),
    (
        "at_most",
        (
            "at most",
            "up to",
            "less than",
            "under",
            "below",
            "no more than",
            "fewer than",
            "max",
            "maximum",
            "最多",
            "不到",
            "不超过",
            "低于",
            "少于",
            "小于",
            "至多",
            "高达",
            "多达",
        ),
    ),
)
AFTER: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("about", ("左右", "上下", "or so", "-ish")),
    ("at_least", ("以上", "多", "+", "or more", "plus")),
    ("at_most", ("以下", "以内", "or less", "or fewer")),
)
# Words that begin with a mark of AFTER but say no qualifier: "32k 上下文" is a context of 32k (上下
# alone is "about"), "2个多模态" multimodal, "多语言" multilingual.
NOT_MARKS = ("上下文", "多模态", "多语言", "多轮", "多卡", "多机", "多种", "多项")

# Words after a number that say nothing of what it counts: "200B each", "2 or 3", "70 in all".
NOT_NOUNS = STOP | frozenset(
    {
        *("each", "per", "more", "less", "than", "so", "as", "if", "into", "onto", "over", "under", "up"),
        *("about", "around", "respectively", "not", "no", "has", "have", "had", "be", "been", "will"),
        *("can", "may", "should", "would", "could", "it", "its", "this", "these", "those", "they", "we"),
        *("our", "all", "both", "such", "via", "using", "vs", "versus", "only", "total", "plus", "times"),
        *("when", "while", "after", "before", "during", "since", "until", "between", "among", "through"),
        *("out", "off", "down", "then", "also", "too", "even", "still", "yet", "ago", "later", "earlier"),
    }
)
_COUNTED = re.compile(r"[ \t]+([a-z][a-z]+|[A-Z][a-z]+)(?![A-Za-z0-9])(?!-?\d)")
_PHRASE = re.compile(r"[A-Za-z][A-Za-z0-9/-]*|[^\sA-Za-z0-9]")


_ZH_COUNTED = re.compile(rf"\s*[{CLASSIFIERS}种项道门类条篇]\s*([\u4e00-\u9fff]{{1,4}})")
"""A classifier and the noun after it: "57 个主题" counts topics, "13948 道题目" questions."""


def counted_noun(after: str) -> str | None:
    """What a number counts when the words right after it say so and kb reads no unit in them:
    the last word of the phrase ("143000 steps" steps; "20k pre-training steps" steps). None when
    the next word is no noun ("200B each", "37B activated", "7 of them"), when a unit kb reads
    follows a few words on ("14.8 trillion diverse and high-quality tokens"), or when no word
    follows. Capitalised names ("96 DGX-A100") and letters glued to the number ("40G") are read
    elsewhere."""
    zh = _ZH_COUNTED.match(after)
    if zh is not None:  # a Chinese classifier: the noun after it is what is counted, unless a unit
        return None if any(zh.group(1).startswith(word) for word, _ in NOUNS_ZH) else zh.group(1)
    m = _COUNTED.match(after)
    first = m.group(1).lower() if m else ""
    if not first or first in NOT_NOUNS or (first.endswith("ed") and not first.endswith("eed")):
        return None  # no word, or a participle ("activated"), or a word that counts nothing
    found = _PHRASE.findall(after[:60])[:6]
    clause = found[: next((i for i, w in enumerate(found) if not w[0].isalpha()), len(found))]
    if any(_unit_word(w) for w in clause):
        return None
    head = clause[:4]  # "57 multi-choice question answering tasks concerning ...": tasks
    phrase = head[: next((i for i, w in enumerate(head) if w.lower() in NOT_NOUNS), len(head))]
    return phrase[-1].split("-")[-1] if phrase else None


def _unit_word(word: str) -> bool:
    """Whether kb reads the word as a unit ("tokens", "GB", "tons"), or its last part."""
    w = word.split("-")[-1]
    if w in NOUNS_EXACT or any(c in NOUNS_EN for c in (w.lower(), w.lower()[:-1], w.lower()[:-2])):
        return True
    try:  # a unit pint or the knowledge base knows ("tons" of CO2eq, "nodes"): not unknown
        return len(w) > 2 and bool(unit_info(w.lower()).dims)
    except KbError:
        return False
