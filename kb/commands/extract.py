"""kb extract SOURCE: propose every numeric claim of an archived source in a draft a person reviews."""

from __future__ import annotations

import argparse
import os
import re
from collections import Counter
from pathlib import Path

from kb import contents
from kb.atomic import atomic_create, atomic_write_text
from kb.commands import EXIT_OK, EXIT_USAGE, add_claims_option, claims_file, fail, guarded
from kb.confined import read_confined
from kb.drafts import accepted, add_all, draft_items, render
from kb.errors import did_you_mean
from kb.extract import extract_source
from kb.slugs import slugify


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "extract",
        help="propose every numeric claim of a source, in a draft to review",
        description="Read an archived source and propose every number in it as a claim (value, unit "
        "and qualifier as read; quantity and subject guessed, and marked as guesses), written to a "
        "draft file outside claims/. Review the draft (accept, edit or drop each proposal), then add "
        "the accepted ones with --accept.",
        epilog="example: kb extract meta-llama2-model-card; then kb extract --accept "
        "drafts/meta-llama2-model-card.yaml",
    )
    add_claims_option(p)
    p.add_argument("source", nargs="?", metavar="SOURCE", help="the id of an archived source")
    p.add_argument("--out", type=Path, help="the draft file (default: drafts/SOURCE.yaml beside claims/)")
    p.add_argument("--force", action="store_true", help="replace an existing draft")
    p.add_argument("--accept", type=Path, metavar="DRAFT", help="add a reviewed draft's accepted proposals")
    p.add_argument(
        "--file", type=Path, help="with --accept: the claims file (default: claims/SUBJECT/SOURCE.yaml)"
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.accept:
        return guarded("extract", args.claims, lambda: _accept(args, args.claims))
    if not args.source:
        return fail(
            "extract", "give the source's id, or --accept DRAFT", "e.g. kb extract my-card", EXIT_USAGE
        )
    return guarded("extract", args.claims, lambda: _extract(args, args.claims), lock=False)


def _extract(args: argparse.Namespace, root: Path) -> int:
    kb = contents.load(root)
    source = kb.sources.get(args.source)
    if source is None:
        return fail(
            "extract",
            f"no source {args.source!r}",
            did_you_mean(args.source, kb.sources) or "kb source add FILE ...",
        )
    if source.text is None:
        return fail(
            "extract",
            f"source {source.id} is not archived here: no text to read",
            "archive it with kb source add FILE",
        )
    proposals = extract_source(kb, source)
    out: Path = args.out or root.parent / "drafts" / f"{source.id}.yaml"
    text = render(source, draft_items(kb, source, proposals), str(out))
    if args.force:
        atomic_write_text(out, text)
    else:
        atomic_create(out, text.encode("utf-8"))
    guessed = sum(1 for p in proposals if p.quantity)
    print(f"wrote {len(proposals)} proposals to {out} ({guessed} with a guessed quantity)")
    print(f"  review each (review: accept / drop), then: kb extract --accept {out}")
    return EXIT_OK


def _accept(args: argparse.Namespace, root: Path) -> int:
    draft: Path = args.accept
    if not draft.is_file():
        return fail("extract", f"no draft at {draft}", "write one with kb extract SOURCE", EXIT_USAGE)
    kb = contents.load(root)
    found = accepted(kb, draft, str(draft))
    if not found.claims:
        return fail(
            "extract",
            f"no proposal of {draft} is accepted",
            "set `review: accept` on the ones to add",
            EXIT_USAGE,
        )
    path = args.file or _default_file(root, found.claims)
    target = claims_file(root, path)
    display = contents._display(target, root)
    old = read_confined(target, root).decode("utf-8") if target.exists() else None
    schema = os.path.relpath(
        root.resolve().parent / "kb" / "schemas" / "claims.schema.json", target.resolve().parent
    )
    atomic_write_text(target, add_all(old, found.claims, display, schema.replace(os.sep, "/")))
    counts = f"{found.dropped} dropped, {found.pending} still pending"
    print(f"added {len(found.claims)} claims to {display} ({counts})")
    print("  next: kb check")
    return EXIT_OK


def _default_file(root: Path, claims: list[dict[str, object]]) -> Path:
    """claims/SUBJECT/SOURCE.yaml, SUBJECT being what the accepted claims are about: their common
    words ("Llama 3" of "Llama 3 8B" and "Llama 3 70B"); else the subject of half of them or more
    (GPT-4, of a document that mentions GPT-3 too); else the common start of their names ("Pythia"
    of Pythia-70M ... Pythia-12B); else the most common. Whole words and name parts, so ChatGLM-6B
    and CodeGeeX2-6B share nothing (not a folder "c")."""
    subjects = [str(c.get("subject")) for c in claims]
    common = " ".join(os.path.commonprefix([s.split() for s in subjects]))
    top, count = Counter(subjects).most_common(1)[0]
    if not common and 2 * count < len(subjects):
        common = " ".join(os.path.commonprefix([_NAME_PARTS.split(s) for s in subjects]))
    subject = common or top
    source = str(claims[0]["sources"][0]["source"])  # type: ignore[index]
    return root / (slugify(subject) or "claims") / f"{source}.yaml"


_NAME_PARTS = re.compile(r"[\s-]+")
