"""kb relate: a relation among claims, validated and judged before it is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.cli import main

REPO = Path(__file__).resolve().parent.parent
ROWS = ("llama2-7b-gpu-hours", "llama2-13b-gpu-hours", "llama2-70b-gpu-hours")


@pytest.fixture
def root(claims_copy: Path) -> Path:
    return claims_copy


def relate(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["relate", "--claims", str(root), *args])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out + out.err


def test_a_relation_is_judged_and_written(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (root / "llama-2" / "relations.yaml").read_text(encoding="utf-8")
    inputs = [f"--input=h{i}={c}" for i, c in enumerate(ROWS)]
    code, out = relate(
        root, capsys, "h2 >= h0 + h1", *inputs, "--id", "rows-grow", "--note", "70B took longest"
    )
    assert code == 0, out
    assert "added relation rows-grow to claims/llama-2/relations.yaml" in out
    assert "verdict: consistent" in out
    after = (root / "llama-2" / "relations.yaml").read_text(encoding="utf-8")
    assert after.startswith(before)  # the file's comments and relations are kept byte for byte
    assert "  - id: rows-grow\n    formula: h2 >= h0 + h1\n" in after
    code, out = main(["check", "--claims", str(root)]), capsys.readouterr()
    assert code == 0


def test_a_failing_relation_is_written_with_its_verdict(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = [f"--input=h{i}={c}" for i, c in enumerate(ROWS)]
    code, out = relate(root, capsys, "h0 >= h1 + h2", *inputs, "--id", "wrong-way", "--dry-run")
    assert code == 0 and "verdict: inconsistent" in out
    assert "wrong-way" not in (root / "llama-2" / "relations.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("formula", "inputs", "message"),
    [
        ("a + b", ["a=llama2-7b-gpu-hours", "b=llama2-13b-gpu-hours"], "exactly one of =, <=, >="),
        ("a = b", ["a=llama2-7b-gpu-hours", "b=llama2-7b-gpu-hourz"], "did you mean 'llama2-7b-gpu-hours'"),
        ("a = b", ["a=llama2-7b-gpu-hours", "b=llama2-7b-emissions"], "units do not match"),
        ("a = b", ["a=llama2-7b-gpu-hours"], "unknown name 'b' in formula"),
        ("a = b", ["a"], "is not NAME=CLAIM_ID"),
    ],
)
def test_bad_relations_are_refused_before_writing(
    root: Path, capsys: pytest.CaptureFixture[str], formula: str, inputs: list[str], message: str
) -> None:
    before = (root / "llama-2" / "relations.yaml").read_text(encoding="utf-8")
    code, out = relate(root, capsys, formula, *(f"--input={i}" for i in inputs), "--id", "bad-one")
    assert code == 1, out
    assert message in out
    assert (root / "llama-2" / "relations.yaml").read_text(encoding="utf-8") == before


def test_an_existing_relation_id_is_refused(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = relate(
        root,
        capsys,
        "a = b",
        "--input=a=llama2-7b-gpu-hours",
        "--input=b=llama2-13b-gpu-hours",
        "--id",
        "llama2-gpu-hours-text-restates-table",
    )
    assert code == 1 and "exists already" in out


@pytest.mark.parametrize(
    ("spec", "written"),
    [("5%", "relative: 0.05"), ("0.1%", "relative: 0.001"), ("x2", "factor: 2.0")],
)
def test_a_relation_is_written_with_its_tolerance(
    root: Path, capsys: pytest.CaptureFixture[str], spec: str, written: str
) -> None:
    inputs = [f"--input=h{i}={c}" for i, c in enumerate(ROWS[:2])]
    args = ["h1 >= h0", *inputs, "--id", "loose", "--tolerance", spec, "--tolerance-reason", "rounded rows"]
    code, out = relate(root, capsys, *args)
    assert code == 0, out
    text = (root / "llama-2" / "relations.yaml").read_text(encoding="utf-8")
    assert written in text and "reason: rounded rows" in text


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--tolerance", "5%"], "needs its reason"),
        (["--tolerance", "five", "--tolerance-reason", "why"], "neither a percentage nor a factor"),
        (["--tolerance-reason", "why"], "without --tolerance"),
        (["--tolerance", "x0.5", "--tolerance-reason", "why"], "not valid"),
    ],
)
def test_a_bad_tolerance_is_refused_before_writing(
    root: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    before = (root / "llama-2" / "relations.yaml").read_text(encoding="utf-8")
    inputs = [f"--input=h{i}={c}" for i, c in enumerate(ROWS[:2])]
    code, out = relate(root, capsys, "h1 >= h0", *inputs, "--id", "loose", *extra)
    assert code == 1 and message in out, out
    assert (root / "llama-2" / "relations.yaml").read_text(encoding="utf-8") == before
