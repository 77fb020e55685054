"""kb show: one claim, its checks step by step, down to the reference facts."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.cli import main


def test_a_relation_is_written_out_once_and_named_where_it_comes_back(
    claims_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The Llama 2 rows share a sum and a grid intensity: following each input back to them must not
    # repeat them (the tree was 125 copies of the sum before).
    assert main(["show", "--claims", str(claims_copy), "llama2-7b-gpu-hours"]) == 0
    lines = capsys.readouterr().out.splitlines()
    full = [x for x in lines if "relation llama2-gpu-hours-total-at-least-rows: total >= h7 + h13 + h70" in x]
    again = [
        x for x in lines if "relation llama2-gpu-hours-total-at-least-rows: consistent, shown above" in x
    ]
    assert len(full) == 1 and again
    # Every input is still listed under the relation written out.
    start = lines.index(full[0])
    assert any("h70 = " in x and "<- llama2-70b-gpu-hours" in x for x in lines[start:])
