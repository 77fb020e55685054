"""kb export: claims, checks and sources as CSV, JSON and SQLite; the site publishes the same files."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest
from site_helpers import REPO_CLAIMS, build_site, page

from kb import checks, contents, export
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


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix in (".csv", ".json")}


def test_a_second_export_in_one_process_reuses_rows_and_writes_what_a_fresh_one_does(tmp_path: Path) -> None:
    kb = contents.load(REPO_CLAIMS)
    results = checks.run(kb)
    export.write(kb, results, tmp_path / "first")
    data = export.tables(kb, results)
    # The rows the first export made text of, changed as an edit would: one value, a type, a new row.
    data["claims"][0]["nominal_lo"] = 12345.5
    data["claims"][1]["line"] = float(data["claims"][1]["line"])
    data["sources"].append({**data["sources"][0], "id": "zz-new", "title": 'a "quoted",\nline'})

    def both() -> tuple[dict[str, str], str]:
        texts = export._row_texts(data, export.FORMATS)
        return {n: export._csv_file(rows, texts[n]) for n, rows in data.items()}, export._json_file(texts)

    warm = both()
    export._TEXTS.clear()
    cold = both()
    assert warm == cold
    assert cold[1] == json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    with (tmp_path / "x.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(data["sources"][0]), lineterminator="\n")
        w.writeheader()
        w.writerows(data["sources"])
    assert cold[0]["sources"] == (tmp_path / "x.csv").read_text(encoding="utf-8")
    assert ',"a ""quoted"",\nline",' in cold[0]["sources"]
    assert warm[0]["claims"].count("12345.5") == 1 and f",{data['claims'][1]['line']}\n" in warm[0]["claims"]


def test_a_csv_export_does_not_need_what_only_json_refuses() -> None:
    data: dict[str, list[dict[str, object]]] = {"claims": [{"id": "a", "x": float("nan")}]}
    assert export._csv_file(data["claims"], export._row_texts(data, ("csv",))["claims"]) == "id,x\na,nan\n"
    with pytest.raises(ValueError):
        export._row_texts(data, ("json",))
