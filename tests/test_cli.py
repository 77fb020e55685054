"""The `kb` command as a process: what it prints, its exit code and what it leaves behind
(kb.cli.run leaves without the interpreter's teardown, so each is checked from outside)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from benchmarks.generate import generate
from kb.cli import main
from tests.test_units import _kb_with_units


def _kb(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KB_CACHE_DIR": str(cache)}
    return subprocess.run([sys.executable, "-m", "kb", *args], capture_output=True, text=True, env=env)


def test_piped_output_is_whole_and_the_exit_code_is_the_commands(tmp_path: Path) -> None:
    root = generate(tmp_path / "kb", 200, 4)
    done = _kb("check", "--claims", str(root), "--format", "json", cache=tmp_path / "cache")
    report = json.loads(done.stdout)  # every byte reached the pipe before the process ended
    assert len(report["claims"]) == 200
    failing = _kb("check", "--claims", str(root), "--fail-on", "inconsistent", cache=tmp_path / "cache")
    assert (done.returncode, failing.returncode) == (
        main(["check", "--quiet", "--claims", str(root), "--format", "json"]),
        main(["check", "--quiet", "--claims", str(root), "--fail-on", "inconsistent"]),
    ), done.stderr + failing.stderr
    assert failing.returncode != 0  # the synthetic knowledge base has inconsistent claims by design


def test_exit_handlers_still_run(tmp_path: Path, make_kb: Callable[[str], Path]) -> None:
    # A unit of claims/units.yaml is resolved by pint and saved at exit, by an exit handler.
    root = _kb_with_units(make_kb, "units:\n  - EUR = [currency_eur] = euro = euros\n")
    cache = tmp_path / "cache"
    assert _kb("check", "--quiet", "--claims", str(root), cache=cache).returncode in (0, 1)
    assert list(cache.rglob("units-*.json"))


def test_a_usage_error_exits_2_with_its_message(tmp_path: Path) -> None:
    root = generate(tmp_path / "kb", 20, 2)
    done = _kb("check", "--claims", str(root), "--verdict", "bogus", cache=tmp_path / "cache")
    assert done.returncode == 2
    assert "bogus" in done.stderr


def test_output_that_cannot_be_written_is_an_error(tmp_path: Path) -> None:
    """A full disk (/dev/full) lost the report silently with exit 0; a closed pipe stays quiet."""
    root = generate(tmp_path / "kb", 50, 2)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    env["KB_CACHE_DIR"] = str(tmp_path / "cache")
    command = [sys.executable, "-m", "kb", "check", "--claims", str(root), "--format", "json"]
    with open("/dev/full", "w", encoding="utf-8") as full:
        done = subprocess.run(command, stdout=full, stderr=subprocess.PIPE, text=True, env=env)
    assert done.returncode != 0 and "No space left on device" in done.stderr
    assert "Traceback" not in done.stderr
    piped = subprocess.run(
        f"{' '.join(command)} | head -c 10", shell=True, capture_output=True, text=True, env=env
    )
    assert piped.returncode == 0 and "Traceback" not in piped.stderr
