"""Relations among claims: every check, standalone relation and law instance, in one shape.

Gather: a claim's `checks:` (the claim against a formula of other claims), the `relations:` of
claims files (`total = a + b + c`, no claim the derived one) and the laws of `claims/laws.yaml`,
applied to every subject that has claims of all of a law's quantities. Each becomes a `Spec`;
judging (kb/judge.py) and blame (kb/blame.py) see only specs, never where they came from.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kb.contents import ClaimEntry, KnowledgeBase, unreadable_hint
from kb.errors import Location, Problem
from kb.formula import FormulaError, Node, parse
from kb.model import Check, Law, Relation, Tolerance

_OP = re.compile(r"<=|>=|=")
MAX_LAW_COMBINATIONS = 12
"""Per law and subject: more combinations of claims than this are not all tried (the first are)."""


@dataclass
class Spec:
    """One relation to judge: `left op right`, where a check's left side is its claim's value."""

    key: str
    """Unique: 'check:CLAIM/CHECK', 'relation:ID' or 'law:LAW/SUBJECT/N'."""
    kind: str
    """check, relation or law."""
    id: str
    """The check's, relation's or law's own id."""
    op: str
    formula: str
    """As written: a check's right side, or the whole 'left op right'."""
    variables: dict[str, str]
    """Formula name -> claim id."""
    left: Node | None = None
    """None for a check: the left side is the owner's stated value."""
    right: Node | None = None
    owner: str | None = None
    """The claim a check belongs to."""
    members: tuple[str, ...] = ()
    """The claims this relation verifies: a check's owner; every claim of a relation; a law's
    claims of the subject (not the fixed constants it takes from references)."""
    tolerance: Tolerance | None = None
    note: str = ""
    law: str | None = None
    law_title: str = ""
    subject: str | None = None
    locate: Callable[[], Location] = field(default=lambda: Location(""), repr=False)
    """Where the relation is written; computed on demand (positions cost a second YAML pass)."""
    problem: Problem | None = None
    """Why the relation is ill-formed (it is then judged an error)."""
    claims: tuple[str, ...] = field(init=False, repr=False, compare=False)
    """Every claim the relation involves, owner first (read over and over: set once, from the owner
    and the variables, which never change)."""

    @property
    def location(self) -> Location:
        return self.locate()

    def __post_init__(self) -> None:
        ids = ([self.owner] if self.owner else []) + list(self.variables.values())
        self.claims = tuple(dict.fromkeys(ids))

    @property
    def label(self) -> str:
        if self.kind == "check":
            return f"check {self.id!r}"
        if self.kind == "law":
            return f"law {self.law!r} ({self.subject})"
        return f"relation {self.id!r}"


def gather(kb: KnowledgeBase) -> list[Spec]:
    """Every relation of the knowledge base; problems are attached to the specs they concern."""
    specs: list[Spec] = []
    for entry in kb.claims.values():
        for i, check in enumerate(entry.claim.checks):
            specs.append(_from_check(kb, entry, check, i))
    for where, relation in kb.relations:
        specs.append(_from_relation(kb, relation, where))
    specs.extend(_from_laws(kb, specs))
    return specs


def _from_check(kb: KnowledgeBase, entry: ClaimEntry, check: Check, i: int) -> Spec:
    spec = Spec(
        key=f"check:{entry.id}/{check.id}",
        kind="check",
        id=check.id,
        op=check.relation,
        formula=check.formula,
        variables=dict(check.inputs),
        owner=entry.id,
        members=(entry.id,),
        tolerance=check.tolerance,
        note=check.note,
        locate=lambda: entry.where("checks", i),
    )
    spec.problem = _unknown_inputs(kb, spec, lambda name: entry.where("checks", i, "inputs", name))
    if spec.problem is None and (entry.value is None or entry.unit is None):
        spec.problem = Problem(
            entry.where("value"),
            f"check {check.id!r}: the claim's own value or unit has an error",
            code="check",
        )
    if spec.problem is None:
        try:
            spec.right = parse(check.formula, frozenset(check.inputs))
        except FormulaError as exc:
            spec.problem = Problem(
                _in_formula(entry.doc.path, entry.where("checks", i, "formula"), exc.offset),
                f"check {check.id!r}: {exc.message}",
                exc.hint,
                exc.code,
            )
    return spec


