"""Readers: YAML files under claims/ into validated models, with the line of every field.

YAML is composed with libyaml's C loader where present (safe: no Python objects are built
from tags), then turned into plain data by hand so that each field's position is kept and a
pydantic error can name the file, line and column of the offending value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from kb.errors import Location, Problem, did_you_mean

try:  # libyaml's C composer is several times faster; the pure one gives the same nodes.
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml is missing
    _Loader = yaml.SafeLoader

_CONSTRUCTOR = yaml.SafeLoader("")  # only its construct_* methods are used, on scalar nodes
M = TypeVar("M", bound=BaseModel)
Path_ = tuple[str | int, ...]
# Keys whose scalar values are kept as written, so that "1.80" keeps its precision.
LITERAL_KEYS = frozenset({"value"})


@dataclass
class Document:
    """One YAML file as plain data, with a position for every key and value."""

    path: Path
    display: str
    """The path as shown in messages (relative to the project)."""
    data: Any
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def location(self, path: Path_ = ()) -> Location:
        """The position of `path`, or of its closest ancestor that has one."""
        p = tuple(path)
        while p:
            if p in self.positions:
                line, col = self.positions[p]
                return Location(self.display, line, col)
            p = p[:-1]
        line, col = self.positions.get((), (1, 1))
        return Location(self.display, line, col)


class YamlProblem(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _scalar(node: yaml.ScalarNode, literal: bool) -> Any:
    if literal and node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                                "tag:yaml.org,2002:timestamp"):
        return node.value
    value = _CONSTRUCTOR.construct_object(node, deep=True)
    if isinstance(value, dt.datetime):
        return value.date() if (value.hour, value.minute, value.second) == (0, 0, 0) else value
    return value


def _plain(node: yaml.Node, doc: Document, path: Path_, literal: bool = False) -> Any:
    doc.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, literal)
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, doc, (*path, i), literal) for i, item in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlProblem(Problem(_loc(doc, key_node), "a mapping key must be a plain word"))
            key = _scalar(key_node, False)
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
            out[key] = _plain(value_node, doc, (*path, key), literal or key in LITERAL_KEYS)
            doc.positions[(*path, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return out
    raise YamlProblem(Problem(_loc(doc, node), "unsupported YAML node"))  # pragma: no cover


def _loc(doc: Document, node: yaml.Node) -> Location:
    return Location(doc.display, node.start_mark.line + 1, node.start_mark.column + 1)


def read_yaml(path: Path, display: str, text: str | None = None) -> Document:
    """Parse one YAML file; raises YamlProblem with the file, line and column of a syntax error."""
    doc = Document(path, display, None)
    try:
        if text is None:
            text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=_Loader)
    except UnicodeDecodeError as exc:
        raise YamlProblem(Problem(Location(display), f"not UTF-8 text: {exc.reason}", "save the file as UTF-8")) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        what = " ".join(x for x in (exc.context, exc.problem) if x)
        raise YamlProblem(
            Problem(Location(display, line, col), f"YAML syntax error: {what}",
                    "check indentation, colons and quotes around this line", "yaml-syntax")
        ) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(Problem(Location(display), f"YAML error: {exc}", code="yaml-syntax")) from None
    except RecursionError:
        raise YamlProblem(Problem(Location(display), "YAML nests too deeply", code="yaml-syntax")) from None
    if node is None:
        doc.data = None
        return doc
    try:
        doc.data = _plain(node, doc, ())
    except RecursionError:
        raise YamlProblem(Problem(Location(display), "YAML nests too deeply", code="yaml-syntax")) from None
    return doc


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


def validation_problems(exc: ValidationError, doc: Document, base: Path_, model: type[BaseModel]) -> list[Problem]:
    """Turn pydantic's errors into located problems a person can act on."""
    problems: list[Problem] = []
    seen: set[tuple[int, int]] = set()
    for err in exc.errors():
        loc = tuple(x for x in err["loc"] if not (isinstance(x, str) and "[" in x))
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
            message = f"{field_name}: expected {_TYPE_WORDS[kind]}, got {type(got).__name__} {got!r}"[:300]
            location = doc.location(path)
        elif kind == "string_pattern_mismatch":
            message = f"{field_name}: {err.get('input')!r} is not allowed here"
            hint = "ids are lower-case slugs: letters, digits, '.', '_' and '-'" if "id" in str(loc[-1:]) or "source" in str(loc[-1:]) else err["msg"]
            location = doc.location(path)
        elif kind == "literal_error":
            message = f"{field_name}: {err.get('input')!r} is not one of the allowed words"
            hint = err["msg"].replace("Input should be", "use")
            location = doc.location(path)
        else:
            msg = err["msg"].removeprefix("Value error, ")
            message = f"{field_name}: {msg}" if loc else msg
            location = doc.location(path)
        # A union field fails once per member type; one message per place is enough.
        if (location.line, location.column) in seen:
            continue
        seen.add((location.line, location.column))
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
    yield from sorted(p for p in root.rglob("*.yaml") if not any(part.startswith(".") for part in p.parts))
