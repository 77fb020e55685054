"""The scale benchmark: kb against Hugo, and against Hugo plus pagefind, on the same number of pages.

For each N it generates a synthetic knowledge base (benchmarks/generate.py) and measures, each in
a fresh process: `kb check` cold (no cache) and warm, `kb build` cold, a rebuild with nothing
changed, a rebuild after one claim's value changed from the command line and in a running
`kb serve` (from the edit to the new site being in place), and peak memory (the proportional set
size of the process and all its workers, sampled in one more cold build: sampling slows what it
samples, so no timed run is sampled). In the same run and interleaved with kb's
cold builds (median of `--rounds` rounds), Hugo builds as many plain pages as kb wrote and
pagefind indexes Hugo's output; MkDocs too up to `--mkdocs-up-to`. It prints a markdown table and
which of issue 14's targets hold; `--readme` writes both into README.md between its markers.

    python -m benchmarks.run                         # N = 1,000 10,000 100,000
    python -m benchmarks.run --sizes 1000 --rounds 1  # a quick run
"""

from __future__ import annotations

import argparse
import math
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.generate import generate

REPO = Path(__file__).resolve().parent.parent
README_START = "<!-- benchmark:start -->"
README_END = "<!-- benchmark:end -->"


@dataclass
class Run:
    seconds: float
    peak_mb: float
    ok: bool
    cpu: float = float("nan")
    """User and system seconds of the command and every process it waited for (its workers,
    pagefind): what it costs a machine, less moved by other work than the wall time."""


@dataclass
class Row:
    n: int
    cells: dict[str, Run] = field(default_factory=dict)
    ratios: dict[str, float] = field(default_factory=dict)


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", encoding="ascii") as f:
                out += [int(x) for x in f.read().split()]
        except OSError:
            continue
    return out


def _pss_kb(pid: int) -> int:
    """Proportional set size: pages shared by forked workers are counted once over all of them."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def tree_pss_mb(root: int) -> float:
    total, stack, seen = 0, [root], set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += _pss_kb(pid)
        stack += _children(pid)
    return total / 1024


class PeakMemory:
    """Samples the memory of a process tree every 20 ms until stopped; keeps the peak."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak = pid, 0.0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.wait(0.02):
            self.peak = max(self.peak, tree_pss_mb(self.pid))

    def done(self) -> float:
        self.stop.set()
        self.thread.join()
        return self.peak


def timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, memory: bool = False) -> Run:
    """Wall time and CPU time (workers included) of one command, in a fresh process; its peak
    memory too with `memory`. Only then: sampling a process tree every 20 ms costs CPU and holds
    its memory map's lock, which slowed kb serve's rebuild at 10,000 claims by about 0.35 s."""
    before = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    sampler = PeakMemory(proc.pid) if memory else None
    _, err = proc.communicate()
    seconds = time.perf_counter() - start
    peak = sampler.done() if sampler is not None else float("nan")
    if proc.returncode not in (0, 1):  # 1: the synthetic KB has inconsistent claims, by design
        sys.stderr.write(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err.decode()[-2000:]}\n")
    return Run(seconds, peak, proc.returncode in (0, 1), _children_cpu() - before)


def _children_cpu() -> float:
    """CPU seconds of the children this process has waited for, and of theirs (the kernel adds a
    process's reaped descendants to it when it is reaped)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def markdown_pages(n: int, root: Path) -> None:
    """N plain markdown pages, about the size of a claim page's text."""
    for i in range(n):
        sub = root / f"s{i // 1000:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"page-{i}.md").write_text(
            f"---\ntitle: Page {i}\n---\n\n# Claim {i}\n\nModel {i} has {i % 900 + 1} billion parameters, "
            f"trained on {i % 30 + 1} trillion tokens.\n\n- value: {i}\n- verdict: consistent\n",
            encoding="utf-8",
        )


def mkdocs_build(n: int, work: Path) -> Run | None:
    if shutil.which("mkdocs") is None:
        return None
    site = work / "mkdocs"
    if not site.exists():
        markdown_pages(n, site / "docs")
        (site / "mkdocs.yml").write_text("site_name: bench\nuse_directory_urls: false\n", encoding="utf-8")
    shutil.rmtree(site / "site", ignore_errors=True)
    return timed(["mkdocs", "build", "-q"], site)


