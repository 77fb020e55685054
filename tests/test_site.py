"""The static site: pages, structure, safety, links, atomic builds, exit codes, charts and serve.

Most tests build the fixture knowledge base (tests/fixtures/site/claims) once, without the
search index; the search index and the browser are tested in test_browser.py.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from site_helpers import (
    BASE_URL,
    FIXTURE,
    REPO_CLAIMS,
    Element,
    broken_links,
    build_site,
    copy_fixture,
    html_files,
    kb_serve,
    note_on_experts,
    page,
    parse,
)

from kb import checks, contents, display
from kb.cli import main
from kb.interval import Interval
from kb.site import charts, markdown, writer
from kb.site import place as site_place
from kb.site.build import MARKER, BuildError
from kb.site.graph import claim_graph
from kb.site.highlight import highlight
from kb.site.pages import DATA_FILE, ROWS_IN_HTML
from kb.site.resolve import resolve

SCRIPT_CLAIM = "gpt4-script-statement"
INCONSISTENT = "gpt4-zh-training-cost"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fixture-site") / "site"
    outcome = build_site(out)
    assert outcome.built
    return out


@pytest.fixture(scope="module")
def fixture_kb():  # type: ignore[no-untyped-def]
    kb = contents.load(FIXTURE)
    return kb, checks.run(kb)


# --- Pages ---------------------------------------------------------------------------------------


def test_every_page_is_written(site: Path, fixture_kb) -> None:  # type: ignore[no-untyped-def]
    kb, _ = fixture_kb
    for name in (
        "index.html",
        "subjects.html",
        "quantities.html",
        "sources.html",
        "methodology.html",
        "search.html",
        "errors.html",
        "sitemap.xml",
        "robots.txt",
        "static/style.css",
        "static/table.js",
        MARKER,
    ):
        assert (site / name).is_file(), name
    for cid in kb.claims:
        assert (site / "claims" / f"{cid}.html").is_file()
    for sid in kb.sources:
        assert (site / "sources" / f"{sid}.html").is_file()
    assert (site / "subjects" / "gpt-4.html").is_file()
    assert (site / "subjects" / "nvidia-a100.html").is_file()
    for qid in kb.quantities:
        assert (site / "quantities" / f"{qid}.html").is_file()
    assert list((site / "charts").glob("*.svg"))


def test_every_page_is_well_formed_with_language_and_metadata(site: Path) -> None:
    for file in html_files(site):
        doc = parse(file.read_text(encoding="utf-8"))
        html = doc.find("html")
        assert html.get("lang") == "en", file
        head = doc.find("head")
        assert head.find("meta", charset="utf-8")
        assert head.find("meta", name="viewport")
        assert head.find("meta", property="og:title").get("content"), file
        assert head.find("meta", property="og:description").get("content"), file
        assert head.find("title").text().strip()
        # Navigation is short: no list of every claim on every page.
        nav = doc.find("nav", cls="site-nav")
        assert len(nav.find_all("a")) <= 8


def test_assets_are_local_and_links_relative(site: Path) -> None:
    for file in html_files(site):
        doc = parse(file.read_text(encoding="utf-8"))
        for el in (
            doc.find_all("script", src=True) + doc.find_all("img") + doc.find_all("link", rel="stylesheet")
        ):
            url = el.get("src") or el.get("href") or ""
            assert not re.match(r"^(https?:)?//", url), f"{file}: remote asset {url}"
            assert not url.startswith("/"), f"{file}: absolute path {url}"
        for a in doc.find_all("a", href=True):
            href = a.get("href") or ""
            assert not href.startswith("/"), f"{file}: absolute link {href}"
            scheme = href.split(":", 1)[0] if re.match(r"^[a-z][a-z0-9+.-]*:", href) else ""
            assert scheme in ("", "http", "https"), f"{file}: link {href}"


def test_no_broken_internal_link(site: Path) -> None:
    assert broken_links(site) == []


def test_dashboard_counts_table_and_filters(site: Path, fixture_kb) -> None:  # type: ignore[no-untyped-def]
    kb, results = fixture_kb
    doc = page(site, "index.html")
    counts = results.counts()
    for card in doc.find_all("li", cls="card"):
        verdict = next(c[2:] for c in card.classes if c.startswith("v-"))
        assert int(card.find("span", cls="card-count").text()) == counts[verdict]
        label = card.find("span", cls="card-label")
        assert label.find("span", cls="icon").text().strip()  # an icon as well as the colour
        assert verdict.capitalize() in label.text()
    table = doc.find("table", id="claims-table")
    rows = table.find("tbody").find_all("tr")
    assert len(rows) == len(kb.claims)  # without JavaScript, every claim is shown
    assert {r.get("data-verdict") for r in rows} == {v for v, n in counts.items() if n}
    row = next(r for r in rows if r.find("a").text().strip() == INCONSISTENT)
    assert row.get("data-subject") == "gpt-4"
    assert row.get("data-quantity") == "training_cost"
    assert "leak-zh" in (row.get("data-source") or "").split()
    form = doc.find("form", id="claims-filter")
    assert "hidden" in form.attrs  # shown by table.js only
    for name in ("verdict", "subject", "quantity", "source"):
        assert form.find("select", name=name)
    assert doc.find("script", src="static/table.js")


def test_claim_page_inconsistent(site: Path, fixture_kb) -> None:  # type: ignore[no-untyped-def]
    _, results = fixture_kb
    result = results.claims[INCONSISTENT]
    doc = page(site, f"claims/{INCONSISTENT}.html")
    head = doc.find("header", cls="claim-head")
    badge = head.find("span", cls="badge")
    assert "v-inconsistent" in badge.classes
    assert badge.find("span", cls="icon").text() == "✗"
    assert "Inconsistent" in badge.text()
    # The quote in Chinese, marked so, with its translation and a link to the highlighted passage.
    quote = doc.find("figure", cls="quote")
    assert quote.find("blockquote").get("lang") == "zh"
    assert "630 万美元" in quote.find("blockquote").text()
    assert "6.3 million" in quote.find("p", cls="translation").text()
    links = [a.get("href") for a in quote.find_all("a")]
    assert f"../sources/leak-zh.html#q-{INCONSISTENT}-0" in links
    assert f"q-{INCONSISTENT}-0" in {e.get("id") for e in page(site, "sources/leak-zh.html").find_all("mark")}
    # The check: formula, inputs with links, recomputed interval, factor, tolerance, diagnosis, assumption.
    check = doc.find("article", cls="check")
    cr = result.checks[0]
    assert check.find("code", cls=None).text() == cr.check_id
    assert cr.formula in check.find("p", cls="formula").text()
    inputs = check.find("table", cls="inputs")
    hrefs = {a.get("href") for a in inputs.find_all("a")}
    assert {f"../claims/{i.claim_id}.html" for i in cr.inputs} <= hrefs
    assert cr.computed is not None and cr.unit is not None
    assert check.find("dd", cls="recomputed").text() == display.interval(cr.computed, cr.unit)
    facts = check.text()
    assert "×9" in facts and cr.severity in facts and cr.diagnosis in facts
    assert "Depends on assumption" in facts and "gpt4-assumed-gpu-hour-price" in facts
    # Other estimates: the conflicting claim, a chart, and this claim marked in the table.
    others = doc.find("h2", id="h-others").parent
    assert others is not None
    assert others.find("img").get("src", "").startswith("../charts/")
    assert others.find("tr", cls="current")
    assert "gpt4-en-training-cost" in others.text()


def test_claim_page_consistent_says_what_it_needed(site: Path) -> None:
    doc = page(site, "claims/gpt4-en-total-params.html")
    head = doc.find("header", cls="claim-head")
    assert "Consistent" in head.find("span", cls="badge").text()
    assert "rounding" in head.find("span", cls="verdict-text").text()
    check = doc.find("article", cls="check")
    assert "Agreement needed" in check.text()
    assert "none: only the rounding" in check.text()  # no explicit tolerance
    # Notes from markdown: bold kept, a claim id linked, the javascript: link and raw HTML not.
    notes = doc.find("h2", id="h-notes").parent
    assert notes is not None
    assert notes.find("strong").text() == "experts"
    assert notes.find("a", href="../claims/gpt4-en-experts.html")
    assert notes.find("a", href="https://example.org/moe").get("rel") == "nofollow noopener"
    assert not notes.find_all("img")
    assert "<img src=x onerror=alert(1)>" in notes.text()  # shown as text


def test_claim_page_tolerance_and_graph(site: Path) -> None:
    doc = page(site, "claims/gpt4-en-training-compute.html")
    assert "the source rounds each factor" in doc.find("article", cls="check").text()
    assert len(doc.find_all("svg", cls="graph")) == 1  # one graph; CSS lays it out wide or narrow
    svg = doc.find("svg", cls="graph")
    nodes = {a.get("href") for a in svg.find_all("a", cls="node")}
    assert "../claims/a100-peak-bf16.html" in nodes  # what it rests on
    assert svg.find("g", cls="edges-wide").find_all("path", cls="edge")
    assert svg.find("g", cls="edges-narrow").find_all("path", cls="edge")
    for node in svg.find_all("a", cls="node"):  # placed wide by its transform, narrow by the stylesheet
        assert str(node.get("transform")).startswith("translate(")
        assert "--nx:" in str(node.get("style")) and "--ny:" in str(node.get("style"))
    assert "--nw:" in str(svg.get("style"))
    used = page(site, "claims/gpt4-en-gpus.html")
    graph = used.find("svg", cls="graph")
    assert "../claims/gpt4-en-training-cost.html" in {a.get("href") for a in graph.find_all("a", cls="node")}


def test_claim_review_json_ld(site: Path) -> None:
    doc = page(site, f"claims/{INCONSISTENT}.html")
    data = json.loads(doc.find("script", type="application/ld+json").text())
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "ClaimReview"
    assert data["url"] == f"{BASE_URL}claims/{INCONSISTENT}.html"
    assert data["reviewRating"]["alternateName"].startswith("Inconsistent")
    assert data["reviewRating"]["worstRating"] <= data["reviewRating"]["ratingValue"]
    assert data["itemReviewed"]["appearance"]["url"].startswith("https://")
    assert "GPT-4" in data["claimReviewed"]
    assert doc.find("link", rel="canonical").get("href") == f"{BASE_URL}claims/{INCONSISTENT}.html"


def test_text_with_script_is_shown_as_text(site: Path) -> None:
    raw = (site / "claims" / f"{SCRIPT_CLAIM}.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(" in raw
    doc = parse(raw)
    assert "<script>alert('x')</script> is shown as text" in doc.find("h1").text()
    assert "<script>alert('notes')</script>" in doc.find("h2", id="h-notes").parent.text()  # type: ignore[union-attr]
    for file in html_files(site):
        d = parse(file.read_text(encoding="utf-8"))
        for script in d.find_all("script"):
            assert script.get("src") or script.get("type") == "application/ld+json", f"{file}: inline script"
            assert "<" not in script.text()  # JSON-LD escapes < so text cannot close the script
        for el in d.iter():
            assert not any(k.startswith("on") for k in el.attrs), f"{file}: event handler on <{el.tag}>"
    source = parse((site / "sources" / "leak-en.html").read_text(encoding="utf-8"))
    assert "<script>alert('x')</script>" in source.find("pre", cls="source-text").text()


def test_json_ld_cannot_close_its_script(tmp_path: Path) -> None:
    claims = copy_fixture(tmp_path / "claims")
    meta = claims / "sources" / "leak-en.yaml"
    meta.write_text(
        meta.read_text(encoding="utf-8").replace(
            "publisher: KDnuggets", 'publisher: "</script><script>alert(1)</script>"'
        )
    )
    out = tmp_path / "site"
    build_site(out, claims)
    raw = (out / "claims" / "gpt4-en-gpus.html").read_text(encoding="utf-8")
    assert "</script><script>alert(1)" not in raw
    data = json.loads(parse(raw).find("script", type="application/ld+json").text())
    assert data["itemReviewed"]["author"]["name"] == "</script><script>alert(1)</script>"


def test_source_page_highlights_every_found_quote(site: Path, fixture_kb) -> None:  # type: ignore[no-untyped-def]
    kb, results = fixture_kb
    doc = page(site, "sources/leak-en.html")
    text = doc.find("pre", cls="source-text")
    assert text.get("lang") == "en"
    marks = text.find_all("mark", cls="hl")
    found = {
        cid
        for cid, r in results.claims.items()
        if any(f and kb.claims[cid].claim.sources[i].source == "leak-en" for i, f in enumerate(r.quote_found))
    }
    linked = {m.find("a").get("href") for m in marks}
    assert linked == {f"../claims/{cid}.html" for cid in found}
    for m in marks:
        assert any(c.startswith("v-") for c in m.classes)
        assert m.get("title")
    starts = [m for m in marks if "start" in m.classes]
    assert len(starts) == len(found)
    assert "gpt4-en-layers" not in {m.find("a").get("href", "").split("/")[-1][:-5] for m in marks}
    assert "quote not found" in doc.text()
    # Chinese source: the text is marked as Chinese.
    zh = page(site, "sources/leak-zh.html")
    assert zh.find("pre", cls="source-text").get("lang") == "zh"


def test_unarchived_source_page(site: Path) -> None:
    doc = page(site, "sources/nvidia-a100-datasheet.html")
    assert "not verified against an archived copy" in doc.find("p", cls="callout").text()
    assert not doc.find_all("pre", cls="source-text")
    assert doc.find("a", href="../claims/a100-peak-bf16.html")
    assert "Technical specifications" in doc.text()


def test_subject_and_quantity_pages_show_charts(site: Path) -> None:
    doc = page(site, "subjects/gpt-4.html")
    groups = doc.find_all("section", cls="group")
    cost = next(g for g in groups if g.get("id") == "q-training_cost")
    img = cost.find("img")
    assert (site / "subjects" / (img.get("src") or "")).resolve().is_file()
    assert img.get("alt")
    assert len(cost.find("tbody").find_all("tr")) == 2
    experts = next(g for g in groups if g.get("id") == "q-experts")
    assert not experts.find_all("img")  # one unchecked estimate: no chart
    q = page(site, "quantities/training_cost.html")
    assert q.find("img").get("src") == "../" + (img.get("src") or "")[3:]


def test_methodology_page(site: Path) -> None:
    doc = page(site, "methodology.html")
    for anchor in ("verdicts", "values", "tolerances", "diagnosis", "units", "adding", "formats"):
        assert doc.find("section", id=anchor)
    readme = doc.find("section", id="formats")
    assert readme.find("h3").text() == "Fixture knowledge base"  # headings demoted under the page's


def test_errors_page(site: Path) -> None:
    doc = page(site, "errors.html")
    assert doc.find("a", href="claims/gpt4-en-layers.html")
    assert "quote not found" in doc.text()


def test_sitemap_and_robots(site: Path) -> None:
    root = ET.parse(site / "sitemap.xml").getroot()
    locs = {el.text for el in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    assert f"{BASE_URL}index.html" in locs
    assert f"{BASE_URL}claims/{INCONSISTENT}.html" in locs
    assert f"{BASE_URL}sources/leak-zh.html" in locs
    assert all(loc and loc.startswith(BASE_URL) for loc in locs)
    assert "Sitemap: https://kb.example.org/sitemap.xml" in (site / "robots.txt").read_text()


def test_stylesheet_has_dark_mode_print_and_phone_rules() -> None:
    css = (Path(writer.__file__).parent.parent / "static" / "style.css").read_text(encoding="utf-8")
    assert "prefers-color-scheme: dark" in css
    assert "@media print" in css
    assert "max-width: 40rem" in css


# --- Building: atomic, safe, exit codes ----------------------------------------------------------


def test_failed_build_leaves_previous_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "site"
    build_site(out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(writer, "write_pages", boom)
    with pytest.raises(RuntimeError):
        build_site(out)
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no temporary folder left
    code = main(["build", "--claims", str(FIXTURE), "--out", str(out), "--no-search", "--no-cache"])
    assert code == 1
    err = capsys.readouterr().err
    assert "disk on fire" in err and "unchanged" in err


def test_rebuild_replaces_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(out)
    (out / "stale.html").write_text("old")
    build_site(out)
    assert not (out / "stale.html").exists()
    assert (out / MARKER).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_refuses_to_replace_a_folder_it_did_not_write(tmp_path: Path) -> None:
    out = tmp_path / "precious"
    out.mkdir()
    (out / "thesis.txt").write_text("years of work")
    with pytest.raises(BuildError):
        build_site(out)
    assert (out / "thesis.txt").read_text() == "years of work"
    with pytest.raises(BuildError):
        build_site(FIXTURE / "site")  # inside the claims folder


def test_swap_without_exchange(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(site_place, "exchange", lambda a, b: False)
    out = tmp_path / "site"
    build_site(out)
    build_site(out)
    assert (out / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "site"
    # The fixture has an error: built anyway, exit 1.
    assert main(["build", "--claims", str(FIXTURE), "--out", str(out), "--no-search", "--no-cache"]) == 1
    assert (out / "index.html").is_file()
    assert "errors.html" in capsys.readouterr().err
    # --strict: not built, previous site kept.
    (out / "index.html").write_text("previous")
    assert (
        main(["build", "--claims", str(FIXTURE), "--out", str(out), "--no-search", "--no-cache", "--strict"])
        == 1
    )
    assert (out / "index.html").read_text() == "previous"
    # A knowledge base without errors: exit 0.
    clean = copy_fixture(tmp_path / "clean")
    leak = clean / "gpt-4" / "leak.yaml"
    leak.write_text(
        leak.read_text(encoding="utf-8")
        .replace('quote: "across 121 layers"', 'quote: "across 120 layers"')
        .replace("value: 121", "value: 120"),
        encoding="utf-8",
    )
    assert (
        main(
            [
                "build",
                "--claims",
                str(clean),
                "--out",
                str(tmp_path / "clean-site"),
                "--no-search",
                "--strict",
            ]
        )
        == 0
    )


def test_large_dashboard_has_first_rows_a_data_file_and_paged_lists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kb.site import pages

    monkeypatch.setattr(pages, "ROWS_IN_HTML", 5)
    monkeypatch.setattr(pages, "LIST_PAGE", 8)
    out = tmp_path / "site"
    outcome = build_site(out)
    claims = list(resolve(outcome.kb, outcome.results).claims)
    doc = page(out, "index.html")
    rows = doc.find("table", id="claims-table").find("tbody").find_all("tr")
    assert [r.find("a").text().strip() for r in rows] == claims[:5]
    assert doc.find("script", src="data/claims.js")
    text = (out / "data" / "claims.js").read_text(encoding="utf-8")
    assert text.startswith("window.KB_CLAIMS = ")
    data = json.loads(text.removeprefix("window.KB_CLAIMS = ").rstrip().removesuffix(";"))
    assert [r[0] for r in data["rows"]] == claims
    listed: list[str] = []
    n = -(-len(claims) // 8)
    for i in range(1, n + 1):
        body = page(out, f"all-claims/{i}.html").find("table").find("tbody")
        listed += [a.text().strip() for a in body.find_all("a") if a.get("href", "").startswith("../claims/")]
    assert listed == claims  # without JavaScript every claim is one link away
    assert len(doc.find("nav", cls="pager").find_all("a")) == n
    assert broken_links(out) == []


def test_rebuild_renders_only_what_changed(tmp_path: Path) -> None:
    claims = copy_fixture(tmp_path / "claims")
    out = tmp_path / "site"
    first = build_site(out, claims)
    assert first.pages_rendered == first.pages
    again = build_site(out, claims)
    assert again.pages_rendered == 7  # the pages that summarise everything; every other page is linked
    before = (out / "claims/gpt4-en-gpus.html").read_bytes()
    leak = claims / "gpt-4" / "leak.yaml"
    text = leak.read_text(encoding="utf-8")
    text = text.replace("dropped a factor of ten.", "dropped a factor of ten (edited).")
    leak.write_text(text, encoding="utf-8")
    third = build_site(out, claims)
    assert 7 < third.pages_rendered < 20
    assert (out / "claims/gpt4-en-gpus.html").read_bytes() == before
    fresh = build_site(tmp_path / "fresh", claims)
    for file in html_files(fresh_site := tmp_path / "fresh"):
        rel = file.relative_to(fresh_site)
        assert (out / rel).read_bytes() == file.read_bytes(), rel  # the same as a build from scratch
    assert fresh.pages == third.pages


def test_no_change_build_stops_early(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    claims = copy_fixture(tmp_path / "claims")
    out = tmp_path / "site"
    args = ["build", "--claims", str(claims), "--out", str(out), "--no-search"]
    assert main(args) == 1  # the fixture has an error
    capsys.readouterr()
    code = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from kb.cli import main; c = main(sys.argv[1:]); "
            "heavy = [m for m in ('jinja2', 'matplotlib', 'pint', 'pydantic') if m in sys.modules]; "
            "print('heavy:', heavy); sys.exit(c)",
            *args,
        ],
        capture_output=True,
        text=True,
    )
    assert code.returncode == 1
    assert "site is up to date" in code.stdout and "heavy: []" in code.stdout
    (out / "claims" / "gpt4-en-gpus.html").unlink()  # a damaged site is built again
    assert main(args) == 1
    assert "up to date" not in capsys.readouterr().out
    assert (out / "claims" / "gpt4-en-gpus.html").is_file()
    assert main([*args, "--quiet"]) == 1
    assert capsys.readouterr().out == ""


def _row_of(table: Element, claim_id: str) -> Element:
    """The table row that links to a claim's page."""
    return next(
        tr for tr in table.find_all("tr") if any(claim_id in a.get("href", "") for a in tr.find_all("a"))
    )


