"""One module per command; each has add_parser(subparsers) and run(args) -> exit code."""

from __future__ import annotations

import argparse
from pathlib import Path
from types import ModuleType

EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_USAGE = 2


def add_claims_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--claims", type=Path, default=Path("claims"), metavar="DIR",
                   help="the claims folder (default: ./claims)")


def _modules() -> list[ModuleType]:
    from kb.commands import check, show

    return [check, show]


COMMANDS = _modules()
