"""Writing a relation among claims from the command line: validated, judged, then written.

The relation is checked as it will be in its file before anything is written: its formula parses
(kb/relations.py `split`, the one parser of "left op right"), every name has a claim and every
claim exists, the units agree, and it is judged with the rest of the knowledge base.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kb import checks
from kb.contents import KnowledgeBase
from kb.errors import KbError, did_you_mean
from kb.formula import FormulaError
from kb.model import Relation
from kb.readers import YamlProblem, read_yaml, validate
from kb.relations import split
from kb.results import CheckResult
from kb.writers import add_claim

_NAME = re.compile(r"[^\W\d]\w*")  # a formula name, as Relation.inputs allows


@dataclass
class Written:
    text: str
    result: CheckResult


_TOLERANCE = re.compile(r"(?:(?P<pct>\d+(?:\.\d+)?)\s*%|[x×]\s*(?P<factor>\d+(?:\.\d+)?))")


def tolerance_data(spec: str | None, reason: str | None) -> dict[str, Any] | None:
    """A relation's tolerance from the command line: "5%" (relative) or "x2" (a factor), with why."""
    if spec is None:
        if reason:
            raise KbError("--tolerance-reason without --tolerance", "add e.g. --tolerance 5% (or x2)")
        return None
    m = _TOLERANCE.fullmatch(spec.strip())
    if m is None:
        raise KbError(f"--tolerance {spec!r} is neither a percentage nor a factor", "write e.g. 5% or x2")
    if not reason:
        raise KbError(
            "a tolerance needs its reason", 'add --tolerance-reason "why the relation holds only so loosely"'
        )
    if m.group("pct") is not None:
        return {"relative": float(m.group("pct")) / 100, "reason": reason}
    return {"factor": float(m.group("factor")), "reason": reason}


def relation_data(
    formula: str, inputs: list[str], rid: str, note: str, tolerance: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The relation as YAML data from the command line's `NAME=CLAIM` inputs."""
    pairs: dict[str, str] = {}
    for item in inputs:
        name, sep, claim = item.partition("=")
        if not sep or not _NAME.fullmatch(name.strip()) or not claim.strip():
            raise KbError(f"--input {item!r} is not NAME=CLAIM_ID", "e.g. --input total=llama3-total-hours")
        pairs[name.strip()] = claim.strip()
    data: dict[str, Any] = {"id": rid, "formula": formula, "inputs": pairs}
    if note:
        data["note"] = note
    if tolerance is not None:
        data["tolerance"] = tolerance
    return data


def check_relation(kb: KnowledgeBase, data: dict[str, Any]) -> None:
    """Refuse, naming the problem, a relation whose formula, names or claims are wrong."""
    try:
        split(data["formula"])
    except FormulaError as exc:
        raise KbError(f"formula {data['formula']!r}: {exc.message}", exc.hint) from None
    for name, claim in data["inputs"].items():
        if claim not in kb.claims:
            raise KbError(
                f"--input {name}={claim}: no claim {claim!r}",
                did_you_mean(claim, kb.claims) or "kb show lists a claim; kb check lists them all",
            )
    if any(r.id == data["id"] for _, r in kb.relations):
        raise KbError(f"a relation {data['id']!r} exists already", "choose another --id")
    try:
        Relation.model_validate(data)
    except ValidationError as exc:
        raise KbError("the relation is not valid: " + "; ".join(e["msg"] for e in exc.errors())) from None


def write_relation(
    kb: KnowledgeBase, path: Path, display: str, old: str | None, data: dict[str, Any]
) -> Written:
    """The file's new text with the relation added, and the relation judged as it will be."""
    text = add_claim(old, data, display, None, key="relations")
    try:
        doc = read_yaml(path, display, text)
    except YamlProblem as exc:  # pragma: no cover - add_claim read it back already
        raise KbError(str(exc.problem)) from None
    n = len(doc.data["relations"]) - 1
    relation, problems = validate(Relation, doc.data["relations"][n], doc, ("relations", n))
    if relation is None:
        raise KbError("the relation is not valid:\n  " + "\n  ".join(str(p) for p in problems))
    kb.relations.append((doc.location(("relations", n)), relation))
    kb.relation_docs[relation.id] = (doc, n)
    result = checks.run(kb).by_key[f"relation:{relation.id}"]
    if result.problem is not None:
        raise KbError(result.problem.message, result.problem.hint)
    return Written(text, result)
