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


def test_a_reference_fact_used_as_an_input_shows_its_own_checks_only(
    claims_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # OPT's compute rests on the A100's peak, a datasheet fact that BLOOM's relations use too: those
    # say nothing about OPT's compute (the tree followed them into BLOOM's cost and dates before).
    assert main(["show", "--claims", str(claims_copy), "opt175b-final-training-compute"]) == 0
    out = capsys.readouterr().out
    assert "<- ref-a100-peak-bf16 (reference" in out
    assert "bloom" not in out.lower()
