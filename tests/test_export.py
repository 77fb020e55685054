"""kb export: claims, checks and sources as CSV, JSON and SQLite; the site publishes the same files."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

from site_helpers import REPO_CLAIMS, build_site, page

from kb import checks, contents
from kb.cli import main


def test_export_writes_every_format_and_sqlite_counts_as_many_claims_as_check(tmp_path: Path) -> None:
    out = tmp_path / "export"
    assert main(["export", "--claims", str(REPO_CLAIMS), "--out", str(out)]) == 0
    kb = contents.load(REPO_CLAIMS)
    results = checks.run(kb)
    counts = results.counts()
    with sqlite3.connect(out / "kb.sqlite") as db:
        assert db.execute("SELECT count(*) FROM claims").fetchone()[0] == len(kb.claims)
        by_verdict = dict(db.execute("SELECT verdict, count(*) FROM claims GROUP BY verdict").fetchall())
        assert by_verdict == {v: n for v, n in counts.items() if n}
        assert db.execute("SELECT count(*) FROM checks").fetchone()[0] == len(results.by_key)
        assert db.execute("SELECT count(*) FROM sources").fetchone()[0] == len(kb.sources)
        # Units and interval ends are columns, typed, so a query can compare them.
        row = db.execute(
            "SELECT as_written, unit, stated_lo, stated_hi, verdict, suggested_slip FROM claims WHERE id = ?",
            ("gpt4-leak-zh-gpu-count",),
        ).fetchone()
        assert row == ("about 25 GPUs", "GPU", 22.05, 28.05, "inconsistent", row[5]) and row[5]
        types = {r[1]: r[2] for r in db.execute("PRAGMA table_info(claims)")}
        assert types["stated_lo"] == "REAL" and types["id"] == "TEXT" and types["line"] == "INTEGER"
    with (out / "claims.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(kb.claims) and rows[0]["id"] == next(iter(kb.claims))
    data = json.loads((out / "kb.json").read_text(encoding="utf-8"))
    assert set(data) == {"claims", "checks", "sources"} and len(data["claims"]) == len(kb.claims)


def test_export_of_one_format(tmp_path: Path) -> None:
    out = tmp_path / "x"
    assert main(["export", "--claims", str(REPO_CLAIMS), "--out", str(out), "--format", "json"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["kb.json"]


def test_site_links_the_data_and_each_claims_yaml_line(tmp_path: Path) -> None:
    site = tmp_path / "site"
    outcome = build_site(site, repo_url="https://example.org/kb/blob/main")
    assert outcome.built
    with sqlite3.connect(site / "data" / "kb.sqlite") as db:
        assert db.execute("SELECT count(*) FROM claims").fetchone()[0] == len(outcome.kb.claims)
    index = page(site, "index.html")
    links = {a.get("href") for a in index.find("p", cls="downloads").find_all("a")}
    assert {"data/claims.csv", "data/kb.sqlite", "data/kb.json"} <= links
    e = next(iter(outcome.kb.claims.values()))
    defined = page(site, f"claims/{e.id}.html").find("dl", cls="facts").find("a")
    assert defined.get("href") == f"https://example.org/kb/blob/main/{e.file}#L{e.location.line}"
