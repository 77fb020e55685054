"""The checking pass: quotes, relations, blame, claim verdicts and cross-source conflicts.

Data flows one way: a loaded KnowledgeBase in, a Results out. Relations (checks, standalone
relations, laws; kb/relations.py) are judged with every claim at its interval (kb/judge.py); blame
(kb/blame.py) then says which claims explain the failures, and a claim's verdict follows:
inconsistent when blamed, otherwise consistent when a relation verifies it, else unverified.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict

from kb import blame, display, relations
from kb.contents import ClaimEntry, KnowledgeBase, collector_paused, resolve_value, unreadable_hint
from kb.errors import Problem
from kb.interval import Interval
from kb.judge import Outcome, Values, judge, unit_kinds
from kb.quotes import FoldedText, value_in_quote
from kb.results import CheckResult, ClaimResult, Conflict, InputValue, Results, Suggestion
from kb.slips import fitting
from kb.units import UnitInfo, base_unit_text
from kb.values import StatedValue, format_interval, format_number
from kb.verdicts import SEVERITY_RANK, Standing, Verdict, factor


def run(kb: KnowledgeBase) -> Results:
    """Check everything; never raises for anything in the data."""
    with collector_paused():
        return _run(kb)


def _run(kb: KnowledgeBase) -> Results:
    folded = {sid: FoldedText(s.text) for sid, s in kb.sources.items() if s.text is not None}
    english = _english(kb)
    results = {cid: _check_quotes(kb, entry, folded, english) for cid, entry in kb.claims.items()}
    values = usable_values(kb)
    outcomes = {spec.key: judge(spec, values) for spec in relations.gather(kb)}
    diagnosis = blame.diagnose(kb, outcomes, values)
    by_key = {key: _check_result(kb, o, diagnosis, values) for key, o in outcomes.items()}
    standalone: list[CheckResult] = []
    for key, o in outcomes.items():
        spec = o.spec
        for cid in spec.members:
            if cid in results:
                results[cid].checks.append(by_key[key])
        if spec.kind != "check":
            standalone.append(by_key[key])
    joined = _joined(diagnosis)
    for cid, entry in kb.claims.items():
        _verdict(entry, results[cid], diagnosis, by_key, joined)
    for cr in by_key.values():
        for inp in cr.inputs:
            inp.verdict = results[inp.claim_id].verdict if inp.claim_id in results else Verdict.ERROR
            if inp.verdict == Verdict.INCONSISTENT:
                cr.inconsistent_inputs.append(inp.claim_id)
    problems = list(kb.problems)
    for cid, entry in kb.claims.items():
        problems.extend(entry.problems)
        problems.extend(results[cid].problems)
    problems.extend(o.problem for o in outcomes.values() if o.problem is not None)
    found, omitted = conflicts(kb)
    for c in found:
        c.explained_by = [x for x in (c.a, c.b) if results[x].verdict == Verdict.INCONSISTENT]
    return Results(results, found, problems, standalone, by_key, conflicts_omitted=omitted)


def usable_values(kb: KnowledgeBase) -> dict[str, StatedValue]:
    """Every claim with a value and a unit, as relations read them."""
    return {cid: e.value for cid, e in kb.claims.items() if e.value is not None and e.unit is not None}


def _check_result(kb: KnowledgeBase, o: Outcome, diagnosis: blame.Diagnosis, values: Values) -> CheckResult:
    spec = o.spec
    cr = CheckResult(
        spec.owner or "",
        spec.id,
        spec.formula,
        o.verdict,
        key=spec.key,
        kind=spec.kind,
        relation=spec.op,
        law=spec.law,
        law_title=spec.law_title,
        members=list(spec.members),
        note=spec.note,
        basis=o.basis,
        factor=o.factor,
        gap=o.gap,
        severity=o.severity,
        diagnosis=o.diagnosis,
        problem=o.problem,
        explained_by=list(diagnosis.explained_by.get(spec.key, [])),
        slip=o.slip.id if o.slip else None,
    )
    if spec.tolerance:
        t = spec.tolerance
        # "±0.1%", not "±0%" (a tolerance of 0.001 is no tolerance of nothing)
        amount = (
            f"±{format_number(t.relative * 100)}%"
            if t.relative is not None
            else f"within a factor of {t.factor:g}"
        )
        cr.tolerance = f"{amount}: {t.reason}"
    for name, cid in spec.variables.items():
        e = kb.claims.get(cid)
        if e is not None and e.value is not None and e.unit is not None:
            cr.inputs.append(InputValue(name, cid, e.value.stated, e.unit, e.claim.kind))
            if e.claim.kind == "assumption":
                cr.assumptions.append(cid)
    unit = o.display_unit
    if o.right is not None and o.left is not None:
        if unit is not None:
            cr.computed = o.right.scale(1.0 / unit.factor)
            cr.stated, cr.unit = o.left.scale(1.0 / unit.factor), unit
            shown = "" if unit.text in ("1", "") else f" {unit.text}"  # a pure number has no unit to name
            cr.computed_text = f"{format_interval(cr.computed, unit)}{shown}"
            cr.stated_text = f"{format_interval(cr.stated, unit)}{shown}"
        else:
            dims = f" {base_unit_text(o.dims)}" if o.dims else ""
            cr.computed_text = f"{format_interval(o.right)}{dims}"
            cr.stated_text = f"{format_interval(o.left)}{dims}"
    return cr


def _verdict(
    entry: ClaimEntry,
    result: ClaimResult,
    diagnosis: blame.Diagnosis,
    by_key: dict[str, CheckResult],
    joined: dict[str, set[str]],
) -> None:
    own = result.checks
    blamed = diagnosis.blamed.get(entry.id)
    if result.problems or entry.problems:
        result.verdict = Verdict.ERROR
        return
    if any(c.verdict == Verdict.ERROR and c.kind == "check" for c in own):
        result.verdict = Verdict.ERROR
        return
    if blamed is not None:
        _blamed(entry, result, blamed, diagnosis.blamed, joined)
        severities = [s for k in blamed.condemned_by if (s := by_key[k].severity) is not None]
        result.severity = max(severities, key=SEVERITY_RANK.__getitem__) if severities else None
        return
    failing = [c for c in own if c.verdict == Verdict.INCONSISTENT]
    if failing:
        result.standing = Standing.EXPLAINED
        result.explained_by = list(dict.fromkeys(c for f in failing for c in f.explained_by if c != entry.id))
    passing = any(c.verdict == Verdict.CONSISTENT for c in own)
    if passing and entry.claim.kind != "assumption":
        result.verdict = Verdict.CONSISTENT
    else:
        result.verdict = Verdict.UNVERIFIED


def _joined(diagnosis: blame.Diagnosis) -> dict[str, set[str]]:
    """Failed relation -> the failed relations of the condemned claims in it (which join them)."""
    joined: dict[str, set[str]] = defaultdict(set)
    for b in diagnosis.blamed.values():
        if b.standing == Standing.CONDEMNED:
            for key in b.condemned_by:
                joined[key].update(b.condemned_by)
    return joined


def _rivals(b: blame.Blame, blamed: dict[str, blame.Blame], joined: dict[str, set[str]]) -> list[list[str]]:
    """The other explanations of the claim's own failures: each alternative cut to the claims that a
    relation condemning this one condemns too. Two independent failures diagnosed together pair each
    suspect of one with each of the other; "either a or b" is the claim's choice, not "a or b, c"."""
    mine = set(b.condemned_by)
    for key in b.condemned_by:  # a claim wrong in every explanation joins its failures into one
        mine |= joined.get(key, set())
    out: list[list[str]] = []
    for alt in b.alternatives:
        rivals = [c for c in alt if c in blamed and mine & set(blamed[c].condemned_by)]
        if rivals and rivals not in out:
            out.append(rivals)
    return out or [list(a) for a in b.alternatives]


