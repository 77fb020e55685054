"""The `kb` command: parses arguments and hands over to one module per command (kb/commands/)."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

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
    except OSError as exc:  # an error of the system kb did not foresee (a full disk): said, not a traceback
        with contextlib.suppress(OSError, ValueError, AttributeError):
            print(f"kb: stopped by an input/output error: {exc}", file=sys.stderr)
        return 1


def run() -> NoReturn:
    """The `kb` command itself: main(), then leave without freeing what it built object by object
    (with 10,000 claims loaded, a fifth of a second of every rebuild). Exit handlers (the units
    cache's, multiprocessing's) run first and the standard streams are flushed, as at a normal exit;
    everything kb writes is closed and renamed into place before main() returns."""
    code = main()
    atexit._run_exitfuncs()
    os._exit(_flushed(code))


def _flushed(code: int) -> int:
    """The exit code once stdout and stderr are flushed: a reader that closed the pipe early wanted
    no more (silent, as `kb show X | head`); any other failure to write the output (a full disk)
    is an error, said on stderr if it can be, as Python says it at a normal exit (code 120)."""
    for stream in (sys.stdout, sys.stderr):
        if stream is None:  # started with the stream closed (`kb show X >&-`)
            continue
        try:
            stream.flush()
        except BrokenPipeError:
            continue
        except (OSError, ValueError) as exc:
            with contextlib.suppress(OSError, ValueError, AttributeError):
                print(f"kb: could not write its output: {exc}", file=sys.stderr, flush=True)
            code = code or 120
    return code
