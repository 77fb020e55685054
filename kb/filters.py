"""Finding one's own claims: `kb check` and `kb show` restricted to a file, subject, source,
quantity, id prefix or verdict, or to the claims changed since a git revision.

Everything is checked as always (blame needs the whole knowledge base); only the report is limited.
"""

from __future__ import annotations

import argparse
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kb.contents import KnowledgeBase
from kb.errors import KbError, did_you_mean
from kb.readers import load_plain
from kb.results import VERDICTS, Results


def add_filter_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("filters (the report shows only the claims that match all of them)")
    g.add_argument(
        "--file", action="append", default=[], metavar="PATH", help="claims in this file or folder"
    )
    g.add_argument("--subject", action="append", default=[], help="claims about this subject")
    g.add_argument("--source", action="append", default=[], metavar="ID", help="claims quoting this source")
    g.add_argument("--quantity", action="append", default=[], metavar="ID", help="claims of this quantity")
    g.add_argument("--id", action="append", default=[], metavar="PREFIX", help="claims whose id starts so")
    g.add_argument(
        "--verdict",
        action="append",
        default=[],
        choices=VERDICTS,
        metavar="VERDICT",
        help="consistent, inconsistent, unverified, error",
    )
    g.add_argument("--changed", metavar="REV", help="claims added or changed since this git revision")


@dataclass(frozen=True)
class Filter:
    files: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    quantities: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    verdicts: tuple[str, ...] = ()
    changed: str | None = None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Filter:
        return cls(
            files=tuple(args.file),
            subjects=tuple(args.subject),
            sources=tuple(args.source),
            quantities=tuple(args.quantity),
            prefixes=tuple(args.id),
            verdicts=tuple(args.verdict),
            changed=args.changed,
        )

    @property
    def active(self) -> bool:
        return any(
            (self.files, self.subjects, self.sources, self.quantities, self.prefixes, self.verdicts)
        ) or (self.changed is not None)


def select(kb: KnowledgeBase, results: Results, f: Filter) -> set[str]:
    """The ids of the claims that match every filter; raises KbError for a filter value that names
    nothing in the knowledge base (a typo would otherwise show no claim, and pass a CI run)."""
    files = tuple(_norm(kb, p) for p in f.files)
    _known(kb, f, files)
    subjects = {s.casefold() for s in f.subjects}  # compared without case, as the checker does
    changed = changed_claims(kb, f.changed) if f.changed else None
    out = set()
    for cid, entry in kb.claims.items():
        c = entry.claim
        where = entry.location.file
        if (
            (files and not any(_in(where, p) for p in files))
            or (subjects and c.subject.casefold() not in subjects)
            or (f.sources and not any(s.source in f.sources for s in c.sources))
            or (f.quantities and c.quantity not in f.quantities)
            or (f.prefixes and not cid.startswith(f.prefixes))
            or (f.verdicts and results.claims[cid].verdict not in f.verdicts)
            or (changed is not None and cid not in changed)
        ):
            continue
        out.add(cid)
    return out


def _in(where: str, path: str) -> bool:
    return where == path or where.startswith(path.rstrip("/") + "/")


def _known(kb: KnowledgeBase, f: Filter, files: tuple[str, ...]) -> None:
    """Raise KbError naming the first filter value that matches no claim's subject, source,
    quantity, file or id (with the closest known ones)."""
    claims = [e.claim for e in kb.claims.values()]
    subjects = {c.subject.casefold(): c.subject for c in claims}
    named: list[tuple[str, tuple[str, ...], dict[str, str]]] = [
        ("subject", f.subjects, subjects),
        ("source", f.sources, {s.source: s.source for c in claims for s in c.sources}),
        ("quantity", f.quantities, {c.quantity: c.quantity for c in claims}),
    ]
    for what, wanted, known in named:
        for value in wanted:
            if (value.casefold() if what == "subject" else value) not in known:
                hint = (
                    did_you_mean(value, list(known.values())) or f"kb check lists the {what}s of every claim"
                )
                raise KbError(f"no claim has the {what} {value!r}", hint, "filter")
    places = {e.location.file for e in kb.claims.values()}
    for given, path in zip(f.files, files, strict=True):
        if not any(_in(where, path) for where in places):
            raise KbError(
                f"no claim is in {given!r}", "give a claims file or folder, as kb check prints them", "filter"
            )
    for prefix in f.prefixes:
        if not any(cid.startswith(prefix) for cid in kb.claims):
            raise KbError(
                f"no claim id starts with {prefix!r}", did_you_mean(prefix, list(kb.claims)) or "", "filter"
            )


def _norm(kb: KnowledgeBase, path: str) -> str:
    """A --file as kb names files (claims/llama-2/x.yaml), however it was written."""
    p = Path(path)
    for base in (Path.cwd(), kb.root.parent):
        try:
            return str((base / p).resolve().relative_to(kb.root.resolve().parent))
        except ValueError:
            continue
    return path


def restrict(kb: KnowledgeBase, results: Results, ids: set[str]) -> Results:
    """The results of the selected claims: their conflicts, relations and files' problems only."""
    files = {kb.claims[c].location.file for c in ids}
    return replace(
        results,
        claims={k: v for k, v in results.claims.items() if k in ids},
        conflicts=[c for c in results.conflicts if c.a in ids or c.b in ids],
        relations=[r for r in results.relations if set(r.members) & ids],
        problems=[p for p in results.problems if p.location.file in files],
    )


def changed_claims(kb: KnowledgeBase, rev: str) -> set[str]:
    """The claims added or changed since `rev` (a git revision): compared field by field."""
    root = kb.root.resolve()
    top = _git(root, "rev-parse", "--show-toplevel").strip()
    names = _git(root, "diff", "--name-only", rev, "--", ".").splitlines()
    names += _git(root, "ls-files", "--others", "--exclude-standard", "--full-name", ".").splitlines()
    out: set[str] = set()
    for name in {n for n in names if n.endswith(".yaml")}:
        now = Path(top) / name
        if not now.exists():
            continue
        old = _claims_by_id(_git(root, "show", f"{rev}:{name}", missing_ok=True))
        new = _claims_by_id(now.read_text(encoding="utf-8", errors="replace"))
        out |= {cid for cid, item in new.items() if old.get(cid) != item}
    return out


def _claims_by_id(text: str) -> dict[str, Any]:
    try:
        data = load_plain(text) if text else None
    except Exception:  # noqa: BLE001 - an old version that does not parse counts as empty
        return {}
    items = data.get("claims") if isinstance(data, dict) else None
    return {i["id"]: i for i in items or [] if isinstance(i, dict) and isinstance(i.get("id"), str)}


def _git(cwd: Path, *args: str, missing_ok: bool = False) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except OSError:
        raise KbError(
            "--changed needs git, which is not installed", "install git, or leave out --changed"
        ) from None
    if done.returncode != 0:
        if missing_ok:
            return ""
        raise KbError(
            f"git {' '.join(args[:2])}: {done.stderr.strip() or 'failed'}",
            "--changed takes a revision of the repository holding claims/, e.g. --changed origin/main",
        )
    return done.stdout