def _floored(s: Interval, unit: UnitInfo) -> Interval:
    """A suggestion whose lower end is only "more than zero" (solving keeps a quantity positive with
    the smallest float, 5e-324) as from zero: "at most" is what it says, in the report and its JSON."""
    return Interval(0.0, s.hi) if s.below_only and not unit.is_date else s


def _range_text(s: Interval, unit: UnitInfo) -> str:
    """'[22,050, 28,050] GPU', or 'at most 1' / 'at least 10 GPU' for a one-sided range, 'on or
    before 2022-01-15' / 'on or after ...' for a date."""
    label = "" if unit.text in ("1", "") else f" {unit.text}"
    if unit.is_date:
        return display.interval(s, unit)
    if s.below_only:
        return f"at most {format_interval(Interval.point(s.hi), unit)}{label}"
    if math.isinf(s.hi):
        return f"at least {format_interval(Interval.point(s.lo), unit)}{label}"
    return f"{format_interval(s, unit)}{label}"


def _blamed(
    entry: ClaimEntry,
    result: ClaimResult,
    b: blame.Blame,
    blamed: dict[str, blame.Blame],
    joined: dict[str, set[str]],
) -> None:
    result.standing = b.standing
    result.verdict = Verdict.UNVERIFIED if b.standing == Standing.IN_DOUBT else Verdict.INCONSISTENT
    result.condemned_by = list(b.condemned_by)
    result.alternatives = _rivals(b, blamed, joined)
    result.disagree = list(b.disagree)
    unit = entry.unit
    if b.suggested is not None and unit is not None:
        s = _floored(b.suggested, unit)
        result.suggested = Suggestion(
            s.lo,
            s.hi,
            unit.text,
            slip=b.slip.id if b.slip else None,
            slip_text=b.slip.text if b.slip else "",
            multiplier=b.slip.multiplier if b.slip else None,
            text=_range_text(s, unit),
        )