def test_build_of_the_real_claims_folder(tmp_path: Path) -> None:
    outcome = build_site(tmp_path / "site", REPO_CLAIMS)
    assert outcome.built
    site = tmp_path / "site"
    assert (site / "index.html").is_file()
    rows = page(site, "index.html").find("table", id="claims-table").find("tbody").find_all("tr")
    # The table's HTML holds the first ROWS_IN_HTML claims; the data file its script loads, the rest.
    assert len(rows) == min(len(outcome.kb.claims), ROWS_IN_HTML)
    if len(outcome.kb.claims) > ROWS_IN_HTML:
        assert (site / DATA_FILE).is_file()
    for cid in outcome.kb.claims:
        assert (site / "claims" / f"{cid}.html").is_file()
    assert broken_links(site) == []
    # A quote that is an HTML table row reads as its cells; the archived text stays on the page.
    figure = page(site, "claims/llama31-405b-gpu-hours.html").find("figure", cls="quote")
    assert figure.find("blockquote").text().strip() == "Llama 3.1 405B | 30.84M | 700 | 8,930 | 0"
    assert "<td>30.84M </td>" in figure.find("details", cls="archived-quote").find("code").text()
    facts = page(site, "claims/llama31-405b-gpu-hours.html").find("dl", cls="wide").text()
    assert "Nominal30.84 million GPU-hours" in " ".join(facts.split()).replace("Nominal ", "Nominal")
    # A verdict's detail keeps its own brackets whole.
    detail = page(site, "claims/gpt4-qa-gpu-power.html").find("span", cls="verdict-text").text()
    assert detail.count("(") == detail.count(")") and "(420 read as 415 to 425)" in detail, detail
    # A conflict whose factor a slip explains says which, and in whose writing: 25 for 25,000 GPUs.
    flag = page(site, "claims/gpt4-leak-zh-gpu-count.html").find("p", cls="v-inconsistent").text()
    assert "the factor fits a dropped or added 'thousand'" in flag and "in either" in flag, flag
    # The first screen says why, one line each: the recomputed value and factor, the cause, the fix.
    head = page(site, "claims/gpt4-leak-zh-gpu-count.html").find("header", cls="claim-head")
    assert head.find("h1").text() == "about 25 GPUs"
    recomputed = head.find("dd", id="recomputed").text()
    assert "22,000–28,000 GPUs" in recomputed and "×1,000" in recomputed and "check original" in recomputed
    assert "thousand" in head.find("dd", id="why").text()
    assert "22,000–28,000 GPUs" in head.find("dd", id="suggested").text()
    assert "×1,000" in head.find("dd", id="suggested").text()
    assert len(head.find("details", cls="why-relations").find_all("li")) == 3
    # "Recomputed" holds what a claim's own check recomputes, never the other side of a relation it
    # is a member of: OPT's 1,024 GPUs are in compute <= GPUs x time x peak, whose side is FLOP.
    # An exact value keeps its digits (1,024, not 1,020).
    row = _row_of(page(site, "quantities/gpu_count.html"), "opt175b-final-gpu-count")
    assert row.find("td", **{"data-label": "Recomputed"}).text().strip() == ""
    assert row.find("td", **{"data-label": "Interval"}).text().strip() == "1,024 GPUs"
    # The dashboard's "What is wrong" gives a date claim the date its relations need, not the
    # dollars of the relation that condemns it.
    row = _row_of(page(site, "index.html").find("table", id="wrong-table"), "bloom-card-training-start")
    assert row.find("td", **{"data-label": "Recomputed"}).text().strip() == "on or before 2022-01-15"
    # Chinese numbers keep the source's words beside the English, marked lang="zh".
    h1 = page(site, "claims/gpt4-leak-zh-attention-params.html").find("h1")
    assert h1.text() == "about 55亿 (5.5 billion) parameters"
    assert h1.find("span").get("lang") == "zh"
    title = page(site, "sources/kdnuggets-gpt4-leak-zh.html").find("h1")
    assert title.find("span").get("lang") == "zh" and title.find("span").text() == "细节已泄露！"
    # A claim whose check fails only because of another claim says so, and is not inconsistent.
    cost = page(site, "claims/gpt4-leak-zh-training-cost.html")
    why = cost.find("dd", id="why")
    assert "gpt4-leak-zh-gpu-count" in why.text() and why.find("a").attrs["href"].endswith(
        "claims/gpt4-leak-zh-gpu-count.html"
    )
    assert "v-consistent" in cost.find("header", cls="claim-head").attrs["class"]
    # Whether a x10 slip would be caught, and by what.
    items = (
        page(site, "claims/gpt4-leak-zh-attention-params.html").find("ul", cls="protection").find_all("li")
    )
    assert [i.text().split(":")[0] for i in items] == ["Written ×10", "Written ÷10"]
    assert all("caught" in i.text() for i in items)


