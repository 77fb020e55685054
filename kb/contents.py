"""The knowledge base in memory: every source, quantity and claim, read and cross-referenced.

`load(root)` gathers everything first and collects every problem it meets (it never stops at
the first), so that one run of `kb check` reports all of them.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
import re
from collections.abc import Generator, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from kb import cache as parse_cache
from kb import procs, units
from kb.confined import read_confined
from kb.errors import KbError, Location, Problem, did_you_mean
from kb.model import Claim, ClaimFile, Law, LawFile, Quantity, QuantityFile, Relation, SourceMeta, compact
from kb.quotes import value_stated
from kb.readers import Document, Path_, YamlProblem, read_yaml_fast, utf8_problem, validate, yaml_files
from kb.units import UnitInfo, unit_info
from kb.unitsfile import UNITS_FILE, read_units
from kb.values import StatedValue, stated_value

SOURCES_DIR = "sources"
README = "README.md"


@dataclass
class Source:
    """A source document: its metadata and, when archived, its text."""

    meta: SourceMeta
    location: Location
    """Where its metadata file is."""
    text: str | None = None
    """The archived text, when there is one."""
    text_verified: bool = False
    """The text matches its sha256: only then is it published (a swapped file may hold anything)."""
    path: Path | None = None
    """The metadata file."""

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def archived(self) -> bool:
        return self.text is not None


@dataclass(slots=True)  # one per claim: no dict of its own
class ClaimEntry:
    """A claim as read from its file, with its value resolved once."""

    claim: Claim
    doc: Document
    base: Path_
    """Where the claim sits in its document, e.g. ('claims', 3)."""
    unit: UnitInfo | None = None
    value: StatedValue | None = None
    """None for a qualitative claim, or when the value or unit has an error."""
    quoted: bool = False
    """The value is known to be among the numbers of its first quote (found when the file was read,
    or remembered by the parse cache); False: not known, kb/checks.py looks."""
    problems: list[Problem] = field(default_factory=list)
    """Errors in this claim itself (unit, value, quote)."""

    @property
    def id(self) -> str:
        return self.claim.id

    @property
    def file(self) -> str:
        return self.doc.display

    def where(self, *path: str | int) -> Location:
        return self.doc.location((*self.base, *path))

    @property
    def location(self) -> Location:
        return self.where()


@dataclass
class KnowledgeBase:
    root: Path
    sources: dict[str, Source] = field(default_factory=dict)
    quantities: dict[str, Quantity] = field(default_factory=dict)
    claims: dict[str, ClaimEntry] = field(default_factory=dict)
    relations: list[tuple[Location, Relation]] = field(default_factory=list)
    """Standalone relations among claims (`relations:` in claims files), with where each is."""
    relation_docs: dict[str, tuple[Document, int]] = field(default_factory=dict)
    """Relation id -> its document and index there: a problem of one field is located at it."""
    laws: list[tuple[Location, Law]] = field(default_factory=list)
    """The laws of training and serving models (`laws:` files), with where each is."""
    problems: list[Problem] = field(default_factory=list)
    """Problems not tied to one claim (a broken file, a source whose text changed)."""
    parse_cache: parse_cache.ParseCache | None = None
    readme: str = ""
    """claims/README.md, which the site shows as its methodology page."""
    unreadable: dict[str, Location] = field(default_factory=dict)
    """Ids of claims and sources that failed validation, and where: a reference to one is not 'unknown'."""

    def all_problems(self) -> Iterator[Problem]:
        yield from self.problems
        for entry in self.claims.values():
            yield from entry.problems


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent)) if root.parent != Path("") else str(path)
    except ValueError:
        return str(path)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a knowledge base is read or checked.

    Each of its full passes walks every object alive, and reading or checking keeps adding objects
    that stay alive (claims, values, results): with 100,000 claims the passes cost as much as the
    work (reading and checking from the parse cache, 15.7 CPU-s with them, 8.0 without). What is
    made here holds few reference cycles; the collector is enabled again on the way out, as it was.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def load(
    root: Path, use_cache: bool = True, kept: dict[str, parse_cache.Entry] | None = None
) -> KnowledgeBase:
    """Read every file under `root` (a claims/ folder).

    A file whose bytes were read before without a problem comes from the parse cache
    (kb/cache.py), validated already; everything else is read and validated afresh. `kept`: the
    parse cache's entries an earlier load in this process took (kb serve), updated to this one's.
    """
    with collector_paused():
        return _load(root, use_cache, kept)


def _load(root: Path, use_cache: bool, kept: dict[str, parse_cache.Entry] | None = None) -> KnowledgeBase:
    kb = KnowledgeBase(root)
    store = parse_cache.ParseCache(root, kept) if use_cache else None
    if not root.is_dir():
        kb.problems.append(
            Problem(
                Location(str(root)),
                "no claims folder here",
                "run kb in a project with claims/, or pass --claims DIR",
            )
        )
        return kb
    kb.readme = _readme(kb)
    claim_docs: list[tuple[Document, parse_cache.Entry | None, str | None, _Ready | None]] = []
    quoted: frozenset[str] = frozenset()
    kb.problems.extend(read_units(root, _display(root / UNITS_FILE, root)))  # before any unit is read
    if store is not None:
        units.UNIT_CACHE.attach(store.dir.parent)
    files: list[tuple[Path, str, Path, bytes, str | None, parse_cache.Entry | None]] = []
    for path in yaml_files(root):
        display = _display(path, root)
        rel = path.relative_to(root)
        if rel.as_posix() == UNITS_FILE:
            continue
        try:
            raw = read_confined(path, root)
        except KbError as exc:
            kb.problems.append(exc.at(Location(display)))
            continue
        except OSError as exc:
            kb.problems.append(Problem(Location(display), f"cannot read the file: {exc.strerror}"))
            continue
        key = store.key(raw) if store else None
        hit = store.get(key) if store and key else None
        files.append((path, display, rel, raw, key, hit))
    misses = [(p, d, raw) for p, d, rel, raw, _, hit in files if hit is None]
    with closing(_parsed_in_order(misses)) as parsed:
        for path, display, rel, raw, key, hit in files:
            if hit is not None and rel.parts[0] != SOURCES_DIR and "quantities" not in hit.kind:
                doc = Document(path, display, None, dict(hit.positions), complete=False)
                claim_docs.append((doc, hit, None, None))
                quoted |= hit.quoted
            else:
                _read_file(
                    kb, path, display, rel, raw, key, next(parsed) if hit is None else None, claim_docs
                )
    for doc, cached, key, ready in claim_docs:
        if cached is not None:
            for i, claim in enumerate(cached.claims):
                entry = ClaimEntry(claim, doc, ("claims", i), quoted=claim.id in quoted)
                _add_claim(kb, entry, compacted=cached.compacted)
            cached.compacted = True
            continue
        clean = _read_claims(kb, doc, ready)
        if clean is not None and store is not None and key is not None:
            matched = _mark_quoted(kb, doc, clean, ready)
            # Its own copy of the positions: the document may complete its own from the file later.
            fresh = parse_cache.Entry("claims", clean, dict(doc.positions), matched, compacted=True)
            store.put(key, fresh, doc.data["claims"])
        # Read and cached: the file's plain data is not needed again (a location comes from the
        # positions, or from the file). Kept, it was about 15% of a cold build's knowledge base.
        doc.data = None
    if store is not None:
        store.forget_unused()
    kb.parse_cache = store
    return kb


def _read_file(
    kb: KnowledgeBase,
    path: Path,
    display: str,
    rel: Path,
    raw: bytes,
    key: str | None,
    parsed: Document | None,
    claim_docs: list[tuple[Document, parse_cache.Entry | None, str | None, _Ready | None]],
) -> None:
    """Read one file parsed afresh (`parsed`, or here): sources, quantities and laws at once; a claims
    file's claims resolved now (`_prepare`: no change to the knowledge base yet, while the other files
    are still being parsed) and added after every file is read, in order."""
    try:
        text = raw.decode("utf-8")
        doc = parsed or read_yaml_fast(path, display, text)
    except UnicodeDecodeError as exc:
        kb.problems.append(utf8_problem(display, raw, exc))
        return
    except YamlProblem as exc:
        kb.problems.append(exc.problem)
        if rel.parts[0] != SOURCES_DIR:
            _unreadable_ids(kb, raw.decode("utf-8", "replace"), exc.problem.location)
        return
    if doc.data is None:
        return
    if rel.parts[0] == SOURCES_DIR:
        _read_source(kb, doc)
    elif isinstance(doc.data, dict) and "quantities" in doc.data:
        qfile, problems = validate(QuantityFile, doc.data, doc)
        kb.problems.extend(problems)
        for i, q in enumerate(qfile.quantities if qfile else []):
            _add_quantity(kb, q, doc.location(("quantities", i)))
    elif isinstance(doc.data, dict) and "laws" in doc.data:
        _read_laws(kb, doc)
    else:
        claim_docs.append((doc, None, key, _prepare(doc)))


Resolved = tuple[UnitInfo | KbError, StatedValue | KbError | None]
"""A claim's unit and value as read, or the error reading each (no value: a qualitative claim)."""


