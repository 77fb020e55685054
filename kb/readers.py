"""Readers: YAML files under claims/ into validated models, with the line of every field.

YAML is composed with libyaml's C loader where present (safe: no Python objects are built
from tags), then turned into plain data by hand so that each field's position is kept and a
pydantic error can name the file, line and column of the offending value.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import reprlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from kb.errors import Location, Problem, did_you_mean

try:  # libyaml's C composer is several times faster; the pure one gives the same nodes.
    _Base: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml is missing
    _Base = yaml.SafeLoader


class _Loader(_Base):  # type: ignore[misc,valid-type,unused-ignore]
    """The safe loader, resolving implicit tags as yaml.resolver.Resolver does (the same regular
    expressions, by first character) without its work per node for path resolvers, which safe
    loading registers none of; the composer asks once per node, some 30 times per claim."""

    _FIRST: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {
        k: tuple(v) for k, v in _Base.yaml_implicit_resolvers.items() if k is not None
    }

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, regexp in self._FIRST.get(value[:1], ()):
                    if regexp.match(value):
                        return tag
            return "tag:yaml.org,2002:str"
        return "tag:yaml.org,2002:seq" if kind is yaml.SequenceNode else "tag:yaml.org,2002:map"


assert not _Base.yaml_path_resolvers and None not in _Base.yaml_implicit_resolvers

_SafeLoader: Any = _Loader  # libyaml's CSafeLoader where present


def load_plain(text: str) -> Any:
    """Plain data from YAML text with the safe loader, no positions kept (for quick looks)."""
    return yaml.load(text, Loader=_SafeLoader)


_CONSTRUCTOR = yaml.SafeLoader("")  # only its construct_* methods are used, on scalar nodes
M = TypeVar("M", bound=BaseModel)
Path_ = tuple[str | int, ...]
# Keys whose scalar values are kept as written, so that "1.80" keeps its precision.
LITERAL_KEYS = frozenset({"value"})


@dataclass
class Document:
    """One YAML file as plain data, with a position for every key and value.

    Read fast (`read_yaml_fast`), a document knows only where each claim starts; the position
    of any other field is found on demand by composing the file again, which only errors need.
    """

    path: Path
    display: str
    """The path as shown in messages (relative to the project)."""
    data: Any
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    complete: bool = True
    """Whether `positions` holds every key and value (False after a fast read)."""

    def location(self, path: Path_ = ()) -> Location:
        """The position of `path`, or of its closest ancestor that has one."""
        p = tuple(path)
        if not self.complete and p not in self.positions:
            self._complete_positions()
        while p:
            if p in self.positions:
                line, col = self.positions[p]
                return Location(self.display, line, col)
            p = p[:-1]
        line, col = self.positions.get((), (1, 1))
        return Location(self.display, line, col)

    def _complete_positions(self) -> None:
        self.complete = True
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return  # read_yaml would fail the same way: no positions to add
        try:  # the positions alone: the fast reader read this file, so the careful one accepts it
            found = _positions_only(text, self.display)
        except (_Careful, YamlProblem, yaml.YAMLError, RecursionError):
            found = None
        if found is None:  # something the careful reader must see to (it may refuse the file)
            try:
                found = read_yaml(self.path, self.display, text).positions
            except YamlProblem:
                return
        self.positions.update(found)


class YamlProblem(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


# The tags of plain data. Any other (!!python/object, !!binary, a local !tag) is refused: kb builds
# nothing from tags. '<<' (merge) and '=' (value) keys are read as the plain words they are.
PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)
_WORD_TAGS = frozenset({"tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"})
MAX_EXTRA_VALUES = 100_000
"""A file may hold at most this many values more than it has characters: more means aliases
multiplying (the 'billion laughs'), refused rather than expanded."""
MAX_DEPTH = 64
"""The deepest nesting a file may have (a claims file nests about 6 deep). Deeper is refused before
parsing: libyaml's parser recurses in C, and 50 KB of brackets overflow its stack (a crash, no message)."""
_BRACKETS = re.compile(r"[\[\]{}]")
_DEEP_BLOCK = re.compile(rf"^[ \t?-]{{{4 * MAX_DEPTH},}}", re.MULTILINE)
"""A line that opens this many block levels ('- - - ...', or that much indentation)."""


