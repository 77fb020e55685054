"""Readers: a file read fast finds the position of any field again, as the careful reader places it."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.readers import Path_, read_yaml, read_yaml_fast

DOCUMENTS = [
    "claims:\n  - id: a\n    value: 1.80\n    as_of: 2023-01-02\n    ok: true\n    x: null\n"
    "    sources: [{source: s, quote: 'it is 1.8'}]\n    checks:\n      - id: c\n"
    "        inputs: {n: b, d: c}\n  - {id: b, value: [1, 2], unit: '1'}\n",
    "a: &x hello\nb: *x\n'1': [c, 'd']\n2: two\ntrue: yes\n2023-01-01: date\nnull: nothing\n",
    "id: src\nkind: paper\ntext: src.txt\nsha256: abc\nvalue: 0x10\nlist:\n- - 1\n  - [2, {k: v}]\n",
    "# a comment only\n",
    "quantities:\n  - id: q\n    unit: FLOP\n    description: |\n      many\n      lines\n",
]


def _paths(positions: dict[Path_, tuple[int, int]]) -> list[Path_]:
    """Every path the careful reader places, and a few that are not there (their ancestors answer)."""
    return [*positions, ("claims", 0, "nowhere"), ("missing",), ("claims", 9, "value")]


@pytest.mark.parametrize("text", DOCUMENTS)
def test_a_fast_read_file_locates_every_field_as_the_careful_reader(tmp_path: Path, text: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    careful = read_yaml(path, "x.yaml")
    for where in _paths(careful.positions):
        fast = read_yaml_fast(path, "x.yaml", text)  # afresh each time: the first look completes it
        assert fast.location(where) == careful.location(where), where
    fast = read_yaml_fast(path, "x.yaml", text)
    fast.location(("missing",))
    assert fast.positions == careful.positions


@pytest.mark.parametrize(
    "changed",
    [
        "a: 1\na: 2\n",  # a repeated key: the careful reader refuses it
        "a: [1,\n",  # no longer YAML
        "a: !!binary aGVsbG8=\n",  # a tag kb does not read
        "a:\n  ? [k]\n  : v\n",  # a key that is not a plain word
        "a: 2023-02-30\n",  # a date that is not one
        "<<: {a: 1}\n",  # a merge key: read as the plain word by the careful reader
    ],
)
def test_a_file_changed_since_it_was_read_locates_as_before(tmp_path: Path, changed: str) -> None:
    """Positions come from the file as it is now, and only where the careful reader accepts it."""
    path = tmp_path / "x.yaml"
    text = "a: 1\nb: [x, y]\n"
    fast = read_yaml_fast(path, "x.yaml", text)
    path.write_text(changed, encoding="utf-8")
    try:
        expected = read_yaml(path, "x.yaml").positions
    except Exception:  # refused: the positions stay those of the fast read
        expected = dict(fast.positions)
    fast.location(("b", 1))
    assert fast.positions == expected


def test_a_file_gone_since_it_was_read_keeps_its_first_positions(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    fast = read_yaml_fast(path, "x.yaml", "claims:\n  - id: a\n")
    assert fast.location(("claims", 0, "id")).line == 2  # the claim's start: all that is known
