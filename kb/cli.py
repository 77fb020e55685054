"""The `kb` command: parses arguments and hands over to one module per command (kb/commands/)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from kb import __version__
from kb.commands import MODULE_OF, NAMES, modules


def parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line; with `only` (a command name), only that command's module is imported."""
    p = argparse.ArgumentParser(
        prog="kb", description="A knowledge base of sourced claims about language models."
    )
    p.add_argument("--version", action="version", version=f"kb {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in modules((MODULE_OF[only],) if only in MODULE_OF else NAMES):
        module.add_parser(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Only the named command's module is imported (a no-change `kb build` stays light); --help and
    # mistakes get the full parser.
    args = parser(argv[0] if argv and argv[0] in MODULE_OF else None).parse_args(argv)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
