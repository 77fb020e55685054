"""kb edit CLAIM: change a claim's fields in its file, checked before anything is written."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kb import checks, contents, report
from kb.atomic import atomic_write_text
from kb.commands import EXIT_OK, EXIT_USAGE, add_claims_option, fail, guarded
from kb.confined import read_confined
from kb.editing import EDITABLE, check_in_place, edit_claim
from kb.errors import did_you_mean
from kb.reading import parse_value_flag


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "edit",
        help="change a claim's fields (checked before writing)",
        description="Change fields of a claim in its YAML file (comments and the other claims kept), "
        "after checking the claim as it will be: an edit that gives it an error is refused. An empty "
        "value (--qualifier '') removes the field.",
        epilog="example: kb edit llama3-card-total-parameters --subject 'Llama 3 8B'",
    )
    add_claims_option(p)
    p.add_argument("claim", metavar="CLAIM", help="the claim's id")
    for field in EDITABLE:
        p.add_argument(f"--{field.replace('_', '-')}", dest=field, metavar=field.upper())
    p.set_defaults(run=run)


def _changes(args: argparse.Namespace) -> dict[str, Any]:
    given = {f: getattr(args, f) for f in EDITABLE if getattr(args, f) is not None}
    out: dict[str, Any] = {f: (v if v != "" else None) for f, v in given.items()}
    if out.get("value") is not None:
        out["value"] = parse_value_flag(out["value"])
    return out


def run(args: argparse.Namespace) -> int:
    changes = _changes(args)
    if not changes:
        flags = ", ".join(f"--{f.replace('_', '-')}" for f in EDITABLE)
        return fail("edit", "nothing to change", f"give one of {flags}", EXIT_USAGE)
    return guarded("edit", args.claims, lambda: _edit(args, args.claims, changes))


def _edit(args: argparse.Namespace, root: Path, changes: dict[str, Any]) -> int:
    kb = contents.load(root)
    entry = kb.claims.get(args.claim)
    if entry is None:
        return fail("edit", f"no claim {args.claim!r}", did_you_mean(args.claim, kb.claims), EXIT_USAGE)
    display = entry.location.file
    path = root.parent / display
    new = edit_claim(read_confined(path, root).decode("utf-8"), args.claim, changes, display)
    problems = check_in_place(kb, path, display, new, args.claim)
    if problems:
        return fail(
            "edit",
            "the edit gives the claim errors; nothing written:\n  " + "\n  ".join(map(str, problems)),
            "fix the flags and run the command again",
        )
    atomic_write_text(path, new)
    print(f"edited {args.claim} in {display}: " + ", ".join(sorted(changes)))
    kb = contents.load(root)  # the claim as written, checked with the rest, as kb add says it
    results = checks.run(kb)
    result = results.claims.get(args.claim)
    if result is not None:
        for problem in result.problems:  # what "see the errors above" points at
            print(f"  error: {problem}")
        print(f"  {report.verdict_line(result.verdict)}")
        for line in report.blame_lines(result, results, "    "):
            print(line)
    return EXIT_OK