def hugo_site(n: int, work: Path) -> Path | None:
    """Hugo's source tree of n pages (made once per size), or None where Hugo is not installed."""
    if shutil.which("hugo") is None:
        return None
    site = work / "hugo"
    if site.exists():
        return site
    markdown_pages(n, site / "content")
    (site / "hugo.toml").write_text('baseURL = "http://127.0.0.1/"\ntitle = "bench"\n', encoding="utf-8")
    layouts = site / "layouts" / "_default"
    layouts.mkdir(parents=True)
    (layouts / "single.html").write_text(
        "<!doctype html><html lang='en'><head><title>{{ .Title }}</title></head>"
        "<body><main>{{ .Content }}</main></body></html>",
        encoding="utf-8",
    )
    (layouts / "list.html").write_text(
        "<!doctype html><html lang='en'><body>{{ range .Pages }}"
        "<a href='{{ .RelPermalink }}'>{{ .Title }}</a>{{ end }}</body></html>",
        encoding="utf-8",
    )
    return site


def hugo_build(site: Path) -> Run:
    shutil.rmtree(site / "public", ignore_errors=True)
    return timed(["hugo", "--quiet", "--destination", str(site / "public")], site)


def pagefind_over(site: Path) -> Run:
    """pagefind over Hugo's pages, as a Hugo site would add search."""
    shutil.rmtree(site / "public" / "pagefind", ignore_errors=True)
    return timed([sys.executable, "-m", "pagefind", "--site", str(site / "public"), "--silent"], site)


_VALUE = re.compile(r"^(    value: )([0-9][0-9.]*e[0-9]+)$", re.M)


def change_one_value(root: Path, round_no: int) -> str:
    """Change one ordinary claim's value (not the reference every claim rests on); returns its id."""
    path = sorted((root / "claims" / "synthetic").glob("*.yaml"))[1]
    text = path.read_text(encoding="utf-8")
    match = list(_VALUE.finditer(text))[3]
    new = f"{float(match.group(2)) * (1.1 + round_no / 100):.3g}".replace("e+", "e")
    path.write_text(text[: match.start(2)] + new + text[match.end(2) :], encoding="utf-8")
    before = text[: match.start()]
    return re.findall(r"- id: (\S+)", before)[-1]


def kb_cmd() -> list[str]:
    return [sys.executable, "-m", "kb"]


