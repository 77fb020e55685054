"""kb rm CLAIM: remove a claim from its file, refusing while other checks or relations name it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kb import contents
from kb.atomic import atomic_write_text, locked
from kb.commands import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, add_claims_option
from kb.confined import read_confined
from kb.editing import dependents, remove_claim
from kb.errors import KbError, did_you_mean


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


def _fail(message: str, hint: str = "", code: int = EXIT_ERRORS) -> int:
    print(f"kb rm: {message}", file=sys.stderr)
    if hint:
        print(f"    -> {hint}", file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    root: Path = args.claims
    if not root.is_dir():
        return _fail(
            f"no claims folder at {root}", "run kb in the project folder, or pass --claims DIR", EXIT_USAGE
        )
    try:
        with locked(root):
            kb = contents.load(root)
            entry = kb.claims.get(args.claim)
            if entry is None:
                return _fail(f"no claim {args.claim!r}", did_you_mean(args.claim, kb.claims), EXIT_USAGE)
            named = dependents(kb, args.claim)
            if named:
                return _fail(
                    f"{args.claim} is named by {len(named)} other(s); nothing removed:\n  "
                    + "\n  ".join(named),
                    "remove or change those first, then run kb rm again",
                )
            display = entry.location.file
            path = root.parent / display
            text = read_confined(path, root).decode("utf-8")
            atomic_write_text(path, remove_claim(text, args.claim, display))
    except KbError as exc:
        return _fail(exc.message, exc.hint)
    except OSError as exc:
        return _fail(f"cannot write {exc.filename}: {exc.strerror or exc}", "the file is as it was")
    print(f"removed {args.claim} from {display}")
    return EXIT_OK
