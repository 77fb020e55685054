"""Where a build's memory goes (issue 14): peak PSS of kb and its workers, by step and by process.

Runs `kb build --quiet` in the folder KB (which holds claims/) as benchmarks/run.py measures it
(the proportional set size of the process tree, sampled every 20 ms), cold unless --warm (the
cache folder $KB_CACHE_DIR and KB/site are removed first). The build runs under a probe that logs
the memory of the main process at each build step and names each forked worker by what forked it,
so the peak is shown per process and role, with the peak of each step.

    KB_CACHE_DIR=/tmp/kb-cache python -m benchmarks.memory /tmp/b10k
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from benchmarks.run import _children, _pss_kb

REPO = Path(__file__).resolve().parent.parent
ROLLUP = ("Rss", "Pss", "Private_Dirty")
Samples = list[tuple[float, dict[int, float]]]
"""(time, {pid: PSS in MB}) of each sample of the process tree."""


def _rollup() -> dict[str, int]:
    out: dict[str, int] = {}
    with open("/proc/self/smaps_rollup", encoding="ascii") as f:
        for line in f:
            name, _, rest = line.partition(":")
            if name in ROLLUP:
                out[name] = int(rest.split()[0]) // 1024
    return out


def _log(path: str, event: str, **fields: Any) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(
            json.dumps({"t": time.time(), "pid": os.getpid(), "event": event, **_rollup(), **fields}) + "\n"
        )


def _role() -> str:
    """What forked this worker: the function a Beside runs, or the kb function that made its pool
    (the innermost frame of kb's code on the stack the worker inherited)."""
    for frame in inspect.stack():
        if f"{os.sep}kb{os.sep}" in frame.filename:
            if frame.function == "_beside":
                return "beside:" + getattr(frame.frame.f_locals.get("fn"), "__name__", "?")
            return "pool:" + frame.function
    return "?"


def probe(argv: list[str], log: str) -> int:
    """Run kb with the probes in place (in the child process)."""
    from kb import procs
    from kb.cli import main
    from kb.site import progress

    step, initializer = progress.Reporter.step, procs.die_with_parent

    def logged_step(self: progress.Reporter, name: str, total: int | None = None) -> None:
        _log(log, "step", name=name)
        step(self, name, total)

    def logged_start() -> None:
        _log(log, "worker", role=_role())
        initializer()

    progress.Reporter.step = logged_step  # type: ignore[method-assign]
    procs.die_with_parent = logged_start
    return main(argv)


def _tree(root: int) -> dict[int, float]:
    out: dict[int, float] = {}
    stack = [root]
    while stack:
        pid = stack.pop()
        if pid not in out:
            out[pid] = _pss_kb(pid) / 1024
            stack += _children(pid)
    return out


def measure(kb_dir: Path, warm: bool) -> None:
    if not warm:
        shutil.rmtree(os.environ.get("KB_CACHE_DIR", "/nonexistent-kb-cache"), ignore_errors=True)
        shutil.rmtree(kb_dir / "site", ignore_errors=True)
    fd, log = tempfile.mkstemp(prefix="kb-memory-", suffix=".jsonl")
    os.close(fd)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "benchmarks.memory", "--probe", log, "build", "--quiet"]
    start = time.time()
    proc = subprocess.Popen(cmd, cwd=kb_dir, env=env)
    samples: Samples = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            samples.append((time.time(), _tree(proc.pid)))

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    code = proc.wait()
    done.set()
    thread.join()
    events = [json.loads(line) for line in Path(log).read_text(encoding="utf-8").splitlines()]
    Path(log).unlink()
    _report(proc.pid, code, time.time() - start, samples, events, start)


def _report(main_pid: int, code: int, wall: float, samples: Samples, events: list[Any], t0: float) -> None:
    role = {main_pid: "main", **{e["pid"]: e["role"] for e in events if e["event"] == "worker"}}
    steps = [(e["t"], e["name"]) for e in events if e["event"] == "step" and e["pid"] == main_pid]

    def step_at(t: float) -> str:
        return next((name for at, name in reversed(steps) if at <= t), "start")

    at, peak = max(samples, key=lambda s: sum(s[1].values()))
    total = sum(peak.values())
    print(f"exit {code}, {wall:.1f} s; peak tree PSS {total:.0f} MB at {at - t0:.1f} s ({step_at(at)})")
    for pid, mb in sorted(peak.items(), key=lambda kv: -kv[1]):
        print(f"  {role.get(pid, 'other (pagefind...)'):<28} {mb:7.0f} MB")
    by_step: dict[str, float] = defaultdict(float)
    for t, tree in samples:
        by_step[step_at(t)] = max(by_step[step_at(t)], sum(tree.values()))
    print("peak tree PSS by step:", ", ".join(f"{name} {mb:.0f}" for name, mb in by_step.items()))
    print("main process as each step starts (MB):")
    for e in events:
        if e["pid"] == main_pid:
            print(f"  {e['name']:<16} Pss {e['Pss']:6} Rss {e['Rss']:6} Private_Dirty {e['Private_Dirty']:6}")


def cli() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--probe":
        sys.exit(probe(sys.argv[3:], sys.argv[2]))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("kb", type=Path, help="a folder holding claims/ (made by benchmarks.generate)")
    p.add_argument("--warm", action="store_true", help="keep the cache folder and the site")
    args = p.parse_args()
    measure(args.kb, args.warm)


if __name__ == "__main__":
    cli()