@dataclass
class _Ready:
    """A claims file validated whole, and each claim's unit, value and quote check: what depends on
    the file alone, worked out while later files are still being parsed."""

    whole: ClaimFile
    resolved: list[Resolved]
    quoted: list[bool]


def _prepare(doc: Document) -> _Ready | None:
    """The file's claims validated and resolved; None when the file has a problem of its own (it is
    then read claim by claim, with every problem located)."""
    data = doc.data
    if not isinstance(data, dict) or not ("claims" in data or "relations" in data):
        return None
    try:
        whole = ClaimFile.model_validate(data)
    except ValidationError:
        return None
    resolved = [_resolve(claim) for claim in whole.claims]
    quoted = [
        _in_quote(claim, unit, value) for claim, (unit, value) in zip(whole.claims, resolved, strict=True)
    ]
    return _Ready(whole, resolved, quoted)


def _resolve(claim: Claim) -> Resolved:
    try:
        unit = unit_info(claim.unit)
    except KbError as exc:
        return exc, None
    if claim.value is None:
        return unit, None
    try:
        return unit, stated_value(claim.value, unit, claim.qualifier)
    except KbError as exc:
        return unit, exc


def _in_quote(claim: Claim, unit: object, value: object) -> bool:
    """Whether the claim's value is among the numbers of its first quote (see `value_quoted`)."""
    quote = next((c.quote for c in claim.sources if c.quote), None)
    if not quote or not isinstance(value, StatedValue) or not isinstance(unit, UnitInfo):
        return False
    return value_stated(value, unit, quote)


