"""Reports of a checking run: text for people, JSON for machines."""

from __future__ import annotations

import json
import math
from typing import Any

from kb.contents import KnowledgeBase
from kb.results import VERDICTS, CheckResult, Results
from kb.values import format_interval, format_number


def _factor(f: float | None) -> str:
    return "n/a" if f is None or not math.isfinite(f) else f"×{format_number(f, 3)}"


def summary_line(kb: KnowledgeBase, results: Results) -> str:
    kinds: dict[str, int] = {}
    for e in kb.claims.values():
        kinds[e.claim.kind] = kinds.get(e.claim.kind, 0) + 1
    extra = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()) if k != "claim")
    return f"{len(kb.claims)} claims ({extra or 'no references'}) from {len(kb.sources)} sources"


def check_line(cr: CheckResult) -> str:
    if cr.verdict == "error":
        return f"check {cr.check_id}: error: {cr.diagnosis}"
    text = f"check {cr.check_id}: recomputed {cr.computed_text} vs stated {cr.stated_text}"
    if cr.verdict == "inconsistent":
        apart = (
            f"nearest ends {format_number(cr.gap, 3)}x apart" if cr.gap and math.isfinite(cr.gap) else "apart"
        )
        text += f" (factor {_factor(cr.factor)}; {apart}: {cr.severity})"
    elif cr.basis and cr.basis != "exact":
        text += f" (consistent: {cr.basis_text})"
    return text


def text(kb: KnowledgeBase, results: Results, verbose: bool = False) -> str:
    counts = results.counts()
    lines = [f"kb check: {summary_line(kb, results)}", ""]
    for v in VERDICTS:
        lines.append(f"  {v:<13}{counts[v]:>6}")
    lines.append(f"  {'problems':<13}{len(results.problems):>6}  (errors in the files, listed below)")
    inconsistent = [r for r in results.claims.values() if r.verdict == "inconsistent"]
    if inconsistent:
        lines += ["", f"Inconsistent claims ({len(inconsistent)}):"]
        for r in sorted(inconsistent, key=lambda r: r.claim_id):
            e = kb.claims[r.claim_id]
            lines.append(f"  {r.claim_id}  [{e.claim.subject} · {e.claim.quantity}]  {e.location}")
            for cr in r.checks:
                if cr.verdict != "inconsistent":
                    continue
                lines.append(f"    {check_line(cr)}")
                lines.append(f"      diagnosis: {cr.diagnosis}")
                if cr.inconsistent_inputs:
                    lines.append(f"      rests on inconsistent input(s): {', '.join(cr.inconsistent_inputs)}")
                if cr.assumptions:
                    lines.append(f"      depends on assumption(s): {', '.join(cr.assumptions)}")
    if verbose:
        passed = [r for r in results.claims.values() if r.verdict == "consistent"]
        if passed:
            lines += ["", f"Consistent claims ({len(passed)}):"]
            for r in sorted(passed, key=lambda r: r.claim_id):
                lines.append(f"  {r.claim_id}")
                lines.extend(f"    {check_line(cr)}" for cr in r.checks)
    if results.conflicts:
        lines += ["", f"Conflicts between sources ({len(results.conflicts)}):"]
        for c in results.conflicts:
            lines.append(
                f"  {c.subject} · {c.quantity}: {c.a} = {c.a_value}  vs  {c.b} = {c.b_value}"
                f"  ({_factor(c.factor)})"
            )
    if results.problems:
        lines += ["", f"Errors ({len(results.problems)}):"]
        lines.extend(f"  {p}".replace("\n", "\n  ") for p in results.problems)
    return "\n".join(lines)


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
        claims.append(
            {
                "id": cid,
                "kind": c.kind,
                "subject": c.subject,
                "quantity": c.quantity,
                "verdict": r.verdict,
                "value": c.value,
                "unit": c.unit,
                "qualifier": c.qualifier,
                "interval": None if e.value is None else [_num(e.value.stated.lo), _num(e.value.stated.hi)],
                "file": e.location.file,
                "line": e.location.line,
                "sources": [
                    {
                        "source": s.source,
                        "quote": s.quote,
                        "translation": s.translation,
                        "found_in_archive": found,
                    }
                    for s, found in zip(c.sources, r.quote_found, strict=False)
                ],
                "checks": [
                    {
                        "id": cr.check_id,
                        "formula": cr.formula,
                        "verdict": cr.verdict,
                        "basis": cr.basis,
                        "computed": None
                        if cr.computed is None
                        else [_num(cr.computed.lo), _num(cr.computed.hi)],
                        "factor": _num(cr.factor) if cr.factor is not None else None,
                        "gap": _num(cr.gap),
                        "severity": cr.severity,
                        "diagnosis": cr.diagnosis,
                        "inputs": {i.name: i.claim_id for i in cr.inputs},
                        "inconsistent_inputs": cr.inconsistent_inputs,
                        "assumptions": cr.assumptions,
                    }
                    for cr in r.checks
                ],
                "errors": [p.as_dict() for p in r.problems],
            }
        )
    return {
        "summary": {**results.counts(), "problems": len(results.problems)},
        "claims": claims,
        "conflicts": [c.__dict__ for c in results.conflicts],
        "errors": [p.as_dict() for p in results.problems],
    }


def _num(x: float | None) -> float | str | None:
    if x is None:
        return None
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def json_text(kb: KnowledgeBase, results: Results) -> str:
    return json.dumps(as_json(kb, results), ensure_ascii=False, indent=1, default=str)


__all__ = ["text", "json_text", "as_json", "check_line", "format_interval"]
