"""kb schema: the committed JSON Schemas match the models, and the YAML files follow them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from kb.cli import main
from kb.commands.schema import SCHEMA_DIR, generate, stale

REPO = Path(__file__).resolve().parent.parent


def test_committed_schemas_are_up_to_date() -> None:
    assert stale(SCHEMA_DIR) == [], "run `kb schema` and commit kb/schemas/"


def test_kb_schema_writes_and_checks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--check", "--out", str(tmp_path)]) == 1
    assert "out of date" in capsys.readouterr().err
    assert main(["schema", "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "claims.schema.json",
        "laws.schema.json",
        "quantities.schema.json",
        "source.schema.json",
    ]
    assert main(["schema", "--check", "--out", str(tmp_path)]) == 0
    claims = json.loads((tmp_path / "claims.schema.json").read_text())
    assert claims["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "quantity" in claims["$defs"]["Claim"]["required"]
    assert claims["$defs"]["Claim"]["properties"]["unit"]["description"].startswith("pint unit")


def test_yaml_files_name_the_schemas_that_exist() -> None:
    for path in (REPO / "claims").rglob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        if first.startswith("# yaml-language-server: $schema="):
            target = (path.parent / first.split("=", 1)[1]).resolve()
            assert target.name in generate(), path
            assert target.exists(), f"{path}: {target}"


def _as_json(data: Any) -> Any:
    """YAML data as an editor's language server sees it: dates are strings."""
    if isinstance(data, dict):
        return {str(k): _as_json(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_as_json(v) for v in data]
    if isinstance(data, (dt.date, dt.datetime)):
        return data.isoformat()
    return data


def test_the_knowledge_base_follows_the_schemas() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schemas = {name: json.loads(text) for name, text in generate().items()}
    root = REPO / "claims"
    for path in sorted(root.rglob("*.yaml")):
        data = _as_json(yaml.safe_load(path.read_text(encoding="utf-8")))
        rel = path.relative_to(root)
        if rel.as_posix() == "units.yaml":
            continue  # no JSON Schema: kb checks each pint definition itself (kb/unitsfile.py)
        name = (
            "source"
            if rel.parts[0] == "sources"
            else "quantities"
            if path.name.startswith("quantities")
            else "laws"
            if path.name == "laws.yaml"
            else "claims"
        ) + ".schema.json"
        errors = list(jsonschema.Draft202012Validator(schemas[name]).iter_errors(data))
        assert not errors, f"{rel}: {errors[0].message}"
    bad = {
        "claims": [
            {
                "id": "x",
                "subject": "s",
                "quantity": "q",
                "value": 1,
                "sources": [{"source": "a"}],
                "quantiy": "typo",
            }
        ]
    }
    assert list(jsonschema.Draft202012Validator(schemas["claims.schema.json"]).iter_errors(bad))
