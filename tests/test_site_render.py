"""The cheap render: charts drawn beside the pages, histograms as one shape per verdict, fragments escaped."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest
from jinja2 import UndefinedError
from markupsafe import Markup, escape
from site_helpers import REPO_CLAIMS

from kb import checks, contents, procs
from kb.site import canvas, charts, drawing, fragments, writer
from kb.site.charts import BINS, HistogramSpec
from kb.site.resolve import resolve


def _spec(i: int) -> charts.ChartSpec:
    return charts.ChartSpec(
        "FLOP",
        False,
        (
            charts.Row("a", 1.0, 2.0, 1.5, "consistent"),
            charts.Row("b", 1.0 + i, 2.0 + i, 1.5 + i, "unverified"),
        ),
    )


def test_charts_drawn_in_a_process_of_their_own_equal_those_drawn_here(tmp_path: Path) -> None:
    specs = [_spec(i) for i in range(3)]
    drawer = procs.Beside(charts.write_charts, specs, tmp_path / "a")
    assert drawer.proc is not None  # forked
    assert drawer.join() == 3
    assert charts.write_charts(specs, tmp_path / "b") == 3
    for spec in specs:
        assert (tmp_path / "a" / spec.path).read_bytes() == (tmp_path / "b" / spec.path).read_bytes()


def test_a_chart_process_that_fails_raises_its_error_here(tmp_path: Path) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("a file where the site's folder goes", encoding="utf-8")
    drawer = procs.Beside(charts.write_charts, [_spec(0)], blocker)
    with pytest.raises(OSError):
        drawer.join()


def test_histogram_is_one_shape_per_verdict() -> None:
    edges = tuple(10 ** (20 + i * 6 / BINS) for i in range(BINS + 1))
    counts = (
        ("consistent", tuple(i % 7 for i in range(BINS))),
        ("inconsistent", tuple(i % 3 for i in range(BINS))),
    )
    spec = HistogramSpec("FLOP", False, True, edges, counts, tuple(i % 2 for i in range(BINS)), 200)
    svg = spec.draw()
    # the plot area's patches: one per verdict (the legend draws its own two swatches), not one per bin
    assert svg.count('id="PathCollection') == 0
    assert svg.count('<g id="patch_') < 12


def _every_kind() -> list[charts.AnyChart]:
    """A chart of each kind that sets a different axis: bars on log, linear and date axes (with
    and without recomputed rows, open and negative intervals), histograms on the same three."""
    row = charts.Row
    log_edges = tuple(10 ** (20 + i * 6 / BINS) for i in range(BINS + 1))
    counts = (
        ("consistent", tuple(i % 7 for i in range(BINS))),
        ("inconsistent", tuple(i % 3 for i in range(BINS))),
        ("unverified", tuple(i % 2 for i in range(BINS))),
    )
    return [
        charts.ChartSpec(
            "USD",
            False,
            (
                row("a (src)", 5.6e7, 7.0e7, 6.3e7, "consistent"),
                row("↳ recomputed: x", 2.0e7, 1.1e8, 5e7, "inconsistent", recomputed=True),
                row("b <src>", 5.6e6, 7.0e6, 6.3e6, "inconsistent"),
                row("c (at least)", 1e7, float("inf"), 1e7, "unverified"),
                row("d", 3e6, 4e6, 3.5e6, "error"),
            ),
        ),
        charts.ChartSpec(
            "FLOP",
            False,
            tuple(row(f"r{i}", 10.0**i, 10.0 ** (i + 1), 3 * 10.0**i, "consistent") for i in range(20)),
        ),
        charts.ChartSpec(
            "K",
            False,
            (row("neg", -40, -10, -25, "consistent"), row("pos", -5, 30, 12, "error", recomputed=True)),
        ),
        charts.ChartSpec(
            "",
            True,
            (
                row("d", 19430.0, 19431.0, 19430.5, "unverified"),
                row("e", 19400.0, 19460.0, 19430.0, "consistent"),
            ),
        ),
        HistogramSpec("FLOP", False, True, log_edges, counts, tuple(i % 2 for i in range(BINS)), 300),
        HistogramSpec(
            "USD", False, False, tuple(-50 + i * 3.5 for i in range(BINS + 1)), counts[:1], (0,) * BINS, 90
        ),
        HistogramSpec(
            "", True, False, tuple(18000.0 + i * 10 for i in range(BINS + 1)), counts[1:], (1,) * BINS, 80
        ),
    ]


def test_a_chart_drawn_after_others_equals_it_drawn_first() -> None:
    """Each kind of chart reuses its Figure: nothing of one chart (scale, limits, ticks, labels,
    legend, data) shows in the next."""
    specs = _every_kind()
    first = []
    for spec in specs:
        drawing.discard_canvases()
        first.append(spec.draw())
    assert len(set(first)) == len(specs)
    for order in (specs, specs[::-1], specs[1::2] + specs[::2]):
        for spec in order:
            assert spec.draw() == first[specs.index(spec)], spec
    figure = drawing._canvas(True).fig
    specs[0].draw()
    assert drawing._canvas(True).fig is figure  # drawn on the same Figure


def test_charts_equal_matplotlibs_own_print_svg(monkeypatch: pytest.MonkeyPatch) -> None:
    """Remembered text metrics and drawing without print_svg's MixedModeRenderer change no byte:
    each chart equals what FigureCanvasSVG.print_svg writes for a new figure."""
    import io

    from matplotlib.backends.backend_svg import FigureCanvasSVG

    specs = _every_kind()
    ours = [spec.draw() for spec in specs]

    def print_svg(canvas: canvas.Canvas) -> str:
        buf = io.StringIO()
        FigureCanvasSVG(canvas.fig).print_svg(buf, metadata={"Date": None, "Creator": None})
        canvas._reset()
        return buf.getvalue()

    monkeypatch.setattr(canvas.Canvas, "svg", print_svg)
    for spec, svg in zip(specs, ours, strict=True):
        drawing.discard_canvases()
        assert spec.draw() == svg, spec
    drawing.discard_canvases()


def test_a_chart_that_fails_half_drawn_leaves_nothing_in_the_next() -> None:
    spec = _every_kind()[4]
    assert isinstance(spec, HistogramSpec)
    drawing.discard_canvases()
    expected = spec.draw()
    broken = dataclasses.replace(spec, counts=(spec.counts[0], ("error", (1, 2))))
    with pytest.raises(ValueError):
        broken.draw()  # fails after its first verdict's shape was added
    assert spec.draw() == expected


def test_fragments_escape_what_they_show() -> None:
    assert "<script>" not in fragments.badge("consistent", text="<script>")
    assert "&lt;script&gt;" in fragments.badge("consistent", text="<script>")
    header = fragments.site_header("../", "quantities")
    assert 'href="../quantities.html" aria-current="page"' in header
    assert header.count("aria-current") == 1
    assert fragments.cjk("它大约有 <b>") == '<span lang="zh">它大约有</span> &lt;b&gt;'


def test_search_shards_are_small_and_merged_bundles_hold_only_their_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from site_helpers import build_site, page

    from kb.site import search

    monkeypatch.setattr(search, "SHARD_SIZE", 10)
    out = tmp_path / "site"
    outcome = build_site(out, search=True)
    assert outcome.shards > 1
    bundles = (page(out, "search.html").find("div", id="search").get("data-bundles") or "").split()
    assert bundles == [search.bundle_dir(i) for i in range(1, outcome.shards)]
    assert (out / "pagefind" / "pagefind-ui.js").is_file()
    for name in bundles:
        files = {f.name for f in (out / name).iterdir() if f.is_file()}
        assert "pagefind-entry.json" in files and any(f.endswith(".pf_meta") for f in files)
        assert not any(f.endswith((".js", ".css")) for f in files)  # the first bundle's UI serves them all


def test_a_claim_page_names_at_most_used_by_shown_claims_that_rest_on_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from site_helpers import build_site, page

    from kb.site import writer

    monkeypatch.setattr(writer, "USED_BY_SHOWN", 1)
    writer.environment.cache_clear()
    try:
        build_site(tmp_path / "site")
    finally:
        writer.environment.cache_clear()
    doc = page(tmp_path / "site", "claims/gpt4-en-gpus.html")
    used = next(p for p in doc.find_all("p") if "Used by 3 claims" in p.text())
    assert len(used.find_all("a")) == 1
    assert "and 2 more" in used.text()


class _Html:
    def __html__(self) -> str:
        return "<b>trusted</b>"


@pytest.mark.parametrize(
    "value", ["", "plain", "<script>\"'&</script>", "日本 <i>", 3, 2.5, None, Markup("<em>x</em>"), _Html()]
)
def test_template_output_escapes_as_markupsafe_does(value: object) -> None:
    assert writer.output_escape(value) == str(escape(value))
    template = writer.environment().from_string("<p>{{ v }}</p>")
    assert template.render(v=value) == f"<p>{escape(value)}</p>"


def test_template_output_of_an_undefined_value_still_fails() -> None:
    template = writer.environment().from_string("{{ missing }}")
    with pytest.raises(UndefinedError):
        template.render()


_CLAIM_ROW_MACRO = """{% macro claim_row(cv, root) -%}
<tr data-verdict="{{ cv.verdict }}" data-subject="{{ cv.subject_slug }}" data-quantity="{{ cv.claim.quantity }}" data-source="{% for c in cv.citations %}{{ c.source_id }}{% if not loop.last %} {% endif %}{% endfor %}" data-text="{{ cv.quote_text }}">
  <td><a href="{{ root }}{{ cv.url }}"><code>{{ cv.id }}</code></a>{% if cv.claim.kind != "claim" %} <span class="kind">{{ cv.claim.kind }}</span>{% endif %}</td>
  <td data-quantity="{{ cv.quantity_label }}">{{ cv.claim.subject }}</td>
  <td>{{ cv.quantity_label }}</td>
  <td data-value="{{ cv.sort_value if cv.sort_value is not none else '' }}">{{ cv.value_text | cjk }}</td>
  <td data-value="{{ severity_order[cv.verdict] }}">{{ badge(cv.verdict, small=True) }}</td>
  <td>{{ cv.first_source }}</td>
