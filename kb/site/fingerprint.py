"""Is the built site up to date? A fingerprint of every input, and the manifest of a built site.

The fingerprint hashes what a build reads: every file under the claims folder (path, size,
modification time), kb's own code, templates and assets (same), the versions of the libraries
that shape the output, and the options that change it. A build stores it in the site's MARKER
file, with the manifest of every file it wrote (size, and for pages the hash of their inputs,
which the next build uses to reuse unchanged pages). When the fingerprint is unchanged and every
file of the manifest is still there with its size, `kb build` says so and stops before it
imports anything heavy.

Standard library only, on purpose.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib import metadata
from pathlib import Path
from typing import Any

from kb import __version__
from kb.atomic import atomic_write_bytes
from kb.site.options import MARKER, BuildOptions

FORMAT = 1
NOTE = "built by kb build; the next build replaces this folder"
LIBRARIES = ("Jinja2", "markdown-it-py", "matplotlib", "pagefind", "pint", "pydantic", "PyYAML")
"""Libraries whose version can change the output."""
CODE_SUFFIXES = (".py", ".html", ".css", ".js", ".svg", ".json")


def _tree(h: Any, root: Path) -> int:
    """Hash every file under root (relative path, size, mtime); returns how many."""
    n = 0
    stack = [root]
    entries: list[tuple[str, int, int]] = []
    while stack:
        folder = stack.pop()
        try:
            it = os.scandir(folder)
        except OSError:
            continue
        with it:
            for e in it:
                if e.is_dir(follow_symlinks=False):
                    if e.name != "__pycache__":
                        stack.append(Path(e.path))
                    continue
                try:
                    st = e.stat()
                except OSError:
                    continue
                entries.append((os.path.relpath(e.path, root), st.st_size, st.st_mtime_ns))
    for rel, size, mtime in sorted(entries):
        h.update(f"{rel}\0{size}\0{mtime}\n".encode("utf-8", "surrogateescape"))
        n += 1
    return n


def _versions() -> str:
    out = []
    for name in LIBRARIES:
        try:
            out.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name}=none")
    return ",".join(out)


def inputs(opts: BuildOptions) -> str:
    """The fingerprint of everything a build of `opts` reads."""
    h = hashlib.sha256()
    h.update(f"kb {__version__} format {FORMAT}\n{_versions()}\n".encode())
    h.update(repr((opts.search, opts.site_url, opts.repo_url, str(opts.claims.resolve()))).encode())
    h.update(b"\ncode\n")
    _tree(h, Path(__file__).resolve().parent.parent)
    h.update(b"\nclaims\n")
    _tree(h, opts.claims)
    return h.hexdigest()


def read_manifest(site: Path) -> dict[str, Any] | None:
    """The manifest of a built site, or None (no site, an older kb's marker, unreadable)."""
    try:
        data = json.loads((site / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("files"), dict):
        return None
    return data


def intact(site: Path, manifest: dict[str, Any], found: dict[str, int] | None = None) -> bool:
    """Every file the build wrote is still there, with its size (`found`: the site as sizes()
    walked it, when the caller has it)."""
    if found is not None:
        return all(found.get(rel) == entry[0] for rel, entry in manifest["files"].items())
    for rel, entry in manifest["files"].items():
        try:
            if os.stat(site / rel).st_size != entry[0]:
                return False
        except OSError:
            return False
    return True


def up_to_date(opts: BuildOptions) -> dict[str, Any] | None:
    """The manifest of the site in opts.out when building `opts` again would give the same site."""
    manifest = read_manifest(opts.out)
    if manifest is None or manifest.get("fingerprint") != inputs(opts):
        return None
    return manifest if intact(opts.out, manifest) else None


def sizes(site: Path) -> dict[str, int]:
    """Every file under `site` with its size (relative paths with /)."""
    out: dict[str, int] = {}
    for folder, _dirs, files in os.walk(site):
        rel = os.path.relpath(folder, site)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        for name in files:
            if name == MARKER:
                continue
            try:
                out[prefix + name] = os.stat(os.path.join(folder, name)).st_size
            except OSError:
                continue
    return out


def write_manifest(
    site: Path,
    fingerprint: str,
    keys: dict[str, str],
    extra: dict[str, Any],
    found: dict[str, int] | None = None,
) -> None:
    """Write MARKER with the fingerprint and every file of `site` (size, and input hash for pages);
    `found`: the files and sizes when the caller knows them (else the folder is walked)."""
    found = sizes(site) if found is None else found
    files = {rel: [size, keys.get(rel, "")] for rel, size in sorted(found.items())}
    store_manifest(site, {"kb": NOTE, "format": FORMAT, "fingerprint": fingerprint, **extra, "files": files})


def store_manifest(site: Path, data: dict[str, Any]) -> None:
    """Replace MARKER with `data` in one step (a site updated in place is read while it changes)."""
    text = json.dumps(data, separators=(",", ":")) + "\n"
    atomic_write_bytes(site / MARKER, text.encode("utf-8"), durable=False)
