"""kb add: add a claim from a quote of a source; value, unit and qualifier are read off the quote."""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kb import checks, contents, report
from kb.atomic import atomic_write_text, locked
from kb.choosing import choose
from kb.commands import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, add_claims_option
from kb.confined import read_confined
from kb.contents import SOURCES_DIR, ClaimEntry, KnowledgeBase, Source
from kb.errors import KbError, Problem, did_you_mean
from kb.model import SLUG, Claim, Quantity
from kb.quotes import FoldedText, fold
from kb.readers import YamlProblem, read_yaml, validate, yaml_files
from kb.reading import Reading, parse_value_flag, readings
from kb.slugs import slugify
from kb.units import unit_info
from kb.verdicts import Verdict
from kb.writers import add_claim, render_item

QUALIFIERS = ("about", "at_least", "at_most", "exactly", "none")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "add",
        help="add a claim from a quote of a source",
        description="Add a claim: find the quote in its archived source, read the value, unit and "
        "qualifier off it, write the claim into a YAML file under claims/ (keeping everything else in "
        "the file as it was), and print its verdict. Subject and quantity are asked for at a terminal "
        "when not given.",
        epilog='example: kb add --source semianalysis-gpt4 --quote "~13 trillion tokens" --subject GPT-4 '
        "--quantity training_tokens",
    )
    add_claims_option(p)
    p.add_argument("--source", required=True, metavar="ID", help="the source's id (see claims/sources/)")
    p.add_argument("--quote", help="the source's words, verbatim (white space may differ)")
    p.add_argument(
        "--translation", help="an English translation of the quote (required for non-English sources)"
    )
    p.add_argument("--locator", help="where in the source (for a source not archived here)")
    p.add_argument("--subject", help="what the claim is about: GPT-4, ChatGPT, ...")
    p.add_argument("--quantity", metavar="ID", help="a quantity id from claims/quantities*.yaml")
    p.add_argument(
        "--value",
        help="the value as the quote writes it (default: read off the quote); a range as '[0.10, 1.00]'",
    )
    p.add_argument("--unit", help="the unit, scale words included (default: read off the quote)")
    p.add_argument(
        "--qualifier",
        choices=QUALIFIERS,
        help="about / at_least / at_most / exactly, or none (default: read off the quote)",
    )
    p.add_argument("--statement", help="for a qualitative claim without a number: what is stated")
    p.add_argument("--kind", choices=("claim", "reference", "assumption"), default="claim")
    p.add_argument("--justification", help="why an assumption is reasonable (required for --kind assumption)")
    p.add_argument("--as-of", help="when the value holds: YYYY-MM-DD, YYYY-MM or YYYY")
    p.add_argument("--notes", help="what the claim means (markdown)")
    p.add_argument("--id", help="the claim's id (default: made from the source and quantity)")
    p.add_argument("--file", type=Path, help="the YAML file to add to (default: claims/<subject>/added.yaml)")
    p.add_argument("--dry-run", action="store_true", help="print the YAML instead of writing it")
    p.add_argument("--force", action="store_true", help="write the claim even if it has errors")
    p.set_defaults(run=run)


class Stop(Exception):
    """Ends the command with a message and an exit code."""

    def __init__(self, message: str, hint: str = "", code: int = EXIT_ERRORS) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.code = code


def _interactive() -> bool:
    return sys.stdin.isatty()


def _ask(prompt: str) -> str:
    try:
        return input(prompt).strip()
    except EOFError:
        raise Stop("no answer", code=EXIT_USAGE) from None


def _pick(
    title: str, options: list[tuple[str, str]], allow_new: bool, check: Callable[[str], str | None]
) -> str:
    """Ask for one of `options` (value, label) by number or by typing it; `check` returns an error or None."""
    print(title)
    for i, (_, label) in enumerate(options, 1):
        print(f"  {i:>3}. {label}")
    while True:
        answer = _ask("number" + (" or a new one" if allow_new else " or id") + ": ")
        if answer.isdigit() and 1 <= int(answer) <= len(options):
            return options[int(answer) - 1][0]
        if answer:
            error = check(answer)
            if error is None:
                return answer
            print(f"  {error}")


