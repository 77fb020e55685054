"""kb build: check everything and write the static site (atomically).

The site is built even when the knowledge base has errors: it shows them where they occur and on
errors.html, which is what a contributor needs to see. The exit code still says so, like
`kb check`: 0 when every check ran, 1 when the knowledge base has errors (or the build failed),
2 on usage errors. With --strict a knowledge base with errors is not built at all, and the
previous site stays in place.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from kb.cache import CACHE_DIR
from kb.commands import EXIT_ERRORS, EXIT_OK, add_claims_option
from kb.errors import KbError
from kb.site.build import DEFAULT_BASE_URL, BuildOptions, BuildOutcome, build


def add_site_options(p: argparse.ArgumentParser) -> None:
    add_claims_option(p)
    p.add_argument(
        "--out",
        type=Path,
        default=Path("site"),
        metavar="DIR",
        help="where to write the site (default: ./site)",
    )
    p.add_argument(
        "--base-url",
        default=DEFAULT_BASE_URL,
        metavar="URL",
        help=f"the address the site is published at, for the sitemap and links (default: {DEFAULT_BASE_URL})",
    )
    p.add_argument("--no-search", dest="search", action="store_false", help="skip the pagefind search index")
    p.add_argument(
        "--no-cache",
        dest="cache",
        action="store_false",
        help=f"draw every chart again (charts are cached by content in {CACHE_DIR}/charts beside the claims "
        "folder)",
    )


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "build",
        help="check everything and write the static site",
        description="Check every claim and write the static site into --out, atomically: a failed build "
        "leaves the previous site as it was. The site shows errors where they occur. Exit 0 when "
        "every check ran, 1 when the knowledge base has errors or the build failed, 2 on usage errors.",
    )
    add_site_options(p)
    p.add_argument(
        "--strict",
        action="store_true",
        help="do not build when the knowledge base has errors (the previous site stays)",
    )
    p.add_argument(
        "--verbose", "-v", action="store_true", help="print timings, and a traceback if the build fails"
    )
    p.set_defaults(run=run)


def options(args: argparse.Namespace, strict: bool = False) -> BuildOptions:
    cache = args.claims.resolve().parent / CACHE_DIR / "charts" if args.cache else None
    return BuildOptions(
        args.claims, args.out, search=args.search, base_url=args.base_url, strict=strict, cache=cache
    )


def run(args: argparse.Namespace) -> int:
    outcome = build_once(options(args, args.strict), verbose=args.verbose)
    if outcome is None:
        return EXIT_ERRORS
    return EXIT_ERRORS if outcome.results.problems or not outcome.built else EXIT_OK


def build_once(opts: BuildOptions, verbose: bool = False) -> BuildOutcome | None:
    """Build and report on stdout/stderr; None when the build failed (the previous site is unchanged)."""
    try:
        outcome = build(opts)
    except (KbError, OSError, Exception) as exc:  # noqa: BLE001 - any failure leaves the old site; say why
        message = exc.message if isinstance(exc, KbError) else f"{type(exc).__name__}: {exc}"
        print(f"kb build: failed: {message}", file=sys.stderr)
        if isinstance(exc, KbError) and exc.hint:
            print(f"    -> {exc.hint}", file=sys.stderr)
        print(f"kb build: the previous site in {opts.out} is unchanged", file=sys.stderr)
        if verbose:
            traceback.print_exc()
        return None
    counts = outcome.results.counts()
    n_problems = len(outcome.results.problems)
    summary = ", ".join(f"{n} {v}" for v, n in counts.items() if n) or "no claims"
    if not outcome.built:
        print(
            f"kb build: not built: the knowledge base has {n_problems} error(s) (--strict); "
            f"run kb check to see them; the previous site in {opts.out} is unchanged",
            file=sys.stderr,
        )
        return outcome
    print(
        f"kb build: {len(outcome.kb.claims)} claims ({summary}) -> {outcome.pages} pages, "
        f"{outcome.charts} charts ({outcome.charts_drawn} drawn) in {opts.out}/ in {outcome.seconds:.1f} s"
        + ("" if opts.search else " (no search index)")
    )
    if n_problems:
        print(
            f"kb build: the knowledge base has {n_problems} error(s); the site shows them "
            f"({opts.out}/errors.html); kb check lists them",
            file=sys.stderr,
        )
    if verbose:
        print("  " + ", ".join(f"{k} {v:.2f} s" for k, v in outcome.timings.items()))
    return outcome
