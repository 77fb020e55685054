"""Where kb keeps what it can make again: outside the knowledge base, as data that cannot run.

A knowledge base is edited by contributors and checked in CI on their pull requests, so nothing
under it is trusted to be code or a cache: caches are JSON (never pickle) in a per-user folder
($KB_CACHE_DIR, else $XDG_CACHE_HOME/kb, else ~/.cache/kb), one sub-folder per claims folder. A
cache file that fails to read is treated as absent, and every key covers a hash of every file of
the kb package, so any change to kb misses. The only code kept here is kb's own templates
compiled (kb/site/templatecache.py), made from the package alone and read only from this user's
private files. Standard library only:
`kb build` asks for the chart cache before it knows whether there is anything to build.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from kb.atomic import atomic_write_bytes

ENV = "KB_CACHE_DIR"
PACKAGE = Path(__file__).resolve().parent
MAX_BYTES = 256 * 1024 * 1024
"""A cache file larger than this is not read (it is not one kb wrote)."""


def _base() -> Path:
    given = os.environ.get(ENV)
    if given:
        return Path(given)
    xdg = os.environ.get("XDG_CACHE_HOME")
    try:
        return Path(xdg) / "kb" if xdg else Path.home() / ".cache" / "kb"
    except RuntimeError:  # no home folder: a cache that cannot be written only costs time
        return Path(os.devnull)


def user_folder(name: str) -> Path:
    """A cache folder shared by every knowledge base of this user (what depends on kb alone)."""
    return _base() / name


def cache_root(claims: Path) -> Path:
    """The cache folder of the knowledge base in `claims` (never inside it or beside it)."""
    tag = hashlib.sha256(str(claims.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return _base() / tag


@lru_cache(maxsize=2)
def package_hash(root: Path = PACKAGE) -> str:
    """A hash of every file of the kb package (code, templates, schemas): cached work depends on them."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def read_json(path: Path) -> Any:
    """The data of a cache file; None when it is absent, too large, or not JSON."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
        return None if len(raw) > MAX_BYTES else loads_json(raw)
    except (OSError, ValueError, RecursionError):
        return None


def loads_json(raw: str | bytes) -> Any:
    """JSON as kb writes it (dates come back as dates); raises ValueError when it is not JSON."""
    tagged = ('"$date"' in raw) if isinstance(raw, str) else (b'"$date"' in raw)
    return json.loads(raw, object_hook=_decode) if tagged else json.loads(raw)  # no hook: no call per object


def dump_json(data: Any) -> str | None:
    """JSON text of cache data (dates tagged); None when the data cannot be written as JSON."""
    try:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_encode)
    except (ValueError, TypeError, RecursionError):
        return None


def write_json(path: Path, data: Any) -> None:
    """Write a cache file atomically; a cache that cannot be written only costs time."""
    text = dump_json(data)
    if text is not None:
        write_text(path, text)


def write_text(path: Path, text: str) -> None:
    """Write JSON text made by `dump_json` atomically; a cache that cannot be written only costs time."""
    with contextlib.suppress(OSError, ValueError):
        atomic_write_bytes(path, text.encode("utf-8", "surrogatepass"), durable=False)


def _encode(value: Any) -> Any:
    # Dates are the only non-JSON values kb caches: tagged so that they come back as dates.
    if hasattr(value, "isoformat"):
        return {"$date": value.isoformat(), "$type": type(value).__name__}
    raise TypeError(type(value).__name__)


def _decode(obj: dict[str, Any]) -> Any:
    if obj.keys() == {"$date", "$type"}:
        kind = dt.datetime if obj["$type"] == "datetime" else dt.date
        return kind.fromisoformat(obj["$date"])
    return obj
