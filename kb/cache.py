"""The parse cache: validated claims of each YAML file, keyed by the hash of its bytes.

Parsing and validating YAML is most of what `kb check` costs on a large knowledge base; a file
that has not changed since it was last read without a problem is taken from here instead. The
key covers the file's bytes and every file of the kb package, so a change to either misses.
Entries are JSON in kb's cache folder (kb/cachedir.py: outside the knowledge base), one file per
YAML file; the claims are stored as the YAML data they validated from and validated again when
read, so an entry can hold nothing a YAML file could not.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kb import units
from kb.cachedir import cache_root, dump_json, loads_json, package_hash, read_json, write_text
from kb.model import Claim, ClaimFile

Position = tuple[int, int]


@dataclass
class Entry:
    kind: str
    claims: list[Claim]
    positions: dict[tuple[Any, ...], Position]
    quoted: frozenset[str] = frozenset()
    """Ids of claims whose value was found in their quote (that check depends on the claim alone)."""
    compacted: bool = False
    """The claims were made smaller in memory (kb.model.compact) by a load that took them."""


def _dump(entry: Entry, raw: list[Any]) -> str | None:
    """The entry as JSON text, the claims as the YAML data they were validated from; None when that
    data would not come back equal from JSON (then it is not cached)."""
    data = {
        "kind": entry.kind,
        "claims": raw,
        "positions": [[list(p), line, col] for p, (line, col) in entry.positions.items()],
        "quoted": sorted(entry.quoted),
    }
    text = dump_json(data)
    if text is None or loads_json(text) != data:
        return None
    return text


def _load(data: Any) -> Entry | None:
    try:
        claims = ClaimFile.model_validate({"claims": data["claims"]}).claims
        positions = {tuple(p): (int(line), int(col)) for p, line, col in data["positions"]}
        return Entry(str(data["kind"]), list(claims), positions, frozenset(map(str, data["quoted"])))
    except (ValidationError, KeyError, TypeError, ValueError):
        return None  # a damaged entry is a miss


class ParseCache:
    def __init__(self, claims_root: Path, kept: dict[str, Entry] | None = None) -> None:
        """`kept`: the entries an earlier load in this process read, by key (`kb serve` keeps them
        from one build to the next): taken as they are, not read and validated again. Updated to
        this load's entries as it gets them; see `forget_unused`."""
        self.dir = cache_root(claims_root) / "parse"
        self.kept = kept
        self.used: set[str] = set()

    def key(self, raw: bytes) -> str:
        # The units file's definitions count: a unit they define resolves differently without them.
        return hashlib.sha256((package_hash() + units.definitions_key()).encode() + raw).hexdigest()

    def get(self, key: str) -> Entry | None:
        self.used.add(key)
        if self.kept is not None and key in self.kept:
            return self.kept[key]
        data = read_json(self.dir / f"{key}.json")
        entry = _load(data) if isinstance(data, dict) else None
        if entry is not None and self.kept is not None:
            self.kept[key] = entry
        return entry

    def forget_unused(self) -> None:
        """Drop from `kept` the entries of files this load did not read (edited or removed)."""
        if self.kept is not None:
            for key in [k for k in self.kept if k not in self.used]:
                del self.kept[key]

    def put(self, key: str, entry: Entry, raw: list[Any]) -> None:
        """Keep `entry`, whose claims validated from `raw` (the `claims:` list as read): validating
        the same data again gives the same claims, so no claim is dumped and checked here."""
        self.used.add(key)
        if self.kept is not None:
            self.kept[key] = entry
        text = _dump(entry, raw)
        if text is not None:
            write_text(self.dir / f"{key}.json", text)
