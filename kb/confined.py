"""Reading a file of the knowledge base: only a regular file that is really inside it.

A contributor can commit a symbolic link (to /etc/passwd, /proc/self/environ, /dev/zero) or, in a
checkout made by other means, a FIFO. kb reads no file under claims/ that resolves outside the
claims folder or is not a regular file: it names the file instead, and never opens it in a way
that could block (a FIFO is opened non-blocking and refused by its type).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from kb.errors import KbError

HINT = "replace it by a regular file inside the claims folder (kb follows no link out of it)"


def read_confined(path: Path, root: Path) -> bytes:
    """The bytes of `path`, which must resolve inside `root` and be a regular file.

    Raises KbError (code 'unsafe-file') when it is not, and OSError when it cannot be read.
    """
    try:
        real = path.resolve(strict=True)
    except RuntimeError:  # a loop of links
        raise KbError(f"{path.name} is a loop of symbolic links", HINT, "unsafe-file") from None
    if not real.is_relative_to(root.resolve()):
        raise KbError(f"{path.name} is a link that leads outside the claims folder", HINT, "unsafe-file")
    fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise KbError(f"{path.name} is not a regular file (a FIFO, device, folder)", HINT, "unsafe-file")
    with os.fdopen(fd, "rb") as fh:
        return fh.read()
