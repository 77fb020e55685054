"""kb check: run every check and report; the exit code tells the state."""

from __future__ import annotations

import argparse
import gc
import sys

from kb import checks, contents, report
from kb.commands import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, add_claims_option
from kb.errors import KbError
from kb.filters import Filter, add_filter_options, restrict, select
from kb.verdicts import Verdict


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser(
        "check",
        help="check every claim and print the report",
        description="Check every claim. Exit 0 when every check ran, 1 when the knowledge base "
        "has errors (or inconsistent claims, with --fail-on inconsistent), 2 on usage errors.",
    )
    add_claims_option(p)
    p.add_argument("--format", choices=["text", "json"], default="text", help="report format (default: text)")
    p.add_argument(
        "--fail-on",
        choices=[Verdict.ERROR.value, Verdict.INCONSISTENT.value],
        default=Verdict.ERROR.value,
        help="also exit 1 on inconsistent claims (for CI)",
    )
    p.add_argument(
        "--mutations",
        action="store_true",
        help="also report, for every claim, whether kb would catch it written x10, x1000, /10 or /1000 "
        "and blame that very claim: the detection rate and the unprotected claims",
    )
    add_filter_options(p)
    loud = p.add_mutually_exclusive_group()
    loud.add_argument("--verbose", "-v", action="store_true", help="list consistent claims too")
    loud.add_argument("--quiet", "-q", action="store_true", help="print only the counts and the errors")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # The collector stays paused from reading to the report: each pause that ended in between (after
    # reading, after checking) let a collection walk every object made so far, none of them garbage.
    with contents.collector_paused():
        try:
            return _run(args)
        finally:
            gc.freeze()  # all of it lives until the command ends: the collector need not walk it again


def _run(args: argparse.Namespace) -> int:
    kb = contents.load(args.claims)
    results = checks.run(kb)
    wanted = Filter.from_args(args)
    if wanted.active:  # everything is checked; the report shows the selected claims only
        try:
            results = restrict(kb, results, select(kb, results, wanted))
        except KbError as exc:
            print(f"kb check: {exc.message}\n    -> {exc.hint}", file=sys.stderr)
            return EXIT_USAGE
        if args.format == "text":
            print(f"(showing the {len(results.claims)} claims that match the filters)")
    found = None
    if args.mutations:  # imported only here: a plain check needs none of it
        from kb import mutations

        found = mutations.run(kb, claims=results.claims if wanted.active else None)  # the claims shown
    if args.format == "json":
        sys.stdout.write(report.json_text(kb, results, found) + "\n")
    elif args.quiet:
        print(report.quiet_text(kb, results))
    else:
        print(report.text(kb, results, verbose=args.verbose))
    if found is not None and args.format == "text":
        print()
        print(report.mutation_text(found, verbose=args.verbose))
    counts = results.counts()
    if results.problems:
        return EXIT_ERRORS
    if args.fail_on == Verdict.INCONSISTENT and counts[Verdict.INCONSISTENT]:
        return EXIT_ERRORS
    return EXIT_OK