def _mark_quoted(
    kb: KnowledgeBase, doc: Document, claims: list[Claim], ready: _Ready | None
) -> frozenset[str]:
    """Look for the value of each claim read from `doc` in its first quote (a check on the claim
    alone, which the parse cache remembers with the file); the ids of those found."""
    found: set[str] = set()
    for i, claim in enumerate(claims):
        entry = kb.claims.get(claim.id)
        if entry is not None and entry.doc is doc and (ready.quoted[i] if ready else value_quoted(entry)):
            entry.quoted = True
            found.add(claim.id)
    return frozenset(found)


def value_quoted(entry: ClaimEntry) -> bool:
    """Whether the claim's value is among the numbers of its first quote (False without a quote or a
    value). The first quote whatever becomes of its source: the answer depends on the claim alone."""
    return _in_quote(entry.claim, entry.unit, entry.value)


def _readme(kb: KnowledgeBase) -> str:
    path = kb.root / README
    if not path.is_symlink() and not path.exists():
        return ""
    where = Location(_display(path, kb.root))
    try:
        return read_confined(path, kb.root).decode("utf-8")
    except KbError as exc:
        kb.problems.append(exc.at(where))
    except UnicodeDecodeError:
        kb.problems.append(Problem(where, "not UTF-8 text", "save the file as UTF-8"))
    except OSError as exc:
        kb.problems.append(Problem(where, f"cannot read the file: {exc.strerror}"))
    return ""