def test_audit_page_of_an_imported_data_set_is_built_and_linked(tmp_path: Path) -> None:
    epoch = Path(__file__).parent / "fixtures" / "epoch"
    claims = tmp_path / "claims"
    shutil.copytree(REPO_CLAIMS, claims, ignore=shutil.ignore_patterns("epoch"))
    code = main(
        [
            "import",
            "epoch",
            str(epoch / "all_ml_systems_fixture_2025-08.csv"),
            "--chips",
            str(epoch / "chips_fixture.csv"),
            "--no-prices",
            "--claims",
            str(claims),
        ]
    )
    assert code == 0
    out = tmp_path / "site"
    build_site(out, claims)
    assert (out / "audit" / "epoch.html").is_file()
    assert page(out, "index.html").find("a", href="audit/epoch.html")
    assert page(out, "sources.html").find("a", href="audit/epoch.html")
    assert broken_links(out) == []


# --- Parts -----------------------------------------------------------------------------------------


def test_markdown_is_safe() -> None:
    html = str(
        markdown.render(
            "[x](javascript:alert(1)) [y](data:text/html,hi) [z](http://ok.org) "
            "<b>raw</b> ![img](https://cdn.example/x.png) `some-claim`",
            "../",
            {"some-claim"},
        )
    )
    doc = parse(html)
    hrefs = [a.get("href") for a in doc.find_all("a")]
    assert "http://ok.org" in hrefs
    assert "../claims/some-claim.html" in hrefs
    assert not any(h and h.startswith(("javascript", "data")) for h in hrefs)
    assert not doc.find_all("b") and not doc.find_all("img")
    assert "<b>raw</b>" in doc.text()


