"""kb edit and kb rm: a claim changed or removed in its file, checked first, refused with the reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kb.cli import main

REPO = Path(__file__).resolve().parent.parent
CARD = Path("llama-2") / "meta-llama2-model-card.yaml"


@pytest.fixture
def root(claims_copy: Path) -> Path:
    return claims_copy


def kb(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str]:
    code = main([args[0], "--claims", str(root), *args[1:]])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out + out.err


def test_rm_refuses_a_claim_others_depend_on(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (root / CARD).read_text(encoding="utf-8")
    code, out = kb(capsys, root, "rm", "llama2-7b-gpu-hours")
    assert code == 1
    assert "relation 'llama2-gpu-hours-total-at-least-rows' (claims/llama-2/relations.yaml:" in out
    assert "relation 'llama2-one-grid-intensity-7b-13b'" in out
    assert (root / CARD).read_text(encoding="utf-8") == before


def test_rm_removes_only_that_claim(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = kb(capsys, root, "rm", "llama2-pretraining-data-cutoff")
    assert code == 0, out
    text = (root / CARD).read_text(encoding="utf-8")
    assert "llama2-pretraining-data-cutoff" not in text and "llama2-chat-tuning-data-cutoff" in text
    assert text.startswith("# yaml-language-server")  # the file's comment is kept
    code, out = kb(capsys, root, "check")
    assert code == 0, out
    code, out = kb(capsys, root, "rm", "llama2-pretraining-data-cutof")
    assert code == 2 and "did you mean 'llama2-pretraining-data-cutoff'" not in out  # it is gone


def test_edit_changes_a_field_in_place(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = kb(capsys, root, "edit", "llama2-pretraining-data-cutoff", "--notes", "From the card's text.")
    assert code == 0, out
    text = (root / CARD).read_text(encoding="utf-8")
    assert "    unit: date\n    sources:" in text
    assert "cutoff of September 2022\"\n    notes: From the card's text." in text
    # Then it says the claim's verdict as kb check gives it, as kb add does.
    code, checked = kb(capsys, root, "check", "--id", "llama2-pretraining-data-cutoff", "--format", "json")
    [claim] = json.loads(checked)["claims"]
    assert f"  verdict: {claim['verdict']} (" in out
    code, out = kb(capsys, root, "edit", "llama2-pretraining-data-cutoff", "--notes", "")
    assert code == 0 and "From the card" not in (root / CARD).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--value", "2022-10"], "does not match its quote"),
        (["--unit", "token"], "unit 'token' measures"),
        (["--quantity", "training_tokenz"], "unknown quantity"),
    ],
)
def test_edit_refuses_what_gives_the_claim_errors(
    root: Path, capsys: pytest.CaptureFixture[str], flags: list[str], message: str
) -> None:
    before = (root / CARD).read_text(encoding="utf-8")
    code, out = kb(capsys, root, "edit", "llama2-pretraining-data-cutoff", *flags)
    assert code == 1, out
    assert message in out and "nothing written" in out
    assert (root / CARD).read_text(encoding="utf-8") == before
