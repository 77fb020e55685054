"""Draft files: what `kb extract` proposes, for a person to review, and the accepted part made claims.

A draft lists every proposal as a claim with three fields of review: `review` (pending, accept or
drop), `guessed` (the fields kb guessed: quantity, subject, translation) and `read` (how the value
was read). Nothing in a draft is a claim until it is accepted: `kb extract --accept DRAFT` adds
the accepted ones to a claims file (locked, atomic, keeping what is there) and leaves the draft.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml.comments import CommentedSeq

from kb.checks import claim_problems
from kb.contents import ClaimEntry, KnowledgeBase, Source
from kb.errors import KbError, Problem
from kb.extract import Proposal
from kb.model import Claim
from kb.readers import YamlProblem, read_yaml
from kb.slugs import slugify
from kb.writers import add_claim, claim_node, dump_yaml

REVIEW = ("pending", "accept", "drop")
REVIEW_KEYS = ("review", "guessed", "read")


def draft_items(kb: KnowledgeBase, source: Source, proposals: list[Proposal]) -> list[dict[str, Any]]:
    """The proposals as draft items: claims with their review fields, ids new to the knowledge base."""
    english = source.meta.language.split("-")[0] == "en"
    taken = set(kb.claims)
    items: list[dict[str, Any]] = []
    for p in proposals:
        # The subject and quantity name a claim best ("llama-3-8b-training-chip-hours").
        base = f"{slugify(p.subject, 50) or source.id}-{slugify(p.quantity or 'number')}"
        cid, n = base, 2
        while cid in taken:
            cid, n = f"{base}-{n}", n + 1
        taken.add(cid)
        cite: dict[str, Any] = {"source": source.id, "quote": p.quote}
        guessed = list(p.guessed)
        if not english:
            cite["translation"] = ""  # a person translates: kb never invents one
            guessed.append("translation")
        item: dict[str, Any] = {
            "id": cid,
            "subject": p.subject,
            "quantity": p.quantity or "",
            "value": p.reading.value,
            "unit": None if p.unit == "1" else p.unit,
            "qualifier": p.reading.qualifier,
            "sources": [cite],
        }
        node = claim_node(item)
        node.insert(0, "review", "pending")
        node.insert(1, "guessed", _flow(guessed))
        node["read"] = f"{p.reading.text!r}" + (f"; {p.reading.note}" if p.reading.note else "")
        items.append(node)
    return items


def _flow(items: list[str]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def render(source: Source, items: list[dict[str, Any]], draft: str) -> str:
    header = (
        f"# kb extract: {len(items)} proposals from source {source.id}. Nothing here is a claim yet.\n"
        "# Review each: fix what is wrong, then set `review: accept`, or `review: drop`. The fields\n"
        "# under `guessed` were guessed by kb (quantity, subject; translation is left for you to\n"
        "# write); `read` says which words the value was read from. Then:\n"
        f"#   kb extract --accept {draft}\n"
    )
    return header + dump_yaml({"source": source.id, "proposals": items})


@dataclass
class Accepted:
    claims: list[dict[str, Any]]
    dropped: int
    pending: int


def accepted(kb: KnowledgeBase, path: Path, display: str) -> Accepted:
    """The accepted claims of a draft, checked; raises KbError naming the draft's line of any problem."""
    try:
        doc = read_yaml(path, display)
    except YamlProblem as exc:
        raise KbError(str(exc.problem), "fix the draft's YAML and run the command again") from None
    items = doc.data.get("proposals") if isinstance(doc.data, dict) else None
    if not isinstance(items, list):
        raise KbError(f"{display} has no `proposals:` list", "give a draft written by kb extract")
    out, dropped, pending, problems = [], 0, 0, []
    ids = set(kb.claims)
    wrong: set[int] = set()  # the proposals with a problem (one may have several)
    for i, item in enumerate(items):
        where = doc.location(("proposals", i))
        review = item.get("review") if isinstance(item, dict) else None
        found: list[Problem] = []
        if review not in REVIEW:
            found.append(Problem(where, f"review must be one of {', '.join(REVIEW)}", "", "draft"))
        elif review != "accept":
            dropped, pending = dropped + (review == "drop"), pending + (review == "pending")
        else:
            claim = {k: v for k, v in item.items() if k not in REVIEW_KEYS}
            found = _problems(kb, claim, where, ids, ClaimSite(doc, ("proposals", i)))
            ids.add(str(claim.get("id")))
            out.append(claim)
        if found:
            problems.extend(found)
            wrong.add(i)
    if problems:
        raise KbError(
            f"{len(wrong)} proposal(s) of {display} are not claims yet ({len(problems)} problem(s)):\n  "
            + "\n  ".join(str(p) for p in problems),
            "fix them in the draft (or set review: pending) and run the command again",
        )
    return Accepted(out, dropped, pending)


@dataclass
class ClaimSite:
    """Where a proposal sits in its draft: its problems are located there."""

    doc: Any
    base: tuple[str, int]


# Problems the draft's own checks report already, in the draft's words.
_REPORTED = frozenset({"missing-translation", "unknown-quantity"})


def _problems(
    kb: KnowledgeBase, claim: dict[str, Any], where: Any, ids: set[str], site: ClaimSite
) -> list[Problem]:
    found = []
    for cite in claim.get("sources") or []:
        if isinstance(cite, dict) and cite.get("translation") == "":
            found.append(Problem(where, "the translation is empty", "write an English translation", "draft"))
    if claim.get("quantity") not in kb.quantities:
        found.append(Problem(where, f"unknown quantity {claim.get('quantity')!r}", "pick one", "draft"))
    if claim.get("id") in ids:
        found.append(Problem(where, f"a claim {claim.get('id')!r} exists already", "change the id", "draft"))
    try:
        parsed = Claim.model_validate(claim)
    except ValidationError as exc:
        for e in exc.errors():
            loc = ".".join(str(x) for x in e["loc"])
            found.append(Problem(where, f"{loc}: {e['msg']}", "fix the field", "draft"))
        return found
    # What kb add refuses and kb check reports as an error: a unit its quantity does not measure in,
    # a value its quote does not state, a quote its source does not hold.
    entry = ClaimEntry(parsed, site.doc, site.base)
    found.extend(p for p in claim_problems(kb, entry) if p.code not in _REPORTED)
    return found


def add_all(text: str | None, claims: list[dict[str, Any]], display: str, schema: str) -> str:
    """The claims file's text with every accepted claim appended."""
    for claim in claims:
        text = add_claim(text, claim, display, schema)
    assert text is not None
    return text
