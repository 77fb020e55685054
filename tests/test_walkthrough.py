"""The README's walkthrough, run as written: a whole model card added end to end."""

from __future__ import annotations

import os
import re
import shlex
import shutil
from pathlib import Path

import pytest

from kb.cli import main

REPO = Path(__file__).resolve().parent.parent
TABLE_ROWS = ("<td>Llama 3 8B", "<td>Llama 3 70B", "<td>Total")


def walkthrough() -> list[list[str]]:
    """The commands of the README's walkthrough block, one argument list per command."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- walkthrough -->", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    joined = re.sub(r"\\\n\s*", " ", block)
    return [shlex.split(line, comments=True) for line in joined.splitlines() if line.strip()]


def review(draft: Path) -> None:
    """What the walkthrough asks of the person: accept the training table's figures, drop the rest."""
    items = re.split(r"(?m)^(?=  - review: pending\n)", draft.read_text(encoding="utf-8"))
    out = [items[0]]
    for item in items[1:]:
        keep = any(row in item for row in TABLE_ROWS)
        out.append(item.replace("review: pending", "review: accept" if keep else "review: drop", 1))
    draft.write_text("".join(out), encoding="utf-8")


def test_the_walkthrough_adds_the_card(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for part in ("claims", "examples"):
        shutil.copytree(REPO / part, tmp_path / part)
    shutil.copytree(REPO / "kb" / "schemas", tmp_path / "kb" / "schemas")
    monkeypatch.chdir(tmp_path)
    commands = walkthrough()
    assert [c[1] for c in commands if c[0] == "kb"] == [
        "source",
        "extract",
        "extract",
        "relate",
        "relate",
        "check",
        "build",
    ]
    for command in commands:
        if command[0] == "$EDITOR":
            review(tmp_path / command[1])
            continue
        code = main(command[1:])
        out = capsys.readouterr()
        assert code == 0, (command, out.out, out.err)
        assert "Traceback" not in out.err
    claims = (tmp_path / "claims" / "llama-3" / "meta-llama3-model-card.yaml").read_text(encoding="utf-8")
    assert claims.count("  - id: ") == 8
    assert (
        main(["check", "--source", "meta-llama3-model-card", "--verdict", "consistent", "--format", "json"])
        == 0
    )
    consistent = capsys.readouterr().out.count('"verdict": "consistent"')
    assert consistent >= 6  # the rows and totals the relations verify
    assert (tmp_path / "site" / "index.html").exists() or any((tmp_path / "site").glob("**/*.html"))
    assert os.path.exists(tmp_path / "drafts" / "meta-llama3-model-card.yaml")
