"""Documentation stays true: every command and option is documented, CI runs the README's command."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from kb.cli import parser

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    p = parser()
    action = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("name", sorted(_subcommands()))
def test_every_command_is_documented(name: str) -> None:
    assert f"`kb {name}" in README, f"kb {name} is not in README.md"


def test_every_option_is_documented() -> None:
    missing = []
    for name, sub in _subcommands().items():
        for action in sub._actions:
            for opt in action.option_strings:
                if opt.startswith("--") and opt not in ("--help",) and opt not in README:
                    missing.append(f"kb {name} {opt}")
    assert not missing, f"undocumented options: {missing}"


def test_ci_runs_the_readme_test_command() -> None:
    commands = re.findall(r"```sh\n(?:#.*\n)*(.+)\n```", README)
    assert len(commands) >= 2
    test_command = commands[1].strip()
    assert "pytest" in test_command
    assert test_command in (REPO / ".ci" / "run").read_text(encoding="utf-8")
