"""kb export: the claims, checks and sources as CSV, JSON and SQLite, for spreadsheets and Datasette."""

from __future__ import annotations

import argparse
from pathlib import Path

from kb import checks, contents, export
from kb.commands import EXIT_OK, add_claims_option


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser(
        "export",
        help="write claims, checks and sources as CSV, JSON and SQLite",
        description="Check every claim, then write one row per claim, per check and per source "
        "(units and interval ends as columns) as claims.csv, checks.csv, sources.csv, kb.json and "
        "kb.sqlite (which Datasette opens as it is). The site publishes the same files under data/.",
    )
    add_claims_option(p)
    p.add_argument(
        "--out", type=Path, default=Path("export"), metavar="DIR", help="where (default: ./export)"
    )
    p.add_argument(
        "--format",
        choices=export.FORMATS,
        action="append",
        help="only this format (repeatable; default: all of csv, json and sqlite)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    kb = contents.load(args.claims)
    results = checks.run(kb)
    formats = tuple(args.format) if args.format else export.FORMATS
    for path in export.write(kb, results, args.out, formats):
        print(path)
    return EXIT_OK
