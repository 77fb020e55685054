"""A claim's value as typed (`--value`) and whether two values are the same number."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from kb.errors import KbError


def parse_value_flag(text: str) -> str | list[str]:
    """--value as typed: "13", "2.15e25", "2023-03-14", or a range "[0.10, 1.00]" / "0.10..1.00"."""
    t = text.strip()
    m = re.fullmatch(r"\[\s*([^,\]]+?)\s*,\s*([^,\]]+?)\s*\]|([^.\s]+(?:\.\d+)?)\s*\.\.\s*(\S+)", t)
    if m:
        lo, hi = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        return [lo, hi]
    if not t:
        raise KbError(
            "--value is empty", "write the value as the source does, e.g. 13 or [0.10, 1.00]", "usage"
        )
    return t


def same_value(a: str | list[str], b: str | list[str]) -> bool:
    """Whether two values are the same number(s) ("13" and "13.0" are; a range and a number are not)."""
    left = a if isinstance(a, list) else [a]
    right = b if isinstance(b, list) else [b]
    if len(left) != len(right):
        return False
    for x, y in zip(left, right, strict=True):
        try:
            if Decimal(x.replace(",", "")) != Decimal(y.replace(",", "")):
                return False
        except InvalidOperation:
            if x.strip() != y.strip():
                return False
    return True
