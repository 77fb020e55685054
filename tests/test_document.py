"""Archived markdown sources as documents (kb/site/document.py): safe, with every passage marked."""

from __future__ import annotations

from kb.model import Quote
from kb.site import document
from kb.site.context import Citation

TEXT = """# Model card <script>alert(1)</script>

![A diagram](../Images/arch.png) and [the paper](../paper.pdf) and [a site](https://example.org/x).

It has about 1.8 trillion
parameters, across 120 layers.

| Model | Params | Tokens |
|---|---|---|
| Big | 70B | 2.0T |
"""


def _cite(quote: str, anchor: str, verdict: str = "consistent", text: str = TEXT) -> Citation:
    start = text.index(quote)
    return Citation(
        0,
        Quote(source="s", quote=quote),
        None,
        True,
        (start, start + len(quote)),
        anchor,
        "c-" + anchor,
        verdict,
    )


def test_markdown_is_a_document_without_raw_html_images_or_unsafe_links() -> None:
    assert document.looks_like_markdown(TEXT)
    html = str(document.render(TEXT, [], "../"))
    assert "<script>" not in html and "&lt;script&gt;" in html  # raw HTML shows as text
    assert '<p class="doc-h doc-h1">' in html  # the document's headings never join the page outline
    assert "<img" not in html and "[image: A diagram]" in html
    assert "../paper.pdf" not in html and "the paper" in html  # a relative link keeps its words
    assert 'href="https://example.org/x"' in html
    assert "<table>" in html and "![" not in html and "# Model" not in html


def test_passages_are_marked_inside_paragraphs_and_as_rows_across_cells() -> None:
    inside = _cite("1.8 trillion\nparameters", "a")  # across a soft line break
    row = _cite("| Big | 70B | 2.0T |", "b", "inconsistent")  # across table cells
    html = str(document.render(TEXT, [inside, row], "../"))
    assert 'id="a"' in html and '<a href="../claims/c-a.html">1.8 trillion\nparameters</a>' in html
    assert '<tr id="b" class="hl-block v-inconsistent">' in html and 'href="../claims/c-b.html"' in html


def test_a_passage_it_cannot_place_falls_back_to_the_plain_text() -> None:
    split = _cite("120 layers.\n\n| Model", "c")  # from a paragraph into a table: no block holds it
    assert document.render(TEXT, [split], "../") is None


def test_hostile_markdown_stays_text() -> None:
    hostile = (
        '# t\n\n- a\n- b\n\n[x](javascript:alert(1)) ![y" onerror="alert(1)](x.png) '
        "<img src=x onerror=alert(1)> `<b>`\n"
    )
    html = str(document.render(hostile, [], "../"))
    assert "javascript:" not in html and "<img" not in html and "<b>" not in html
    assert 'onerror="' not in html and "[image: y&#34; onerror=&#34;alert(1)]" in html


def test_a_passage_across_formatting_in_a_tight_list_item_keeps_its_anchors() -> None:
    # A tight list's paragraphs render no tag: the item itself carries the anchors, one per quote
    # (claim pages link to each; two claims quote this item).
    text = "# t\n\n1. **Longer context**: with [FlashAttention](https://x.org) from 2K to 32K.\n2. other\n"
    quote = "**Longer context**: with [FlashAttention](https://x.org) from 2K to 32K."
    html = str(
        document.render(text, [_cite(quote, "q-a-0", text=text), _cite(quote, "q-b-0", text=text)], "../")
    )
    assert '<li id="q-a-0" class="hl-block' in html
    assert '<span class="anchor" id="q-b-0"></span>' in html