# --- gathering ----------------------------------------------------------------------------------


def _source(kb: KnowledgeBase, source_id: str) -> Source:
    source = kb.sources.get(source_id)
    if source is None:
        raise Stop(
            f"no source {source_id!r}",
            did_you_mean(source_id, kb.sources)
            or f"archive it first: kb source add FILE --id {source_id} ...",
        )
    return source


SHOWN_SUBJECTS = 20
"""A prompt lists this many subjects (the most used); any other can be typed."""


def _subject(kb: KnowledgeBase, given: str | None) -> str:
    known = Counter(e.claim.subject for e in kb.claims.values())
    if given:
        subject = given.strip()
        if subject not in known:
            close = did_you_mean(subject, known)
            if close:
                print(f"note: {subject!r} is a new subject ({close})")
        return subject
    names = [s for s, _ in known.most_common()]
    if not _interactive():
        raise Stop(
            "give the claim's subject with --subject",
            ("known subjects: " + ", ".join(names[:20])) if names else "e.g. --subject GPT-4",
            EXIT_USAGE,
        )
    shown = names[:SHOWN_SUBJECTS]
    more = (
        f"; the {len(shown)} most used of {len(names)} are listed, or type another"
        if len(names) > len(shown)
        else ""
    )
    return _pick(
        f"Subject (what the claim is about{more}):",
        [(s, f"{s} ({known[s]} claims)") for s in shown],
        True,
        lambda s: None if 0 < len(s) <= 120 else "at most 120 characters",
    )


def _quantity(kb: KnowledgeBase, given: str | None) -> Quantity:
    def error(qid: str) -> str | None:
        if qid in kb.quantities:
            return None
        return f"unknown quantity {qid!r}; " + (
            did_you_mean(qid, kb.quantities) or "pick a number from the list"
        )

    if given:
        problem = error(given)
        if problem:
            raise Stop(
                problem.split(";")[0],
                (
                    did_you_mean(given, kb.quantities)
                    or "known quantities: " + ", ".join(sorted(kb.quantities))
                ),
                EXIT_USAGE,
            )
        return kb.quantities[given]
    if not _interactive():
        raise Stop(
            "give the claim's quantity with --quantity",
            "known quantities: " + ", ".join(sorted(kb.quantities)),
            EXIT_USAGE,
        )
    options = [
        (q.id, f"{q.id:<36} {q.label} [{q.unit}]") for q in sorted(kb.quantities.values(), key=lambda q: q.id)
    ]
    return kb.quantities[_pick("Quantity:", options, False, error)]


def _check_quote(source: Source, quote: str) -> None:
    if not source.archived:
        return
    assert source.text is not None
    text = FoldedText(source.text)
    if text.find(quote) is None:
        closest = text.closest(quote)
        raise Stop(
            f"the quote is not in source {source.id} ({source.location.file.removesuffix('.yaml')}.txt)",
            f"the closest passage is: {closest!r}; copy the words exactly"
            if closest
            else "copy the words exactly",
        )


