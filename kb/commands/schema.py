"""kb schema: write JSON Schemas of the YAML formats, for editors (yaml-language-server) and tools.

The schemas are generated from the pydantic models (kb/model.py), so they cannot drift from
what `kb check` accepts; tests/test_schema.py fails when the committed ones are out of date.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from kb.commands import EXIT_ERRORS, EXIT_OK
from kb.model import ClaimFile, LawFile, QuantityFile, SourceMeta
from kb.writers import atomic_write_text

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
MODELS: dict[str, tuple[type[BaseModel], str]] = {
    "claims.schema.json": (ClaimFile, "A kb claims file (claims/**/*.yaml)"),
    "source.schema.json": (SourceMeta, "A kb source's metadata (claims/sources/<id>.yaml)"),
    "quantities.schema.json": (QuantityFile, "The kb vocabulary of quantities (claims/quantities*.yaml)"),
    "laws.schema.json": (LawFile, "The laws of training and serving models (claims/laws.yaml)"),
}
# YAML reads 1.8 and 2023 as numbers, which the models accept (they keep them as text); so must
# the schemas, or an editor would mark every value.
_NUMBER_OR_TEXT = [{"type": "string"}, {"type": "number"}]
_DATE_OR_YEAR = [{"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"}, {"type": "integer"}]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "schema",
        help="write the JSON Schemas of the YAML formats to kb/schemas/",
        description="Write claims.schema.json, source.schema.json, quantities.schema.json and "
        "laws.schema.json, "
        "generated from the data model, for editors with the YAML language server.",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=SCHEMA_DIR,
        metavar="DIR",
        help="where to write them (default: kb/schemas/ of this installation)",
    )
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 if the files are out of date")
    p.set_defaults(run=run)


def _fix(schema: dict[str, Any]) -> dict[str, Any]:
    defs = schema.get("$defs", {})
    claim = defs.get("Claim", {}).get("properties", {})
    if "value" in claim:
        claim["value"] = {
            "anyOf": [
                *_NUMBER_OR_TEXT,
                {"type": "array", "items": {"anyOf": _NUMBER_OR_TEXT}, "minItems": 2, "maxItems": 2},
                {"type": "null"},
            ],
            "default": None,
            "description": claim["value"].get("description", ""),
            "title": "Value",
        }
    for props in [claim, schema.get("properties", {})]:
        for name in ("as_of", "published"):
            if name in props:
                props[name] = {
                    "anyOf": [*_DATE_OR_YEAR, {"type": "null"}],
                    "default": None,
                    "description": props[name].get("description", ""),
                    "title": props[name].get("title"),
                }
    return schema


def generate() -> dict[str, str]:
    """File name -> the schema's text, as written to kb/schemas/."""
    out = {}
    for name, (model, title) in MODELS.items():
        schema = _fix(model.model_json_schema())
        schema = {"$schema": DIALECT, **schema, "title": title}
        out[name] = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    return out


def stale(folder: Path) -> list[str]:
    """The schema files in `folder` that are missing or differ from the models."""
    bad = []
    for name, text in generate().items():
        path = folder / name
        try:
            if path.read_text(encoding="utf-8") != text:
                bad.append(name)
        except OSError:
            bad.append(name)
    return bad


def run(args: argparse.Namespace) -> int:
    if args.check:
        bad = stale(args.out)
        for name in bad:
            print(f"kb schema: {args.out / name} is out of date with kb/model.py", file=sys.stderr)
        if bad:
            print("    -> run kb schema to write them", file=sys.stderr)
            return EXIT_ERRORS
        print(f"kb schema: the schemas in {args.out} are up to date")
        return EXIT_OK
    for name, text in generate().items():
        path = args.out / name
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old != text:
            atomic_write_text(path, text)
            print(f"wrote {path}")
        else:
            print(f"{path} is up to date")
    return EXIT_OK
