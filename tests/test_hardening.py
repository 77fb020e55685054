"""Hardening: a knowledge base is untrusted input (issue 12). Nothing under it runs, nothing outside
it is read or deleted, concurrent writers lose nothing, and bad input gets a message, not a crash."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import kb
from tests.conftest import BASE_CLAIMS

# --- 1. no code from the cache ---------------------------------------------------------------------


class _Evil:
    """A pickle that makes a folder when unpickled: proof that a cache file ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.mkdir, (str(self.marker),))


def kb_run(*args: str, cache: Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KB_CACHE_DIR": str(cache)}
    return subprocess.run(
        [sys.executable, "-m", "kb", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300
    )


def poison(folder: Path, marker: Path) -> int:
    """Replace every file under `folder` by a pickle (behind Jinja's magic for its bytecode files)."""
    from jinja2.bccache import bc_magic

    evil = pickle.dumps(_Evil(marker))
    n = 0
    for path in folder.rglob("*"):
        if path.is_file():
            path.write_bytes(bc_magic + evil if "jinja" in path.parts else evil)
            n += 1
    return n


@pytest.mark.parametrize(
    "command",
    [["check"], ["build", "--no-search"], ["build", "--no-search", "--no-cache"]],
    ids=["check", "build", "build-no-cache"],
)
def test_cache_files_never_run(make_kb: Callable[[str], Path], tmp_path: Path, command: list[str]) -> None:
    root = make_kb(BASE_CLAIMS)
    cache, marker = tmp_path / "user-cache", tmp_path / "pwned"
    out = ["--out", str(tmp_path / "site")] if "build" in command else []
    args = [*command, "--claims", str(root), *out]
    first = kb_run(*(a for a in args if a != "--no-cache"), cache=cache)
    planted = poison(tmp_path / ".kb-cache", marker) if (tmp_path / ".kb-cache").exists() else 0
    planted += poison(cache, marker) if cache.exists() else 0
    shutil.rmtree(tmp_path / "site", ignore_errors=True)
    again = kb_run(*args, cache=cache)
    assert not marker.exists(), "a cache file was unpickled"
    assert planted > 0 or "--no-cache" in command
    assert again.returncode == first.returncode, again.stderr
    assert not (tmp_path / ".kb-cache").exists(), "caches live outside the knowledge base"


def test_cache_is_json_and_still_hits(make_kb: Callable[[str], Path], tmp_path: Path) -> None:
    from kb import contents

    root = make_kb(BASE_CLAIMS)
    os.environ["KB_CACHE_DIR"] = str(tmp_path / "c")
    try:
        cold = contents.load(root)
        store = cold.parse_cache
        assert store is not None
        entries = list(store.dir.glob("*.json"))
        assert entries and all(p.read_bytes().startswith(b"{") for p in entries)
        warm = contents.load(root)
    finally:
        del os.environ["KB_CACHE_DIR"]
    assert {k: e.claim for k, e in warm.claims.items()} == {k: e.claim for k, e in cold.claims.items()}
    assert all(e.doc.data is None for e in warm.claims.values())  # from the cache, not parsed again


def test_cache_key_covers_every_file_of_the_package(tmp_path: Path) -> None:
    from kb.cachedir import package_hash

    copy = tmp_path / "kb"
    shutil.copytree(Path(kb.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = package_hash(copy)
    template = next(copy.glob("templates/*.html"))
    template.write_text(template.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert package_hash.__wrapped__(copy) != before
