"""The site in a real browser: Debian's Chromium driven by Playwright, against a local server.

With CI set these tests always run (a missing browser fails them); without CI they are skipped
only when Chromium or Playwright is missing. Never run `playwright install`: the system Chromium
is used through executable_path.
"""

from __future__ import annotations

import functools
import os
import threading
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from site_helpers import FIXTURE, build_site, copy_fixture, html_files, kb_serve, note_on_experts

from kb import checks, contents, display

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
INCONSISTENT = "gpt4-zh-training-cost"
WIDTHS = {"desktop": 1280, "phone": 390}
PAGE_TYPES = {
    "home": "index.html",
    "claim": f"claims/{INCONSISTENT}.html",
    "claim-consistent": "claims/gpt4-en-total-params.html",
    "source": "sources/leak-en.html",
    "source-zh": "sources/leak-zh.html",
    "source-unarchived": "sources/nvidia-a100-datasheet.html",
    "subject": "subjects/gpt-4.html",
    "quantity": "quantities/training_cost.html",
    "methodology": "methodology.html",
    "errors": "errors.html",
    "sources": "sources.html",
    "search": "search.html?q=A100",
}


def _require_browser() -> Any:
    in_ci = bool(os.environ.get("CI"))
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if in_ci:
            pytest.fail("playwright is not installed (pip install -e '.[test]')")
        pytest.skip("playwright is not installed")
    if not CHROMIUM.exists():
        if in_ci:
            pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
        pytest.skip(f"{CHROMIUM} is missing")
    return sync_playwright


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser-site") / "site"
    assert build_site(out, search=True).built
    assert (out / "pagefind" / "pagefind-ui.js").is_file()
    return out


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_playwright = _require_browser()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    pg.errors = errors
    try:
        yield pg
    finally:
        context.close()
    assert errors == [], errors


@pytest.fixture(scope="module")
def results():  # type: ignore[no-untyped-def]
    return checks.run(contents.load(FIXTURE))


def test_filter_follow_claim_and_find_the_quote(page: Any, server: str, results: Any) -> None:
    page.goto(server + "index.html")
    rows = page.locator("#claims-table tbody tr")
    assert rows.count() == len(results.claims)
    assert page.locator("#claims-filter").is_visible()
    page.select_option("#f-verdict", "inconsistent")
    visible = page.locator("#claims-table tbody tr:not([hidden])")
    assert visible.count() == results.counts()["inconsistent"]
    assert "verdict=inconsistent" in page.url
    assert "Showing 1 of" in page.locator("#claims-count").inner_text()
    visible.first.locator("a").click()
    page.wait_for_url(f"**/claims/{INCONSISTENT}.html")
    badge = page.locator(".claim-head .badge")
    assert "Inconsistent" in badge.inner_text() and "✗" in badge.inner_text()
    cr = results.claims[INCONSISTENT].checks[0]
    computed = display.interval(cr.computed, cr.unit)
    assert page.locator("dd.recomputed").first.inner_text() == computed
    assert page.locator("blockquote[lang=zh]").count() == 1
    page.locator("figure.quote a.jump").first.click()
    page.wait_for_url(f"**/sources/leak-zh.html#q-{INCONSISTENT}-0")
    target = page.locator(f"mark#q-{INCONSISTENT}-0")
    assert target.is_visible()
    assert target.evaluate("el => el.matches(':target')")
    box = target.bounding_box()
    assert box is not None and 0 <= box["y"] < 900  # scrolled into view
    marks = page.locator("pre.source-text mark.hl a")
    assert marks.count() >= 2
    marks.first.click()
    page.wait_for_url("**/claims/*.html")


