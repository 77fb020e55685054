"""Editing and removing a claim in its file, and finding what depends on a claim.

Both go through ruamel.yaml's round trip (comments and order kept) and are read back and
compared before writing: the other claims of the file must come out unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from kb import checks, contents
from kb.contents import ClaimEntry, KnowledgeBase
from kb.errors import KbError, Problem
from kb.model import Claim, LawInput
from kb.readers import YamlProblem, read_yaml, validate
from kb.writers import CLAIM_KEY_ORDER, _load_rt, claim_node, dump_yaml

EDITABLE = ("subject", "quantity", "value", "unit", "qualifier", "statement", "as_of", "notes", "kind")


def dependents(kb: KnowledgeBase, claim_id: str) -> list[str]:
    """What names the claim: other claims' checks, relations, laws (as a fixed input)."""
    out = []
    for entry in kb.claims.values():
        for check in entry.claim.checks:
            if claim_id in check.inputs.values() and entry.id != claim_id:
                out.append(f"check {check.id!r} of claim {entry.id} ({entry.location})")
    for where, relation in kb.relations:
        if claim_id in relation.inputs.values():
            out.append(f"relation {relation.id!r} ({where})")
    for where, law in kb.laws:
        fixed = [i.claim for i in law.inputs.values() if isinstance(i, LawInput)] + [
            i for i in law.inputs.values() if isinstance(i, str)
        ]
        if claim_id in fixed:
            out.append(f"law {law.id!r} ({where})")
    return out


def _claims_seq(text: str, display: str) -> tuple[CommentedMap, CommentedSeq]:
    data = _load_rt(text, display)
    if not isinstance(data, CommentedMap) or not isinstance(data.get("claims"), CommentedSeq):
        raise KbError(f"{display} has no claims list", "kb check shows what is wrong with the file")
    return data, data["claims"]


def _index(seq: CommentedSeq, claim_id: str, display: str) -> int:
    for i, item in enumerate(seq):
        if isinstance(item, dict) and item.get("id") == claim_id:
            return i
    raise KbError(f"no claim {claim_id!r} in {display}", "the knowledge base changed; run the command again")


def _plain(text: str, display: str) -> list[Any]:
    try:
        data = read_yaml(Path(display), display, text).data
    except YamlProblem as exc:  # pragma: no cover - dump_yaml writes YAML
        raise KbError(str(exc.problem)) from None
    return list(data.get("claims") or []) if isinstance(data, dict) else []


def remove_claim(text: str, claim_id: str, display: str) -> str:
    """The file's text without the claim; every other claim as it was."""
    before = _plain(text, display)
    data, seq = _claims_seq(text, display)
    del seq[_index(seq, claim_id, display)]
    new = dump_yaml(data)
    if [c for c in before if c.get("id") != claim_id] != _plain(new, display):
        raise KbError(f"removing {claim_id} would change other claims of {display}", "edit the file by hand")
    return new


def edit_claim(text: str, claim_id: str, changes: dict[str, Any], display: str) -> str:
    """The file's text with the claim's fields changed (None removes a field); others as they were."""
    before = _plain(text, display)
    data, seq = _claims_seq(text, display)
    i = _index(seq, claim_id, display)
    item = seq[i]
    for key, value in changes.items():
        if value is None:
            item.pop(key, None)
        elif key in item:
            item[key] = claim_node({key: value})[key]
        else:  # in the usual order of a claim's keys, not at the end
            order = list(CLAIM_KEY_ORDER)
            rank = order.index(key) if key in order else len(order)
            pos = sum(1 for k in item if (order.index(k) if k in order else len(order)) < rank)
            item.insert(pos, key, claim_node({key: value})[key])
    new = dump_yaml(data)
    after = _plain(new, display)
    if after[:i] + after[i + 1 :] != before[:i] + before[i + 1 :]:
        raise KbError(f"editing {claim_id} would change other claims of {display}", "edit the file by hand")
    return new


def check_in_place(kb: KnowledgeBase, path: Path, display: str, text: str, claim_id: str) -> list[Problem]:
    """The problems of a claim as it will be in `text`, checked with the knowledge base, unwritten."""
    try:
        doc = read_yaml(path, display, text)
    except YamlProblem as exc:
        return [exc.problem]
    items = doc.data.get("claims") or []
    i = next(n for n, c in enumerate(items) if isinstance(c, dict) and c.get("id") == claim_id)
    claim, problems = validate(Claim, items[i], doc, ("claims", i))
    if claim is None:
        return problems
    entry = ClaimEntry(claim, doc, ("claims", i))
    contents.resolve_value(kb, entry)
    kb.claims[claim.id] = entry
    result = checks.run(kb).claims[claim.id]
    return [*entry.problems, *result.problems, *(c.problem for c in result.checks if c.problem)]