def test_highlight_overlapping_quotes() -> None:
    from kb.model import Quote
    from kb.site.context import Citation

    text = "a <b> 123 and 456 & more"
    cites = [
        Citation(
            0, Quote(source="s", quote="<b> 123 and"), None, True, (2, 13), "q-one-0", "one", "consistent"
        ),
        Citation(
            0, Quote(source="s", quote="123 and 456"), None, True, (6, 17), "q-two-0", "two", "inconsistent"
        ),
    ]
    doc = parse("<pre>" + str(highlight(text, cites, "../")) + "</pre>")
    assert doc.text() == text
    ids = {el.get("id") for el in doc.iter() if el.get("id")}
    assert ids == {"q-one-0", "q-two-0"}
    hrefs = [m.find("a").get("href") for m in doc.find_all("mark")]
    assert hrefs[0] == "../claims/one.html" and hrefs[-1] == "../claims/two.html"


def test_chart_svg_is_themed_and_plain_text() -> None:
    spec = charts.ChartSpec(
        "USD",
        False,
        (
            charts.Row("a (src)", 5.6e7, 7.0e7, 6.3e7, "consistent"),
            charts.Row("↳ recomputed: x", 2.0e7, 1.1e8, 5e7, "consistent", recomputed=True),
            charts.Row("b <src>", 5.6e6, 7.0e6, 6.3e6, "inconsistent"),
            charts.Row("c (at least)", 1e7, float("inf"), 1e7, "unverified"),
        ),
    )
    assert charts.use_log(spec)
    svg = charts.render_svg(spec)
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag.endswith("svg")
    assert "var(--ink)" in svg and "prefers-color-scheme: dark" in svg
    assert "b &lt;src&gt;" in svg
    assert "$" not in svg  # no mathtext
    assert spec.key() == charts.ChartSpec("USD", False, spec.rows).key()
    dates = charts.ChartSpec(
        "",
        True,
        (
            charts.Row("d", 19430.0, 19431.0, 19430.5, "unverified"),
            charts.Row("e", 19400.0, 19460.0, 19430.0, "consistent"),
        ),
    )
    assert not charts.use_log(dates)
    assert "2023" in charts.render_svg(dates)


