"""kb import: turn a public data set into claims (kb import epoch MODELS.csv --chips CHIPS.csv)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kb.commands import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, add_claims_option
from kb.errors import KbError

PRICE_NAMES = ("hardware_prices.csv", "Hardware prices.csv")


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser(
        "import",
        help="import claims from a public data set",
        description="Import a public data set as ordinary claims, with the checks its rows allow.",
    )
    datasets = p.add_subparsers(dest="dataset", metavar="DATASET")
    datasets.required = True
    e = datasets.add_parser(
        "epoch",
        help="Epoch AI's database of AI models (all_ml_systems CSV)",
        description="Import Epoch AI's 'Data on AI Models' CSV: each row's numbers as claims under --into, "
        "excerpts of the rows as their sources, the chips' throughput and power as reference facts, and "
        "checks of compute, chip-hours and cost. Rows or cells kb cannot read are listed with their row "
        "number and the reason. Re-importing a newer release updates the files in place.",
    )
    e.add_argument("models", type=Path, metavar="MODELS_CSV", help="all_ml_systems_<date>.csv")
    e.add_argument(
        "--chips",
        type=Path,
        metavar="CSV",
        help="Epoch's chip table (peak FLOP/s, TDP) (default: chips.csv beside MODELS_CSV, if any)",
    )
    e.add_argument("--no-chips", action="store_true", help="do not import chips (no hardware checks)")
    e.add_argument(
        "--prices",
        type=Path,
        metavar="CSV",
        help="Epoch's hardware price table (default: hardware_prices.csv beside MODELS_CSV, if any)",
    )
    e.add_argument("--no-prices", action="store_true", help="do not check costs against cloud prices")
    add_claims_option(e)
    e.add_argument("--into", type=Path, metavar="DIR", help="folder for the claims (default: CLAIMS/epoch)")
    e.add_argument(
        "--release", metavar="TAG", help="release tag in source ids (default: the date in the file name)"
    )
    e.add_argument("--dry-run", action="store_true", help="read and report, write nothing")
    e.add_argument("--all-problems", action="store_true", help="list every unreadable cell, not the first 50")
    e.set_defaults(run=run_epoch)


def run_epoch(args: argparse.Namespace) -> int:
    from kb.importers.epoch import import_epoch

    prices: Path | None = args.prices
    if prices is None and not args.no_prices:
        prices = next(
            (args.models.parent / n for n in PRICE_NAMES if (args.models.parent / n).is_file()), None
        )
        if prices is not None:
            print(
                f"using prices from {prices} (--prices to choose another, --no-prices for none)",
                file=sys.stderr,
            )
    if args.no_prices:
        prices = None
    chips: Path | None = args.chips
    if chips is None and not args.no_chips and (args.models.parent / "chips.csv").is_file():
        chips = args.models.parent / "chips.csv"
        print(f"using chips from {chips} (--chips to choose another, --no-chips for none)", file=sys.stderr)
    try:
        report = import_epoch(
            args.models,
            args.claims,
            chips=chips,
            prices=prices,
            into=args.into,
            release=args.release,
            dry_run=args.dry_run,
        )
    except KbError as exc:
        print(
            f"kb import epoch: {exc.message}" + (f"\n    -> {exc.hint}" if exc.hint else ""), file=sys.stderr
        )
        return EXIT_USAGE if exc.code == "import-usage" else EXIT_ERRORS
    except BrokenPipeError:  # the reader of our output left (kb add | head): kb.cli ends quietly
        raise
    except OSError as exc:  # a full disk, a read-only folder: every file is written whole or not at all
        print(
            f"kb import epoch: cannot write {exc.filename or 'a file'}: {exc.strerror or exc}\n"
            "    -> each file is either as it was or fully written; fix the cause and run the command again",
            file=sys.stderr,
        )
        return EXIT_ERRORS
    print(report.text(limit=len(report.problems) if args.all_problems else 50))
    return EXIT_OK