PARALLEL_BYTES = 2_000_000
"""Below this much YAML to parse, a second process costs more than it saves."""


def _parse_one(item: tuple[Path, str, bytes]) -> tuple[Path, Document | None]:
    path, display, raw = item
    try:
        return path, read_yaml_fast(path, display, raw.decode("utf-8"))
    except (UnicodeDecodeError, YamlProblem):
        return path, None  # the main process reads it again and reports the problem


def _parsed_in_order(items: list[tuple[Path, str, bytes]]) -> Generator[Document | None, None, None]:
    """Each item parsed, in order, on the other cores (fork) while this process reads what is parsed
    already; None for every item when there is too little to gain (or for one that failed: it is
    parsed again here, which reports its problem)."""
    cores = os.cpu_count() or 1
    if cores < 2 or sum(len(raw) for _, _, raw in items) < PARALLEL_BYTES:
        yield from (None for _ in items)
        return
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - no fork on this platform
        yield from (None for _ in items)
        return
    with context.Pool(min(cores - 1, 4), initializer=procs.die_with_parent) as pool:
        for _, doc in pool.imap(_parse_one, items, chunksize=4):
            yield doc


def _add_quantity(kb: KnowledgeBase, q: Quantity, where: Location) -> None:
    if q.id in kb.quantities:
        kb.problems.append(Problem(where, f"quantity {q.id!r} is defined twice", code="duplicate-id"))
        return
    try:
        unit_info(q.unit)
    except KbError as exc:
        kb.problems.append(exc.at(where))
        return
    kb.quantities[q.id] = q


def _read_source(kb: KnowledgeBase, doc: Document) -> None:
    meta, problems = validate(SourceMeta, doc.data, doc)
    kb.problems.extend(problems)
    if meta is None:
        _note_unreadable(kb, doc.data, doc.location())
        return
    where = doc.location()
    if meta.id in kb.sources:
        first = kb.sources[meta.id].location
        kb.problems.append(
            Problem(
                where,
                f"duplicate source id {meta.id!r}, also at {first}",
                "give each source its own id",
                "duplicate-id",
            )
        )
        return
    if meta.id != doc.path.stem:
        kb.problems.append(
            Problem(
                doc.location(("id",)),
                f"source id {meta.id!r} differs from its file name {doc.path.name!r}",
                f"rename the file to {meta.id}.yaml or change the id",
                "source-name",
            )
        )
    source = Source(meta, where, path=doc.path)
    if meta.text:
        source.text, source.text_verified = _archived_text(kb, doc, meta)
    kb.sources[meta.id] = source


def _archived_text(kb: KnowledgeBase, doc: Document, meta: SourceMeta) -> tuple[str | None, bool]:
    """A source's archived text (a regular file in the claims folder) and whether it matches its sha256."""
    where = doc.location(("text",))
    try:
        raw = read_confined(doc.path.parent / str(meta.text), kb.root)
    except KbError as exc:
        kb.problems.append(exc.at(where))
        return None, False
    except OSError:
        kb.problems.append(
            Problem(
                where,
                f"archived text {meta.text!r} is missing",
                "restore the file, or remove text: and sha256: if the source is not archived",
                "source-missing",
            )
        )
        return None, False
    digest = hashlib.sha256(raw).hexdigest()
    if digest != meta.sha256:
        kb.problems.append(
            Problem(
                doc.location(("sha256",)),
                f"the text of {meta.text!r} no longer matches its sha256 (now {digest[:12]}…); "
                "it is not published",
                "restore the archived text byte for byte; if the source really changed, archive it "
                "again with kb source add under a new id",
                "sha256-mismatch",
            )
        )
    try:
        return raw.decode("utf-8"), digest == meta.sha256
    except UnicodeDecodeError:
        kb.problems.append(Problem(where, f"{meta.text!r} is not UTF-8 text"))
        return None, False