def test_chart_cache(tmp_path: Path) -> None:
    spec = charts.ChartSpec(
        "FLOP",
        False,
        (charts.Row("a", 1.0, 2.0, 1.5, "consistent"), charts.Row("b", 1.2, 2.2, 1.6, "unverified")),
    )
    cache = tmp_path / "cache"
    assert charts.write_charts([spec, spec], tmp_path / "one", cache) == 1
    assert charts.write_charts([spec], tmp_path / "two", cache) == 0
    assert (tmp_path / "two" / spec.path).read_bytes() == (tmp_path / "one" / spec.path).read_bytes()


def test_charts_drawn_in_parallel(tmp_path: Path) -> None:
    specs = [
        charts.ChartSpec(
            "FLOP",
            False,
            (
                charts.Row("a", 1.0, 2.0, 1.5, "consistent"),
                charts.Row("b", 1.0 + i, 2.0 + i, 1.5 + i, "unverified"),
            ),
        )
        for i in range(charts.PARALLEL_FROM)
    ]
    assert charts.write_charts(specs, tmp_path, workers=2) == len(specs)
    for spec in specs:
        assert (tmp_path / spec.path).read_text(encoding="utf-8").rstrip().endswith("</svg>")


def test_charts_only_for_groups_that_need_one(fixture_kb) -> None:  # type: ignore[no-untyped-def]
    kb, results = fixture_kb
    ctx = resolve(kb, results)
    need = {key for key, g in ctx.groups.items() if charts.needs_chart(g)}
    assert ("gpt-4", "training_cost") in need  # two estimates
    assert ("gpt-4", "training_compute") not in need  # one estimate, confirmed by its check
    assert ("gpt-4", "experts") not in need
    assert ("gpt-4", "architecture") not in need  # qualitative


