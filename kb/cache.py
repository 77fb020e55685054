"""The parse cache: validated claims of each YAML file, keyed by the hash of its bytes.

Parsing and validating YAML is most of what `kb check` costs on a large knowledge base; a file
that has not changed since it was last read without a problem is taken from here instead. The
key covers the file's bytes and every file of the kb package, so a change to either misses.
Entries are JSON in kb's cache folder (kb/cachedir.py: outside the knowledge base), one file per
YAML file; the claims are stored as their validated data and validated again when read, so an
entry can hold nothing a YAML file could not.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kb import units
from kb.cachedir import cache_root, package_hash, read_json, write_json
from kb.model import Claim, ClaimFile

Position = tuple[int, int]


@dataclass
class Entry:
    kind: str
    claims: list[Claim]
    positions: dict[tuple[Any, ...], Position]
    quoted: frozenset[str] = frozenset()
    """Ids of claims whose value was found in their quote (that check depends on the claim alone)."""


def _dump(entry: Entry) -> dict[str, Any] | None:
    """The entry as JSON data; None when a claim would not come back equal (then it is not cached)."""
    claims = [c.model_dump(mode="python", exclude_unset=True) for c in entry.claims]
    try:
        again = ClaimFile.model_validate({"claims": claims}).claims
    except ValidationError:
        return None
    if again != entry.claims:
        return None
    return {
        "kind": entry.kind,
        "claims": claims,
        "positions": [[list(p), line, col] for p, (line, col) in entry.positions.items()],
        "quoted": sorted(entry.quoted),
    }


def _load(data: Any) -> Entry | None:
    try:
        claims = ClaimFile.model_validate({"claims": data["claims"]}).claims
        positions = {tuple(p): (int(line), int(col)) for p, line, col in data["positions"]}
        return Entry(str(data["kind"]), list(claims), positions, frozenset(map(str, data["quoted"])))
    except (ValidationError, KeyError, TypeError, ValueError):
        return None  # a damaged entry is a miss


class ParseCache:
    def __init__(self, claims_root: Path) -> None:
        self.dir = cache_root(claims_root) / "parse"

    def key(self, raw: bytes) -> str:
        # The units file's definitions count: a unit they define resolves differently without them.
        return hashlib.sha256((package_hash() + units.definitions_key()).encode() + raw).hexdigest()

    def get(self, key: str) -> Entry | None:
        data = read_json(self.dir / f"{key}.json")
        return _load(data) if isinstance(data, dict) else None

    def put(self, key: str, entry: Entry) -> None:
        data = _dump(entry)
        if data is not None:
            write_json(self.dir / f"{key}.json", data)