def test_filters_by_subject_and_text_and_sorts(page: Any, server: str, results: Any) -> None:
    page.goto(server + "index.html?subject=nvidia-a100")
    visible = page.locator("#claims-table tbody tr:not([hidden])")
    assert visible.count() == 1
    page.click("#claims-filter button[type=reset]")
    page.wait_for_function("document.querySelectorAll('#claims-table tbody tr[hidden]').length === 0")
    page.fill("#f-q", "training")
    assert 0 < visible.count() < len(results.claims)
    page.fill("#f-q", "")
    page.locator("#claims-table thead th", has_text="Value").locator("button").click()
    values = page.eval_on_selector_all(
        "#claims-table tbody tr", "rows => rows.map(r => r.cells[3].getAttribute('data-value'))"
    )
    numbers = [float(v) for v in values if v]
    assert numbers == sorted(numbers)
    assert values[-1] == ""  # qualitative claims last
    assert page.locator("#claims-table thead th[aria-sort=ascending]").count() == 1


def test_script_in_a_claim_is_text_in_the_browser(page: Any, server: str) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for path in (
        "claims/gpt4-script-statement.html",
        "sources/leak-en.html",
        "claims/gpt4-en-total-params.html",
    ):
        page.goto(server + path, wait_until="load")
    page.goto(server + "claims/gpt4-script-statement.html")
    assert "<script>alert('x')</script>" in page.locator("h1").inner_text()
    assert page.evaluate("document.querySelectorAll('main script').length") == 0
    assert dialogs == []


def test_search_for_a100(page: Any, server: str) -> None:
    page.goto(server + "search.html")
    page.locator(".pagefind-ui__search-input").fill("A100")
    results = page.locator(".pagefind-ui__result-link")
    results.first.wait_for(timeout=15000)
    hrefs = results.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert any("a100-peak-bf16" in h or "nvidia-a100" in h for h in hrefs), hrefs
    results.first.click()
    page.wait_for_load_state()
    assert page.url.startswith(server)
    # The header search box lands on the search page with the query already run.
    page.goto(server + "claims/gpt4-en-gpus.html")
    page.fill("#header-q", "A100")
    page.press("#header-q", "Enter")
    page.wait_for_url("**/search.html?q=A100")
    page.locator(".pagefind-ui__result-link").first.wait_for(timeout=15000)


