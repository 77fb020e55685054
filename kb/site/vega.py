"""Interactive charts: a Vega-Lite specification per group of estimates, drawn in the browser.

The page holds the spec (JSON in a data attribute) over the static chart (charts.py's SVG), which
stays as the picture without JavaScript. kb/static/charts.js draws the spec with the bundled Vega
(kb/static/vega-bundle.js): each estimate a bar from its low to its high end, its point coloured
and shaped by verdict, recomputed values dashed; hovering names the claim, its model, source,
stated and recomputed values; a click opens the claim. Values are in the words readers use: the
axis counts parameters (labels 100B, 1T), not "yi parameter".
"""

from __future__ import annotations

import math
from typing import Any

from kb import display
from kb.interval import Interval
from kb.site.charts import COLOURS
from kb.site.context import VERDICT_STYLES, ClaimView, Group, QuantityView, convert
from kb.units import UnitInfo

MAX_ROWS = 40
"""Past this many estimates a group's chart is the static histogram only."""
LOG_SPAN = 30.0
"""A log axis when the largest value is this many times the smallest."""
ROW_PX = 32
REACH = 10.0
"""On a log axis, recomputed values more than this factor beyond the stated ones are cut off."""
SHAPES = {"consistent": "circle", "inconsistent": "cross", "error": "triangle-up", "unverified": "square"}
_LABELS = (
    "datum.value >= 1e15 ? format(datum.value, '.0e')"
    " : datum.value >= 1e12 ? format(datum.value / 1e12, '~g') + 'T'"
    " : datum.value >= 1e9 ? format(datum.value / 1e9, '~g') + 'B'"
    " : datum.value >= 1e6 ? format(datum.value / 1e6, '~g') + 'M'"
    " : datum.value >= 1e4 ? format(datum.value / 1e3, '~g') + 'k' : format(datum.value, '~g')"
)


Row = dict[str, Any]
_BY_KIND = {"field": "kind", "type": "nominal", "scale": {"domain": ["stated", "recomputed"]}}
"""Stated and recomputed bars of one claim side by side in its row."""


def _row(cv: ClaimView, label: str, kind: str, iv: Interval, scale: float, text: str) -> Row | None:
    lo, hi = iv.lo * scale, iv.hi * scale
    finite = [v for v in (lo, hi) if math.isfinite(v)]
    if not finite:
        return None
    lo, hi = (lo if math.isfinite(lo) else min(finite)), (hi if math.isfinite(hi) else max(finite))
    return {
        "row": label,
        "kind": kind,
        "lo": lo,
        "hi": hi,
        "mid": math.sqrt(lo * hi) if lo > 0 and hi > 0 else (lo + hi) / 2,
        "claim": cv.id,
        "model": cv.claim.subject,
        "source": cv.first_source,
        "stated": cv.value_text,
        "value": text,
        "verdict": VERDICT_STYLES[cv.verdict].label,
        "v": str(cv.verdict),
        "href": cv.url,
    }


def _rows(claims: list[ClaimView], unit: UnitInfo, by_subject: bool) -> list[Row]:
    scale = display.words(unit.text).scale
    out: list[Row] = []
    seen: set[str] = set()
    for cv in claims:
        e = cv.entry
        if e.value is None or e.unit is None or e.unit.dims != unit.dims:
            continue
        label = f"{cv.claim.subject if by_subject else cv.first_source}: {cv.value_text}"
        label = label if label not in seen else f"{label} ({cv.id})"
        seen.add(label)
        stated = convert(e.value.stated, e.unit, unit)
        row = _row(cv, label, "stated", stated, scale, cv.interval_text)
        if row is not None:
            out.append(row)
        for c in cv.recomputations:
            if c.computed is not None:
                again = convert(c.computed, e.unit, unit)
                row = _row(cv, label, "recomputed", again, scale, display.interval(again, unit))
                if row is not None:
                    out.append(row)
    return out


