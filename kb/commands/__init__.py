"""One module per command; each has add_parser(subparsers) and run(args) -> exit code."""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path
from types import ModuleType

EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_USAGE = 2

# In the order `kb --help` lists them.
NAMES = ("check", "show", "build", "serve", "source", "add", "schema", "import_")


def add_claims_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--claims",
        type=Path,
        default=Path("claims"),
        metavar="DIR",
        help="the claims folder (default: ./claims)",
    )


def _modules() -> list[ModuleType]:
    out = []
    for name in NAMES:
        try:
            out.append(importlib.import_module(f"kb.commands.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"kb.commands.{name}":
                raise
    return out


COMMANDS = _modules()
