"""Putting a built site in place: whole (swap a new folder in) or file by file (apply a staged update).

A cold build renders the whole site into a temporary folder and swaps it in with one rename. A
rebuild that changed a few pages stages only those (plus the small files every build writes)
and applies them to the site in place: each file is renamed over its old version, so a reader
or `kb serve` sees the old page or the new one, never half of one, and a search bundle is
exchanged as a whole folder. Nothing is applied before every staged file is written, so a
failed build leaves the site as it was.

The manifest says which pages were built from which inputs. Before the first file is replaced
it is rewritten without the entries about to change, so a build interrupted half-way through
the renames renders those pages again next time instead of trusting a stale entry.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb import procs
from kb.site import fingerprint


@dataclass
class Staged:
    """What an in-place rebuild did not make again, beside the files it staged."""

    kept: set[str] = field(default_factory=set)
    """Files of the site (relative, with /) left as they are: pages whose inputs did not change."""
    kept_folders: set[str] = field(default_factory=set)
    """Top-level folders (search bundles) left as they are, whole."""
    folders: set[str] = field(default_factory=set)
    """Top-level folders (search bundles) staged whole: each replaces its namesake in one exchange."""
    present: dict[str, int] = field(default_factory=dict)
    """The site's files and sizes when the build began (fingerprint.sizes: one walk serves the
    check that the site is intact and the update)."""


def swap(new: Path, target: Path) -> None:
    """Put `new` at `target`; the previous content of `target` is removed."""
    if not target.exists():
        os.rename(new, target)
        return
    if exchange(new, target):
        shutil.rmtree(new, ignore_errors=True)  # now holds the previous site
        return
    old = procs.owned_temp_folder(f".{target.name}.old-", target.parent)
    os.rename(target, old / "site")
    os.rename(new, target)
    shutil.rmtree(old, ignore_errors=True)


def apply(
    staging: Path,
    site: Path,
    previous: dict[str, Any],
    staged: Staged,
    manifest: tuple[str, dict[str, str], dict[str, Any]],
) -> int:
    """Move the staged files into `site` (see the module's docstring); returns how many changed.

    `manifest` is what fingerprint.write_manifest records once they are in place: the build's
    fingerprint, every page's key and the extra fields."""
    old_files: dict[str, Any] = previous["files"]
    made = _files(staging, staged.folders)
    changed = [rel for rel in sorted(made) if not _same(staging / rel, site / rel)]
    replaced = {rel for rel in old_files if _top(rel) in staged.folders}
    belongs = staged.kept | set(made) | {rel for rel in old_files if _top(rel) in staged.kept_folders}
    present = staged.present  # a file kb did not write goes too, as with a new site
    gone = sorted(set(present) - belongs - {rel for rel in present if _top(rel) in staged.folders})
    touched = set(changed) | set(gone) | replaced
    after = {rel: size for rel, size in present.items() if rel not in touched} | made
    for name in staged.folders:
        after |= {f"{name}/{rel}": size for rel, size in fingerprint.sizes(staging / name).items()}
    interim = {rel: entry for rel, entry in old_files.items() if rel not in touched}
    fingerprint.store_manifest(site, {**previous, "fingerprint": "", "files": interim})
    for rel in changed:
        target = site / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        _move(staging / rel, target)
    for name in sorted(staged.folders):
        _replace_folder(staging / name, site / name)
    for rel in gone:
        with contextlib.suppress(FileNotFoundError):
            (site / rel).unlink()
    stamp, keys, extra = manifest
    fingerprint.write_manifest(site, stamp, keys, extra, after)
    return len(changed) + len(gone) + len(staged.folders)


def _move(src: Path, dst: Path) -> None:
    os.replace(src, dst)  # atomic: a reader opens the old file or the new one


def _top(rel: str) -> str:
    return rel.split("/", 1)[0]


def _files(root: Path, skip: set[str]) -> dict[str, int]:
    """Every file under root but the owner mark and the folders in `skip`, with its size."""
    out = fingerprint.sizes(root)  # the manifest (MARKER) is never listed
    out.pop(procs.OWNER, None)
    return {rel: size for rel, size in out.items() if _top(rel) not in skip}


def _same(a: Path, b: Path) -> bool:
    """Same content (a hard link to the old file counts): such a file is left alone."""
    try:
        sa, sb = a.stat(), b.stat()
    except OSError:
        return False
    if (sa.st_ino, sa.st_dev) == (sb.st_ino, sb.st_dev):
        return True
    if sa.st_size != sb.st_size:
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            x, y = fa.read(1 << 16), fb.read(1 << 16)
            if x != y:
                return False
            if not x:
                return True


def _replace_folder(new: Path, target: Path) -> None:
    """Exchange a folder in one step where the system can, else remove then rename."""
    if target.exists() and exchange(new, target):
        shutil.rmtree(new, ignore_errors=True)
        return
    shutil.rmtree(target, ignore_errors=True)
    os.rename(new, target)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    if not hasattr(os, "uname") or os.uname().sysname != "Linux":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return int(fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)) == 0
