"""What a build keeps for the next one in the same process (`kb serve`), and the two steps a build
and `remember` share: the page context of a checked knowledge base, and the salt of its page keys."""

from __future__ import annotations

from dataclasses import dataclass, field

from kb import cache, checks, contents
from kb.contents import KnowledgeBase
from kb.results import Results
from kb.site.context import SiteContext
from kb.site.keys import DigestMemo, page_keys
from kb.site.options import BuildOptions
from kb.site.pages import plan
from kb.site.resolve import resolve


@dataclass
class Memory:
    """What a build keeps for the next one in the same process (`kb serve` passes one to every
    rebuild): work whose inputs compare equal is not done again. A build without one does all."""

    digests: DigestMemo = field(default_factory=DigestMemo)
    """The claims' page-key digests (kb/site/keys.py)."""
    parsed: dict[str, cache.Entry] = field(default_factory=dict)
    """The parse cache's entries, validated (kb/cache.py): an unchanged file is not read again."""


def resolved(kb: KnowledgeBase, results: Results, options: BuildOptions) -> SiteContext:
    """The page context (kb/site/resolve.py) with the build's options on it."""
    ctx = resolve(kb, results, kb.readme, protect=False)  # protection: found beside, attached later
    ctx.repo_url = options.repo_url
    return ctx


def keys_salt(options: BuildOptions) -> bytes:
    """The options that reach every page, in every page's key."""
    return repr((options.site_url, options.search, options.repo_url)).encode()


def remember(options: BuildOptions, memory: Memory) -> None:
    """Fill `memory` as a build of options.claims would, writing nothing: `kb serve` does this when
    its site was up to date at start, so that the first edit's rebuild finds what it keeps."""
    with contents.collector_paused():
        kb = contents.load(options.claims, use_cache=options.cache is not None, kept=memory.parsed)
        results = checks.run(kb)
        ctx = resolved(kb, results, options)
        page_keys(ctx, plan(ctx, options.site_url, options.search).pages, keys_salt(options), memory.digests)