def position(text: str, index: int) -> tuple[int, int]:
    """The line and column (from 1) of a character of `text`."""
    return text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)


def _too_deep(display: str, text: str, index: int) -> YamlProblem:
    return YamlProblem(
        Problem(
            Location(display, *position(text, index)),
            f"the YAML nests more than {MAX_DEPTH} levels deep here (or an alias contains itself)",
            "claims files nest a few levels: close the brackets, or write the values out",
            "yaml-depth",
        )
    )


def check_depth(text: str, display: str) -> None:
    """Refuse text nesting deeper than MAX_DEPTH, in one linear pass, before any parser sees it."""
    depth = 0
    for m in _BRACKETS.finditer(text):
        depth = depth + 1 if m.group() in "[{" else max(0, depth - 1)
        if depth > MAX_DEPTH:
            raise _too_deep(display, text, m.start())
    deep = _DEEP_BLOCK.search(text)
    if deep is not None:
        raise _too_deep(display, text, deep.start())


def _code(character: str | int) -> int:
    return ord(character) if isinstance(character, str) else int(character)


def utf8_problem(display: str, raw: bytes, exc: UnicodeDecodeError) -> Problem:
    """Where a file stops being UTF-8: the line and column of the first bad byte."""
    line = raw.count(b"\n", 0, exc.start) + 1
    column = exc.start - raw.rfind(b"\n", 0, exc.start)
    return Problem(
        Location(display, line, column),
        f"not UTF-8 text: {exc.reason} (byte {raw[exc.start : exc.start + 1]!r})",
        "save the file as UTF-8",
        "encoding",
    )


def _scalar(node: yaml.ScalarNode, literal: bool) -> Any:
    if literal and node.tag in (
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:timestamp",
    ):
        return node.value
    if node.tag in _WORD_TAGS:
        return node.value
    value = _CONSTRUCTOR.construct_object(node, deep=True)
    if isinstance(value, dt.datetime):
        return value.date() if (value.hour, value.minute, value.second) == (0, 0, 0) else value
    return value


def _checked_scalar(node: yaml.ScalarNode, doc: Document, literal: bool) -> Any:
    try:
        return _scalar(node, literal)
    except (yaml.YAMLError, ValueError, OverflowError, TypeError) as exc:
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlProblem(
            Problem(
                _loc(doc, node),
                f"cannot read the value {node.value[:40]!r}: {reason}"[:300],
                "write a plain number, date (YYYY-MM-DD) or text; quote it to keep it as text",
                "yaml-value",
            )
        ) from None