def serve_rebuild(kb_dir: Path, env: dict[str, str], round_no: int) -> Run:
    """Seconds from one value's edit to `kb serve --watch` having the new site in place."""
    marker = kb_dir / "site" / ".kb-site"
    proc = subprocess.Popen(
        [*kb_cmd(), "serve", "--port", "0", "--interval", "0.05", "--quiet"],
        cwd=kb_dir,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # "kb serve: serving ..." once the site is up to date
        if "serving" not in line:
            return Run(float("nan"), float("nan"), False)
        before = marker.read_text(encoding="utf-8")
        start = time.perf_counter()
        change_one_value(kb_dir, round_no)
        while True:
            time.sleep(0.01)
            try:
                now = marker.read_text(encoding="utf-8")
            except OSError:
                continue
            if now != before and '"fingerprint":""' not in now:
                break
            if time.perf_counter() - start > 600 or proc.poll() is not None:
                return Run(float("nan"), float("nan"), False)
        return Run(time.perf_counter() - start, float("nan"), True)
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def bench(n: int, work: Path, rounds: int, mkdocs_up_to: int) -> Row:
    row = Row(n)
    kb_dir = work / "kb"
    generate(kb_dir, n, max(10, n // 100))
    kb = kb_cmd()
    cache = work / "kb-cache"  # kb's cache folder (KB_CACHE_DIR), emptied for the cold runs
    env = {"KB_CACHE_DIR": str(cache)}
    hugo: Path | None = None
    runs: dict[str, list[Run]] = {}
    for r in range(rounds):  # interleaved: a busy machine slows kb and Hugo alike within a round
        shutil.rmtree(cache, ignore_errors=True)
        runs.setdefault("check (cold)", []).append(timed([*kb, "check", "--quiet"], kb_dir, env))
        runs.setdefault("check (warm)", []).append(timed([*kb, "check", "--quiet"], kb_dir, env))
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(kb_dir / "site", ignore_errors=True)
        runs.setdefault("build (cold)", []).append(timed([*kb, "build", "--quiet"], kb_dir, env))
        hugo = hugo or hugo_site(page_count(kb_dir / "site"), work)
        if hugo is not None:
            runs.setdefault("hugo build", []).append(hugo_build(hugo))
            runs.setdefault("pagefind over hugo", []).append(pagefind_over(hugo))
        runs.setdefault("rebuild (no change)", []).append(timed([*kb, "build", "--quiet"], kb_dir, env))
        change_one_value(kb_dir, 2 * r)
        runs.setdefault("rebuild (1 value, CLI)", []).append(timed([*kb, "build", "--quiet"], kb_dir, env))
        runs.setdefault("rebuild (1 value, serve)", []).append(serve_rebuild(kb_dir, env, 2 * r + 1))
    # Memory apart from the timed runs (see timed): one more cold build, sampled.
    shutil.rmtree(cache, ignore_errors=True)
    shutil.rmtree(kb_dir / "site", ignore_errors=True)
    runs["build (cold, memory)"] = [timed([*kb, "build", "--quiet"], kb_dir, env, memory=True)]
    if n <= mkdocs_up_to:
        mk = mkdocs_build(n, work)
        if mk:
            runs["mkdocs build"] = [mk]
    row.cells = {name: _median(found) for name, found in runs.items()}
    if "hugo build" in runs:
        kb_cold = runs["build (cold)"]
        row.ratios["build / hugo"] = statistics.median(
            k.seconds / h.seconds for k, h in zip(kb_cold, runs["hugo build"], strict=True)
        )
        row.ratios["build / (hugo + pagefind)"] = statistics.median(
            k.seconds / (h.seconds + p.seconds)
            for k, h, p in zip(kb_cold, runs["hugo build"], runs["pagefind over hugo"], strict=True)
        )
    return row


def page_count(site: Path) -> int:
    """The HTML pages kb wrote (not its search bundles): Hugo builds as many."""
    return sum(1 for p in site.rglob("*.html") if not p.relative_to(site).parts[0].startswith("pagefind"))


def _median(found: list[Run]) -> Run:
    ordered = sorted(found, key=lambda r: r.seconds)
    mid = ordered[len(ordered) // 2]
    cpu = statistics.median(r.cpu for r in found)
    return Run(mid.seconds, max(r.peak_mb for r in found), all(r.ok for r in found), cpu)


COLUMNS = (
    "check (cold)",
    "check (warm)",
    "build (cold)",
    "rebuild (no change)",
    "rebuild (1 value, CLI)",
    "rebuild (1 value, serve)",
    "hugo build",
    "pagefind over hugo",
)
RATIOS = ("build / hugo", "build / (hugo + pagefind)")
MEMORY = "build (cold, memory)"
"""The one cold build whose memory is sampled; its time is in no column."""


def _peak(row: Row) -> str:
    run = row.cells.get(MEMORY)
    return "n/a" if run is None or math.isnan(run.peak_mb) else f"{run.peak_mb:.0f}"


def table(rows: list[Row]) -> str:
    lines = [
        "| N | " + " | ".join(COLUMNS) + " | peak MB (build) | " + " | ".join(RATIOS) + " |",
        "|---:|" + "---:|" * (len(COLUMNS) + 1 + len(RATIOS)),
    ]
    for r in rows:
        cells = []
        for c in COLUMNS:
            run = r.cells.get(c)
            cells.append("n/a" if run is None else f"{run.seconds:.2f} s" + ("" if run.ok else " (failed)"))
        peak = _peak(r)
        ratios = [f"{r.ratios[k]:.2f}" if k in r.ratios else "n/a" for k in RATIOS]
        lines.append(f"| {r.n:,} | " + " | ".join(cells) + f" | {peak} | " + " | ".join(ratios) + " |")
    return "\n".join(lines)


def cpu_table(rows: list[Row]) -> str:
    """CPU seconds of each command (median of the rounds), where a command was waited for."""
    shown = [c for c in COLUMNS if any(not math.isnan(r.cells[c].cpu) for r in rows if c in r.cells)]
    lines = ["| N | " + " | ".join(shown) + " |", "|---:|" + "---:|" * len(shown)]
    for r in rows:
        cells = [_cpu(r.cells.get(c)) for c in shown]
        lines.append(f"| {r.n:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cpu(run: Run | None) -> str:
    return "n/a" if run is None or math.isnan(run.cpu) else f"{run.cpu:.1f}"


def growth(rows: list[Row]) -> list[str]:
    """Time and memory growth against the smallest N (1.0 is linear)."""
    out = []
    base = rows[0]
    for r in rows[1:]:
        parts = []
        for c in ("check (cold)", "build (cold)"):
            a, b = base.cells.get(c), r.cells.get(c)
            if a and b:
                parts.append(f"{c} {(b.seconds / a.seconds) / (r.n / base.n):.2f}")
        a, b = base.cells.get(MEMORY), r.cells.get(MEMORY)
        if a and b:
            parts.append(f"peak memory {(b.peak_mb / a.peak_mb) / (r.n / base.n):.2f}")
        out.append(f"- N = {r.n:,} against {base.n:,}: " + ", ".join(parts))
    return out


def targets(rows: list[Row]) -> list[str]:
    """Issue 14's targets, each met or not with the figure that decides it."""
    out = []
    at10 = next((r for r in rows if r.n == 10_000), None)
    if at10 is not None:
        checks = [
            ("cold build / (Hugo + pagefind) ≤ 1.0", at10.ratios.get("build / (hugo + pagefind)"), 1.0, ""),
            ("cold build / Hugo ≤ 2", at10.ratios.get("build / hugo"), 2.0, ""),
            ("one value changed, `kb serve` ≤ 1 s", _s(at10, "rebuild (1 value, serve)"), 1.0, " s"),
            ("one value changed, CLI ≤ 2 s", _s(at10, "rebuild (1 value, CLI)"), 2.0, " s"),
            ("no-change rebuild ≤ 0.3 s", _s(at10, "rebuild (no change)"), 0.3, " s"),
            ("cold `kb check` ≤ 1.5 s", _s(at10, "check (cold)"), 1.5, " s"),
        ]
        for name, value, limit, unit in checks:
            out.append(_verdict(f"{name} at 10,000", value, limit, unit))
    at100 = next((r for r in rows if r.n == 100_000), None)
    if at100 is not None:
        build = at100.cells.get(MEMORY)
        out.append(_verdict("peak memory ≤ 400 MB at 100,000", build.peak_mb if build else None, 400, " MB"))
    return out


def _s(row: Row, cell: str) -> float | None:
    run = row.cells.get(cell)
    return run.seconds if run is not None and run.ok else None


def _verdict(name: str, value: float | None, limit: float, unit: str) -> str:
    if value is None:
        return f"- {name}: not measured"
    status = "met" if value <= limit else f"**not met** ({value / limit:.1f}× the target)"
    return f"- {name}: {value:.2f}{unit}, {status}"


def report(rows: list[Row], header: str) -> str:
    parts = [header, "", table(rows), ""]
    parts += ["CPU seconds (user + system, the command and its workers; 2 cores):", "", cpu_table(rows), ""]
    if len(rows) > 1:
        parts += ["Growth against the smallest N (time ratio / size ratio; 1.0 is linear):", *growth(rows)]
        parts.append("")
    parts += ["Targets (issue 14):", *targets(rows)]
    return "\n".join(parts) + "\n"


def write_readme(text: str, readme: Path = REPO / "README.md") -> None:
    content = readme.read_text(encoding="utf-8")
    start, end = content.index(README_START), content.index(README_END)
    content = content[: start + len(README_START)] + "\n" + text + content[end:]
    readme.write_text(content, encoding="utf-8")


def _commit() -> str:
    def git(*a: str) -> str:
        return subprocess.run(["git", *a], cwd=REPO, capture_output=True, text=True).stdout.strip()

    try:
        out, dirty = git("rev-parse", "--short", "HEAD"), git("status", "--porcelain", "kb")
    except OSError:
        return "unknown"
    return out + (" with uncommitted changes" if dirty else "")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--rounds", type=int, default=3, help="rounds up to 10,000 claims (default 3)")
    ap.add_argument("--keep", type=Path, help="keep the generated trees here instead of a temp folder")
    ap.add_argument(
        "--mkdocs-up-to",
        type=int,
        default=1_000,
        metavar="N",
        help="run MkDocs only up to this size (it takes minutes at 10,000 pages and grows faster than N)",
    )
    ap.add_argument("--readme", action="store_true", help="write the result into README.md")
    args = ap.parse_args()
    rows = []
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix=f"kb-bench-{n}-") as tmp:
            work = args.keep / str(n) if args.keep else Path(tmp)
            work.mkdir(parents=True, exist_ok=True)
            print(f"N = {n:,} ...", file=sys.stderr, flush=True)
            rows.append(bench(n, work, args.rounds if n <= 10_000 else 1, args.mkdocs_up_to))
    header = (
        f"kb at {_commit()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"{time.strftime('%Y-%m-%d')}; medians of {args.rounds} interleaved rounds up to 10,000 claims, "
        "one round above"
    )
    text = report(rows, header)
    print(text)
    if args.readme:
        write_readme(text)


if __name__ == "__main__":
    main()
