"""The scale benchmark: kb against the static-site generators people would use instead.

For each N it generates a synthetic knowledge base (benchmarks/generate.py) and measures, each in
a fresh process: `kb check` cold (no cache) and warm, `kb build` cold, a rebuild with nothing
changed and with one claim changed, peak memory; and, in the same run, MkDocs building N plain
markdown pages and (where the Debian package `hugo` is installed) Hugo building N pages. It
prints a table (markdown) with the ratios.

    python -m benchmarks.run                 # N = 1,000 10,000 100,000
    python -m benchmarks.run --sizes 1000    # a quick run
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.generate import generate

TIME = shutil.which("time") or "/usr/bin/time"


@dataclass
class Run:
    seconds: float
    peak_mb: float
    ok: bool


@dataclass
class Row:
    n: int
    cells: dict[str, Run] = field(default_factory=dict)


def timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Wall time and peak resident memory of one command, in a fresh process."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        start = time.perf_counter()
        proc = subprocess.run(
            [TIME, "-f", "%M", "-o", out.name, *cmd],
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        seconds = time.perf_counter() - start
        text = Path(out.name).read_text()
    numbers = re.findall(r"^(\d+)\s*$", text, re.M)
    peak = int(numbers[-1]) / 1024 if numbers else float("nan")
    if proc.returncode not in (0, 1):  # 1: the synthetic KB has inconsistent claims, by design
        sys.stderr.write(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}\n")
    return Run(seconds, peak, proc.returncode in (0, 1))


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
    markdown_pages(n, site / "docs")
    (site / "mkdocs.yml").write_text("site_name: bench\nuse_directory_urls: false\n", encoding="utf-8")
    return timed(["mkdocs", "build", "-q"], site)


def hugo_build(n: int, work: Path) -> Run | None:
    if shutil.which("hugo") is None:
        return None
    site = work / "hugo"
    markdown_pages(n, site / "content")
    (site / "hugo.toml").write_text('baseURL = "http://127.0.0.1/"\ntitle = "bench"\n', encoding="utf-8")
    layouts = site / "layouts" / "_default"
    layouts.mkdir(parents=True)
    (layouts / "single.html").write_text(
        "<!doctype html><html><head><title>{{ .Title }}</title></head><body>{{ .Content }}</body></html>",
        encoding="utf-8",
    )
    (layouts / "list.html").write_text(
        "<!doctype html><html><body>{{ range .Pages }}<a href='{{ .RelPermalink }}'>{{ .Title }}</a>{{ end }}"
        "</body></html>",
        encoding="utf-8",
    )
    return timed(["hugo", "--quiet", "--destination", str(site / "public")], site)


def change_one_claim(root: Path) -> None:
    """Edit one claim's notes: the smallest change a contributor makes."""
    path = next(iter(sorted((root / "claims" / "synthetic").glob("*.yaml"))))
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("Synthetic claim for benchmarks.", "Synthetic claim, edited.", 1), encoding="utf-8"
    )


def bench(n: int, work: Path, mkdocs_up_to: int = 10_000) -> Row:
    row = Row(n)
    kb_dir = work / "kb"
    generate(kb_dir, n, max(10, n // 100))
    kb = [sys.executable, "-m", "kb"]
    cache = work / "kb-cache"  # kb's cache folder (KB_CACHE_DIR), emptied for the cold runs
    env = {"KB_CACHE_DIR": str(cache)}
    shutil.rmtree(cache, ignore_errors=True)
    row.cells["check (cold)"] = timed([*kb, "check", "--quiet"], kb_dir, env)
    row.cells["check (warm)"] = timed([*kb, "check", "--quiet"], kb_dir, env)
    shutil.rmtree(cache, ignore_errors=True)
    shutil.rmtree(kb_dir / "site", ignore_errors=True)
    row.cells["build (cold)"] = timed([*kb, "build", "--quiet"], kb_dir, env)
    row.cells["rebuild (no change)"] = timed([*kb, "build", "--quiet"], kb_dir, env)
    change_one_claim(kb_dir)
    row.cells["rebuild (1 claim changed)"] = timed([*kb, "build", "--quiet"], kb_dir, env)
    mk = mkdocs_build(n, work) if n <= mkdocs_up_to else None  # MkDocs grows faster than linearly
    if mk:
        row.cells["mkdocs build"] = mk
    hu = hugo_build(n, work)
    if hu:
        row.cells["hugo build"] = hu
    return row


COLUMNS = (
    "check (cold)",
    "check (warm)",
    "build (cold)",
    "rebuild (no change)",
    "rebuild (1 claim changed)",
    "mkdocs build",
    "hugo build",
)


def table(rows: list[Row]) -> str:
    lines = [
        "| N | " + " | ".join(COLUMNS) + " | peak MB (build) | build / mkdocs | build / hugo |",
        "|---:|" + "---:|" * (len(COLUMNS) + 3),
    ]
    for r in rows:
        cells = []
        for c in COLUMNS:
            run = r.cells.get(c)
            cells.append("n/a" if run is None else f"{run.seconds:.2f} s" + ("" if run.ok else " (failed)"))
        build = r.cells.get("build (cold)")
        ratios = []
        for other in ("mkdocs build", "hugo build"):
            o = r.cells.get(other)
            ratios.append("n/a" if not (build and o) else f"{build.seconds / o.seconds:.2f}")
        peak = f"{build.peak_mb:.0f}" if build else "n/a"
        lines.append(f"| {r.n:,} | " + " | ".join(cells) + f" | {peak} | " + " | ".join(ratios) + " |")
    if len(rows) > 1:
        base = rows[0]
        lines.append("")
        lines.append("Growth against the smallest N (time ratio / size ratio; 1.0 is linear):")
        for r in rows[1:]:
            parts = []
            for c in ("check (cold)", "build (cold)"):
                a, b = base.cells.get(c), r.cells.get(c)
                if a and b:
                    parts.append(f"{c}: {(b.seconds / a.seconds) / (r.n / base.n):.2f}")
            a, b = base.cells.get("build (cold)"), r.cells.get("build (cold)")
            if a and b:
                parts.append(f"peak memory: {(b.peak_mb / a.peak_mb) / (r.n / base.n):.2f}")
            lines.append(f"- N = {r.n:,}: " + ", ".join(parts))
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--keep", type=Path, help="keep the generated trees here instead of a temp folder")
    ap.add_argument(
        "--mkdocs-up-to",
        type=int,
        default=10_000,
        metavar="N",
        help="run MkDocs only up to this size (it takes minutes at 10,000 pages and grows faster than N)",
    )
    args = ap.parse_args()
    rows = []
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix=f"kb-bench-{n}-") as tmp:
            work = args.keep / str(n) if args.keep else Path(tmp)
            work.mkdir(parents=True, exist_ok=True)
            print(f"N = {n:,} ...", file=sys.stderr, flush=True)
            rows.append(bench(n, work, args.mkdocs_up_to))
    print(f"kb benchmark on {os.cpu_count()} cores, Python {sys.version.split()[0]}\n")
    print(table(rows))


if __name__ == "__main__":
    main()
