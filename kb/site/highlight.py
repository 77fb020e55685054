"""An archived text with every claimed passage highlighted and linked to its claim.

Quotes may overlap (two claims quoting the same sentence), so the text is cut at every quote
boundary; each piece covered by quotes becomes a <mark> linked to the innermost one. The first
piece of each quote carries its anchor id (`q-<claim>-<n>`), which claim pages link to.
Everything is escaped here, so the result is safe to insert as Markup.
"""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup, escape

from kb.site.context import VERDICT_STYLES, Citation


def highlight(text: str, citations: Iterable[Citation], root: str) -> Markup:
    marks = sorted((c for c in citations if c.span is not None), key=lambda c: c.span or (0, 0))
    if not marks:
        return escape(text)
    points = sorted({0, len(text)} | {p for c in marks for p in (c.span or (0, 0))})
    starts: dict[int, list[Citation]] = {}
    for c in marks:
        assert c.span is not None
        starts.setdefault(c.span[0], []).append(c)
    out: list[str] = []
    active: list[Citation] = []
    for a, b in zip(points, points[1:], strict=False):
        active = [c for c in active if c.span is not None and c.span[1] > a]
        opening = starts.get(a, [])
        active.extend(opening)
        piece = str(escape(text[a:b]))
        if not active:
            out.append(piece)
            continue
        inner = min(active, key=lambda c: (c.span[1] - c.span[0]) if c.span else 0)
        for extra in opening[1:]:
            out.append(f'<span class="anchor" id="{escape(extra.anchor)}"></span>')
        ident = f' id="{escape(opening[0].anchor)}"' if opening else ""
        classes = f"hl v-{inner.verdict}" + (" start" if opening else "")
        names = "; ".join(dict.fromkeys(_title(c) for c in active))
        out.append(
            f'<mark class="{classes}"{ident} title="{escape(names)}">'
            f'<a href="{escape(root)}claims/{escape(inner.claim_id)}.html">{piece}</a></mark>'
        )
    return Markup("".join(out))


def _title(c: Citation) -> str:
    """The tooltip of a passage: its claim, verdict and, for a quote in another language, its translation."""
    text = f"{c.claim_id} ({VERDICT_STYLES[c.verdict].label})"
    return text + (f": “{c.quote.translation}”" if c.quote.translation else "")