def test_graph_layouts(fixture_kb) -> None:  # type: ignore[no-untyped-def]
    kb, results = fixture_kb
    ctx = resolve(kb, results)
    assert claim_graph(ctx, "gpt4-en-release") is None
    g = claim_graph(ctx, "gpt4-en-gpus")
    assert g is not None
    assert {n.claim_id for n in g.nodes} >= {
        "gpt4-en-gpus",
        "gpt4-en-training-cost",
        "gpt4-zh-training-cost",
    }
    assert len(g.edges) == len(g.narrow_edges) == 3
    for n in g.nodes:  # both layouts inside their box
        assert n.x >= 0 and n.x + g.node_w <= g.width and n.y >= 0 and n.y + g.node_h <= g.height
        assert n.nx >= 0 and n.nx + g.node_w <= g.narrow_width
        assert n.ny >= 0 and n.ny + g.node_h <= g.narrow_height
    assert g.narrow_width <= 390 - 25  # a phone, less the page's padding
    assert g.narrow_height > g.height  # levels stacked as rows


def test_interval_filter() -> None:
    from kb.units import unit_info

    assert (
        writer._interval(Interval(1.75, 1.85), unit_info("trillion parameter"))
        == "1.75–1.85 trillion parameters"
    )
    assert writer._interval(Interval(0.5, 0.5), unit_info("1")) == "0.5"


