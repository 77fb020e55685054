"""A small, fast YAML writer for generated claims: mappings, lists and strings, nothing else.

PyYAML's representer costs about 1 ms per claims file (it is pure Python even with libyaml's
emitter); an import writes thousands, so generated files are written here directly. The output
is plain block YAML that any YAML 1.1/1.2 reader reads back to the same data (tests round-trip
it through yaml.safe_load): strings are plain when that is unambiguous, literal blocks (|) when
they span lines, double-quoted with escapes otherwise.
"""

from __future__ import annotations

import json
import re
from typing import Any


class Literal(str):
    """A value literal ("70", "3.14e23", "2023-05-24"): written plain, so that it reads back as written."""


class Flow(list[Any]):
    """A list written on one line: [a, b]."""


_PLAIN = re.compile(r"[A-Za-z_(][\w .,()/+*'%&;=<>×·−–—-]*")
_SPECIAL = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"})
_LITERAL = re.compile(r"[0-9][0-9.eE+-]*|\d{4}-\d{2}(-\d{2})?")
# Characters a YAML reader does not take as they are inside a double-quoted or block scalar.
_ESCAPE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_BLOCK_UNSAFE = re.compile(
    "[ \t]\n|[ \t]$|\r|\t|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]"
)


def _quoted(text: str) -> str:
    out = json.dumps(text, ensure_ascii=False)
    return _ESCAPE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", out)


def scalar(text: str) -> str:
    """A one-line rendering of a string: plain when safe, else double-quoted."""
    if isinstance(text, Literal) and _LITERAL.fullmatch(text):
        return str(text)
    if (
        _PLAIN.fullmatch(text)
        and text.lower() not in _SPECIAL
        and ": " not in text
        and " #" not in text
        and not text.endswith((" ", ":", "-"))
    ):
        return text
    return _quoted(text)


def _block(text: str, indent: str) -> str | None:
    """A literal block (|) for multi-line text, or None when one would not read back the same."""
    if "\n" not in text or _BLOCK_UNSAFE.search(text) or text[:1] in (" ", "\n"):
        return None
    body = text.rstrip("\n")
    trailing = len(text) - len(body)
    if trailing > 1:
        return None
    chomp = "" if trailing == 1 else "-"
    lines = [indent + line if line else "" for line in body.split("\n")]
    return f"|{chomp}\n" + "\n".join(lines)


def _value(value: Any, indent: str) -> str:
    """The text after 'key:' (starting with a space or a newline)."""
    if isinstance(value, dict):
        return "\n" + _mapping(value, indent + "  ")
    if isinstance(value, Flow):
        return " [" + ", ".join(scalar(x if isinstance(x, str) else str(x)) for x in value) + "]"
    if isinstance(value, list):
        return "\n" + _sequence(value, indent + "  ")
    if isinstance(value, bool):
        return " true" if value else " false"
    if isinstance(value, (int, float)):
        return f" {value!r}"
    text = value if isinstance(value, str) else str(value)
    block = _block(text, indent + "  ")
    if block is not None:
        return " " + block
    return " " + scalar(text)


def _mapping(data: dict[str, Any], indent: str) -> str:
    return "\n".join(f"{indent}{key}:{_value(value, indent)}" for key, value in data.items())


def _sequence(items: list[Any], indent: str) -> str:
    out = []
    for item in items:
        if isinstance(item, dict):
            first = _mapping(item, indent + "  ")
            out.append(indent + "- " + first[len(indent) + 2 :])
        else:
            out.append(f"{indent}-{_value(item, indent)}")
    return "\n".join(out)


def dump(data: dict[str, Any]) -> str:
    """A mapping as block YAML text, ending with a newline."""
    return _mapping(data, "") + "\n"


def dump_sections(key: str, sections: list[tuple[str, list[dict[str, Any]]]]) -> str:
    """A mapping of one list in commented sections: `key:`, then per section `# comment` and its items."""
    parts = [f"{key}:\n"]
    for comment, items in sections:
        parts.append("".join(f"  # {line}\n" for line in comment.splitlines()))
        parts.append(_sequence(items, "  ") + "\n")
    return "".join(parts)
