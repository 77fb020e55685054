"""kb show ID: one claim, its quotes, value and each check step by step, down to reference facts."""

from __future__ import annotations

import argparse
import sys

from kb import checks, contents, report
from kb.commands import EXIT_OK, EXIT_USAGE, add_claims_option
from kb.contents import KnowledgeBase
from kb.errors import KbError, did_you_mean
from kb.filters import Filter, add_filter_options, select
from kb.results import Results
from kb.values import format_interval


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser(
        "show",
        help="show one claim and its derivation tree",
        description="Show a claim, or every claim the filters select, with each relation step by step.",
    )
    add_claims_option(p)
    p.add_argument("claim_id", metavar="CLAIM_ID", nargs="?", help="a claim's id (or use the filters)")
    p.add_argument("--depth", type=int, default=4, help="levels of inputs to expand (default: 4)")
    add_filter_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    kb = contents.load(args.claims)
    wanted = Filter.from_args(args)
    if args.claim_id is None:
        if not wanted.active:
            print("kb show: give a claim's id, or filters (--subject, --file, ...)", file=sys.stderr)
            return EXIT_USAGE
        results = checks.run(kb)
        try:
            ids = sorted(select(kb, results, wanted))
        except KbError as exc:
            print(f"kb show: {exc.message}\n    -> {exc.hint}", file=sys.stderr)
            return EXIT_USAGE
        print(
            "\n\n".join("\n".join(render(kb, results, cid, args.depth)) for cid in ids) or "no claim matches"
        )
        return EXIT_OK
    if args.claim_id not in kb.claims:
        hint = did_you_mean(args.claim_id, kb.claims)
        print(f"kb show: no claim {args.claim_id!r}" + (f"; {hint}" if hint else ""), file=sys.stderr)
        return EXIT_USAGE
    results = checks.run(kb)
    print("\n".join(render(kb, results, args.claim_id, args.depth)))
    return EXIT_OK


def render(kb: KnowledgeBase, results: Results, claim_id: str, depth: int) -> list[str]:
    e = kb.claims[claim_id]
    c = e.claim
    r = results.claims[claim_id]
    label = kb.quantities[c.quantity].label if c.quantity in kb.quantities else c.quantity
    out = [f"{claim_id}  [{r.verdict.upper()}]", f"  {c.subject} · {label}  ({c.kind}, {e.location})"]
    if e.value is not None and e.unit is not None:
        q = f" ({c.qualifier})" if c.qualifier else ""
        written = f"[{c.value[0]}, {c.value[1]}]" if isinstance(c.value, list) else c.value
        stated = format_interval(e.value.stated, e.unit)
        out.append(f"  value: {written} {c.unit}{q}  ->  stated interval {stated} {c.unit}")
    elif c.statement:
        out.append(f"  statement: {c.statement}")
    for s, found in zip(c.sources, r.quote_found, strict=False):
        status = {
            True: "found in the archived text",
            False: "NOT FOUND in the archived text",
            None: "source not archived here",
        }[found]
        out.append(f"  source {s.source}: {status}")
        if s.quote:
            out.append(f"    “{' '.join(s.quote.split())}”")
        if s.translation:
            out.append(f"    translation: “{s.translation}”")
        if s.locator:
            out.append(f"    at: {s.locator}")
    for p in r.problems + e.problems:
        out.append(f"  error: {p}")
    if r.standing is not None:
        out.append(
            f"  blame: {r.standing}"
            + (f" (explained by {', '.join(r.explained_by)})" if r.explained_by else "")
        )
        out.extend(report.blame_lines(r, results, "    "))
    out.extend(_tree(kb, results, claim_id, depth, "  ", {claim_id}, set()))
    if c.notes:
        out += ["  notes:"] + [f"    {line}" for line in c.notes.strip().splitlines()]
    return out


def _tree(
    kb: KnowledgeBase,
    results: Results,
    claim_id: str,
    depth: int,
    indent: str,
    seen: set[str],
    shown: set[str],
    own_only: bool = False,
) -> list[str]:
    """The checks of claim_id, each input's own checks below it; a relation already written out
    (the one just followed up from an input, a sum shared by several rows) is named, not repeated.
    `own_only`: only claim_id's own checks, for a reference fact used as an input (a datasheet's
    peak is in the relations of every model trained on that chip, none of them about this claim)."""
    out: list[str] = []
    for cr in results.claims[claim_id].checks:
        if own_only and not (cr.kind == "check" and cr.claim_id == claim_id):
            continue
        if cr.key in shown:
            out.append(f"{indent}{report.relation_name(cr, claim_id)}: {cr.verdict}, shown above")
            continue
        shown.add(cr.key)
        out.append(f"{indent}{report.check_line(cr, claim_id)}  -> {cr.verdict}")
        out.append(f"{indent}  formula: {cr.formula}")
        if cr.verdict == "inconsistent":
            out.append(f"{indent}  diagnosis: {cr.diagnosis}")
        if cr.tolerance:
            out.append(f"{indent}  tolerance: {cr.tolerance}")
        for inp in cr.inputs:
            ie = kb.claims[inp.claim_id]
            src = ie.claim.sources[0].source
            out.append(
                f"{indent}  {inp.name} = {inp.value}  <- {inp.claim_id} ({inp.kind}, {inp.verdict}, {src})"
            )
            if depth > 1 and inp.claim_id not in seen and results.claims[inp.claim_id].checks:
                below = seen | {inp.claim_id}
                reference = ie.claim.kind == "reference"
                out.extend(
                    _tree(kb, results, inp.claim_id, depth - 1, indent + "    ", below, shown, reference)
                )
    return out