def _decades(span: list[float]) -> list[float]:
    """Powers of ten across a log axis, at most 7 of them: 1B, 10B, 100B, 1T."""
    a, b = math.floor(math.log10(span[0])), math.ceil(math.log10(span[1]))
    step = max(1, math.ceil((b - a) / 6))
    return [10.0**k for k in range(a, b + 1, step)]


def group_chart(group: Group) -> dict[str, Any] | None:
    """The Vega-Lite spec of a group's estimates, or None (no numbers, a date, or too many rows)."""
    if group.unit is None:
        return None
    what = f"{group.quantity_label} of {group.subject}"
    return _chart(group.claims, group.unit, what, by_subject=False)


def quantity_chart(q: QuantityView) -> dict[str, Any] | None:
    """Every subject's estimates of a quantity in one chart, each row named by its model."""
    unit = next((g.unit for g in q.groups if g.unit is not None), None)
    if unit is None or sum(1 for g in q.groups if g.unit is not None) < 2:
        return None
    return _chart([cv for g in q.groups for cv in g.claims], unit, q.label, by_subject=True)


def _chart(claims: list[ClaimView], unit: UnitInfo, what: str, by_subject: bool) -> dict[str, Any] | None:
    if unit.is_date or len(claims) > MAX_ROWS:
        return None
    rows = _rows(claims, unit, by_subject)
    if not rows:
        return None
    values = [v for r in rows for v in (r["lo"], r["hi"])]
    log = min(values) > 0 and max(values) / min(values) > LOG_SPAN
    stated = [v for r in rows if r["kind"] == "stated" for v in (r["lo"], r["hi"])]
    domain = None
    if log and max(values) / min(values) > REACH**2 * max(stated) / min(stated):
        # A recomputation off by 10^20 would squeeze the estimates into a corner: keep the axis
        # near the stated values (the table and the tooltip still give every value).
        domain = [min(stated) / REACH, max(stated) * REACH]
    title = display.unit_name(unit.text)
    x = {
        "field": "lo",
        "type": "quantitative",
        "title": title,
        "scale": ({"type": "log"} if log else {"zero": False}) | ({"domain": domain} if domain else {}),
        "axis": {"labelExpr": _LABELS, "labelOverlap": True, "grid": True}
        | ({"values": _decades(domain or [min(values), max(values)])} if log else {"tickCount": 5}),
    }
    y = {"field": "row", "type": "nominal", "title": None, "sort": None, "axis": {"labelLimit": 150}}
    colour = {
        "field": "v",
        "type": "nominal",
        "title": "Verdict",
        "scale": {"domain": list(COLOURS), "range": list(COLOURS.values())},
        "legend": {"orient": "bottom", "direction": "horizontal", "columns": 2},
    }
    tooltip = [
        {"field": "claim", "title": "Claim"},
        {"field": "model", "title": "Model"},
        {"field": "source", "title": "Source"},
        {"field": "stated", "title": "Stated"},
        {"field": "kind", "title": "This bar"},
        {"field": "value", "title": "Interval"},
        {"field": "verdict", "title": "Verdict"},
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "description": f"{what}: every estimate and its recomputation",
        "width": "container",
        "height": ROW_PX * len({r["row"] for r in rows}),
        "autosize": {"type": "fit-x", "contains": "padding"},
        "data": {"values": rows},
        "encoding": {"y": y, "color": colour, "tooltip": tooltip, "href": {"field": "href"}},
        "layer": [
            {
                "mark": {"type": "rule", "strokeWidth": 3, "clip": True},
                "encoding": {
                    "x": x,
                    "x2": {"field": "hi"},
                    "strokeDash": {
                        "field": "kind",
                        "type": "nominal",
                        "title": "Bar",
                        "scale": {"domain": ["stated", "recomputed"], "range": [[1, 0], [5, 3]]},
                        "legend": None,  # the caption says what a dashed bar is
                    },
                    "yOffset": _BY_KIND,
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 90, "cursor": "pointer", "clip": True},
                "encoding": {
                    "x": {"field": "mid", "type": "quantitative"},
                    "shape": {
                        "field": "v",
                        "type": "nominal",
                        "scale": {"domain": list(SHAPES), "range": list(SHAPES.values())},
                        # No legend of its own: merged into the colour's (both are the verdict), so
                        # the legend shows each verdict's shape too; a "legend: null" here conflicted.
                    },
                    "yOffset": _BY_KIND,
                },
            },
        ],
        "config": {"view": {"stroke": None}, "font": "system-ui, sans-serif"},
    }