def _plain(node: yaml.Node, doc: Document, path: Path_, literal: bool = False, limit: int = 10**9) -> Any:
    doc.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if len(path) > 2 * MAX_DEPTH:  # an alias that contains itself nests for ever
        deep = _too_deep(doc.display, "", 0).problem
        raise YamlProblem(Problem(_loc(doc, node), deep.message, deep.hint, deep.code))
    if len(doc.positions) > limit:
        raise YamlProblem(
            Problem(
                _loc(doc, node),
                "the file expands to far more values than it writes (YAML aliases repeating aliases?)",
                "write the values out; aliases (*name) may not multiply",
                "yaml-aliases",
            )
        )
    if node.tag not in PLAIN_TAGS and node.tag not in _WORD_TAGS:
        raise YamlProblem(
            Problem(
                _loc(doc, node),
                f"the YAML tag {node.tag.replace('tag:yaml.org,2002:', '!!')!r} is not allowed",
                "kb reads plain data only: remove the tag (quote the value to keep it as text)",
                "yaml-tag",
            )
        )
    if isinstance(node, yaml.ScalarNode):
        return _checked_scalar(node, doc, literal)
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, doc, (*path, i), literal, limit) for i, item in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlProblem(Problem(_loc(doc, key_node), "a mapping key must be a plain word"))
            if key_node.tag not in PLAIN_TAGS and key_node.tag not in _WORD_TAGS:
                _plain(key_node, doc, (*path, "<key>"), False, limit)  # refuses the tag
            key = _checked_scalar(key_node, doc, False)
            key = str(key) if not isinstance(key, str) else key
            if key in out:
                raise YamlProblem(
                    Problem(
                        _loc(doc, key_node),
                        f"duplicate key {key!r} (first at line {doc.positions[(*path, key)][0]})",
                        "remove one of them",
                        "duplicate-key",
                    )
                )
            doc.positions[(*path, key)] = (value_node.start_mark.line + 1, value_node.start_mark.column + 1)
            out[key] = _plain(value_node, doc, (*path, key), literal or key in LITERAL_KEYS, limit)
            doc.positions[(*path, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return out
    raise YamlProblem(Problem(_loc(doc, node), "unsupported YAML node"))  # pragma: no cover


def _positions_only(text: str, display: str) -> dict[Path_, tuple[int, int]]:
    """The positions `read_yaml` records for `text`, without building its data: what a problem in a
    file the fast reader read needs (a second pass, once per file). Raises _Careful wherever
    `_plain` would look closer (a tag, a key that is not a plain word, a repeated key), for
    `read_yaml` to decide; a value `_plain` cannot read raises its YamlProblem."""
    check_depth(text, display)
    node = yaml.compose(text, Loader=_Loader)
    positions: dict[Path_, tuple[int, int]] = {}
    if node is not None:
        _place(
            node, Document(Path(display), display, None, positions), (), False, len(text) + MAX_EXTRA_VALUES
        )
    return positions


def _place(node: yaml.Node, doc: Document, path: Path_, literal: bool, limit: int) -> None:
    """`_plain`'s walk, positions only (in `doc.positions`), in its order and with its checks."""
    positions = doc.positions
    positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if len(path) > 2 * MAX_DEPTH or len(positions) > limit or node.tag not in PLAIN_TAGS:
        raise _Careful
    if isinstance(node, yaml.ScalarNode):
        if node.tag != _STR:  # text reads as itself; another scalar may fail to (a bad date)
            _checked_scalar(node, doc, literal)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _place(item, doc, (*path, i), literal, limit)
    elif isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in PLAIN_TAGS:
                raise _Careful
            key = _checked_scalar(key_node, doc, False)
            key = str(key) if not isinstance(key, str) else key
            if key in seen:
                raise _Careful
            seen.add(key)
            positions[(*path, key)] = (value_node.start_mark.line + 1, value_node.start_mark.column + 1)
            _place(value_node, doc, (*path, key), literal or key in LITERAL_KEYS, limit)
            positions[(*path, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
    else:  # pragma: no cover - the composer makes only these three
        raise _Careful


def _loc(doc: Document, node: yaml.Node) -> Location:
    return Location(doc.display, node.start_mark.line + 1, node.start_mark.column + 1)


def read_yaml(path: Path, display: str, text: str | None = None) -> Document:
    """Parse one YAML file; raises YamlProblem with the file, line and column of a syntax error."""
    doc = Document(path, display, None)
    try:
        if text is None:
            text = path.read_text(encoding="utf-8")
        check_depth(text, display)
        node = yaml.compose(text, Loader=_Loader)
    except UnicodeDecodeError as exc:
        raise YamlProblem(utf8_problem(display, bytes(exc.object), exc)) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, other controls)
        raise YamlProblem(
            Problem(
                Location(display, *position(text or "", exc.position)),
                f"the control character #x{_code(exc.character):04x} is not allowed in YAML",
                "remove it; inside double quotes write it as an escape such as \\x00",
                "yaml-character",
            )
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        what = " ".join(x for x in (exc.context, exc.problem) if x)
        hint = "check indentation, colons and quotes around this line"
        lines = text.splitlines() if text is not None else []
        bad_line = lines[line - 1] if 0 < line <= len(lines) else ""
        if "\t" in bad_line:
            hint = "YAML does not allow tabs for indentation: indent with spaces"
        raise YamlProblem(
            Problem(Location(display, line, col), f"YAML syntax error: {what}", hint, "yaml-syntax")
        ) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(
            Problem(Location(display, 1, 1), f"YAML error: {exc}", code="yaml-syntax")
        ) from None
    except RecursionError:
        raise _too_deep(display, text or "", 0) from None
    if node is None:
        doc.data = None
        return doc
    try:
        doc.data = _plain(node, doc, (), limit=len(text) + MAX_EXTRA_VALUES)
    except RecursionError:
        raise _too_deep(display, text, 0) from None
    return doc


class _Careful(Exception):
    """Something the fast reader leaves to the careful one, which says where it is: a duplicate or
    merge key, a complex key, an alias of a list or mapping, a tag kb does not read, a bad value."""


_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT = _TAG + "str", _TAG + "int", _TAG + "float"
_NULL, _BOOL, _TIMESTAMP = _TAG + "null", _TAG + "bool", _TAG + "timestamp"
_SEQ, _MAP = _TAG + "seq", _TAG + "map"


def _fast_scalar(node: yaml.ScalarNode) -> Any:
    tag = node.tag
    if tag in (_STR, _INT, _FLOAT):  # number literals stay text, as written
        return node.value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return _CONSTRUCTOR.construct_yaml_bool(node)
    if tag == _TIMESTAMP:
        return _CONSTRUCTOR.construct_yaml_timestamp(node)
    raise _Careful  # a tag the careful reader refuses (!!binary, !!python/..., a local !tag)


def _fast_data(node: yaml.Node, seen: set[int]) -> Any:
    """Plain data from a composed node: no positions, no tag but plain data's, no alias of a list or
    mapping (the careful reader bounds what aliases expand to)."""
    kind = type(node)
    if isinstance(node, yaml.ScalarNode):
        return _fast_scalar(node)
    if id(node) in seen:
        raise _Careful
    seen.add(id(node))
    if kind is yaml.SequenceNode and node.tag == _SEQ:
        return [_fast_data(item, seen) for item in node.value]
    if kind is yaml.MappingNode and node.tag == _MAP:
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode or key_node.value == "<<":
                raise _Careful
            key = _fast_scalar(key_node)
            if not isinstance(key, str):
                key = str(key)
            if key in out:
                raise _Careful
            out[key] = _fast_data(value_node, seen)
        return out
    raise _Careful


def read_yaml_fast(path: Path, display: str, text: str) -> Document:
    """Parse with libyaml and no positions but where each claim starts; anything the careful reader
    would refuse or must locate (a syntax error, a duplicate key, a refused tag, an alias of a list
    or mapping) is left to `read_yaml`, so both readers accept the same files with the same data.

    Number literals stay text ("1.80"), which pydantic reads as numbers wherever a number is due.
    """
    check_depth(text, display)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Document(path, display, None)
        positions: dict[Path_, tuple[int, int]] = {(): (node.start_mark.line + 1, node.start_mark.column + 1)}
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == "claims" and isinstance(value_node, yaml.SequenceNode):
                    for i, item in enumerate(value_node.value):
                        positions[("claims", i)] = (item.start_mark.line + 1, item.start_mark.column + 1)
        data = _fast_data(node, set())
    except (yaml.YAMLError, _Careful, RecursionError, ValueError, TypeError, OverflowError):
        return read_yaml(path, display, text)  # the careful reader locates the problem
    finally:
        loader.dispose()
    if isinstance(data, (dt.datetime,)):
        data = str(data)
    return Document(path, display, data, positions, complete=False)


_SLUG_HINT = "ids are lower-case slugs: letters, digits, '.', '_' and '-'"
_PATTERN_HINTS = {
    "id": _SLUG_HINT,
    "source": _SLUG_HINT,
    "quantity": _SLUG_HINT,
    "translation_of": _SLUG_HINT,
    "language": "use a BCP 47 language tag such as en, zh or zh-Hans",
    "sha256": "64 lower-case hexadecimal digits; kb source add computes it",
}


def pattern_hint(field: str) -> str:
    """How a field that must match a pattern is written (an id, a language tag, a sha256)."""
    return _PATTERN_HINTS.get(field, "see claims/README.md for the format")


_TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "date_type": "a date (YYYY-MM-DD)",
}


# Pydantic names the member of a union that failed ("value.str"); the field's name is enough.
_UNION_MEMBERS = frozenset({"str", "int", "float", "bool", "date", "datetime", "none", "dict", "list"})


def _short(value: Any) -> str:
    """A bounded repr: an input may be huge, or a structure of shared aliases that repr would expand."""
    short = reprlib.Repr()
    short.maxlevel, short.maxstring, short.maxother, short.maxlong = 3, 80, 80, 40
    return short.repr(value)[:200]


def validation_problems(
    exc: ValidationError, doc: Document, base: Path_, model: type[BaseModel]
) -> list[Problem]:
    """Turn pydantic's errors into located problems a person can act on."""
    problems: list[Problem] = []
    seen: set[tuple[int, int, tuple[Any, ...]]] = set()
    errors = exc.errors()
    # A misspelt field ("quantiy") is one mistake: report the unknown field, not the missing one too.
    misspelt: set[tuple[tuple[Any, ...], str]] = set()
    for err in errors:
        if err["type"] == "extra_forbidden" and err["loc"]:
            close = difflib.get_close_matches(str(err["loc"][-1]), _fields_at(model, err["loc"][:-1]), 1, 0.6)
            misspelt.update((tuple(err["loc"][:-1]), c) for c in close)
    for err in errors:
        if err["type"] == "missing" and err["loc"] and (tuple(err["loc"][:-1]), err["loc"][-1]) in misspelt:
            continue
        loc = tuple(x for x in err["loc"] if not (isinstance(x, str) and ("[" in x or x in _UNION_MEMBERS)))
        path = (*base, *loc)
        field_name = ".".join(str(x) for x in loc) or "(top level)"
        kind = err["type"]
        hint = ""
        if kind == "extra_forbidden":
            known = _fields_at(model, loc[:-1])
            message = f"unknown field {loc[-1]!r}"
            hint = did_you_mean(str(loc[-1]), known) or ("known fields: " + ", ".join(sorted(known)))
            location = doc.location(path)
        elif kind == "missing":
            message = f"missing required field {field_name!r}"
            hint = f"add {loc[-1]}: ..."
            location = doc.location(path[:-1])
        elif kind in _TYPE_WORDS:
            got = err.get("input")
            message = f"{field_name}: expected {_TYPE_WORDS[kind]}, got {type(got).__name__} {_short(got)}"
            location = doc.location(path)
        elif kind == "string_pattern_mismatch":
            message = f"{field_name}: {err.get('input')!r} is not allowed here"
            hint = pattern_hint(str(loc[-1]) if loc else "")
            location = doc.location(path)
        elif kind == "literal_error":
            message = f"{field_name}: {err.get('input')!r} is not one of the allowed words"
            hint = err["msg"].replace("Input should be", "use")
            location = doc.location(path)
        else:
            msg = err["msg"].removeprefix("Value error, ")
            message = f"{field_name}: {msg}" if loc else msg
            location = doc.location(path)
            if kind == "too_short":
                hint = f"give at least one item under {loc[-1]}:" if loc else ""
        # A union field fails once per member type (their names are stripped from loc): say it once.
        if (location.line, location.column, loc) in seen:
            continue
        seen.add((location.line, location.column, loc))
        problems.append(Problem(location, message, hint, code="schema"))
    return problems


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Field names of the (nested) model that `loc` points into."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        info = getattr(current, "model_fields", {}).get(part)
        if info is None:
            break
        ann = info.annotation
        current = _model_in(ann) or current
    return list(getattr(current, "model_fields", {}))


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found:
            return found
    return None


def validate(model: type[M], data: Any, doc: Document, base: Path_ = ()) -> tuple[M | None, list[Problem]]:
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, validation_problems(exc, doc, base, model)


def yaml_files(root: Path) -> Iterator[Path]:
    # Hidden files and folders are skipped below root, not above it ("--claims ../claims" works).
    yield from sorted(
        p for p in root.rglob("*.yaml") if not any(part.startswith(".") for part in p.relative_to(root).parts)
    )
