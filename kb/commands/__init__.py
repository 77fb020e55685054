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
NAMES = ("check", "show", "build", "serve", "export", "source", "add", "schema", "import_")
MODULE_OF = {name.rstrip("_"): name for name in NAMES}
"""Command name -> module name ("import" is kb.commands.import_)."""


def add_claims_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--claims",
        type=Path,
        default=Path("claims"),
        metavar="DIR",
        help="the claims folder (default: ./claims)",
    )


def modules(names: tuple[str, ...] = NAMES) -> list[ModuleType]:
    """The command modules, imported on demand: `kb build` on an up-to-date site imports only its own."""
    out = []
    for name in names:
        try:
            out.append(importlib.import_module(f"kb.commands.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"kb.commands.{name}":
                raise
    return out


def __getattr__(name: str) -> object:
    if name == "COMMANDS":  # every command module, imported at first use
        return modules()
    raise AttributeError(name)
