"""Compiled templates kept between runs, in the user's own cache folder.

Jinja2 compiles the site's templates from source in every process that renders, about 0.3 s of a
one-page rebuild from the command line. This keeps the compiled code (Python bytecode, as
__pycache__ keeps kb's modules) in kb's cache folder (kb/cachedir.py): outside every knowledge
base, so no contributor's file is ever loaded as code, and keyed by a hash of every file of the kb
package, Jinja2's version and the interpreter's bytecode tag, so an upgrade of any of them misses.

Jinja2's own file cache reads each file's header with pickle; this one reads no pickle: a file is
a fixed header (the key and the template source's checksum), then marshal's bytes of the code. A
file is only loaded when it belongs to this user and no one else may write it; a file that fails
any check is treated as absent and written again.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import stat
import sys
from pathlib import Path
from types import CodeType

import jinja2
from jinja2.bccache import Bucket, BytecodeCache

from kb.atomic import atomic_write_bytes
from kb.cachedir import package_hash, user_folder

FOLDER = "jinja"
MAGIC = b"kb-jinja-code\x01"
MAX_BYTES = 16 * 1024 * 1024
"""A file larger than this is not one kb wrote (the largest template compiles to about 100 kB)."""


def code_tag() -> str:
    """What compiled code depends on besides its template's source: kb, Jinja2, the interpreter."""
    parts = (package_hash(), jinja2.__version__, sys.implementation.cache_tag or "", str(marshal.version))
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def default_folder() -> Path:
    return user_folder(FOLDER)


class TemplateCodeCache(BytecodeCache):
    """Jinja2's bytecode cache, as files in `folder` (see the module's docstring)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.tag = code_tag()

    def _path(self, bucket: Bucket) -> Path:
        return self.folder / f"{self.tag[:16]}-{bucket.key}.code"

    def _header(self, bucket: Bucket) -> bytes:
        return MAGIC + f"{self.tag}:{bucket.checksum}\n".encode("ascii")

    def load_bytecode(self, bucket: Bucket) -> None:
        raw = _read_own(self._path(bucket))
        header = self._header(bucket)
        if raw is None or not raw.startswith(header):
            return  # absent, not ours, or another source or kb: compiled again and rewritten
        try:
            code = marshal.loads(raw[len(header) :])
        except (EOFError, ValueError, TypeError):
            return
        if isinstance(code, CodeType):
            bucket.code = code

    def dump_bytecode(self, bucket: Bucket) -> None:
        if bucket.code is None:
            return
        # A cache that cannot be written only costs the compilation next time.
        with contextlib.suppress(OSError, ValueError):
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Only this user's, whatever the umask: _read_own refuses a file others may write.
            data = self._header(bucket) + marshal.dumps(bucket.code)
            atomic_write_bytes(self._path(bucket), data, durable=False, mode=0o600)

    def clear(self) -> None:
        for path in self.folder.glob(f"{self.tag[:16]}-*.code"):
            path.unlink(missing_ok=True)


def _read_own(path: Path) -> bytes | None:
    """The bytes of `path` when it is a regular file of this user that only this user may write."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        try:
            st = os.fstat(f.fileno())
            if not _owned(st) or st.st_size > MAX_BYTES:
                return None
            return f.read(MAX_BYTES + 1)
        except OSError:
            return None


def _owned(st: os.stat_result) -> bool:
    if not stat.S_ISREG(st.st_mode) or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return False
    getuid = getattr(os, "getuid", None)  # not on Windows, where the folder's ACL decides
    return getuid is None or st.st_uid == getuid()
