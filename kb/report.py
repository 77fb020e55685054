"""Reports of a checking run: text for people, JSON for machines."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from kb import display
from kb.contents import KnowledgeBase
from kb.interval import Interval
from kb.results import VERDICTS, CheckResult, ClaimResult, Conflict, Results
from kb.slips import by_id
from kb.values import format_interval, format_number
from kb.verdicts import SEVERITY_RANK, Basis, Standing, Verdict

if TYPE_CHECKING:  # the mutation report's module is imported by the reports of mutations only
    from kb import mutations


def _factor(f: float | None) -> str:
    return display.factor(f) or "n/a"


def summary_line(kb: KnowledgeBase, results: Results) -> str:
    kinds: dict[str, int] = {}
    for e in kb.claims.values():
        kinds[e.claim.kind] = kinds.get(e.claim.kind, 0) + 1
    extra = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()) if k != "claim")
    return f"{len(kb.claims)} claims ({extra or 'no references'}) from {len(kb.sources)} sources"


def relation_name(cr: CheckResult, of: str = "") -> str:
    """'check two-n', 'check two-n of CLAIM' (when `of` is another claim), 'law six-n-d', 'relation x'."""
    if cr.kind == "law":
        return f"law {cr.law}"
    if cr.kind == "check" and of and cr.claim_id != of:
        return f"check {cr.check_id} of {cr.claim_id}"
    return f"{cr.kind} {cr.check_id}"


def check_line(cr: CheckResult, of: str = "") -> str:
    name = relation_name(cr, of)
    if cr.verdict == Verdict.ERROR:
        return f"{name}: error: {cr.diagnosis}"
    op = "" if cr.relation == "=" else f" {cr.relation}"
    if cr.kind == "check":
        text = f"{name}: stated {cr.stated_text}{op or ' vs'} recomputed {cr.computed_text}"
    else:
        text = f"{name}: {cr.formula}: left {cr.stated_text}{op or ' vs'} right {cr.computed_text}"
    if cr.verdict == Verdict.INCONSISTENT:
        apart = (
            f"nearest ends {format_number(cr.gap, 3)}x apart" if cr.gap and math.isfinite(cr.gap) else "apart"
        )
        text += f" (factor {_factor(cr.factor)}; {apart}: {cr.severity})"
    elif cr.basis and cr.basis != Basis.EXACT:
        text += f" (consistent: {cr.basis_text})"
    return text


def blame_lines(r: ClaimResult, results: Results, indent: str = "    ") -> list[str]:
    """Why a blamed claim is wrong and what it would have to be."""
    lines = []
    if r.standing == Standing.SUSPECT and r.alternatives:
        others = " or ".join(", ".join(a) for a in r.alternatives)
        lines.append(f"{indent}either this claim or {others} is wrong: the relations cannot tell which")
    lines += _relation_lines(r.condemned_by, results, indent, r.claim_id)
    return lines + _fix_lines(r, results, indent)


def _relation_lines(keys: list[str], results: Results, indent: str, of: str = "") -> list[str]:
    lines = []
    for key in keys:
        cr = results.by_key.get(key)
        if cr is None:
            continue
        lines.append(f"{indent}{check_line(cr, of)}")
        if cr.diagnosis:
            lines.append(f"{indent}  {cr.diagnosis}")
    return lines


_WHY = {
    Verdict.UNVERIFIED: "no relation verifies it yet: no law fits the document's other figures; "
    "add a check or a relation (claims/README.md) to verify it",
    Verdict.ERROR: "see the errors above",
    Verdict.CONSISTENT: "its relations hold",
    Verdict.INCONSISTENT: "relations fail and the blame falls on it",
}


def verdict_line(verdict: Verdict) -> str:
    """What kb add and kb edit say of the claim they wrote: its verdict and why, in a line."""
    return f"verdict: {verdict} ({_WHY.get(verdict, '')})"


def _fix_lines(r: ClaimResult, results: Results, indent: str, who: str = "") -> list[str]:
    """What the claim would have to be; `who` names it where several claims share one finding."""
    if r.suggested is not None:
        s = r.suggested
        one_sided = Interval(s.lo, s.hi).below_only or math.isinf(s.lo) or math.isinf(s.hi)
        word = "if" if one_sided else "at"  # "if at most ...", "if on or before ...", "at 300 ..."
        return [f"{indent}{who}would be consistent {word} {s.text}" + _slip_text(r)]
    if r.disagree:
        names = ", ".join(relation_name(results.by_key[k]) for k in r.disagree if k in results.by_key)
        return [f"{indent}{who}no single value fixes it: {names} disagree"]
    return []


def _slip_text(r: ClaimResult) -> str:
    s = r.suggested
    if s is None or s.multiplier is None:
        return ""
    return f" ({display.factor(s.multiplier)}: {s.slip_text})"


def text(kb: KnowledgeBase, results: Results, verbose: bool = False) -> str:
    counts = results.counts()
    lines = [f"kb check: {summary_line(kb, results)}", ""]
    for v in VERDICTS:
        lines.append(f"  {v:<13}{counts[v]:>6}")
    lines.append(f"  {'problems':<13}{len(results.problems):>6}  (errors in the files, listed below)")
    inconsistent = [r for r in results.claims.values() if r.verdict == Verdict.INCONSISTENT]
    if inconsistent:
        groups = findings(inconsistent)
        lines += [
            "",
            f"Inconsistent claims ({len(inconsistent)}, in {len(groups)} findings), most severe first:",
        ]
        for group in groups:
            lines += _finding_lines(kb, results, group)
    doubted = [r for r in results.claims.values() if r.standing == Standing.IN_DOUBT]
    if doubted:
        lines += ["", f"Assumptions in doubt ({len(doubted)}): the relations say they may not hold here"]
        for r in doubted:
            lines.append(f"  {r.claim_id}  {kb.claims[r.claim_id].location}")
            lines += blame_lines(r, results)
    explained = [r for r in results.claims.values() if r.standing == Standing.EXPLAINED]
    if explained:
        lines += ["", f"Failing only because another claim is wrong ({len(explained)}):"]
        for r in sorted(explained, key=lambda r: r.claim_id):
            lines.append(
                f"  {r.claim_id} ({r.verdict}): a relation fails because {', '.join(r.explained_by)} is wrong"
            )
    if verbose:
        passed = [r for r in results.claims.values() if r.verdict == Verdict.CONSISTENT]
        if passed:
            lines += ["", f"Consistent claims ({len(passed)}):"]
            for r in sorted(passed, key=lambda r: r.claim_id):
                lines.append(f"  {r.claim_id}")
                lines.extend(f"    {check_line(cr)}" for cr in r.checks)
    if results.conflicts:
        more = f", and up to {results.conflicts_omitted} more not listed" if results.conflicts_omitted else ""
        lines += ["", f"Conflicts between sources ({len(results.conflicts)}{more}):"]
        for c in results.conflicts:
            lines.append(
                f"  {c.subject} · {c.quantity}: {c.a} = {c.a_value}  vs  {c.b} = {c.b_value}"
                f"  ({'; '.join(filter(None, (_factor(c.factor), conflict_slip(c))))})"
                + (f"; {' and '.join(c.explained_by)} blamed" if c.explained_by else "")
            )
    if results.problems:
        lines += ["", f"Errors ({len(results.problems)}):"]
        lines.extend(f"  {p}".replace("\n", "\n  ") for p in results.problems)
    return "\n".join(lines)


def findings(inconsistent: list[ClaimResult]) -> list[list[ClaimResult]]:
    """Inconsistent claims as findings: a condemned claim alone, or the suspects one failure leaves
    equally likely (either A or B is wrong), most severe first."""
    by_id = {r.claim_id: r for r in inconsistent}
    seen: set[str] = set()
    out: list[list[ClaimResult]] = []
    for r in sorted(inconsistent, key=lambda r: (-_rank(r), r.claim_id)):
        if r.claim_id in seen:
            continue
        members = [r]
        if r.standing == Standing.SUSPECT:
            # Only the suspects of the same failure: two independent failures pair each suspect of
            # one with each of the other in the explanations, and are two findings, not "one of four".
            mine = set(r.condemned_by)
            others = sorted(
                {
                    c
                    for alt in r.alternatives
                    for c in alt
                    if c in by_id and c not in seen and mine & set(by_id[c].condemned_by)
                }
                - {r.claim_id}
            )
            members += [by_id[c] for c in others if by_id[c].standing == Standing.SUSPECT]
        seen.update(m.claim_id for m in members)
        out.append(members)
    return out


def _finding_lines(kb: KnowledgeBase, results: Results, group: list[ClaimResult]) -> list[str]:
    lines = []
    for r in group:
        e = kb.claims[r.claim_id]
        sev = f" {r.severity}" if r.severity else ""
        lines.append(f"  {r.claim_id}  [{e.claim.subject} · {e.claim.quantity}]{sev}  {e.location}")
    if len(group) == 1:
        return lines + blame_lines(group[0], results)
    lines.append(f"    one of these {len(group)} is wrong (the relations cannot tell which):")
    keys = list(dict.fromkeys(k for r in group for k in r.condemned_by))
    lines += _relation_lines(keys, results, "    ")
    for r in group:
        lines += _fix_lines(r, results, "    ", f"{r.claim_id} ")
    return lines


def _rank(r: ClaimResult) -> int:
    return SEVERITY_RANK[r.severity] if r.severity else 0


def quiet_text(kb: KnowledgeBase, results: Results) -> str:
    counts = results.counts()
    lines = [
        f"kb check: {summary_line(kb, results)}: "
        + ", ".join(f"{counts[v]} {v}" for v in VERDICTS)
        + f"; {len(results.problems)} problems"
    ]
    lines.extend(str(p) for p in results.problems)
    return "\n".join(lines)


def as_json(kb: KnowledgeBase, results: Results) -> dict[str, Any]:
    claims = []
    for cid, r in results.claims.items():
        e = kb.claims[cid]
        c = e.claim
        where = e.location  # found in its file's positions: once, not for the file and the line apart
        claims.append(
            {
                "id": cid,
                "kind": c.kind,
                "subject": c.subject,
                "quantity": c.quantity,
                "verdict": r.verdict,
                "standing": r.standing,
                "explained_by": r.explained_by,
                "condemned_by": r.condemned_by,
                "alternatives": r.alternatives,
                "suggested": _suggested(r),
                "severity": r.severity,
                "value": c.value,
                "unit": c.unit,
                "qualifier": c.qualifier,
                "interval": None if e.value is None else [_num(e.value.stated.lo), _num(e.value.stated.hi)],
                "file": where.file,
                "line": where.line,
                "sources": [
                    {
                        "source": s.source,
                        "quote": s.quote,
                        "translation": s.translation,
                        "found_in_archive": found,
                    }
                    for s, found in zip(c.sources, r.quote_found, strict=False)
                ],
                "checks": [relation_json(cr) for cr in r.checks],
                "errors": [p.as_dict() for p in r.problems],
            }
        )
    return {
        "summary": {**results.counts(), "problems": len(results.problems)},
        "claims": claims,
        "relations": [relation_json(cr) for cr in results.relations],
        "conflicts": [c.__dict__ for c in results.conflicts],
        "errors": [p.as_dict() for p in results.problems],
    }


def relation_json(cr: CheckResult) -> dict[str, Any]:
    return {
        "id": cr.check_id,
        "key": cr.key,
        "kind": cr.kind,
        "relation": cr.relation,
        "law": cr.law,
        "formula": cr.formula,
        "verdict": cr.verdict,
        "basis": cr.basis,
        "computed": None if cr.computed is None else [_num(cr.computed.lo), _num(cr.computed.hi)],
        "factor": _num(cr.factor) if cr.factor is not None else None,
        "gap": _num(cr.gap),
        "severity": cr.severity,
        "diagnosis": cr.diagnosis,
        "slip": cr.slip,
        "members": cr.members,
        "inputs": {i.name: i.claim_id for i in cr.inputs},
        "explained_by": cr.explained_by,
        "inconsistent_inputs": cr.inconsistent_inputs,
        "assumptions": cr.assumptions,
    }


def _suggested(r: ClaimResult) -> dict[str, Any] | None:
    s = r.suggested
    if s is None:
        return None
    return {"lo": _num(s.lo), "hi": _num(s.hi), "unit": s.unit, "slip": s.slip, "multiplier": s.multiplier}


def _num(x: float | None) -> float | str | None:
    if x is None:
        return None
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def json_text(kb: KnowledgeBase, results: Results, found: mutations.Report | None = None) -> str:
    data = as_json(kb, results)
    if found is not None:
        data["mutations"] = mutation_json(found)
    return _indented(data)


def _indented(data: Any) -> str:
    """`json.dumps(data, ensure_ascii=False, indent=1, default=str)`, byte for byte: the standard
    library indents through a chain of Python generators (its C encoder does not indent), a value
    at a time; a report has hundreds of thousands of values, put here into one list by one function
    (tests/test_report.py compares both)."""
    out: list[str] = []
    _put(data, out, "\n")
    return "".join(out)


def _put(o: Any, out: list[str], newline: str) -> None:
    """One value, as json's encoder tells the types apart and in its order; `newline` ends a line at
    this value's depth."""
    if isinstance(o, str):
        out.append(_string(o))
    elif o is None:
        out.append("null")
    elif o is True:
        out.append("true")
    elif o is False:
        out.append("false")
    elif isinstance(o, int):
        out.append(int.__repr__(o))
    elif isinstance(o, float):
        out.append(_float(o))
    elif isinstance(o, (list, tuple)):
        if not o:
            out.append("[]")
            return
        inner = newline + " "
        out.append("[")
        for i, value in enumerate(o):
            out.append("," + inner if i else inner)
            _put(value, out, inner)
        out.append(newline + "]")
    elif isinstance(o, dict):
        if not o:
            out.append("{}")
            return
        inner = newline + " "
        out.append("{")
        first = True
        for key, value in o.items():
            out.append(inner if first else "," + inner)
            first = False
            out.append(_string(_key(key)))
            out.append(": ")
            _put(value, out, inner)
        out.append(newline + "}")
    else:
        _put(str(o), out, newline)  # json.dumps(default=str)