def _reading(args: argparse.Namespace, quote: str | None, quantity: Quantity) -> Reading:
    """The value, unit and qualifier: read off the quote, overridden by --value, --unit, --qualifier."""
    target = unit_info(quantity.unit)
    value = parse_value_flag(args.value) if args.value else None
    words = f"{quantity.id} {quantity.label}"
    found = choose(quote, target, value, words) if quote else []
    if len(found) > 1:
        if not _interactive():
            raise Stop(
                f"the quote has {len(found)} numbers that could be the {quantity.id}: "
                + "; ".join(f"{r.describe()} (from {r.text!r} at character {r.start + 1})" for r in found),
                "choose one with --value, e.g. --value " + found[0].value_text.replace(" ", ""),
                EXIT_USAGE,
            )
        choice = _pick(
            f"Which number of the quote is the {quantity.id}?",
            [
                (str(i), f"{r.describe()}  from {r.text!r} at character {r.start + 1}")
                for i, r in enumerate(found)
            ],
            False,
            lambda s: "pick a number from the list",
        )
        found = [found[int(choice)]]
    if found:
        reading = found[0]
    elif value is not None:
        # A --value the quote does not state keeps the unit the quote gives ("1.8 万亿" -> trillion):
        # the check then says plainly that the value does not match its quote.
        unvalued = choose(quote, target, None, words) if quote else []
        if len(unvalued) == 1:
            reading = Reading(value, unvalued[0].unit, unvalued[0].qualifier, "")
        else:
            reading = Reading(value, args.unit or quantity.unit, None, "")
    else:
        numbers = "; ".join(r.describe() for r, _ in readings(quote)) if quote else ""
        raise Stop(
            f"no number in the quote fits the quantity {quantity.id} (measured in {quantity.unit})"
            + (f"; its numbers read as: {numbers}" if numbers else ""),
            "give the value and unit with --value and --unit, or check --quantity",
            EXIT_USAGE,
        )
    unit = args.unit or reading.unit
    qualifier = (
        reading.qualifier
        if args.qualifier is None
        else (None if args.qualifier == "none" else args.qualifier)
    )
    note = reading.note if unit == reading.unit else ""
    if args.value and value is not None and reading.value != value:
        reading = Reading(value, unit, qualifier, reading.text, note)
    return Reading(reading.value, unit, qualifier, reading.text, note, reading.start, reading.end)


def _claim_ids(kb: KnowledgeBase) -> dict[str, str]:
    """Every claim id in the knowledge base, with where it is, including files that have errors."""
    ids = {cid: str(e.location) for cid, e in kb.claims.items()}
    for path in yaml_files(kb.root):
        if path.relative_to(kb.root).parts[0] == SOURCES_DIR:
            continue
        try:
            doc = read_yaml(path, contents._display(path, kb.root))
        except YamlProblem:
            continue
        items = doc.data.get("claims") if isinstance(doc.data, dict) else None
        for i, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                ids.setdefault(item["id"], str(doc.location(("claims", i, "id"))))
    return ids


def _new_id(args: argparse.Namespace, source: str, quantity: str, taken: dict[str, str]) -> str:
    if args.id:
        if not re.match(SLUG, args.id) or len(args.id) > 120:
            raise Stop(
                f"--id {args.id!r} is not a lower-case slug",
                "use letters a-z, digits, '.', '_' and '-', starting with a letter or digit",
                EXIT_USAGE,
            )
        if args.id in taken:
            raise Stop(
                f"a claim with id {args.id!r} already exists, at {taken[args.id]}",
                "choose another --id (or leave it out to have one made)",
            )
        return str(args.id)
    base = f"{source}-{quantity}".replace("_", "-")[:110].rstrip("-.")
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _target(args: argparse.Namespace, root: Path, subject: str) -> Path:
    path: Path = args.file if args.file else root / (slugify(subject) or "claims") / "added.yaml"
    try:
        rel = path.resolve().relative_to(root.resolve())
    except ValueError:
        raise Stop(
            f"--file {path} is outside the claims folder {root}",
            f"kb reads claims only from {root}: choose a file there",
        ) from None
    if path.suffix != ".yaml":
        raise Stop(f"--file {path} does not end in .yaml", "kb reads claims from .yaml files", EXIT_USAGE)
    if rel.parts[0] == SOURCES_DIR or path.name.startswith("quantities"):
        raise Stop(
            f"--file {path} is not a claims file",
            "choose a file outside sources/ and not quantities*.yaml",
            EXIT_USAGE,
        )
    return root / rel  # as kb check names it, however --file was written


def _schema_path(root: Path, path: Path) -> str:
    schema = root.resolve().parent / "kb" / "schemas" / "claims.schema.json"
    return os.path.relpath(schema, path.resolve().parent).replace(os.sep, "/")