def audit_chart(pairs: list[Any], legend: dict[str, str]) -> dict[str, Any] | None:
    """Every model of an audited data set: stated (across) against recomputed (up) training compute,
    log-log, colour by verdict, shape by check; clicking a verdict in the legend shows only it,
    hovering names the model, and a click opens the claim."""
    rows = [
        {
            "stated": p.stated,
            "recomputed": p.recomputed,
            "model": p.subject,
            "claim": p.claim_id,
            "check": legend.get(p.check_id, p.check_id),
            "v": p.verdict,
            "verdict": VERDICT_STYLES[p.verdict].label if p.verdict in VERDICT_STYLES else p.verdict,
            "factor": display.factor(p.recomputed / p.stated) if p.stated else "",
            "stated_text": display.amount(p.stated, "FLOP"),
            "recomputed_text": display.amount(p.recomputed, "FLOP"),
            "href": f"claims/{p.claim_id}.html",
        }
        for p in pairs
        if p.stated > 0 and p.recomputed > 0
    ]
    if not rows:
        return None
    values = [v for r in rows for v in (r["stated"], r["recomputed"])]
    lo, hi = min(values) / 2, max(values) * 2
    axis = {"labelExpr": _LABELS, "values": _decades([lo, hi]), "grid": True}
    scale = {"type": "log", "domain": [lo, hi]}
    pick = {"name": "pick", "select": {"type": "point", "fields": ["v"]}, "bind": "legend"}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "description": "Stated against recomputed training compute, one point per check of a model",
        "width": "container",
        "height": 420,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "data": {"values": rows},
        "encoding": {
            "x": {
                "field": "stated",
                "type": "quantitative",
                "title": "Stated training compute (FLOP)",
                "scale": scale,
                "axis": axis,
            },
            "y": {
                "field": "recomputed",
                "type": "quantitative",
                "title": "Recomputed (FLOP)",
                "scale": scale,
                "axis": axis,
            },
        },
        "layer": [
            {  # the diagonal: stated = recomputed
                "data": {"values": [{"stated": lo, "recomputed": lo}, {"stated": hi, "recomputed": hi}]},
                "mark": {"type": "line", "color": "#888", "strokeDash": [4, 4]},
            },
            {
                "params": [pick],
                "mark": {"type": "point", "filled": True, "size": 60, "cursor": "pointer"},
                "encoding": {
                    "color": {
                        "field": "v",
                        "type": "nominal",
                        "title": "Verdict (click to filter)",
                        "scale": {"domain": list(COLOURS), "range": list(COLOURS.values())},
                        "legend": {"orient": "bottom", "direction": "horizontal"},
                    },
                    "shape": {
                        "field": "check",
                        "type": "nominal",
                        "title": "Check",
                        "legend": {"orient": "bottom", "direction": "horizontal"},
                    },
                    "opacity": {"condition": {"param": "pick", "value": 0.9}, "value": 0.06},
                    "tooltip": [
                        {"field": "model", "title": "Model"},
                        {"field": "check", "title": "Check"},
                        {"field": "stated_text", "title": "Stated"},
                        {"field": "recomputed_text", "title": "Recomputed"},
                        {"field": "factor", "title": "Recomputed / stated"},
                        {"field": "verdict", "title": "Verdict"},
                        {"field": "claim", "title": "Claim"},
                    ],
                    "href": {"field": "href"},
                },
            },
        ],
        "config": {"view": {"stroke": None}, "font": "system-ui, sans-serif"},
    }


__all__ = ["group_chart", "quantity_chart", "audit_chart", "MAX_ROWS"]
