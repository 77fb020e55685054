"""The parse cache: validated claims of each YAML file, keyed by the hash of its bytes.

Parsing and validating YAML is most of what `kb check` costs on a large knowledge base; a file
that has not changed since it was last read without a problem is taken from here instead. The
key covers the file's bytes and the data model's source, so a change to either misses.
Entries live in .kb-cache/ beside claims/, are written atomically, and may be deleted at will.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import kb
from kb.model import Claim

CACHE_DIR = ".kb-cache"
SOURCES = ("model.py", "readers.py", "numbers.py", "units.py", "values.py", "quotes.py", "checks.py")


@lru_cache(maxsize=1)
def _salt() -> bytes:
    # The cached work depends on the code of these modules: a change to any of them misses.
    code = b"".join(Path(__file__).with_name(m).read_bytes() for m in SOURCES)
    return hashlib.sha256(kb.__version__.encode() + code).digest()


@dataclass
class Entry:
    kind: str
    claims: list[Claim]
    positions: dict[tuple[Any, ...], tuple[int, int]]
    quoted: frozenset[str] = frozenset()
    """Ids of claims whose value was found in their quote (that check depends on the claim alone)."""


class ParseCache:
    def __init__(self, claims_root: Path) -> None:
        self.dir = claims_root.resolve().parent / CACHE_DIR / "parse"

    def key(self, raw: bytes) -> str:
        return hashlib.sha256(_salt() + raw).hexdigest()

    def get(self, key: str) -> Entry | None:
        try:
            with open(self.dir / f"{key}.pickle", "rb") as fh:
                entry = pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
            return None
        return entry if isinstance(entry, Entry) else None

    def put(self, key: str, entry: Entry) -> None:
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.dir, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(entry, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.dir / f"{key}.pickle")
        except OSError:
            pass  # a read-only tree still checks, only slower