</tr>
{%- endmacro %}{{ claim_row(cv, root) }}"""  # noqa: E501 - the macro fragments.claim_row replaced, as it was


def test_a_claim_row_is_the_text_its_macro_was() -> None:
    kb = contents.load(REPO_CLAIMS)
    ctx = resolve(kb, checks.run(kb), protect=False)
    macro = writer.environment().from_string(_CLAIM_ROW_MACRO)
    quoting = next(iter(ctx.claims.values()))
    sources = quoting.entry.claim.sources  # what a quote may hold, escaped alike:
    sources[0] = sources[0].model_copy(update={"quote": '<b>"it\'s" & 它</b>'})
    kinds = {cv.claim.kind for cv in ctx.claims.values()}
    assert len(kinds) > 1 and any(cv.sort_value is None for cv in ctx.claims.values())
    for cv in ctx.claims.values():
        for root in ("", "../"):
            assert fragments.claim_row(cv, root) == macro.render(cv=cv, root=root)
    assert 'data-text="&lt;b&gt;&#34;it&#39;s&#34; &amp; 它&lt;/b&gt;' in fragments.claim_row(quoting, "")


def test_a_fix_bounded_on_one_side_reads_at_most_not_from_zero() -> None:
    # "cost <= GPU-hours × price" failing: the fix is "at most $4.4 million" (as kb check says),
    # not "$0–4.4 million", which reads as if kb had found the cost could be nothing.
    from kb.results import ClaimResult, Suggestion
    from kb.site.context import ClaimView
    from kb.verdicts import Verdict

    def view(lo: float, hi: float, unit: str) -> ClaimView:
        result = ClaimResult("c", Verdict.INCONSISTENT, suggested=Suggestion(lo, hi, unit))
        return ClaimView(None, result, "", "", [], [], "", "", None)  # type: ignore[arg-type]

    assert view(0.0, 4.432, "million USD").fix_text == "at most $4.43 million would be consistent"
    assert view(22050, 28050, "GPU").fix_text == "22,000–28,000 GPUs would be consistent"
    # a date in its own unit: days since 1970
    assert view(-math.inf, 19007.0, "date").fix_text == "on or before 2022-01-15 would be consistent"


def test_a_bound_is_never_shown_as_the_value_recomputed() -> None:
    # The claim's own check "cost <= GPU-hours × price" fails: what it gives is the most the cost may
    # be, not the cost; "Recomputed" shows the fix that says so, and its factor, not the bound's.
    from kb.interval import Interval
    from kb.results import CheckResult, ClaimResult, Suggestion
    from kb.site.context import ClaimView
    from kb.units import unit_info
    from kb.verdicts import Verdict

    usd = unit_info("million USD")
    bound = CheckResult("c", "at-most", "h * p", Verdict.INCONSISTENT, relation="<=", factor=0.43)
    bound.computed, bound.unit = Interval(4.34, 4.43), usd
    result = ClaimResult(
        "c", Verdict.INCONSISTENT, checks=[bound], suggested=Suggestion(0.0, 4.43, "million USD")
    )
    cv = ClaimView(None, result, "", "", [], [], "", "", None)  # type: ignore[arg-type]
    assert cv.recomputations == [] and cv.lead is bound
    assert cv.recomputed is not None and cv.recomputed[:2] == ("at most $4.43 million", None)
    equal = CheckResult("c", "same", "x", Verdict.INCONSISTENT, relation="=", factor=0.43)
    equal.computed, equal.unit = Interval(4.34, 4.43), usd
    result.checks = [equal]
    assert cv.recomputed is not None and cv.recomputed[:2] == ("$4.34–4.43 million", 0.43)


def test_the_build_pauses_the_collector_and_its_render_workers_collect(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc
    import multiprocessing

    from site_helpers import build_site

    from kb.site import build as site_build

    seen: list[bool] = []
    real = site_build.page_keys

    def keys(*args: object, **kw: object) -> dict[str, str]:
        seen.append(gc.isenabled())
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(site_build, "page_keys", keys)
    assert gc.isenabled()
    build_site(tmp_path / "site")
    assert seen == [False] and gc.isenabled()  # paused while building, as it was after
    # Rendering collects the cycles pages leave, in this process as in forked helpers, and leaves
    # the build's pause as it was.
    collecting: list[bool] = []
    monkeypatch.setattr(writer, "_write", lambda *args: collecting.append(gc.isenabled()))
    fork = multiprocessing.get_context("fork")
    turns = writer._Turns(fork.Value("i", 0), fork.Value("i", 0))
    monkeypatch.setattr(writer, "_JOB", ([object()] * 120, None, tmp_path, ""))
    with contents.collector_paused():
        assert writer._render_turns(turns, False) == 0  # nobody to tell
        assert not gc.isenabled()
    assert collecting == [True] * 120
