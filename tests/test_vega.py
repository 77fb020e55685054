"""The interactive charts' Vega-Lite specs (kb/site/vega.py): readers' units, links, log axes."""

from __future__ import annotations

import json

from site_helpers import REPO_CLAIMS

from kb import checks, contents
from kb.site import vega
from kb.site.resolve import resolve


def test_group_spec_is_in_readers_units_with_a_link_and_tooltip_per_point() -> None:
    kb = contents.load(REPO_CLAIMS)
    ctx = resolve(kb, checks.run(kb), protect=False)
    group = ctx.groups[("gpt-4", "total_parameters")]
    spec = vega.group_chart(group)
    assert spec is not None
    json.dumps(spec, allow_nan=False)  # embeddable as it is
    rows = spec["data"]["values"]
    numeric = {cv.id for cv in group.claims if cv.entry.value is not None and cv.entry.unit == group.unit}
    assert numeric <= {r["claim"] for r in rows} <= {cv.id for cv in group.claims}
    assert all(r["href"] == f"claims/{r['claim']}.html" and r["model"] == "GPT-4" for r in rows)
    zh = next(r for r in rows if r["claim"] == "gpt4-leak-zh-total-params" and r["kind"] == "stated")
    assert 1.5e12 < zh["lo"] < zh["hi"] < 2.1e12  # parameters, not 万亿
    x = spec["layer"][0]["encoding"]["x"]
    assert x["scale"]["type"] == "log" and x["title"] == "parameters"
    assert all(str(int(v)).strip("0") == "1" for v in x["axis"]["values"])  # ticks at powers of ten
    assert {t["title"] for t in spec["encoding"]["tooltip"]} >= {
        "Claim",
        "Model",
        "Source",
        "Stated",
        "Verdict",
    }
    # Every channel of the verdict shares the colour's legend: one with "legend: null" beside it made
    # Vega-Lite warn on every page ("Conflicting legend property 'disable'").
    verdict = [
        e
        for layer in spec["layer"]
        for e in layer["encoding"].values()
        if isinstance(e, dict) and e.get("field") == "v"
    ]
    assert verdict and all(e.get("legend", "merged") is not None for e in verdict)


def test_no_interactive_chart_for_dates_or_crowds() -> None:
    kb = contents.load(REPO_CLAIMS)
    ctx = resolve(kb, checks.run(kb), protect=False)
    for group in ctx.groups.values():
        if group.unit is not None and group.unit.is_date:
            assert vega.group_chart(group) is None