_string = json.encoder.encode_basestring


def _float(x: float) -> str:
    if x != x:
        return "NaN"
    if x == math.inf:
        return "Infinity"
    if x == -math.inf:
        return "-Infinity"
    return float.__repr__(x)


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, float):
        return _float(key)
    if key is True or key is False or key is None:
        return {True: "true", False: "false", None: "null"}[key]
    if isinstance(key, int):
        return int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")


def _times(f: float) -> str:
    return display.factor(f)


def mutation_text(found: mutations.Report, verbose: bool = False) -> str:
    """The detection rate, by factor, and the claims no mutation of which is caught."""
    from kb import mutations

    written = ", ".join(_times(f) for f in mutations.FACTORS)
    lines = [
        f"Mutations: {len(found.mutations)} (every claim with a value written {written})",
        f"  caught (kb blames the mutated claim): {found.rate:.0%}",
        f"  caught and blamed alone (not one of several suspects): {found.alone_rate:.0%}",
    ]
    for f in mutations.FACTORS:
        lines.append(f"    {_times(f):<8} {found.rate_of(f):.0%}")
    flagged = [m for m in found.mutations if m.flagged and not m.caught]
    lines.append(f"  flagged but blamed elsewhere: {len(flagged)}")
    if verbose:
        lines.extend(f"    {m.claim_id} {_times(m.factor)}: blamed {', '.join(m.blamed)}" for m in flagged)
    unprotected = found.unprotected()
    lines.append(f"  unprotected claims (no mutation caught: add a check or a relation): {len(unprotected)}")
    lines.extend(f"    {cid}" for cid in unprotected)
    return "\n".join(lines)


def mutation_json(found: mutations.Report) -> dict[str, Any]:
    from kb import mutations

    return {
        "rate": found.rate,
        "alone_rate": found.alone_rate,
        "by_factor": {str(f): found.rate_of(f) for f in mutations.FACTORS},
        "unprotected": found.unprotected(),
        "mutations": [m.__dict__ for m in found.mutations],
    }


def conflict_slip(c: Conflict) -> str:
    """'fits <slip>, in <claim>' (or 'in either') for a conflict whose factor a known slip explains,
    else '': the same words in kb check and on claim pages."""
    slip = by_id(c.slip) if c.slip else None
    if slip is None or not c.slip_in:
        return ""
    where = "either" if len(c.slip_in) > 1 else c.slip_in[0]
    return f"fits {slip.text}, in {where}"


__all__ = ["text", "json_text", "as_json", "check_line", "format_interval"]