def test_every_page_allows_only_the_sites_own_scripts(tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert build_site(site).built
    for path in html_files(site):
        doc = page(site, str(path.relative_to(site)))
        metas = [m for m in doc.find_all("meta") if m.get("http-equiv") == "Content-Security-Policy"]
        assert len(metas) == 1 and "script-src 'self'" in (metas[0].get("content") or ""), path
        for script in doc.find_all("script"):
            # Data blocks (ClaimReview) are never run; every other script is a file of the site.
            assert script.get("src") or script.get("type") == "application/ld+json", path


# --- kb serve --------------------------------------------------------------------------------------


def test_serve_builds_serves_and_rebuilds(tmp_path: Path) -> None:
    claims = copy_fixture(tmp_path / "claims")
    out = tmp_path / "site"
    with kb_serve(claims, out, "--no-search") as url:
        with urllib.request.urlopen(url + "claims/gpt4-en-experts.html", timeout=10) as resp:
            assert resp.status == 200
            assert "16 expert" in resp.read().decode()
        note_on_experts(claims, "Rebuilt while serving.")
        deadline = time.monotonic() + 30
        body = ""
        while time.monotonic() < deadline:
            with urllib.request.urlopen(url + "claims/gpt4-en-experts.html", timeout=10) as resp:
                body = resp.read().decode()
            if "Rebuilt while serving." in body:
                break
            time.sleep(0.2)
        assert "Rebuilt while serving." in body
        # Only the site's files, only to this machine's names.
        for path, host, status in (
            (".kb-site", None, 404),  # the build manifest
            ("claims/", None, 404),  # no folder listing
            ("claims/%00x.html", None, 404),
            ("index.html", "attacker.example", 421),  # DNS rebinding
        ):
            request = urllib.request.Request(url + path, headers={"Host": host} if host else {})
            with pytest.raises(urllib.error.HTTPError) as exc:
                urllib.request.urlopen(request, timeout=10)
            assert exc.value.code == status, path
    # The server is a process of its own: it ends with kb serve, and nothing answers any more.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "index.html", timeout=2).close()
        except (urllib.error.URLError, ConnectionError):
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the server still answers after kb serve ended")


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return str(resp.read().decode("utf-8"))


def test_served_pages_ask_for_the_sites_version_and_it_changes_with_a_rebuild(tmp_path: Path) -> None:
    # What makes an open page reload itself (the browser does it in tests/test_browser.py).
    claims = copy_fixture(tmp_path / "claims")
    out = tmp_path / "site"
    with kb_serve(claims, out, "--no-search") as url:
        before = _get(url + "__kb/version")
        assert re.fullmatch(r"[0-9a-f]{64}", before), before
        for path in ("claims/gpt4-en-experts.html", ""):  # a page, and a folder's index.html
            script = parse(_get(url + path)).find("script", src="/__kb/live.js")
            assert script is not None and script.get("data-version") == before, path
        assert "/__kb/" not in (out / "claims" / "gpt4-en-experts.html").read_text(encoding="utf-8")
        assert "location.reload" in _get(url + "__kb/live.js")
        leak = claims / "gpt-4" / "leak.yaml"
        leak.write_text(leak.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        deadline, now = time.monotonic() + 30, before
        while now == before and time.monotonic() < deadline:
            time.sleep(0.2)
            now = _get(url + "__kb/version")
        assert re.fullmatch(r"[0-9a-f]{64}", now) and now != before
    with kb_serve(claims, out, "--no-search", "--no-watch") as url:
        assert "/__kb/" not in _get(url + "claims/gpt4-en-experts.html")  # nothing will change
        with pytest.raises(urllib.error.HTTPError):
            _get(url + "__kb/version")


def test_a_wrong_row_of_a_sum_is_recomputed_as_its_fix_not_as_the_sum(
    tmp_path: Path, make_kb: Callable[[str], Path]
) -> None:
    # c dropped a digit (3.84 for 30.84). The sum's right side (12.3) is not c's recomputed value:
    # its page shows the value that makes the sum hold.
    from tests.test_blame import check as claim_check
    from tests.test_blame import claim

    body = claim("total", "39.3") + claim("a", "1.46") + claim("b", "7.0") + claim("c", "3.84")
    body += claim("c2", "30.84") + claim_check("same-as-c", "x", "x: c")
    relations = (
        "relations:\n  - {id: sum, formula: total = a + b + c, inputs: {total: total, a: a, b: b, c: c}}\n"
    )
    root = make_kb("claims:\n" + body + relations + "\n")
    build_site(tmp_path / "site", root)
    recomputed = page(tmp_path / "site", "claims/c.html").find("dd", id="recomputed").text()
    assert "30." in recomputed and "12." not in recomputed, recomputed


@pytest.mark.parametrize("fork", [True, False])
def test_the_server_answers_beside_the_builds_and_stops(tmp_path: Path, fork: bool) -> None:
    # A process of its own where the platform forks; a thread elsewhere (builds then stay in one process).
    import functools
    from http.server import ThreadingHTTPServer

    from kb.commands.serve import HOST, Answering, Handler

    (tmp_path / "index.html").write_text("<p>hello</p>", encoding="utf-8")
    server = ThreadingHTTPServer((HOST, 0), functools.partial(Handler, directory=str(tmp_path)))
    url = f"http://{HOST}:{server.server_address[1]}/index.html"
    answering = Answering(server, fork=fork)
    assert answering.forked is fork
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            assert resp.read() == b"<p>hello</p>"
    finally:
        answering.stop()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url, timeout=2)


def test_serve_warms_what_every_rebuild_needs_once() -> None:
    # Run in a fresh interpreter: after warm(), the rebuild's code, the templates and matplotlib are
    # loaded, so a rebuild (and the chart process it forks) does not load them again.
    code = (
        "import sys\n"
        "from kb.commands.serve import warm\n"
        "warm()\n"
        "from kb.site import writer\n"
        "env = writer.environment()\n"
        "assert 'kb.site.build' in sys.modules and 'matplotlib.figure' in sys.modules\n"
        "assert len(env.cache) >= len(env.list_templates(extensions=['html']))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_serve_on_a_port_in_use_fails_before_building(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = tmp_path / "site"
        code = main(["serve", "--claims", str(FIXTURE), "--out", str(out), "--port", str(port), "--no-watch"])
    assert code == 1 and not out.exists()  # said at once, not after a whole build
    assert (
        f"cannot listen on 127.0.0.1:{port}: Address already in use; try --port 0" in capsys.readouterr().err
    )
