"""The scale benchmark's measurements (benchmarks/run.py), on tiny commands."""

from __future__ import annotations

import math
import sys
from pathlib import Path

from benchmarks.run import MEMORY, Row, Run, cpu_table, table, timed

# A worker that burns 0.4 CPU-s, forked and waited for by the command: as kb's render workers are.
_FORKS_A_WORKER = """
import os, time
pid = os.fork()
if pid == 0:
    while time.process_time() < 0.4:
        pass
    os._exit(0)
os.waitpid(pid, 0)
"""


def test_cpu_time_counts_the_workers_a_command_waits_for(tmp_path: Path) -> None:
    run = timed([sys.executable, "-c", _FORKS_A_WORKER], tmp_path)
    assert run.ok
    assert run.cpu >= 0.4, run


def test_cpu_time_is_not_wall_time(tmp_path: Path) -> None:
    run = timed([sys.executable, "-c", "import time; time.sleep(0.5)"], tmp_path)
    assert run.seconds >= 0.5
    assert run.cpu < run.seconds - 0.2, run


def test_the_cpu_table_shows_what_was_measured() -> None:
    row = Row(1000, {"build (cold)": Run(2.0, 100.0, True, 3.25), "check (cold)": Run(1.0, 50.0, True)})
    text = cpu_table([row])
    assert "build (cold)" in text and "3.2" in text
    assert "check (cold)" not in text  # its CPU time was not measured


def test_memory_is_sampled_only_when_asked(tmp_path: Path) -> None:
    grow = "b = bytearray(60_000_000); b[::4096] = b'x' * len(b[::4096]); import time; time.sleep(0.3)"
    assert math.isnan(timed([sys.executable, "-c", grow], tmp_path).peak_mb)
    assert timed([sys.executable, "-c", grow], tmp_path, memory=True).peak_mb > 50


def test_the_table_takes_peak_memory_from_the_sampled_build_alone() -> None:
    row = Row(1000, {"build (cold)": Run(2.0, float("nan"), True), MEMORY: Run(9.0, 321.0, True)})
    line = table([row]).splitlines()[-1]
    assert "| 321 |" in line and "9.00 s" not in line
