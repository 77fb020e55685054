"""Slugs: the one way kb makes an id or a file name from a title or a subject.

kb/importers/epoch.py and kb/site/context.py still have their own; they are to switch to this one.
"""

from __future__ import annotations

import re
import unicodedata


def slugify(title: str, limit: int = 60) -> str:
    """A lower-case ASCII slug of a title: "GPT-4 Architecture, Costs" -> "gpt-4-architecture-costs"."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > limit:
        cut = slug[:limit]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug
