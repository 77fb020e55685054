"""kb quantity add ID: add a quantity to the vocabulary (claims/quantities-local.yaml by default)."""

from __future__ import annotations

import argparse
from pathlib import Path

from pydantic import ValidationError

from kb import contents
from kb.atomic import atomic_write_text
from kb.commands import EXIT_OK, EXIT_USAGE, add_claims_option, fail, guarded
from kb.confined import read_confined
from kb.errors import did_you_mean
from kb.model import Quantity
from kb.units import unit_info
from kb.writers import add_claim

DEFAULT_FILE = "quantities-local.yaml"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "quantity",
        help="add a quantity to the vocabulary (kb quantity add ID ...)",
        description="Manage the vocabulary of quantities (claims/quantities*.yaml).",
    )
    qsub = p.add_subparsers(dest="quantity_command", metavar="SUBCOMMAND")
    qsub.required = True
    a = qsub.add_parser(
        "add",
        help="add a quantity",
        description="Add a quantity (id, label, unit, description) to a quantities file, after checking "
        "that the id is new and the unit is one kb reads (claims/units.yaml may define more).",
        epilog='example: kb quantity add vocabulary_size --label "Tokenizer vocabulary" --unit token',
    )
    add_claims_option(a)
    a.add_argument("id", metavar="ID", help="a lower-case id, words joined by _ (e.g. vocabulary_size)")
    a.add_argument("--label", required=True, help="its name for people")
    a.add_argument(
        "--unit", required=True, help="a unit of its dimensions (pint syntax), e.g. token, USD/GPU/hour"
    )
    a.add_argument("--description", default="", help="what exactly it measures")
    a.add_argument("--file", type=Path, help=f"the quantities file (default: claims/{DEFAULT_FILE})")
    a.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    data = {"id": args.id, "label": args.label, "unit": args.unit}
    if args.description:
        data["description"] = args.description
    try:
        Quantity.model_validate(data)
    except ValidationError as exc:
        reasons = "; ".join(e["msg"] for e in exc.errors())
        return fail("quantity add", f"not a quantity: {reasons}", "see kb quantity add --help", EXIT_USAGE)
    return guarded("quantity add", args.claims, lambda: _add(args, args.claims, data))


def _add(args: argparse.Namespace, root: Path, data: dict[str, str]) -> int:
    path: Path = args.file or root / DEFAULT_FILE
    if (
        not path.name.startswith("quantities")
        or path.suffix != ".yaml"
        or path.resolve().parent != root.resolve()
    ):
        return fail(
            "quantity add",
            f"{path} is not a quantities file",
            f"kb reads {root}/quantities*.yaml",
            EXIT_USAGE,
        )
    kb = contents.load(root)
    if args.id in kb.quantities:
        return fail("quantity add", f"quantity {args.id!r} exists already", "use it, or choose another id")
    unit_info(args.unit)
    old = read_confined(path, root).decode("utf-8") if path.exists() else None
    display = contents._display(path, root)
    schema = "../kb/schemas/quantities.schema.json"
    atomic_write_text(path, add_claim(old, data, display, schema, key="quantities"))
    print(f"added quantity {args.id} [{args.unit}] to {display}")
    near = did_you_mean(args.id, {q for q in kb.quantities if q != args.id})
    if near:
        print(f"  note: similar quantities exist ({near.removeprefix('did you mean ').rstrip('?')})")
    return EXIT_OK