def claim_problems(kb: KnowledgeBase, entry: ClaimEntry) -> list[Problem]:
    """The errors of one claim by itself, as kb check reports them (its unit against its quantity's,
    its value against its quote, its quote against its source, a missing translation), for a claim
    that is not in the knowledge base yet: a proposal of a draft being accepted."""
    resolve_value(kb, entry)
    cited = {c.source for c in entry.claim.sources if c.source in kb.sources}
    folded = {sid: FoldedText(t) for sid in cited if (t := kb.sources[sid].text) is not None}
    return [*entry.problems, *_check_quotes(kb, entry, folded, _english(kb)).problems]


def _english(kb: KnowledgeBase) -> dict[str, bool]:
    """Source id -> whether it is in English (a quote from any other language needs a translation)."""
    return {sid: src.meta.language.split("-")[0] == "en" for sid, src in kb.sources.items()}


def _check_quotes(
    kb: KnowledgeBase, entry: ClaimEntry, folded: dict[str, FoldedText], english: dict[str, bool]
) -> ClaimResult:
    result = ClaimResult(entry.claim.id, Verdict.UNVERIFIED)
    for i, cite in enumerate(entry.claim.sources):
        source = kb.sources.get(cite.source)
        if source is None:
            what, hint = unreadable_hint(kb, cite.source, kb.sources)
            result.problems.append(
                Problem(
                    entry.where("sources", i, "source"),
                    f"{what} source {cite.source!r}",
                    hint or "add it with kb source add",
                    "unknown-source",
                )
            )
            result.quote_found.append(None)
            result.quote_spans.append(None)
            continue
        if not english[cite.source] and cite.quote and not cite.translation:
            result.problems.append(
                Problem(
                    entry.where("sources", i),
                    f"the quote from {cite.source} ({source.meta.language}) has no English translation",
                    "add translation: with an English rendering",
                    "missing-translation",
                )
            )
        span = None
        found: bool | None = None
        if cite.quote and cite.source in folded:
            span = folded[cite.source].find(cite.quote)
            found = span is not None
            if span is None:
                closest = folded[cite.source].closest(cite.quote)
                result.problems.append(
                    Problem(
                        entry.where("sources", i, "quote"),
                        f"quote not found in source {cite.source}",
                        f"the closest passage is: {closest!r}" if closest else "copy the words exactly",
                        "quote-not-found",
                    )
                )
        result.quote_found.append(found)
        result.quote_spans.append(span)
    # The value is checked against the first quote, whatever becomes of its source: the check then
    # depends on the claim alone, which is what the parse cache remembers it by (kb/contents.py).
    quote = next((c.quote for c in entry.claim.sources if c.quote), None)
    if quote and entry.value is not None and entry.unit is not None:
        if entry.quoted:
            result.value_ok = True
        else:
            ok, numbers = value_in_quote(entry.value, entry.unit, quote)
            result.value_ok = ok
            if not ok:
                seen = (
                    ", ".join(
                        format_interval(Interval(p.lo, p.hi)) + (f" {p.currency}" if p.currency else "")
                        for p in numbers
                        if not p.is_date
                    )
                    or "none"
                )
                result.problems.append(
                    Problem(
                        entry.where("value"),
                        f"value {_written(entry)} {entry.claim.unit} does not match its quote",
                        f"the numbers in the quote are: {seen}; the value, with its unit's scale words, "
                        "must equal one of them",
                        "value-mismatch",
                    )
                )
    return result


