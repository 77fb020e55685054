"""Slugs: the one way kb makes an id, a file name or a URL part from a title, a name or a subject."""

from __future__ import annotations

import hashlib
import re
import unicodedata


def _ascii(ch: str) -> str:
    if ch.isascii():
        return "-plus" if ch == "+" else ch
    plain = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode("ascii")
    if plain:
        return plain
    name = unicodedata.name(ch, "")
    if "LETTER" in name:  # Greek and other alphabets: σ -> sigma
        return f"-{name.split()[-1]}-"
    return f"-{ord(ch):x}-" if ch.isalnum() else "-"


def slugify(text: str, limit: int = 60, stable: bool = False) -> str:
    """Lower-case ASCII words joined by '-': "GPT-4 Architecture, Costs" -> "gpt-4-architecture-costs";
    stable: "PanGu-Σ" -> "pangu-sigma", "C++" -> "c-plus-plus".

    Past `limit` a title is cut at a word; a `stable` slug (an id that must not collide) is cut with
    a hash of the whole text instead, and an empty one becomes a hash.
    """
    if stable:  # every character leaves a trace, so that two names do not collide
        letters = "".join(_ascii(ch) for ch in text)
    else:  # a title's Latin letters only: a title in another script gets no slug, an id is asked for
        letters = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", letters.lower()).strip("-")
    if stable:
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:6]
        if not slug:
            return f"x-{digest}"
        if len(slug) > limit:
            slug = slug[: limit - 7].rstrip("-") + "-" + digest
        return slug
    if len(slug) > limit:
        cut = slug[:limit]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug
