"""The checking pass: quotes, cycles, derivation checks, claim verdicts and cross-source conflicts.

Data flows one way: a loaded KnowledgeBase in, a Results out. Each check is evaluated three
times (nominal, rounded, stated inputs; see kb/values.py) so its verdict can say whether it
needed rounding, a qualifier or a tolerance.
"""

from __future__ import annotations

import re
from collections import defaultdict

from kb.contents import ClaimEntry, KnowledgeBase, remember_quoted, unreadable_hint
from kb.errors import KbError, Location, Problem
from kb.formula import FormulaError, evaluate, parse
from kb.interval import Interval
from kb.model import Check
from kb.quotes import FoldedText, value_in_quote
from kb.results import CheckResult, ClaimResult, Conflict, InputValue, Results
from kb.units import describe_mismatch
from kb.values import LEVELS, format_interval, format_number
from kb.verdicts import diagnose, factor, gap, severity, spread, worst


def run(kb: KnowledgeBase) -> Results:
    """Check everything; never raises for anything in the data."""
    folded = {sid: FoldedText(s.text) for sid, s in kb.sources.items() if s.text is not None}
    results: dict[str, ClaimResult] = {}
    for entry in kb.claims.values():
        results[entry.id] = _check_quotes(kb, entry, folded)
    remember_quoted(kb, {cid for cid, r in results.items() if r.value_ok})
    in_cycle = _cycles(kb)
    for entry in kb.claims.values():
        result = results[entry.id]
        for i, check in enumerate(entry.claim.checks):
            if (entry.id, check.id) in in_cycle:
                cr = _error(entry, check, in_cycle[(entry.id, check.id)])
            else:
                cr = _run_check(kb, entry, check, i)
            result.checks.append(cr)
    for entry in kb.claims.values():
        result = results[entry.id]
        if result.problems or entry.problems:
            result.verdict = "error"
        elif not result.checks:
            result.verdict = "unverified"
        else:
            result.verdict = worst([c.verdict for c in result.checks])
    for result in results.values():
        for cr in result.checks:
            for inp in cr.inputs:
                inp.verdict = results[inp.claim_id].verdict if inp.claim_id in results else "error"
                if inp.verdict == "inconsistent":
                    cr.inconsistent_inputs.append(inp.claim_id)
    problems = list(kb.problems)
    cycles_told: set[str] = set()  # a cycle is one mistake, whichever of its checks meets it
    for entry in kb.claims.values():
        problems.extend(entry.problems)
        problems.extend(results[entry.id].problems)
        for c in results[entry.id].checks:
            if c.problem is None or c.problem.message in cycles_told:
                continue
            if c.problem.code == "cycle":
                cycles_told.add(c.problem.message)
            problems.append(c.problem)
    return Results(results, conflicts(kb), problems)


def _check_quotes(kb: KnowledgeBase, entry: ClaimEntry, folded: dict[str, FoldedText]) -> ClaimResult:
    result = ClaimResult(entry.id, "unverified")
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
        if source.meta.language.split("-")[0] != "en" and cite.quote and not cite.translation:
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
    # depends on the claim alone, which is what the parse cache remembers it by.
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


def _error(entry: ClaimEntry, check: Check, problem: Problem) -> CheckResult:
    return CheckResult(
        entry.id,
        check.id,
        check.formula,
        "error",
        diagnosis=problem.message,
        problem=problem,
        note=check.note,
    )


def _cycles(kb: KnowledgeBase) -> dict[tuple[str, str], Problem]:
    """Checks that take part in a cycle of claims checked from each other, with the problem to report."""
    graph: dict[str, list[str]] = {
        cid: [i for c in e.claim.checks for i in c.inputs.values() if i in kb.claims]
        for cid, e in kb.claims.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    sccs: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, pos = work.pop()
            if pos == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            children = graph[node]
            if pos < len(children):
                work.append((node, pos + 1))
                child = children[pos]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1 or node in graph[node]:
                    sccs.append(comp)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    out: dict[tuple[str, str], Problem] = {}
    for comp in sccs:
        members = set(comp)
        start = min(comp)
        path, node = [start], start
        while True:
            node = next(n for n in graph[node] if n in members)
            if node in path:
                path = path[path.index(node) :] + [node]
                break
            path.append(node)
        text = " -> ".join(path)
        places = [
            (cid, check.id, kb.claims[cid].where("checks", i, "inputs"))
            for cid in sorted(comp)
            for i, check in enumerate(kb.claims[cid].claim.checks)
            if set(check.inputs.values()) & members
        ]
        where = ", ".join(f"{cid} ({loc})" for cid, _, loc in places)
        for cid, check_id, loc in places:
            out[(cid, check_id)] = Problem(
                loc,
                f"cycle between checks: {text}",
                f"a claim cannot be checked from a claim that is checked from it; remove one of the "
                f"checks of {where}",
                "cycle",
            )
    return out


def _run_check(kb: KnowledgeBase, entry: ClaimEntry, check: Check, i: int) -> CheckResult:
    result = CheckResult(entry.id, check.id, check.formula, "error", note=check.note)
    if check.tolerance:
        t = check.tolerance
        amount = f"±{t.relative:.0%}" if t.relative is not None else f"within a factor of {t.factor:g}"
        result.tolerance = f"{amount}: {t.reason}"

    def fail(where: Location, message: str, hint: str = "", code: str = "check") -> CheckResult:
        result.problem = Problem(where, f"check {check.id!r}: {message}", hint, code)
        result.diagnosis = message
        return result

    if entry.value is None or entry.unit is None:
        return fail(entry.where("value"), "the claim's own value or unit has an error")
    env: dict[str, dict[str, tuple[Interval, tuple[tuple[str, int], ...]]]] = {lvl: {} for lvl in LEVELS}
    for name, cid in check.inputs.items():
        source = kb.claims.get(cid)
        if source is None:
            what, hint = unreadable_hint(kb, cid, kb.claims)
            return fail(
                entry.where("checks", i, "inputs", name),
                f"{what} input {cid!r} for {name!r}",
                hint or "inputs name claim ids",
                "unknown-input",
            )
        if source.value is None or source.unit is None:
            why = "it is qualitative" if source.claim.value is None else "it has an error"
            return fail(
                entry.where("checks", i, "inputs", name),
                f"input {cid!r} has no usable value ({why})",
                code="bad-input",
            )
        result.inputs.append(InputValue(name, cid, source.value.stated, source.unit, source.claim.kind))
        if source.claim.kind == "assumption":
            result.assumptions.append(cid)
        for lvl in LEVELS:
            env[lvl][name] = (source.value.base(lvl), source.unit.dims)
    try:
        node = parse(check.formula, frozenset(check.inputs))
        iv, dims = evaluate(node, env["stated"])
        if dims != entry.unit.dims:
            return fail(
                entry.where("checks", i, "formula"),
                f"units do not match: {describe_mismatch(dims, entry.unit.dims)}",
                "make the formula's result have the units of the claim",
                "incompatible-units",
            )
        value, unit = entry.value, entry.unit
        # The strictest level that agrees names what the verdict needed; lenient levels only when needed.
        nominal = evaluate(node, env["nominal"])[0]
        basis = None
        if iv.meets(value.base("stated")):
            if nominal.meets(value.base("nominal")):
                basis = "exact"
            elif evaluate(node, env["rounded"])[0].meets(value.base("rounded")):
                basis = "rounding"
            else:
                basis = "about"
    except FormulaError as exc:
        return fail(_in_formula(entry, i, exc.offset), exc.message, exc.hint, exc.code)
    except KbError as exc:
        return fail(entry.where("checks", i, "formula"), exc.message, exc.hint, exc.code)
    if unit.is_date and check.tolerance:
        return fail(
            entry.where("checks", i, "tolerance"),
            "a tolerance on a date would be a fraction of the days since 1970",
            "check the duration between two dates instead (a claim in days or months), with its tolerance",
            "date-tolerance",
        )
    result.computed = iv.scale(1.0 / unit.factor)
    result.computed_text = f"{format_interval(result.computed, unit)} {entry.claim.unit}"
    result.stated_text = f"{format_interval(value.stated, unit)} {entry.claim.unit}"
    if basis is None and check.tolerance:
        stated = value.base("stated")
        t = check.tolerance
        widened = stated.widen(t.relative) if t.relative is not None else stated.widen_factor(t.factor or 1.0)
        if iv.meets(widened):
            basis = "tolerance"
    nominal_computed = nominal.scale(1.0 / unit.factor)
    result.factor = factor(nominal_computed, value.nominal) if not unit.is_date else None
    if basis is not None:
        result.verdict = "consistent"
        result.basis = basis
        return result
    result.verdict = "inconsistent"
    if unit.is_date:  # days apart, not a ratio of days since 1970
        days_apart = max(iv.lo - value.base("stated").hi, value.base("stated").lo - iv.hi) / 86400
        result.severity = "minor" if days_apart < 31 else "major" if days_apart < 366 else "severe"
    else:
        result.gap = gap(iv, value.base("stated"))
        result.severity = severity(result.gap)
    width = max(spread(nominal_computed), spread(value.nominal))
    involved = {d for d, _ in unit.dims} | {d for inp in result.inputs for d, _ in inp.unit.dims}
    involved |= (
        {"percent"}
        if "percent" in unit.text or any("percent" in i.unit.text for i in result.inputs)
        else set()
    )
    result.diagnosis = (
        diagnose(result.factor, width, frozenset(involved)) if not unit.is_date else "the dates do not agree"
    )
    return result


def _in_formula(entry: ClaimEntry, i: int, offset: int) -> Location:
    """The place of character `offset` of a check's formula: past 'formula:' and an opening quote."""
    at = entry.where("checks", i, "formula")
    try:
        line = entry.doc.path.read_text(encoding="utf-8").splitlines()[at.line - 1]
    except (OSError, UnicodeDecodeError, IndexError):
        return at
    m = re.compile(r"formula\s*:\s*(['\"]?)").match(line, max(at.column - 1, 0))
    if m is None:
        return at
    return Location(at.file, at.line, m.end() + 1 + offset)


def conflicts(kb: KnowledgeBase) -> list[Conflict]:
    """Claims of one subject and quantity (and as_of) from different sources whose values do not meet."""
    groups: dict[tuple[str, str, str], list[ClaimEntry]] = defaultdict(list)
    for e in kb.claims.values():
        if e.value is not None and e.unit is not None:
            groups[(e.claim.subject.casefold(), e.claim.quantity, str(e.claim.as_of or ""))].append(e)
    out: list[Conflict] = []
    for members in groups.values():
        if len(members) < 2:
            continue
        for x, a in enumerate(members):
            for b in members[x + 1 :]:
                if a.claim.sources[0].source == b.claim.sources[0].source:
                    continue
                assert a.value and b.value and a.unit and b.unit
                ia, ib = a.value.base(), b.value.base()
                if a.unit.dims != b.unit.dims or ia.meets(ib):
                    continue
                f = factor(ib, ia) or float("nan")
                out.append(
                    Conflict(
                        a.claim.subject,
                        a.claim.quantity,
                        a.id,
                        b.id,
                        f"{format_interval(a.value.stated, a.unit)} {a.claim.unit}",
                        f"{format_interval(b.value.stated, b.unit)} {b.claim.unit}",
                        f,
                    )
                )
    return out


__all__ = ["run", "conflicts", "format_number"]