def _written(entry: ClaimEntry) -> str:
    v = entry.claim.value
    return f"[{v[0]}, {v[1]}]" if isinstance(v, list) else str(v)


MAX_CONFLICTS_PER_GROUP = 50
"""Listed per subject and quantity; past it, a group with many estimates reports how many more."""


def conflicts(kb: KnowledgeBase) -> tuple[list[Conflict], int]:
    """Claims of one subject and quantity (and as_of) from different sources whose values do not
    meet, and how many such pairs were not listed. Found by sorting, not by comparing every pair:
    N estimates of one quantity cost N log N plus what is listed."""
    groups: dict[tuple[str, str, str, object], list[ClaimEntry]] = defaultdict(list)
    for e in kb.claims.values():
        if e.value is not None and e.unit is not None:
            key = (e.claim.subject.casefold(), e.claim.quantity, str(e.claim.as_of or ""), e.unit.dims)
            groups[key].append(e)
    out: list[Conflict] = []
    omitted = 0
    for members in groups.values():
        if len(members) > 1:
            listed, more = _disjoint_pairs(members)
            out += listed
            omitted += more
    return out, omitted


def _disjoint_pairs(members: list[ClaimEntry]) -> tuple[list[Conflict], int]:
    base = {e.id: e.value.base() for e in members if e.value is not None}
    by_lo = sorted(members, key=lambda e: base[e.id].lo)
    los = [base[e.id].lo for e in by_lo]
    out: list[Conflict] = []
    omitted = 0
    budget = 20 * MAX_CONFLICTS_PER_GROUP  # pairs looked at, so one source's many estimates stay cheap
    for a in members:
        ia = base[a.id]
        eps = 1e-9 * max(
            abs(ia.hi) if math.isfinite(ia.hi) else 0.0, abs(ia.lo) if math.isfinite(ia.lo) else 0.0
        )
        first = bisect.bisect_right(los, ia.hi + eps)  # from here on, every estimate lies wholly above a
        for j in range(first, len(by_lo)):
            if len(out) >= MAX_CONFLICTS_PER_GROUP or budget <= 0:
                omitted += len(by_lo) - j  # an upper bound: pairs from one source are not told apart
                break
            budget -= 1
            b = by_lo[j]
            if a.claim.sources[0].source != b.claim.sources[0].source:
                out.append(_conflict(a, b))
    return out, omitted


def _conflict(a: ClaimEntry, b: ClaimEntry) -> Conflict:
    assert a.value and b.value and a.unit and b.unit
    slip, slip_in = (None, []) if a.unit.is_date else _conflict_slip(a, b)
    return Conflict(
        a.claim.subject,
        a.claim.quantity,
        a.id,
        b.id,
        f"{format_interval(a.value.stated, a.unit)} {a.claim.unit}",
        f"{format_interval(b.value.stated, b.unit)} {b.claim.unit}",
        # A ratio of dates would be one of days since 1970: meaningless.
        float("nan") if a.unit.is_date else factor(b.value.base(), a.value.base()) or float("nan"),
        slip=slip,
        slip_in=slip_in,
    )


def _conflict_slip(a: ClaimEntry, b: ClaimEntry) -> tuple[str | None, list[str]]:
    """The slip that turns one claim's value into the other's, and the claims whose writing it fits:
    a 万 dropped fits only the claim written with 万, a dropped 'thousand' either. None when no
    slip, or more than one, does. It names a likely cause; whom the checks blame is unchanged."""
    found: dict[str, list[str]] = {}
    for x, y in ((a, b), (b, a)):
        assert x.value and y.value and x.unit
        target = y.value.base().scale(1.0 / x.unit.factor)  # the other's value in this one's unit
        match = fitting(x.value.stated, target, unit_kinds(x.unit))
        if match is not None:
            found.setdefault(match.id, []).append(x.id)
    if len(found) != 1:
        return None, []
    [(slip, where)] = found.items()
    return slip, where


__all__ = ["run", "conflicts"]
