"""Dates as people write them, in English and Chinese ("March 14th 2023", "11th March, 2022",
"2023-03-14", "2023年3月14日", "2023.11.30"), and the span of days each covers: `kb/numbers.py` finds
them among the numbers of a quote."""

from __future__ import annotations

import datetime as dt
import re

from kb.errors import KbError

EPOCH = dt.date(1970, 1, 1)
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    )
}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})

_MONTH_NAMES = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?"
    r"|sep(?:tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE_EN = re.compile(
    r"(?=[jfmasond])\b"
    + _MONTH_NAMES
    + r"\.?(?:\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?)?,?\s+(?P<year>(?:19|20)\d\d)\b",
    re.IGNORECASE,
)
# The day first, as British and European documents write it: "11th March, 2022", "the 1st of June
# 2021", "11.July.2022". Its month and year alone also match _DATE_EN: _dates keeps the longer.
_DATE_EN_DAY_FIRST = re.compile(
    r"(?<![\d.])\b(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?(?:\s+|\.)"
    + _MONTH_NAMES
    + r"(?:\.\s*|,?\s+)(?P<year>(?:19|20)\d\d)\b",
    re.IGNORECASE,
)
_DATE_ISO = re.compile(r"(?=[12])\b(?P<year>(?:19|20)\d\d)-(?P<month>\d\d)(?:-(?P<day>\d\d))?\b")
_DATE_ZH = re.compile(
    r"(?=[12])(?P<year>(?:19|20)\d\d)\s*年\s*(?:(?P<month>\d{1,2})\s*月\s*(?:(?P<day>\d{1,2})\s*日)?)?"
)

# A year, month and day joined by dots, as Chinese and Korean news lists write them: "2023.11.30",
# "2023.9.12". Without its day it is no date: "2023.11" may as well be a decimal.
_DATE_DOTTED = re.compile(
    r"(?=[12])(?<![\d.])(?P<year>(?:19|20)\d\d)\.(?P<month>\d{1,2})\.(?P<day>\d{1,2})(?![\d.])"
)


def days(d: dt.date) -> float:
    return float((d - EPOCH).days)


DAY_END = 1e-3
"""A span ends this much (in days, 86 s) before the next day, month or year begins: 2023-03-14
and 2023-03-15 are two days that do not meet, however their intervals are compared."""


def date_interval(year: int, month: int | None = None, day: int | None = None) -> tuple[float, float]:
    """The span of a date as written: a day, a whole month or a whole year, in days since 1970."""
    try:
        if month is None:
            return days(dt.date(year, 1, 1)), days(dt.date(year + 1, 1, 1)) - DAY_END
        if day is None:
            nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
            return days(dt.date(year, month, 1)), days(nxt) - DAY_END
        start = dt.date(year, month, day)
    except ValueError as exc:
        raise KbError(
            f"not a date: {year}-{month}-{day} ({exc})",
            "write a real date: YYYY-MM-DD, YYYY-MM or YYYY",
            "bad-date",
        ) from None
    return days(start), days(start) + 1.0 - DAY_END


def dates(text: str) -> list[tuple[float, float, int, int]]:
    """Every date of a text: its span in days since 1970 (first, last) and where it is written."""
    out: list[tuple[float, float, int, int]] = []
    for rx in (_DATE_EN_DAY_FIRST, _DATE_EN, _DATE_ISO, _DATE_ZH, _DATE_DOTTED):
        for m in rx.finditer(text):
            month_raw = m.group("month")
            try:
                month = (
                    None
                    if month_raw is None
                    else int(month_raw)
                    if month_raw.isdigit()
                    else _MONTHS[month_raw.lower().rstrip(".")[:3]]
                )
                day = int(m.group("day")) if m.group("day") else None
                lo, hi = date_interval(int(m.group("year")), month, day)
            except (KbError, KeyError):
                continue
            if any(a <= m.start() and m.end() <= b for _, _, a, b in out):
                continue  # the "March, 2022" of "11th March, 2022": the day-first date has it
            out.append((lo, hi, m.start(), m.end()))
    return out
