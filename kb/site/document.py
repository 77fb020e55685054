"""An archived markdown text rendered as a document, with its claimed passages highlighted.

The text is parsed with markdown-it (raw HTML off: tags show as text; images become their alt text;
links only to http(s), others keep their words). Quotes were found in the raw text, so each is
looked up again in the paragraph, heading, list item or table cell that holds it, and marked there
by `highlight`. When a quote spans blocks or formatting (a quote across two table cells), the
document cannot mark it: the caller then shows the plain text, where every quote is marked.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape

from kb.site.context import VERDICT_STYLES, Citation
from kb.site.highlight import highlight
from kb.site.markdown import commonmark

_MARKDOWN = re.compile(r"^(#{1,6} |\s*[-*] |\|.*\|\s*$|```)|!\[|\]\(", re.MULTILINE)
_SAFE_URL = re.compile(r"^https?://[^\s<>\"'`]+$", re.IGNORECASE)


def looks_like_markdown(text: str) -> bool:
    """Headings, lists, tables, fences, links or images: enough marks that a reader sees syntax."""
    return len(_MARKDOWN.findall(text)) >= 3


def _image(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    alt = "".join(c.content for c in tokens[idx].children or [])
    return f'<span class="img-alt">[image{": " + str(escape(alt)) if alt else ""}]</span>'


def _link_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    href = str(tokens[idx].attrGet("href") or "")
    safe = bool(_SAFE_URL.match(href))
    env.setdefault("links", []).append(safe)
    if not safe:  # a relative link of the original site: its words stay, the address goes
        return ""
    tokens[idx].attrSet("rel", "nofollow noopener")
    return str(self.renderToken(tokens, idx, options, env))


def _link_close(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    safe = env["links"].pop() if env.get("links") else False
    return str(self.renderToken(tokens, idx, options, env)) if safe else ""


def _heading(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    # The document's headings are its own, not the page's outline: styled, not h1-h6.
    t = tokens[idx]
    return f'<p class="doc-h doc-{t.tag}">' if t.nesting == 1 else "</p>\n"


def _marked(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return str(tokens[idx].meta["html"])


def _parser() -> MarkdownIt:
    md = commonmark()
    md.validateLink = lambda url: True  # type: ignore[method-assign]  # kept as words by _link_open
    md.add_render_rule("image", _image)
    md.add_render_rule("link_open", _link_open)
    md.add_render_rule("link_close", _link_close)
    md.add_render_rule("kb_marked", _marked)
    md.add_render_rule("heading_open", _heading)
    md.add_render_rule("heading_close", _heading)
    return md


_MD = _parser()


def _runs(children: list[Token]) -> list[tuple[int, int]]:
    """Maximal runs of plain text (text and soft line breaks) among an inline token's children."""
    out, start = [], None
    for i, t in enumerate([*children, None]):
        plain = t is not None and t.type in ("text", "softbreak")
        if plain and start is None:
            start = i
        elif not plain and start is not None:
            out.append((start, i))
            start = None
    return out


def render(text: str, citations: list[Citation], root: str) -> Markup | None:
    """The document with every located quote marked, or None if a quote cannot be placed in it."""
    pending = {c.anchor: c for c in citations if c.span is not None}
    needles = {a: " ".join(text[c.span[0] : c.span[1]].split()) for a, c in pending.items() if c.span}
    tokens = _MD.parse(text)
    for tok in tokens:
        if tok.type != "inline" or not tok.children:
            continue
        children = list(tok.children)
        for a, b in reversed(_runs(children)):
            plain = "".join("\n" if t.type == "softbreak" else t.content for t in children[a:b])
            here = _place(plain, pending, needles)
            if not here:
                continue
            marked = Token("kb_marked", "", 0)
            marked.meta = {"html": highlight(plain, here, root)}
            children[a:b] = [marked]
        tok.children = children
    for anchor, c in list(pending.items()):  # across cells or formatting: mark the whole row or block
        if _mark_block(tokens, text, c, root):
            del pending[anchor]
    if pending:
        return None
    return Markup(_MD.renderer.render(tokens, _MD.options, {}))


def _mark_block(tokens: list[Token], text: str, c: Citation, root: str) -> bool:
    """Tint the smallest block (table row, list item, paragraph) holding the quote; link its claim."""
    assert c.span is not None
    first, last = text.count("\n", 0, c.span[0]), text.count("\n", 0, max(c.span[0], c.span[1] - 1))
    holders = [  # not a tight list's paragraph: it renders no tag, so an id set on it would be lost
        i
        for i, t in enumerate(tokens)
        if t.nesting == 1 and not t.hidden and t.map and t.map[0] <= first and last < t.map[1]
    ]
    if not holders:
        return False
    i = min(holders, key=lambda k: (tokens[k].map[1] - tokens[k].map[0], -k))  # type: ignore[index]
    block = tokens[i]
    if not block.attrGet("id"):
        block.attrSet("id", c.anchor)
        block.attrSet("class", f"hl-block v-{c.verdict}")
        anchor = ""
    else:
        anchor = f'<span class="anchor" id="{escape(c.anchor)}"></span>'
    inline = next((t for t in tokens[i:] if t.type == "inline"), None)
    if inline is None:
        return False
    link = Token("kb_marked", "", 0)
    label = f"{c.claim_id} ({VERDICT_STYLES[c.verdict].label})"
    href = f"{escape(root)}claims/{escape(c.claim_id)}.html"
    link.meta = {
        "html": Markup(
            f'{anchor}<a class="hl-claim v-{escape(c.verdict)}" href="{href}" title="{escape(label)}">'
            f'<span aria-hidden="true">{VERDICT_STYLES[c.verdict].icon}</span>'
            f'<span class="visually-hidden">{escape(label)}</span></a> '
        )
    }
    inline.children = [link, *(inline.children or [])]
    return True


def _place(plain: str, pending: dict[str, Citation], needles: dict[str, str]) -> list[Citation]:
    """The pending quotes found in this run of text, with spans moved onto it (and no longer pending)."""
    found = []
    folded = " ".join(plain.split())
    for anchor, c in list(pending.items()):
        needle = needles[anchor]
        at = folded.find(needle) if needle else -1
        if at < 0:
            continue
        start = _unfold(plain, at)
        end = _unfold(plain, at + len(needle) - 1) + 1
        found.append(dataclasses.replace(c, span=(start, end)))
        del pending[anchor]
    return found


def _unfold(plain: str, i: int) -> int:
    """The offset in `plain` of character i of its whitespace-collapsed form."""
    folded = 0
    prev_space = True  # leading whitespace is dropped by split()
    for k, ch in enumerate(plain):
        space = ch.isspace()
        if space and prev_space:
            continue
        if folded == i and not space:
            return k
        folded += 1
        prev_space = space
    return len(plain)


__all__ = ["looks_like_markdown", "render"]