def _claim_data(
    args: argparse.Namespace,
    claim_id: str,
    subject: str,
    quantity: Quantity,
    reading: Reading | None,
    quote: str | None,
) -> dict[str, Any]:
    cite = {"source": args.source, "quote": quote, "translation": args.translation, "locator": args.locator}
    data: dict[str, Any] = {
        "id": claim_id,
        "kind": None if args.kind == "claim" else args.kind,
        "subject": subject,
        "quantity": quantity.id,
        "value": None if reading is None else reading.value,
        "unit": None if reading is None or reading.unit == "1" else reading.unit,
        "qualifier": None if reading is None else reading.qualifier,
        "statement": args.statement,
        "as_of": args.as_of,
        "justification": args.justification,
        "sources": [{k: v for k, v in cite.items() if v is not None}],
        "notes": args.notes,
    }
    return {k: v for k, v in data.items() if v is not None}


def _dry_check(
    kb: KnowledgeBase, path: Path, display: str, text: str
) -> tuple[ClaimEntry, list[Problem], Any]:
    """Check the new claim as it will be in the file, without writing: its problems, and the checking run."""
    try:
        doc = read_yaml(path, display, text)
    except YamlProblem as exc:  # pragma: no cover - add_claim read the same text back already
        raise Stop(str(exc.problem)) from None
    base = ("claims", len(doc.data["claims"]) - 1)
    claim, problems = validate(Claim, doc.data["claims"][-1], doc, base)
    if claim is None:
        raise Stop(
            "the claim is not valid:\n  " + "\n  ".join(str(p).replace("\n", "\n  ") for p in problems),
            code=EXIT_USAGE,
        )
    entry = ClaimEntry(claim, doc, base)
    contents.resolve_value(kb, entry)
    kb.claims[claim.id] = entry
    results = checks.run(kb)
    result = results.claims[claim.id]
    found = [*entry.problems, *result.problems, *(c.problem for c in result.checks if c.problem)]
    return entry, found, (result, [c for c in results.conflicts if claim.id in (c.a, c.b)])


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except Stop as stop:
        print(f"kb add: {stop.message}", file=sys.stderr)
        if stop.hint:
            print(f"    -> {stop.hint}", file=sys.stderr)
        return stop.code
    except KbError as exc:
        print(f"kb add: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"    -> {exc.hint}", file=sys.stderr)
        return EXIT_ERRORS
    except BrokenPipeError:  # the reader of our output left (kb add | head): kb.cli ends quietly
        raise
    except OSError as exc:  # a full disk, a read-only folder: nothing was changed
        print(
            f"kb add: cannot write {exc.filename or 'the claims file'}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        print("    -> the file is as it was; fix the cause and run the command again", file=sys.stderr)
        return EXIT_ERRORS


def _run(args: argparse.Namespace) -> int:
    root: Path = args.claims
    if not root.is_dir():
        raise Stop(
            f"no claims folder at {root}", "run kb in the project folder, or pass --claims DIR", EXIT_USAGE
        )
    kb = contents.load(root)
    source = _source(kb, args.source)
    quote = fold(args.quote) if args.quote else None
    if quote is None and not args.locator:
        raise Stop(
            "give the source's words with --quote",
            "or, for a source not archived here, --locator",
            EXIT_USAGE,
        )
    if quote is not None:
        _check_quote(source, quote)
    if source.meta.language.split("-")[0] != "en" and quote and not args.translation:
        raise Stop(
            f"source {source.id} is in {source.meta.language!r}: give an English translation of the quote",
            'add --translation "..."',
            EXIT_USAGE,
        )
    subject = _subject(kb, args.subject)
    quantity = _quantity(kb, args.quantity)
    _not_twice(kb, subject, quantity.id, source.id, quote)
    reading = None if args.statement else _reading(args, quote, quantity)
    if reading is not None:
        try:
            unit_info(reading.unit)
        except KbError as exc:
            raise Stop(
                f"unit {reading.unit!r}: {exc.message}", exc.hint or "give the unit with --unit"
            ) from None
    with locked(root):  # every kb add of this knowledge base in turn: no claim or id is lost to a race
        written = _write(args, kb, subject, quantity, reading, quote)
    if written is None:
        return EXIT_ERRORS
    claim_id, problems, result, conflicts = written
    if reading is not None:
        q = f", qualifier {reading.qualifier}" if reading.qualifier else ""
        words = f"read from {reading.text!r}: " if reading.text else ""
        print(f"  {words}value {reading.value_text}, unit {reading.unit}{q}")
        if reading.note:
            print(f"  note: {reading.note}")
    if not source.archived:
        print(f"  source {source.id} is not archived here: the quote is kept as given, not verified")
    if args.dry_run and problems:
        for p in problems:
            print("  error: " + str(p).replace("\n", "\n  "))
    verdict = result.verdict
    print(f"  {report.verdict_line(verdict)}")
    for c in conflicts if verdict != Verdict.ERROR else []:
        other, mine, theirs = (c.b, c.a_value, c.b_value) if c.a == claim_id else (c.a, c.b_value, c.a_value)
        print(f"  conflicts with {other} ({theirs}); this claim states {mine}")
    if args.dry_run and problems:
        return EXIT_ERRORS
    return EXIT_OK


def _not_twice(kb: KnowledgeBase, subject: str, quantity: str, source: str, quote: str | None) -> None:
    """Refuse a claim that one already states: the same subject, quantity and quote of the same
    source (kb add run twice made a second copy, with -2 in its id, which every table and chart then
    counted twice)."""
    if quote is None:
        return
    for e in kb.claims.values():
        c = e.claim
        first = c.sources[0]
        if (
            c.subject.casefold() == subject.casefold()
            and c.quantity == quantity
            and first.source == source
            and first.quote is not None
            and fold(first.quote) == quote
        ):
            raise Stop(
                f"{e.id} ({e.location}) already states this: {subject}, {quantity}, from the same quote",
                f"kb show {e.id}; kb edit {e.id} to change it, or quote other words of the source",
                EXIT_USAGE,
            )


def _write(
    args: argparse.Namespace,
    kb: KnowledgeBase,
    subject: str,
    quantity: Quantity,
    reading: Reading | None,
    quote: str | None,
) -> tuple[str, list[Problem], Any, list[Any]] | None:
    """Read the target file, add the claim, check it and write it (under the knowledge base's lock).

    Returns the claim's id, problems and checking run; None when its errors kept it from being written.
    """
    root = kb.root
    path = _target(args, root, subject)
    display = contents._display(path, root)
    taken = _claim_ids(kb)  # read again under the lock: ids another kb add has just written count
    claim_id = _new_id(args, args.source, quantity.id, taken)
    data = _claim_data(args, claim_id, subject, quantity, reading, quote)
    try:
        Claim.model_validate(data)
    except ValidationError as exc:
        messages = [
            f"{'.'.join(str(x) for x in e['loc']) or 'claim'}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()
        ]
        raise Stop("the claim is not valid: " + "; ".join(messages), code=EXIT_USAGE) from None
    old = _current(path, root)
    new = add_claim(old, data, display, _schema_path(root, path))
    entry, problems, (result, conflicts) = _dry_check(kb, path, display, new)
    line = entry.location.line
    if args.dry_run:
        print(f"# would be added to {display} (line {line}):")
        print(render_item(data, 2), end="")
    elif problems and not args.force:
        print(f"kb add: the claim has {len(problems)} error(s); nothing written:", file=sys.stderr)
        for p in problems:
            print("  " + str(p).replace("\n", "\n  "), file=sys.stderr)
        print("    -> fix the flags above (or write it anyway with --force)", file=sys.stderr)
        return None
    else:
        if _current(path, root) != old:  # changed by something that does not take the lock (an editor)
            raise Stop(
                f"{display} changed while the claim was added; nothing written", "run the command again"
            )
        atomic_write_text(path, new)
        print(f"added {claim_id} to {display}:{line}")
    return claim_id, problems, result, conflicts


def _current(path: Path, root: Path) -> str | None:
    """The target file's text (None when it does not exist yet); a link out or a FIFO is refused."""
    if not path.exists() and not path.is_symlink():
        return None
    try:
        return read_confined(path, root).decode("utf-8")
    except UnicodeDecodeError:
        raise Stop(f"{path.name} is not UTF-8 text", "save it as UTF-8, or choose another --file") from None
