"""The claim pages' protection: whether kb would catch each claim written ×10 or ÷10 and blame it
(kb/mutations.py), worked out beside the build and cached between builds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kb import mutations
from kb.cachedir import read_json, write_json
from kb.contents import KnowledgeBase
from kb.mutations import Mutation
from kb.site.context import SiteContext

PROTECTION_LIMIT = 20_000
"""Claim pages say whether a x10 slip would be caught up to this many claims (about 1 ms a claim
of CPU, spread over the cores);
past it, `kb check --mutations` gives the same answer for the whole knowledge base."""


def protection_of(kb: KnowledgeBase, cache: Path | None = None) -> dict[str, list[Mutation]]:
    """Claim id -> whether ×10 and ÷10 slips of it would be caught (kb.mutations.protection), none
    past PROTECTION_LIMIT claims. `cache`: a JSON file of earlier builds' results; only the claims
    whose relations changed are mutated again (kb.mutations.protection_cached)."""
    if len(kb.claims) > PROTECTION_LIMIT:
        return {}
    if cache is None:
        return mutations.protection(kb)
    known = read_json(cache)
    known = known if isinstance(known, dict) else {}
    before = _entry_keys(known)
    found = mutations.protection_cached(kb, known)
    if _entry_keys(known) != before:  # an entry's mutations follow from its key
        write_json(cache, known)
    return found


def protection_data(kb: KnowledgeBase, cache: Path | None = None) -> dict[str, list[dict[str, Any]]]:
    """protection_of as plain data, to come back from another process (kb/site/build.py)."""
    return {cid: mutations.as_data(found) for cid, found in protection_of(kb, cache).items()}


def attach_protection(ctx: SiteContext, data: dict[str, list[dict[str, Any]]]) -> None:
    """Put each claim's protection (protection_data) on its view."""
    for cid, rows in data.items():
        if cid in ctx.claims:
            ctx.claims[cid].protection = mutations.from_data(rows)


def _entry_keys(cache: dict[str, Any]) -> dict[str, object]:
    return {cid: e.get("key") if isinstance(e, dict) else None for cid, e in cache.items()}
