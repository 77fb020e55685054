"""One module per command; each has add_parser(subparsers) and run(args) -> exit code."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_USAGE = 2

# In the order `kb --help` lists them.
NAMES = (
    "check",
    "show",
    "build",
    "serve",
    "export",
    "source",
    "add",
    "extract",
    "relate",
    "edit",
    "rm",
    "quantity",
    "schema",
    "import_",
)
MODULE_OF = {name.rstrip("_"): name for name in NAMES}
"""Command name -> module name ("import" is kb.commands.import_)."""


def fail(command: str, message: str, hint: str = "", code: int = EXIT_ERRORS) -> int:
    """Print a refusal as every command does (what is wrong, then what to do); returns the exit code."""
    print(f"kb {command}: {message}", file=sys.stderr)
    if hint:
        print(f"    -> {hint}", file=sys.stderr)
    return code


def guarded(command: str, root: Path, body: Callable[[], int], lock: bool = True) -> int:
    """Run a writing command's body under the claims folder's lock; its refusals and write errors
    become messages and exit codes, never a traceback."""
    from kb.atomic import locked
    from kb.errors import KbError

    if not root.is_dir():
        return fail(
            command, f"no claims folder at {root}", "run kb in the project folder, or pass --claims DIR", 2
        )
    try:
        if not lock:
            return body()
        with locked(root):
            return body()
    except KbError as exc:
        return fail(command, exc.message, exc.hint)
    except FileExistsError as exc:
        return fail(
            command, f"{exc} exists already; nothing written", "review it, or give --force to replace it"
        )
    except BrokenPipeError:  # the reader of our output left (kb add | head): kb.cli ends quietly
        raise
    except OSError as exc:
        return fail(
            command, f"cannot write {exc.filename}: {exc.strerror or exc}", "the files are as they were"
        )


def claims_file(root: Path, path: Path) -> Path:
    """`path` as a claims file inside the claims folder, named as kb check names it; KbError otherwise."""
    from kb.contents import SOURCES_DIR
    from kb.errors import KbError

    try:
        rel = path.resolve().relative_to(root.resolve())
    except ValueError:
        raise KbError(f"{path} is outside the claims folder {root}", "choose a file there") from None
    if path.suffix != ".yaml" or rel.parts[0] == SOURCES_DIR or path.name.startswith("quantities"):
        raise KbError(f"{path} is not a claims file", "choose a .yaml file outside sources/")
    return root / rel


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