def _read_claims(kb: KnowledgeBase, doc: Document, ready: _Ready | None = None) -> list[Claim] | None:
    """Validate a claims file; returns its claims when the file has no problem of its own."""
    data = doc.data
    if not isinstance(data, dict) or not ("claims" in data or "relations" in data):
        kb.problems.append(
            Problem(
                doc.location(),
                "a claims file must be a mapping with a 'claims:' list",
                "start the file with 'claims:' followed by '- id: ...' items",
                "schema",
            )
        )
        return None
    whole: ClaimFile | None = ready.whole if ready else None
    if whole is None:
        try:  # the common case, validated in one call; a file with an error is validated claim by claim
            whole = ClaimFile.model_validate(data)
        except ValidationError:
            whole = None
    if whole is not None:
        for i, claim in enumerate(whole.claims):
            _add_claim(kb, ClaimEntry(claim, doc, ("claims", i)), ready.resolved[i] if ready else None)
        _add_relations(kb, doc, whole.relations)
        # A file with relations is read afresh each time: the parse cache keeps claims only.
        return None if whole.relations else list(whole.claims)
    items = data.get("claims", [])
    extra = [k for k in data if k not in ("claims", "relations")]
    for key in extra:
        kb.problems.append(
            Problem(
                doc.location((key,)),
                f"unknown top-level field {key!r}",
                "only 'claims:' and 'relations:' are allowed",
                "schema",
            )
        )
    relations = data.get("relations") or []
    for i, item in enumerate(relations if isinstance(relations, list) else []):
        one_relation, problems = validate(Relation, item, doc, ("relations", i))
        kb.problems.extend(problems)
        if one_relation is not None:
            _add_relations(kb, doc, [one_relation], start=i)
    if not isinstance(items, list):
        kb.problems.append(
            Problem(
                doc.location(("claims",)),
                "'claims' must be a list of claims",
                "write each claim as an item: '  - id: ...' under 'claims:'",
                "schema",
            )
        )
        return None
    for i, item in enumerate(items):
        base: Path_ = ("claims", i)
        one, problems = validate(Claim, item, doc, base)
        if one is None:
            kb.problems.extend(problems)
            _note_unreadable(kb, item, doc.location(base))
            continue
        _add_claim(kb, ClaimEntry(one, doc, base))
    return None


def _add_relations(kb: KnowledgeBase, doc: Document, relations: list[Relation], start: int = 0) -> None:
    known = {r.id: where for where, r in kb.relations}
    for i, relation in enumerate(relations, start):
        where = doc.location(("relations", i))
        if relation.id in known:
            kb.problems.append(
                Problem(
                    where,
                    f"duplicate relation id {relation.id!r}, also at {known[relation.id]}",
                    "give each relation its own id",
                    "duplicate-id",
                )
            )
            continue
        known[relation.id] = where
        kb.relations.append((where, relation))
        kb.relation_docs[relation.id] = (doc, i)


