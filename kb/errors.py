"""Problems found in the knowledge base: located, explained, collected rather than raised one by one."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Location:
    """A place in a file; line and column count from 1, 0 when unknown."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line and self.column:
            return f"{self.file}:{self.line}:{self.column}"
        if self.line:
            return f"{self.file}:{self.line}"
        return self.file


@dataclass(frozen=True)
class Problem:
    """One error in the knowledge base: where it is, what is wrong and what to do about it."""

    location: Location
    message: str
    hint: str = ""
    code: str = "error"

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}"
        if self.hint:
            text += f"\n    -> {self.hint}"
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }


class KbError(Exception):
    """Raised where a single problem stops one piece of work; callers turn it into a Problem."""

    def __init__(self, message: str, hint: str = "", code: str = "error") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.code = code

    def at(self, location: Location) -> Problem:
        return Problem(location, self.message, self.hint, self.code)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A 'did you mean' hint naming the closest known choices, or an empty string."""
    close = difflib.get_close_matches(word, sorted(set(choices)), n=3, cutoff=0.6)
    if not close:
        return ""
    return "did you mean " + " or ".join(repr(c) for c in close) + "?"


def relative(path: Path, root: Path | None) -> str:
    """A path as users typed it: relative to the project root when possible."""
    if root is not None:
        try:
            return str(path.resolve().relative_to(root.resolve().parent))
        except ValueError:
            pass
    return str(path)
