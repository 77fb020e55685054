"""Numbers of a document that are no figure of anything kb measures, for `kb extract` to pass over.

A clock time ("12:46pm"), a day of a month written without its year ("on January 6", "November
17th"), the year of a half or quarter ("H2 2021"), an accelerator's model number ("Ascend 910"),
the count of "7 out of 10 tasks", a family of experiments ("12.xx"), a software version ("PyTorch
2.0.1", "CUDA 11.8"), seconds per iteration ("1.4s/it"), device numbers
("CUDA_VISIBLE_DEVICES=0,1", "0、1号显卡"), how a benchmark is run ("Pass@1", "3-shot") and a
heading's label ("【5+】") are read as numbers, but a
claim of them would have no quantity: proposing them as token counts or memory is a misread.
"""

from __future__ import annotations

import re

from kb.markup import plain
from kb.reading import Reading
from kb.words import ACCELERATOR_LINE

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b\.?"
)
_CLOCK = re.compile(r"(?<![\d.:])\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?:[ap]\.?m\b\.?))?", re.IGNORECASE)
# A day after its month ("January 6", "December 3rd"); with a year after it the whole is a date,
# read as one (kb/dates.py), and its day is no number of its own.
_DAY_AFTER_MONTH = re.compile(r"\b" + _MONTH + r"\s+$")
_PERIOD = re.compile(r"\b(?:H[12]|Q[1-4]|FY|CY)\s*$")
# Accelerators are named by a model number ("Ascend 910", "RTX 3090"): a part of a name. Names are
# bounded by what is no Latin letter or digit, not by \b: Chinese characters are word characters.
_HARDWARE = re.compile(rf"(?:(?<![A-Za-z0-9]){ACCELERATOR_LINE}|昇腾)\s*$", re.IGNORECASE)
# A software version: three dotted parts ("PyTorch 2.0.1", "peft>=0.8.0", ">= 470.82.01"), or any
# number right after a library's name ("CUDA 11.8") or a DeepSpeed stage's ("ZeRO 3", "Zero3").
_VERSION = re.compile(r"(?<![\d.])\d+\.\d+\.\d+(?:\.\d+)*")
_SOFTWARE = re.compile(
    r"(?<![A-Za-z0-9])(?:CUDA|Cuda|cuda|PyTorch|Pytorch|pytorch|torch|Python|python|transformers|peft|vLLM|cuDNN|ZeRO|Zero|zero|stage)"
    r"\s*(?:[<>=!~]=?|==)?\s*v?$"
)
# Seconds per iteration ("5.8G / 1.4s/it"): a training speed no quantity of kb measures.
_PER_ITERATION = re.compile(r"\s?(?:s|sec|ms)\s?/\s?(?:it|iter|step)\b")
_OUT_OF = re.compile(r"\s+out\s+of\s+\d")
# Device numbers: an environment variable's value ("CUDA_VISIBLE_DEVICES=0,1") and an index
# ("0、1号显卡", cards number 0 and 1).
_ENV_VALUE = re.compile(r"(?<![A-Za-z0-9_])[A-Z][A-Z0-9_]{2,}=[\d,\s]*$")
_INDEX = re.compile(r"(?:\s*[、,，]\s*\d+)*\s*号")
# How a benchmark is run ("Pass@1" is read from the "@" before it, "3-shot").
_SHOTS = re.compile(r"[- ]?shots?\b", re.IGNORECASE)
_BRACKETED = re.compile(r"\+?】")
"""A number alone in 【】 is a heading's label ("【5+】跨webview多页面", a blog's list of links)."""
_FAMILY = re.compile(r"\.[xX*]+\b")


def no_figure(sentence: str, reading: Reading) -> bool:
    """Whether the number is a time, a day, a year of a period, a part of a name or a count of
    a share ("7 out of 10"), not a figure."""
    before = plain(sentence[: reading.start]).text
    after = sentence[reading.end :]
    if isinstance(reading.value, list) or reading.unit == "date":
        return False
    if any(
        m.start() < reading.end and reading.start < m.end()  # overlapping: "~12:30" is read from "~"
        for rx in (_CLOCK, _VERSION)
        for m in rx.finditer(sentence)
    ):
        return True
    if _DAY_AFTER_MONTH.search(before) and re.fullmatch(r"\d{1,2}", reading.text):
        return True
    if _PERIOD.search(before) and re.fullmatch(r"(?:19|20)\d\d", reading.text):
        return True
    if _HARDWARE.search(before) or _SOFTWARE.search(before) or _ENV_VALUE.search(before):
        return True
    if _INDEX.match(after) or (before.endswith("【") and _BRACKETED.match(after)):
        return True
    if before.endswith("@") or _SHOTS.match(after):  # "Pass@1", "3-shot": how a benchmark is run
        return True
    return bool(_OUT_OF.match(after) or _FAMILY.match(after) or _PER_ITERATION.match(after))
