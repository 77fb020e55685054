"""Markdown for notes and descriptions: raw HTML off, links only to http(s), no remote images.

A code span that is exactly a claim id (`gpt4-en-experts`) becomes a link to that claim's page,
so notes can refer to other claims without writing addresses.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape

_SAFE_URL = re.compile(r"^https?://[^\s<>\"'`]+$", re.IGNORECASE)


def _validate_link(url: str) -> bool:
    return bool(_SAFE_URL.match(url.strip()))


def commonmark() -> MarkdownIt:
    """CommonMark with tables and strikethrough, raw HTML off: the base of every markdown kb renders."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    return md


def _parser() -> MarkdownIt:
    md = commonmark()
    md.disable("image")
    md.validateLink = _validate_link  # type: ignore[method-assign]

    def link_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        tokens[idx].attrSet("rel", "nofollow noopener")
        return str(self.renderToken(tokens, idx, options, env))

    def code_inline(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        content = tokens[idx].content
        code = f"<code>{escape(content)}</code>"
        claims = env.get("claim_ids") if isinstance(env, dict) else None
        if claims is not None and content in claims:
            return f'<a href="{escape(env.get("root", ""))}claims/{escape(content)}.html">{code}</a>'
        return code

    def heading(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        shift = env.get("heading_shift", 0) if isinstance(env, dict) else 0
        if shift:
            level = min(6, int(tokens[idx].tag[1]) + shift)
            tokens[idx].tag = f"h{level}"
        return str(self.renderToken(tokens, idx, options, env))

    md.add_render_rule("heading_open", heading)
    md.add_render_rule("heading_close", heading)
    md.add_render_rule("link_open", link_open)
    md.add_render_rule("code_inline", code_inline)
    return md


_MD = _parser()


def render(text: str | None, root: str = "", claim_ids: object = None, heading_shift: int = 0) -> Markup:
    """Markdown to safe HTML; `claim_ids` (a container) turns `claim-id` code spans into links;
    `heading_shift` demotes headings (2 makes a # heading an <h3>)."""
    if not text:
        return Markup("")
    return Markup(_MD.render(text, {"root": root, "claim_ids": claim_ids, "heading_shift": heading_shift}))


def render_inline(text: str | None, root: str = "", claim_ids: object = None) -> Markup:
    """Markdown for one line (no paragraph around it)."""
    if not text:
        return Markup("")
    return Markup(_MD.renderInline(text, {"root": root, "claim_ids": claim_ids}))
