"""kb build: check everything and write the static site (atomically).

The site is built even when the knowledge base has errors: it shows them where they occur and on
errors.html, which is what a contributor needs to see. The exit code still says so, like
`kb check`: 0 when every check ran, 1 when the knowledge base has errors (or the build failed),
2 on usage errors. With --strict a knowledge base with errors is not built at all, and the
previous site stays in place.

When nothing the site is made from has changed since the last build (kb/site/fingerprint.py), it
says so and stops before importing the checker, Jinja2 or matplotlib. A rebuild renders only the
pages whose inputs changed and links the others from the previous site.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from kb.cachedir import cache_root
from kb.commands import EXIT_ERRORS, EXIT_OK, add_claims_option
from kb.site.options import DEFAULT_BASE_URL, BuildOptions

if TYPE_CHECKING:
    from kb.site.build import BuildOutcome
    from kb.site.memory import Memory


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
    p.add_argument(
        "--repo-url",
        default="",
        metavar="URL",
        help="where the claims' files are browsed (e.g. https://host/owner/repo/blob/main): each claim "
        "page links its YAML line there",
    )
    p.add_argument("--no-search", dest="search", action="store_false", help="skip the pagefind search index")
    p.add_argument(
        "--no-cache",
        dest="cache",
        action="store_false",
        help="build everything again: render every page, draw every chart and index every search shard "
        "(by default unchanged ones are reused from the previous site and from kb's cache folder, "
        "$KB_CACHE_DIR or ~/.cache/kb); no cache is read or written",
    )


def add_output_options(p: argparse.ArgumentParser, verbose_help: str) -> None:
    group = p.add_mutually_exclusive_group()
    group.add_argument("--verbose", "-v", action="store_true", help=verbose_help)
    group.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        help="print only errors (no progress bar, no summary); a progress bar is shown only at a terminal "
        "and never when CI is set",
    )


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "build",
        help="check everything and write the static site",
        description="Check every claim and write the static site into --out, atomically: a failed build "
        "leaves the previous site as it was, and a reader sees each page old or new, never half "
        "written. The site shows errors where they occur. Only what changed since the previous build "
        "is made again (a few pages are renamed over their old versions one by one; many, and a first "
        "build, replace the whole folder); when nothing did, the site is left as it is. Two builds of "
        "one folder take turns. Exit 0 when every check ran, 1 when the knowledge base has errors or "
        "the build failed, 2 on usage errors.",
    )
    add_site_options(p)
    p.add_argument(
        "--strict",
        action="store_true",
        help="do not build when the knowledge base has errors (the previous site stays)",
    )
    add_output_options(p, "print the time of each step, and a traceback if the build fails")
    p.set_defaults(run=run)


def options(args: argparse.Namespace, strict: bool = False) -> BuildOptions:
    cache = cache_root(args.claims) / "charts" if args.cache else None
    return BuildOptions(
        args.claims,
        args.out,
        search=args.search,
        base_url=args.base_url,
        repo_url=args.repo_url.rstrip("/") if args.repo_url.startswith(("https://", "http://")) else "",
        strict=strict,
        cache=cache,
        reuse=args.cache,
    )


def run(args: argparse.Namespace) -> int:
    opts = options(args, args.strict)
    if opts.reuse:
        code = up_to_date(opts, quiet=args.quiet)
        if code is not None:
            return code
    outcome = build_once(opts, verbose=args.verbose, quiet=args.quiet)
    if outcome is None:
        return EXIT_ERRORS
    return EXIT_ERRORS if outcome.results.problems or not outcome.built else EXIT_OK


def up_to_date(opts: BuildOptions, quiet: bool = False) -> int | None:
    """When the site in opts.out is up to date, say so and return the exit code; else None."""
    from kb.site import fingerprint

    start = time.perf_counter()
    manifest = fingerprint.up_to_date(opts)
    if manifest is None:
        return None
    problems = int(manifest.get("problems", 0))
    if problems and opts.strict:
        print(
            f"kb build: not built: the knowledge base has {problems} error(s) (--strict); "
            f"run kb check to see them; the previous site in {opts.out} is unchanged",
            file=sys.stderr,
        )
        return EXIT_ERRORS
    if not quiet:
        print(
            f"kb build: site is up to date: {manifest.get('summary', '')} in {opts.out}/ "
            f"(nothing changed; checked in {time.perf_counter() - start:.2f} s)"
        )
    if problems:
        print(
            f"kb build: the knowledge base has {problems} error(s); the site shows them "
            f"({opts.out}/errors.html); kb check lists them",
            file=sys.stderr,
        )
    return EXIT_ERRORS if problems else EXIT_OK


def build_once(
    opts: BuildOptions, verbose: bool = False, quiet: bool = False, memory: Memory | None = None
) -> BuildOutcome | None:
    """Build and report on stdout/stderr; None when the build failed (the previous site is unchanged).
    `memory`: what the previous build in this process kept (kb serve; kb.site.memory.Memory)."""
    from kb.errors import KbError
    from kb.site.build import build, summary_line
    from kb.site.progress import reporter

    progress = reporter(quiet=quiet, verbose=verbose)
    try:
        outcome = build(opts, progress, memory)
    except (KbError, OSError, Exception) as exc:  # noqa: BLE001 - any failure leaves the old site; say why
        progress.close()
        message = exc.message if isinstance(exc, KbError) else f"{type(exc).__name__}: {exc}"
        print(f"kb build: failed: {message}", file=sys.stderr)
        if isinstance(exc, KbError) and exc.hint:
            print(f"    -> {exc.hint}", file=sys.stderr)
        print(f"kb build: the previous site in {opts.out} is unchanged", file=sys.stderr)
        if verbose:
            traceback.print_exc()
        return None
    n_problems = len(outcome.results.problems)
    if not outcome.built:
        print(
            f"kb build: not built: the knowledge base has {n_problems} error(s) (--strict); "
            f"run kb check to see them; the previous site in {opts.out} is unchanged",
            file=sys.stderr,
        )
        return outcome
    if not quiet:
        made = f"{outcome.pages_rendered} pages rendered, {outcome.charts_drawn} charts drawn"
        if opts.search:
            made += f", {outcome.shards_indexed} of {outcome.shards} search shards indexed"
        print(f"kb build: {summary_line(outcome, opts)} in {opts.out}/ in {outcome.seconds:.1f} s ({made})")
    if n_problems:
        print(
            f"kb build: the knowledge base has {n_problems} error(s); the site shows them "
            f"({opts.out}/errors.html); kb check lists them",
            file=sys.stderr,
        )
    if verbose:
        print("  " + ", ".join(f"{k} {v:.2f} s" for k, v in outcome.timings.items()), file=sys.stderr)
    return outcome