def test_screenshots_of_every_page_type(browser: Any, server: str, tmp_path: Path) -> None:
    shots = Path(os.environ.get("KB_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    for device, width in WIDTHS.items():
        for scheme in ("light", "dark"):
            context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
            pg = context.new_page()
            errors: list[str] = []
            pg.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
            for name, path in PAGE_TYPES.items():
                pg.goto(server + path, wait_until="load")
                if name == "search":
                    pg.locator(".pagefind-ui__result-link").first.wait_for(timeout=15000)
                if device == "phone":
                    overflow = pg.evaluate(
                        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                    )
                    assert overflow <= 1, f"{path} is wider than a phone by {overflow}px"
                if scheme == "dark":
                    bg = pg.evaluate("getComputedStyle(document.body).backgroundColor")
                    assert bg == "rgb(13, 17, 23)", f"{path}: {bg}"
                file = shots / f"{name}-{device}-{scheme}.png"
                pg.screenshot(path=str(file), full_page=True)
                assert file.stat().st_size > 5000
            context.close()
            assert errors == []


def test_works_from_file_urls(page: Any, site: Path, results: Any) -> None:
    page.goto((site / "index.html").as_uri())
    rows = page.locator("#claims-table tbody tr")
    assert rows.count() == len(results.claims)
    page.select_option("#f-verdict", "consistent")
    assert page.locator("#claims-table tbody tr:not([hidden])").count() == results.counts()["consistent"]
    page.locator("#claims-table tbody tr:not([hidden]) a").first.click()
    page.wait_for_url("file://**/claims/*.html")
    assert page.locator(".claim-head .badge").inner_text().strip().endswith("Consistent")
    assert page.locator("img[src^='../charts/']").count() >= 1
    assert page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
    page.goto((site / "search.html").as_uri())
    assert page.locator("#search-offline").is_visible()
    page.errors.clear()  # pagefind cannot load its index from file://: the page says so


def test_table_drawn_from_its_data_file(page: Any, tmp_path: Path, results: Any) -> None:
    """A large dashboard holds its first rows in HTML and the rest in data/claims.js: the table
    draws every claim from it, filters and sorts, from file:// too."""
    from kb.site import pages

    saved = pages.ROWS_IN_HTML
    pages.ROWS_IN_HTML = 5
    try:
        site = tmp_path / "site"
        assert build_site(site).built
    finally:
        pages.ROWS_IN_HTML = saved
    page.goto((site / "index.html").as_uri())
    rows = page.locator("#claims-table tbody tr")
    assert rows.count() == len(results.claims)
    page.select_option("#f-verdict", "inconsistent")
    assert rows.count() == results.counts()["inconsistent"]
    assert "Showing 1 of" in page.locator("#claims-count").inner_text()
    page.select_option("#f-verdict", "")
    page.fill("#f-q", "a100")
    assert 0 < rows.count() < len(results.claims)
    page.fill("#f-q", "")
    page.locator("th button.sort").nth(3).click()  # by value
    assert rows.count() == len(results.claims)
    page.select_option("#f-verdict", "inconsistent")
    rows.first.locator("a").click()
    page.wait_for_url(f"file://**/claims/{INCONSISTENT}.html")
    assert "Inconsistent" in page.locator(".claim-head .badge").inner_text()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value and not (tag == "link" and ("rel", "canonical") in attrs):
                self.urls.append(value)


def test_link_checker_over_http(server: str, site: Path) -> None:
    """Walk every page from the home page and follow every internal link: none is broken."""
    seen: set[str] = set()
    pages: set[str] = set()
    broken: list[str] = []
    queue = [server + "index.html"]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        try:
            with urllib.request.urlopen(url, timeout=10) as resp:
                body = resp.read()
                kind = resp.headers.get_content_type()
        except OSError as exc:
            broken.append(f"{url}: {exc}")
            continue
        if kind != "text/html":
            continue
        pages.add(url)
        parser = _Links()
        parser.feed(body.decode("utf-8"))
        for link in parser.urls:
            absolute = urljoin(url, link)
            parts = urlsplit(absolute)
            if not absolute.startswith(server):
                assert parts.scheme in ("http", "https"), f"{url}: {link}"
                continue
            queue.append(parts._replace(query="", fragment="").geturl())
    assert broken == []
    expected = {server + str(p.relative_to(site)) for p in html_files(site)}
    assert expected <= pages, sorted(expected - pages)[:5]


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_first_screen_of_an_inconsistent_claim_says_why(browser: Any, server: str, width: str) -> None:
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 900})
    try:
        pg = context.new_page()
        pg.goto(server + f"claims/{INCONSISTENT}.html")
        for selector in ("#recomputed", "#why"):
            box = pg.locator(selector).bounding_box()
            assert box is not None and box["y"] + box["height"] <= 900, (selector, box)
        assert "×" in pg.locator("#recomputed").inner_text() or "÷" in pg.locator("#recomputed").inner_text()
        assert pg.locator("#why").inner_text().strip()
    finally:
        context.close()


def test_search_finds_a_chinese_word_inside_a_quote(page: Any, server: str) -> None:
    # "成本" sits inside the run "训练成本约为": no space delimits it, yet search finds it.
    page.goto(server + "search.html?q=" + "成本")
    page.wait_for_selector(".pagefind-ui__result")
    results = page.locator(".pagefind-ui__result")
    texts = [results.nth(i).inner_text() for i in range(results.count())]
    assert any("训练成本约为 630 万美元" in t for t in texts), texts
    assert not any("kbzhwords" in t for t in texts)  # kb's index words never show in an excerpt


