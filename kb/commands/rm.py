"""kb rm CLAIM: remove a claim from its file, refusing while other checks or relations name it."""

from __future__ import annotations

import argparse
from pathlib import Path

from kb import contents
from kb.atomic import atomic_write_text
from kb.commands import EXIT_OK, EXIT_USAGE, add_claims_option, fail, guarded
from kb.confined import read_confined
from kb.editing import dependents, remove_claim
from kb.errors import did_you_mean


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "rm",
        help="remove a claim (refused while others depend on it)",
        description="Remove a claim from its YAML file, keeping the rest of the file. Refused, with the "
        "list, while a check of another claim, a relation or a law names it: remove or change those first.",
        epilog="example: kb rm llama3-card-number",
    )
    add_claims_option(p)
    p.add_argument("claim", metavar="CLAIM", help="the claim's id")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return guarded("rm", args.claims, lambda: _remove(args, args.claims))


def _remove(args: argparse.Namespace, root: Path) -> int:
    kb = contents.load(root)
    entry = kb.claims.get(args.claim)
    if entry is None:
        return fail("rm", f"no claim {args.claim!r}", did_you_mean(args.claim, kb.claims), EXIT_USAGE)
    named = dependents(kb, args.claim)
    if named:
        return fail(
            "rm",
            f"{args.claim} is named by {len(named)} other(s); nothing removed:\n  " + "\n  ".join(named),
            "remove or change those first, then run kb rm again",
        )
    display = entry.location.file
    path = root.parent / display
    text = read_confined(path, root).decode("utf-8")
    atomic_write_text(path, remove_claim(text, args.claim, display))
    print(f"removed {args.claim} from {display}")
    return EXIT_OK
