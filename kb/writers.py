"""Writers: every file kb writes goes through here, atomically (kb/atomic.py), and locked.

Claims are added to a YAML file by appending the new item's text after the last claim: every
byte already there (comments, order, quoting) stays as it was. The new item is rendered by
ruamel.yaml, and the result is read back and compared before anything is written.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError as RuamelError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from kb.atomic import atomic_create as atomic_create
from kb.atomic import atomic_write_bytes as atomic_write_bytes
from kb.atomic import atomic_write_text as atomic_write_text
from kb.errors import KbError
from kb.readers import YamlProblem, read_yaml

# --- claims files ------------------------------------------------------------------------------

CLAIM_KEY_ORDER = (
    "id",
    "kind",
    "subject",
    "quantity",
    "value",
    "unit",
    "qualifier",
    "statement",
    "as_of",
    "sources",
    "rank",
    "rank_reason",
    "justification",
    "notes",
    "checks",
)
QUOTE_KEY_ORDER = ("source", "quote", "translation", "locator")


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    y.allow_unicode = True
    return y


def plain_scalar(text: str) -> Any:
    """A value literal as ruamel reads it from plain YAML, so it is written back exactly as given."""
    try:
        loaded = _yaml().load(f"[{text}]")
    except RuamelError:
        return text
    if (
        isinstance(loaded, list)
        and len(loaded) == 1
        and not isinstance(loaded[0], (list, dict, bool))
        and loaded[0] is not None
    ):
        return loaded[0]
    return text


def _styled(key: str, value: Any) -> Any:
    if key in ("quote", "translation") and isinstance(value, str):
        return DoubleQuotedScalarString(value)
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value if value.endswith("\n") else value + "\n")
    return value


def claim_node(claim: Mapping[str, Any]) -> CommentedMap:
    """A claim (plain data, values as written) as a ruamel mapping, keys in the usual order."""
    node = CommentedMap()
    for key in sorted(claim, key=lambda k: CLAIM_KEY_ORDER.index(k) if k in CLAIM_KEY_ORDER else 99):
        value = claim[key]
        if value is None:
            continue
        if key == "value":
            if isinstance(value, list):
                seq = CommentedSeq(plain_scalar(str(v)) for v in value)
                seq.fa.set_flow_style()
                node[key] = seq
            else:
                node[key] = plain_scalar(str(value))
        elif key == "sources":
            items = CommentedSeq()
            for cite in value:
                m = CommentedMap()
                for k in sorted(cite, key=lambda k: QUOTE_KEY_ORDER.index(k) if k in QUOTE_KEY_ORDER else 99):
                    if cite[k] is not None:
                        m[k] = _styled(k, cite[k])
                items.append(m)
            node[key] = items
        else:
            node[key] = _styled(key, value)
    return node


def dump_yaml(data: Any) -> str:
    buf = io.StringIO()
    _yaml().dump(data, buf)
    return buf.getvalue()


def render_item(claim: Mapping[str, Any], dash_column: int) -> str:
    """One claim as a block sequence item whose dash is at `dash_column` (0-based)."""
    lines = dump_yaml([claim_node(claim)]).splitlines(keepends=True)
    own = len(lines[0]) - len(lines[0].lstrip(" "))  # ruamel indents a top-level list by its offset
    pad = " " * dash_column
    return "".join(pad + line[own:] if line.strip() else line for line in lines)


def new_claims_file(claim: Mapping[str, Any], schema: str | None, key: str = "claims") -> str:
    header = f"# yaml-language-server: $schema={schema}\n" if schema else ""
    return header + f"{key}:\n" + render_item(claim, 2)


def _plain_claims(text: str, display: str, key: str = "claims") -> list[Any]:
    try:
        doc = read_yaml(Path(display), display, text)
    except YamlProblem as exc:
        raise KbError(
            f"cannot add to {display}: {exc.problem}",
            "fix the file first (kb check shows why)",
            "yaml-syntax",
        ) from None
    data = doc.data
    if data is None:
        return []
    if not isinstance(data, dict) or not isinstance(data.get(key, []), list | None):
        raise KbError(
            f"{display} is not a claims file (a mapping with a 'claims:' list)",
            "choose another --file",
            "schema",
        )
    return list(data.get(key) or [])


def add_claim(
    text: str | None, claim: Mapping[str, Any], display: str, schema: str | None = None, key: str = "claims"
) -> str:
    """The text of a claims file with `claim` added as its last claim; `text` is None for a new file.

    With `key="relations"`, a relation is added to the file's `relations:` list the same way.

    Everything already in the file is kept byte for byte when the claims list is the file's last
    block (the usual layout); otherwise the file is round-tripped by ruamel.yaml, which keeps
    comments and order. Raises KbError when the file cannot take a claim.
    """
    if text is None or not text.strip():
        return new_claims_file(claim, schema, key)
    before = _plain_claims(text, display, key)
    new_text = _append_text(text, claim, key)
    if new_text is None:
        new_text = _round_trip(text, claim, display, key)
    after = _plain_claims(new_text, display, key)
    if after[:-1] != before or len(after) != len(before) + 1:
        raise KbError(
            f"adding to {display} would change the claims already there",
            "add the claim to another file with --file",
            "write",
        )
    return new_text


def _load_rt(text: str, display: str) -> Any:
    try:
        return _yaml().load(text)
    except RuamelError as exc:
        raise KbError(
            f"cannot add to {display}: {exc}", "fix the file first (kb check shows why)", "yaml-syntax"
        ) from None


def _append_text(text: str, claim: Mapping[str, Any], key: str = "claims") -> str | None:
    """Append the item after the file's text when `key:` is its last block list; None otherwise."""
    data = _load_rt(text, "")
    if not isinstance(data, CommentedMap) or list(data)[-1:] != [key]:
        return None
    seq = data[key]
    if not isinstance(seq, CommentedSeq) or not seq or seq.fa.flow_style():
        return None
    line, col = seq.lc.item(0)
    lines = text.splitlines()
    dash = lines[line].rfind("-", 0, col) if line < len(lines) else -1
    if dash < 0 or lines[line][:dash].strip():
        return None
    body = text if text.endswith("\n") else text + "\n"
    return body + render_item(claim, dash)


def _round_trip(text: str, claim: Mapping[str, Any], display: str, key: str = "claims") -> str:
    data = _load_rt(text, display)
    if data is None:  # only comments so far: keep them
        return (text if text.endswith("\n") else text + "\n") + f"{key}:\n" + render_item(claim, 2)
    if not isinstance(data, CommentedMap):
        raise KbError(
            f"{display} is not a claims file (a mapping with a 'claims:' list)",
            "choose another --file",
            "schema",
        )
    if data.get(key) is None:
        data[key] = CommentedSeq()
    seq = data[key]
    if isinstance(seq, CommentedSeq) and not seq:
        seq.fa.set_block_style()
    seq.append(claim_node(claim))
    return dump_yaml(data)