def _read_laws(kb: KnowledgeBase, doc: Document) -> None:
    """Every law that validates is used: one broken law is reported, the others still apply."""
    lawfile, problems = validate(LawFile, doc.data, doc)
    laws: list[tuple[int, Law]] = list(enumerate(lawfile.laws)) if lawfile else []
    if lawfile is None:
        items = doc.data.get("laws") if isinstance(doc.data, dict) else None
        if not isinstance(items, list):
            kb.problems.extend(problems)
            return
        for i, item in enumerate(items):
            one, its_problems = validate(Law, item, doc, ("laws", i))
            kb.problems.extend(its_problems)
            if one is not None:
                laws.append((i, one))
    known = {law.id: where for where, law in kb.laws}
    for i, law in laws:
        where = doc.location(("laws", i))
        if law.id in known:
            kb.problems.append(Problem(where, f"law {law.id!r} is defined twice, also at {known[law.id]}"))
            continue
        known[law.id] = where
        kb.laws.append((where, law))


def _note_unreadable(kb: KnowledgeBase, data: object, where: Location) -> None:
    if isinstance(data, dict) and isinstance(data.get("id"), str):
        kb.unreadable.setdefault(data["id"], where)


_LISTED_ID = re.compile(r"""^\s*-\s+(?:\{\s*)?id:\s*['"]?([A-Za-z0-9][\w.-]*)""", re.MULTILINE)


def _unreadable_ids(kb: KnowledgeBase, text: str, where: Location) -> None:
    """The ids a file that could not be read seems to define ("- id: x" lines): a check that uses
    one then points at that file's error, not at an unknown id (one duplicate key made 25 errors)."""
    for m in _LISTED_ID.finditer(text):
        kb.unreadable.setdefault(m.group(1), where)


def unreadable_hint(kb: KnowledgeBase, ident: str, choices: Iterable[str]) -> tuple[str, str]:
    """How to name a missing id: 'unknown', or 'could not be read' when its own entry has an error."""
    if ident in kb.unreadable:
        return "unreadable", f"{ident!r} could not be read: fix the error at {kb.unreadable[ident]} first"
    return "unknown", did_you_mean(ident, choices)


def _add_claim(
    kb: KnowledgeBase, entry: ClaimEntry, resolved: Resolved | None = None, compacted: bool = False
) -> None:
    claim = entry.claim
    if claim.id in kb.claims:
        first = kb.claims[claim.id].location
        kb.problems.append(
            Problem(
                entry.where("id"),
                f"duplicate claim id {claim.id!r}, also at {first}",
                "claim ids must be unique across the knowledge base; rename one",
                "duplicate-id",
            )
        )
        return
    if not compacted:
        compact(claim)  # the same claim, smaller to keep
    resolve_value(kb, entry, resolved)
    kb.claims[claim.id] = entry


def resolve_value(kb: KnowledgeBase, entry: ClaimEntry, resolved: Resolved | None = None) -> None:
    """Set the claim's unit and value as resolved (`_resolve`, unless given), with the problems of
    each located, and check its unit against its quantity's."""
    claim = entry.claim
    unit, value = resolved or _resolve(claim)
    if isinstance(unit, KbError):
        entry.problems.append(unit.at(entry.where("unit")))
        return
    entry.unit = unit
    quantity = kb.quantities.get(claim.quantity)
    if quantity is None:
        from kb.errors import did_you_mean

        entry.problems.append(
            Problem(
                entry.where("quantity"),
                f"unknown quantity {claim.quantity!r}",
                did_you_mean(claim.quantity, kb.quantities) or "add it to claims/quantities.yaml",
                "unknown-quantity",
            )
        )
    else:
        qunit = unit_info(quantity.unit)
        if qunit.dims != entry.unit.dims:
            entry.problems.append(
                Problem(
                    entry.where("unit"),
                    f"unit {claim.unit!r} measures {entry.unit.dims_text}, but {claim.quantity} is measured "
                    f"in {quantity.unit!r} ({qunit.dims_text})",
                    f"write the value in a unit like {quantity.unit!r}",
                    "unit-mismatch",
                )
            )
    if isinstance(value, KbError):
        entry.problems.append(value.at(entry.where("value")))
    else:
        entry.value = value
