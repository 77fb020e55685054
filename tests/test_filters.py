"""Filters on kb check and kb show: one's own claims among the bundled ones, and --changed REV."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from kb.cli import main

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def root(claims_copy: Path) -> Path:
    return claims_copy


def check_ids(root: Path, capsys: pytest.CaptureFixture[str], *flags: str) -> set[str]:
    assert main(["check", "--claims", str(root), "--format", "json", *flags]) == 0
    return {c["id"] for c in json.loads(capsys.readouterr().out)["claims"]}


def test_each_filter_selects_its_claims(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    everything = check_ids(root, capsys)
    by_file = check_ids(root, capsys, "--file", str(root / "llama-2"))
    assert by_file and by_file < everything and all(c.startswith("llama2-") for c in by_file)
    assert check_ids(root, capsys, "--subject", "Llama 2 7B") == {
        c for c in by_file if c.startswith("llama2-7b-")
    }
    assert check_ids(root, capsys, "--source", "csdn-chatgpt-cost-zh") == {
        c for c in everything if c.startswith("chatgpt-zh-")
    }
    powers = check_ids(root, capsys, "--quantity", "gpu_power", "--id", "llama2-")
    assert powers == {
        "llama2-7b-gpu-power",
        "llama2-13b-gpu-power",
        "llama2-70b-gpu-power",
        "llama2-a100-tdp",
    }
    inconsistent = check_ids(root, capsys, "--verdict", "inconsistent")
    assert main(["check", "--claims", str(root), "--format", "json"]) == 0
    verdicts = {c["id"]: c["verdict"] for c in json.loads(capsys.readouterr().out)["claims"]}
    assert inconsistent == {c for c, v in verdicts.items() if v == "inconsistent"}
    assert any(c.startswith("gpt4-") for c in inconsistent)


def test_a_subject_is_matched_without_case(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check_ids(root, capsys, "--subject", "llama 2 7b") == check_ids(
        root, capsys, "--subject", "Llama 2 7B"
    )


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (("--subject", "Llama 2 7"), "no claim has the subject 'Llama 2 7' -> did you mean 'Llama 2 7B'"),
        (("--source", "csdn-chatgpt-cost"), "no claim has the source 'csdn-chatgpt-cost'"),
        (("--quantity", "gpu_powr"), "did you mean 'gpu_power'"),
        (("--file", "claims/llama-3"), "no claim is in 'claims/llama-3'"),
        (("--id", "zz-"), "no claim id starts with 'zz-'"),
        (("--verdict", "bogus"), "invalid choice: 'bogus'"),
    ],
)
def test_a_filter_that_names_nothing_is_a_usage_error(
    root: Path, capsys: pytest.CaptureFixture[str], flags: tuple[str, ...], said: str
) -> None:
    """A typo would otherwise show no claim and exit 0: a CI run with --fail-on would pass."""
    args = ["check", "--claims", str(root), *flags]
    if flags[0] == "--verdict":  # argparse's own choices
        with pytest.raises(SystemExit) as ended:
            main(args)
        assert ended.value.code == 2
    else:
        assert main(args) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert said in err, err


def test_filtered_text_report_says_so(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--claims", str(root), "--subject", "Llama 2 7B"]) == 0
    out = capsys.readouterr().out
    assert "(showing the 9 claims that match the filters)" in out
    assert "gpt4-" not in out  # no other subject's findings or conflicts


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_changed_since_a_revision(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _git(root.parent, "init", "-q")
    _git(root.parent, "-c", "user.email=t@t", "-c", "user.name=t", "add", ".")
    _git(root.parent, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "base")
    assert check_ids(root, capsys, "--changed", "HEAD") == set()
    card = root / "llama-2" / "meta-llama2-model-card.yaml"
    card.write_text(
        card.read_text(encoding="utf-8").replace("value: 2022-09", "value: 2022-09\n    notes: x")
    )
    assert main(["edit", "--claims", str(root), "chatgpt-zh-v100-price", "--notes", "checked"]) == 0
    capsys.readouterr()
    assert check_ids(root, capsys, "--changed", "HEAD") == {
        "llama2-pretraining-data-cutoff",
        "chatgpt-zh-v100-price",
    }
    assert main(["check", "--claims", str(root), "--changed", "no-such-rev"]) == 2
    assert "bad revision" in capsys.readouterr().err


def test_show_lists_the_selected_claims(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "--claims", str(root), "--id", "llama2-7b-gpu", "--depth", "0"]) == 0
    out = capsys.readouterr().out
    assert "llama2-7b-gpu-hours  [CONSISTENT]" in out and "llama2-7b-gpu-power  [CONSISTENT]" in out
    assert main(["show", "--claims", str(root)]) == 2


def test_mutations_follow_the_filters(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "check",
        "--claims",
        str(root),
        "--mutations",
        "--format",
        "json",
        "--source",
        "meta-llama2-model-card",
    ]
    assert main(args) == 0
    found = json.loads(capsys.readouterr().out)["mutations"]["mutations"]
    assert found and {m["claim_id"].split("-")[0] for m in found} == {"llama2"}