def _from_relation(kb: KnowledgeBase, relation: Relation, where: Location) -> Spec:
    spec = Spec(
        key=f"relation:{relation.id}",
        kind="relation",
        id=relation.id,
        op="=",
        formula=relation.formula,
        variables=dict(relation.inputs),
        members=tuple(dict.fromkeys(relation.inputs.values())),
        tolerance=relation.tolerance,
        note=relation.note,
        locate=_at(where),
    )
    spec.problem = _unknown_inputs(kb, spec, lambda name: _field(kb, relation, where, "inputs", name))
    if spec.problem is None:
        names = frozenset(relation.inputs)
        at = lambda n: _in_relation_formula(kb, relation, where, n)  # noqa: E731 - read only on an error
        _parse_sides(spec, relation.formula, names, at, f"relation {relation.id!r}")
    return spec


def _field(kb: KnowledgeBase, relation: Relation, where: Location, *path: str) -> Location:
    """Where a field of a standalone relation is written (the relation's start if not known)."""
    found = kb.relation_docs.get(relation.id)
    return found[0].location(("relations", found[1], *path)) if found else where


def _in_relation_formula(kb: KnowledgeBase, relation: Relation, where: Location, offset: int) -> Location:
    """The place of character `offset` of a standalone relation's formula."""
    found = kb.relation_docs.get(relation.id)
    return _in_formula(found[0].path, _field(kb, relation, where, "formula"), offset) if found else where


def _at(where: Location) -> Callable[[], Location]:
    return lambda: where


def split(formula: str) -> tuple[str, str, str, int]:
    """'a + b <= c' -> ('a + b', '<=', 'c', offset of c); raises FormulaError unless one operator."""
    found = list(_OP.finditer(formula))
    if len(found) != 1:
        raise FormulaError(
            "a relation joins two formulas with exactly one of =, <=, >="
            + (f" (found {len(found)})" if found else ""),
            found[1].start() if len(found) > 1 else 0,
            "write it as 'left = right', e.g. total = a + b + c",
            "relation",
        )
    m = found[0]
    return formula[: m.start()], m.group(), formula[m.end() :], m.end()


def _parse_sides(
    spec: Spec, formula: str, names: frozenset[str], at: Callable[[int], Location], what: str
) -> None:
    """Parse `left op right` into the spec, or set its problem, located by `at` (character -> place)."""
    try:
        left, op, right, offset = split(formula)
        spec.op = op
        try:
            spec.left = parse(left, names)
        except FormulaError as exc:
            raise FormulaError(exc.message, exc.offset, exc.hint, exc.code) from None
        try:
            spec.right = parse(right, names)
        except FormulaError as exc:
            raise FormulaError(exc.message, exc.offset + offset, exc.hint, exc.code) from None
    except FormulaError as exc:
        message = f"{what}: {exc.message} (at character {exc.offset + 1})"
        spec.problem = Problem(at(exc.offset), message, exc.hint, exc.code)


def _unknown_inputs(kb: KnowledgeBase, spec: Spec, locate: Callable[[str], Location]) -> Problem | None:
    for name, cid in spec.variables.items():
        source = kb.claims.get(cid)
        if source is None:
            what, hint = unreadable_hint(kb, cid, kb.claims)
            return Problem(
                locate(name),
                f"{spec.label}: {what} input {cid!r} for {name!r}",
                hint or "inputs name claim ids",
                "unknown-input",
            )
        if source.value is None or source.unit is None:
            why = "it is qualitative" if source.claim.value is None else "it has an error"
            return Problem(
                locate(name), f"{spec.label}: input {cid!r} has no usable value ({why})", code="bad-input"
            )
        if spec.owner is not None and cid == spec.owner:
            return Problem(
                locate(name),
                f"{spec.label}: the claim is an input of its own check",
                "a check recomputes its claim from other claims",
                "self-input",
            )
    return None


def _in_formula(path: Path, at: Location, offset: int) -> Location:
    """The place of character `offset` of a formula: past 'formula:' and an opening quote."""
    try:
        line = path.read_text(encoding="utf-8").splitlines()[at.line - 1]
    except (OSError, UnicodeDecodeError, IndexError):
        return at
    m = re.compile(r"formula\s*:\s*(['\"]?)").match(line, max(at.column - 1, 0))
    if m is None:
        return at
    return Location(at.file, at.line, m.end() + 1 + offset)


# --- laws --------------------------------------------------------------------------------------