def test_hovering_a_chart_point_names_its_claim_and_a_click_opens_it(page: Any, server: str) -> None:
    page.goto(server + f"claims/{INCONSISTENT}.html")
    page.wait_for_selector("figure.chart.live .vega-chart svg")
    assert not page.locator("figure.chart.live .chart-scroll").is_visible()  # the static picture gives way
    point = page.locator("figure.chart.live .mark-symbol path").first
    point.hover()
    tooltip = page.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible")
    text = tooltip.inner_text()
    assert "Claim" in text and "Source" in text and "Verdict" in text
    claim = next(line.split("\t")[-1].strip() for line in text.splitlines() if line.startswith("Claim"))
    claim = claim or text.split("Claim")[1].split()[0]
    point.click()
    page.wait_for_url(f"**/claims/{claim}.html")


def test_charts_fall_back_to_the_static_picture_without_javascript(browser: Any, server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        pg = context.new_page()
        pg.goto(server + f"claims/{INCONSISTENT}.html")
        assert pg.locator("figure.chart .chart-scroll img").is_visible()
    finally:
        context.close()


def test_any_table_sorts_and_filters(page: Any, server: str) -> None:
    page.goto(server + "subjects/gpt-4.html")
    tables = page.locator("table.group-table")
    k = max(range(tables.count()), key=lambda i: tables.nth(i).locator("tbody tr").count())
    table = tables.nth(k)
    rows = table.locator("tbody tr")
    n = rows.count()
    assert n >= 2
    head = table.locator("th", has_text="Claim").first
    head.locator("button.sort").click()
    assert head.get_attribute("aria-sort") == "ascending"

    def first_cells() -> list[str]:
        return [rows.nth(i).locator("td").first.inner_text().strip() for i in range(n)]

    ids = first_cells()
    assert ids == sorted(ids)
    head.locator("button.sort").click()
    assert head.get_attribute("aria-sort") == "descending"
    assert first_cells() == sorted(ids, reverse=True)
    box = table.locator("xpath=ancestor::div[contains(@class, 'table-scroll')][1]")
    box.locator("xpath=preceding-sibling::label[1]/input").fill(ids[0])  # the filter above this table
    visible = table.locator("tbody tr:not([hidden])")
    assert 1 <= visible.count() < n


# --- axe-core ----------------------------------------------------------------------------------------

AXE = Path(__file__).parent.parent / "node_modules" / "axe-core" / "axe.min.js"


def _axe_source() -> str:
    """axe-core as npm installed it (package.json; .ci/run runs npm ci): no network at test time."""
    if not AXE.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{AXE} is missing: npm ci")
        pytest.skip("axe-core is not installed (npm ci)")
    return AXE.read_text(encoding="utf-8")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_axe_finds_no_violation_on_any_page_type(browser: Any, server: str, width: str, scheme: str) -> None:
    source = _axe_source()
    # The pages' CSP allows only the site's own scripts; the test injects axe past it.
    context = browser.new_context(
        viewport={"width": WIDTHS[width], "height": 900}, color_scheme=scheme, bypass_csp=True
    )
    found: dict[str, list[str]] = {}
    try:
        pg = context.new_page()
        for name, path in PAGE_TYPES.items():
            pg.goto(server + path)
            if name == "search":
                pg.wait_for_selector(".pagefind-ui__result")
            pg.add_script_tag(content=source)
            violations = pg.evaluate(
                "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))"
            )
            if violations:
                found[name] = violations
    finally:
        context.close()
    assert found == {}, found


def test_an_open_page_reloads_itself_when_kb_serve_rebuilds(browser: Any, tmp_path: Path) -> None:
    claims = copy_fixture(tmp_path / "claims")
    with kb_serve(claims, tmp_path / "site", "--no-search") as url:
        context = browser.new_context()
        try:
            tab = context.new_page()
            tab.goto(url + "claims/gpt4-en-experts.html")
            assert "Rebuilt while serving." not in tab.content()
            note_on_experts(claims, "Rebuilt while serving.")
            # Nobody navigates: the page asks kb serve for the site's version and reloads.
            tab.get_by_text("Rebuilt while serving.").wait_for(timeout=30_000)
        finally:
            context.close()
