"""The audit page of an imported data set: what to fix first, one row per model, from the import's
own description (the site imports no importer and knows no check id)."""

from __future__ import annotations

import ast
import csv
import io
import math
from pathlib import Path

import pytest
from test_import_epoch import import_fixture

from kb import contents
from kb.results import Results
from kb.site.findings import Blamed, Finding, ModelFindings, findings_csv

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, contents.KnowledgeBase, Results]:
    return import_fixture(tmp_path_factory.mktemp("audit"))


def test_one_entry_per_model_with_its_csv_row_and_blamed_cell(
    imported: tuple[Path, contents.KnowledgeBase, Results],
) -> None:
    from kb.site.audit import audit, chart_svg

    _, kb, results = imported
    data = audit(kb, results, "epoch")
    assert data is not None
    assert sum(data.counts.values()) == data.claims
    assert data.counts["inconsistent"] >= 3 and data.counts["error"] == 0
    rows = [m.row for m in data.models]
    assert len(rows) == len(set(rows)) and all(rows)  # one entry per CSV row, each with its number
    # The two Nemotron-4 15B rows (same name, two dates) stay two entries.
    assert sorted(m.row for m in data.models if m.subject == "Nemotron-4 15B") == ["15", "3"]
    first = data.models[0]
    assert (first.subject, first.row, first.year) == ("Hybrid H3-2.7B", "9", "2022")
    hybrid = first.findings[0]
    assert hybrid.label.startswith("compute = 6 · parameters")
    assert math.isclose(hybrid.factor or 0, 509.02, rel_tol=0.01)
    # One relation cannot tell which of its cells is wrong: the blame ties them ("either"); the
    # parameters cell is not among them, the compute notes' 6·N·D product confirming it.
    blamed = {b.column for b in hybrid.blamed}
    assert "Epochs" in blamed and "Parameters" not in blamed and all(b.either for b in hybrid.blamed)
    assert hybrid.cause == ""  # no slip maps ×509: no "likely cause"
    assert data.pairs and {p.check_id for p in data.pairs} <= set(data.markers)
    assert "Language" in data.facets("domain")
    bounds = [f for m in data.models for f in m.findings if f.impossible]
    assert all(f.implied.startswith("needs ") and f.implied.endswith("% of the chips' peak") for f in bounds)
    svg = chart_svg(data)
    assert svg.lstrip().startswith(("<?xml", "<svg")) and "var(--ink)" in svg
    assert audit(kb, results, "no-such-folder") is None


def _finding(key: str, factor: float, impossible: bool) -> Finding:
    blamed = (Blamed(f"{key}-c", "Hardware quantity", "48 chip", "[420, 560] chip", False),)
    return Finding(key, "a relation", "1 FLOP", "2 FLOP", factor, impossible, blamed, "")


def test_impossible_first_then_the_largest_factor() -> None:
    big = ModelFindings("Big gap", "1", "", "", "", [_finding("a", 100.0, False)])
    impossible = ModelFindings("Too fast", "2", "", "", "", [_finding("b", 1.2, True)])
    small = ModelFindings(
        "Small gap", "3", "", "", "", [_finding("c", 0.5, False), _finding("d", 3.0, False)]
    )
    ranked = sorted([small, big, impossible], key=ModelFindings.rank)
    assert [m.subject for m in ranked] == ["Too fast", "Big gap", "Small gap"]
    text = findings_csv(ranked)
    lines = list(csv.DictReader(io.StringIO(text)))
    assert [(r["rank"], r["model"], r["csv_row"], r["verdict"]) for r in lines][:2] == [
        ("1", "Too fast", "2", "impossible"),
        ("2", "Big gap", "1", "inconsistent"),
    ]
    assert lines[0]["blamed_cells"] == "Hardware quantity"
    assert lines[0]["suggested"] == "Hardware quantity: [420, 560] chip"
    assert len(lines) == 4  # one line per failed relation


def test_audit_page_renders_findings_filters_and_download(
    imported: tuple[Path, contents.KnowledgeBase, Results],
) -> None:
    pytest.importorskip("kb.site.context")
    from kb.site import audit, writer
    from kb.site.resolve import resolve

    _, kb, results = imported
    ctx = resolve(kb, results, "")
    pages = audit.pages(ctx)
    assert [p.path for p in pages] == ["audit/epoch.html"]
    html = writer.render_page(pages[0], ctx)
    assert "What to fix first" in html and "CSV row 9" in html and "<svg" in html
    assert 'download="epoch-findings.csv"' in html and "data:text/csv" in html
    assert 'id="audit-filter"' in html and 'name="organization"' in html and "audit.js" in html
    assert html.count("<tbody data-organization") == len(audit.audit(kb, results, "epoch").models)  # type: ignore[union-attr]


def test_the_site_imports_no_importer() -> None:
    for path in sorted((REPO / "kb" / "site").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("kb.importers."), path.name
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("kb.importers.") for a in node.names), path.name
        assert "six-n-d" not in path.read_text(encoding="utf-8"), path.name  # no check id either


def test_an_impossible_row_comes_first_with_the_utilization_it_needs(tmp_path: Path) -> None:
    from test_import_epoch import CHIPS, MODELS, PRICES, check, make_root

    from kb.importers.epoch import import_epoch
    from kb.site.audit import audit

    # GPT-3 with 100 V100s instead of 10,000: 355 hours of them cannot do 3.14e23 FLOP.
    rows = list(csv.reader(MODELS.open(encoding="utf-8", newline="")))
    col = rows[0].index("Hardware quantity")
    gpt3 = next(r for r in rows if r[0].startswith("GPT-3 175B"))
    gpt3[col] = "100.0"
    edited = tmp_path / "all_ml_systems_fixture_2025-08.csv"
    with edited.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    root = make_root(tmp_path)
    import_epoch(edited, root, chips=CHIPS, prices=PRICES)
    kb, results = check(root)
    data = audit(kb, results, "epoch")
    assert data is not None
    first = data.models[0]
    assert (first.subject, first.row, first.impossible) == ("GPT-3 175B (davinci)", "12", True)
    bound = first.findings[0]
    assert bound.impossible and bound.implied == "needs 1,964% of the chips' peak"
    assert "Hardware quantity" in {b.column for b in bound.blamed}
    assert all(not m.impossible for m in data.models[1:])


def test_the_audit_scatter_is_interactive_with_a_static_fallback(
    imported: tuple[Path, contents.KnowledgeBase, Results],
) -> None:
    import html as html_lib
    import json
    import re

    from kb.site import audit, writer
    from kb.site.resolve import resolve

    _, kb, results = imported
    ctx = resolve(kb, results, "")
    [page] = audit.pages(ctx)
    html = writer.render_page(page, ctx)
    spec = json.loads(html_lib.unescape(re.search(r"data-spec='([^']*)'", html).group(1)))  # type: ignore[union-attr]
    rows = spec["data"]["values"]
    data = audit.audit(kb, results, "epoch")
    assert data is not None and len(rows) == len([p for p in data.pairs if p.stated > 0 and p.recomputed > 0])
    assert {"model", "claim", "stated_text", "recomputed_text", "verdict", "href"} <= set(rows[0])
    assert all(r["href"] == f"claims/{r['claim']}.html" for r in rows)
    # Clicking a verdict in the legend filters the points; the static SVG stays for readers without JS.
    assert spec["layer"][1]["params"][0]["bind"] == "legend"
    assert "vega-bundle.js" in html and "<svg" in html
