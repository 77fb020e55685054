"""kb relate FORMULA: write a relation among claims, its formula validated and judged before writing."""

from __future__ import annotations

import argparse
from pathlib import Path

from kb import contents
from kb.atomic import atomic_write_text
from kb.commands import EXIT_OK, add_claims_option, claims_file, guarded
from kb.confined import read_confined
from kb.relating import check_relation, relation_data, tolerance_data, write_relation


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "relate",
        help="write a relation among claims (formula validated before writing)",
        description="Add a relation `left op right` (op one of =, <=, >=) among claims to the "
        "`relations:` of a claims file, each name of the formula bound to a claim with --input. The "
        "formula is parsed and the relation judged with the whole knowledge base before anything is "
        "written; its verdict is printed.",
        epilog='example: kb relate "total >= a + b" --input total=llama3-total-hours '
        "--input a=llama3-8b-hours --input b=llama3-70b-hours --id llama3-hours-total",
    )
    add_claims_option(p)
    p.add_argument("formula", metavar="FORMULA", help='e.g. "total >= a + b" or "e_a / h_a = e_b / h_b"')
    p.add_argument("--input", action="append", default=[], metavar="NAME=CLAIM", help="bind a name")
    p.add_argument("--id", required=True, help="the relation's id, a lower-case slug")
    p.add_argument("--note", default="", help="what the relation states and why it must hold")
    p.add_argument(
        "--tolerance",
        metavar="SPEC",
        help="how loosely it holds: a percentage (5%%) or a factor (x2); needs --tolerance-reason",
    )
    p.add_argument("--tolerance-reason", metavar="TEXT", help="why the relation needs its tolerance")
    p.add_argument("--file", type=Path, help="the file (default: relations.yaml beside the first input)")
    p.add_argument("--dry-run", action="store_true", help="judge it and print the verdict, write nothing")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return guarded("relate", args.claims, lambda: _run(args, args.claims))


def _run(args: argparse.Namespace, root: Path) -> int:
    kb = contents.load(root)
    tolerance = tolerance_data(args.tolerance, args.tolerance_reason)
    data = relation_data(args.formula, args.input, args.id, args.note, tolerance)
    check_relation(kb, data)
    first = next(iter(data["inputs"].values()))
    path: Path = args.file or Path(kb.claims[first].location.file).parent / "relations.yaml"
    path = claims_file(root, path if path.is_absolute() or args.file else root.parent / path)
    display = contents._display(path, root)
    old = read_confined(path, root).decode("utf-8") if path.exists() else None
    written = write_relation(kb, path, display, old, data)
    if not args.dry_run:
        atomic_write_text(path, written.text)
        print(f"added relation {args.id} to {display}")
    print(f"  verdict: {written.result.verdict} ({args.formula})")
    return EXIT_OK