def _from_laws(kb: KnowledgeBase, written: list[Spec]) -> Iterator[Spec]:
    """Each law, applied to every subject with usable claims of all its quantities."""
    if not kb.laws:
        return
    covered = {frozenset(s.claims) for s in written}
    by_subject: dict[str, dict[str, list[ClaimEntry]]] = defaultdict(lambda: defaultdict(list))
    for e in kb.claims.values():
        if e.value is not None and e.unit is not None and not e.problems and e.claim.rank != "deprecated":
            by_subject[e.claim.subject.casefold()][e.claim.quantity].append(e)
    for where, law in kb.laws:
        fixed = law.claim_inputs()
        template = _law_template(kb, law, where, fixed)
        if isinstance(template, Problem):
            kb.problems.append(template)
            continue
        left, op, right = template
        wanted = law.quantity_inputs()
        for subject_claims in by_subject.values():
            if not all(q in subject_claims for q in wanted.values()):
                continue
            for n, combo in enumerate(_combinations(wanted, subject_claims)):
                ids = {**combo, **fixed}
                if frozenset(ids.values()) in covered:
                    continue  # a hand-written relation already states it
                covered.add(frozenset(ids.values()))
                subject = kb.claims[next(iter(combo.values()))].claim.subject
                yield Spec(
                    key=f"law:{law.id}/{subject}/{n + 1}",
                    kind="law",
                    id=law.id,
                    op=op,
                    formula=law.formula,
                    variables=ids,
                    left=left,
                    right=right,
                    members=tuple(dict.fromkeys(combo.values())),
                    tolerance=law.tolerance,
                    note=law.note,
                    law=law.id,
                    law_title=law.title,
                    subject=subject,
                    locate=_at(where),
                )


def _law_template(
    kb: KnowledgeBase, law: Law, where: Location, fixed: dict[str, str]
) -> tuple[Node, str, Node] | Problem:
    for name, qid in law.quantity_inputs().items():
        if qid not in kb.quantities:
            return Problem(
                where, f"law {law.id!r}: unknown quantity {qid!r} for {name!r}", code="unknown-quantity"
            )
    for name, cid in fixed.items():
        e = kb.claims.get(cid)
        if e is None or e.value is None:
            return Problem(
                where,
                f"law {law.id!r}: input {cid!r} for {name!r} is not a claim with a value",
                code="unknown-input",
            )
    spec = Spec(key="", kind="law", id=law.id, op="=", formula=law.formula, variables={})
    _parse_sides(spec, law.formula, frozenset(law.inputs), lambda _: where, f"law {law.id!r}")
    if spec.problem is not None:
        return spec.problem
    assert spec.left is not None and spec.right is not None
    return spec.left, spec.op, spec.right


def _combinations(wanted: dict[str, str], claims: dict[str, list[ClaimEntry]]) -> Iterator[dict[str, str]]:
    """Claims to put in a law, document by document: each document's own figures, and reference facts
    or labelled assumptions where it has none. Figures of different documents are not mixed (their
    disagreements are conflicts, reported as such)."""
    sources = dict.fromkeys(
        e.claim.sources[0].source for q in wanted.values() for e in claims[q] if e.claim.kind == "claim"
    )
    seen: set[frozenset[str]] = set()
    seen_values: set[tuple[tuple[str, object], ...]] = set()
    by_id = {e.id: e for q in wanted.values() for e in claims[q]}
    count = 0
    shared = {q: [e for e in claims[q] if e.claim.kind != "claim"] for q in wanted.values()}
    for source in [*sources, None]:
        slots = []
        for name, q in wanted.items():
            own = [e for e in claims[q] if e.claim.kind == "claim" and e.claim.sources[0].source == source]
            slots.append([(name, e.id) for e in (own or shared[q])])
        for combo in itertools.product(*slots):
            ids = frozenset(cid for _, cid in combo)
            # Restatements of one figure in a document add nothing: one combination per set of values.
            same_values = tuple((name, _value_key(by_id[cid])) for name, cid in combo)
            if len(ids) < len(combo) or ids in seen or same_values in seen_values:
                continue
            seen.add(ids)
            seen_values.add(same_values)
            yield dict(combo)
            count += 1
            if count >= MAX_LAW_COMBINATIONS:
                return


def _value_key(e: ClaimEntry) -> object:
    return (e.value.stated if e.value else None, e.unit.factor if e.unit else None)


__all__ = ["Spec", "gather", "split"]
