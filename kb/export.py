"""Data to take away: claims, checks and sources as CSV, JSON and a SQLite database.

One row per claim, per check (every relation, law instance and claim check) and per source, with
units and interval ends as columns, so a spreadsheet or Datasette opens the files as they are.
Open ends and unknowns are empty (NULL in SQLite, null in JSON). The site publishes the same files
under data/ (kb build), and `kb export` writes them anywhere.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kb import display
from kb.atomic import atomic_write_text
from kb.contents import ClaimEntry, KnowledgeBase
from kb.interval import Interval
from kb.results import CheckResult, Results

FORMATS = ("csv", "json", "sqlite")
SQLITE_FILE = "kb.sqlite"
JSON_FILE = "kb.json"

Row = dict[str, Any]
Column = tuple[str, str, Callable[[Any], Any]]
"""A column: its name, its SQLite type, and how to read it from the row's object."""


def _num(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None


def _ends(iv: Interval | None) -> tuple[float | None, float | None]:
    return (None, None) if iv is None else (_num(iv.lo), _num(iv.hi))


def _claim_row(e: ClaimEntry, results: Results) -> Row:
    c, r = e.claim, results.claims[e.id]
    first = c.sources[0] if c.sources else None
    v, unit = e.value, e.unit
    nominal, stated = _ends(v.nominal if v else None), _ends(v.stated if v else None)
    base = _ends(v.base() if v else None)
    s = r.suggested
    return {
        "id": e.id,
        "subject": c.subject,
        "quantity": c.quantity,
        "kind": c.kind,
        "rank": c.rank,
        "value": json.dumps(c.value, ensure_ascii=False) if isinstance(c.value, list) else c.value,
        "unit": c.unit,
        "qualifier": c.qualifier,
        "as_written": display.written(c.value, c.unit or "1", c.qualifier) if c.value is not None else None,
        "statement": c.statement,
        "as_of": str(c.as_of) if c.as_of is not None else None,
        "nominal_lo": nominal[0],
        "nominal_hi": nominal[1],
        "stated_lo": stated[0],
        "stated_hi": stated[1],
        "base_unit_factor": unit.factor if unit and not unit.is_date else None,
        "stated_lo_base": base[0] if unit and not unit.is_date else None,
        "stated_hi_base": base[1] if unit and not unit.is_date else None,
        "verdict": str(r.verdict),
        "standing": str(r.standing) if r.standing else None,
        "severity": str(r.severity) if r.severity else None,
        "condemned_by": " ".join(r.condemned_by) or None,
        "explained_by": " ".join(r.explained_by) or None,
        "suggested_lo": _num(s.lo) if s else None,
        "suggested_hi": _num(s.hi) if s else None,
        "suggested_slip": s.slip if s else None,
        "source": first.source if first else None,
        "quote": first.quote if first else None,
        "translation": first.translation if first else None,
        "file": e.file,
        "line": e.location.line or None,
    }


def _check_row(cr: CheckResult) -> Row:
    stated, computed = _ends(cr.stated), _ends(cr.computed)
    return {
        "key": cr.key,
        "kind": cr.kind,
        "claim_id": cr.claim_id or None,
        "check_id": cr.check_id,
        "law": cr.law,
        "relation": cr.relation,
        "formula": cr.formula,
        "verdict": str(cr.verdict),
        "unit": cr.unit.text if cr.unit else None,
        "stated_lo": stated[0],
        "stated_hi": stated[1],
        "computed_lo": computed[0],
        "computed_hi": computed[1],
        "stated_text": cr.stated_text or None,
        "computed_text": cr.computed_text or None,
        "factor": _num(cr.factor),
        "severity": str(cr.severity) if cr.severity else None,
        "basis": str(cr.basis) if cr.basis else None,
        "slip": cr.slip,
        "members": " ".join(cr.members) or None,
        "explained_by": " ".join(cr.explained_by) or None,
        "diagnosis": cr.diagnosis or None,
    }


def tables(kb: KnowledgeBase, results: Results) -> dict[str, list[Row]]:
    """The three tables, rows in a stable order: claims, checks (by key) and sources (by id)."""
    claims = [_claim_row(e, results) for e in kb.claims.values()]
    checks = [_check_row(results.by_key[k]) for k in sorted(results.by_key)]
    cited: dict[str, int] = {}
    for e in kb.claims.values():
        for q in dict.fromkeys(q.source for q in e.claim.sources):
            cited[q] = cited.get(q, 0) + 1
    sources = []
    for sid in sorted(kb.sources):
        m = kb.sources[sid].meta
        sources.append(
            {
                "id": sid,
                "title": m.title,
                "author": m.author,
                "publisher": m.publisher,
                "url": m.url,
                "language": m.language,
                "published": str(m.published) if m.published is not None else None,
                "kind": m.kind,
                "archived": kb.sources[sid].archived,
                "claims": cited.get(sid, 0),
            }
        )
    return {"claims": claims, "checks": checks, "sources": sources}


def _csv(rows: list[Row]) -> str:
    if not rows:
        return ""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    # Every row has the same keys in the same order (one function makes each table's rows), so
    # the values go as they are: csv.DictWriter's per-row lookups cost as much as the writing.
    w.writerow(rows[0])
    w.writerows([tuple(r.values()) for r in rows])
    return buf.getvalue()


_PRIMARY = {"claims": "id", "checks": "key", "sources": "id"}


def _sql_type(values: tuple[Any, ...]) -> str:
    kinds = set(map(type, values))
    kinds.discard(type(None))
    if kinds <= {bool, int}:
        return "INTEGER"
    return "REAL" if kinds <= {int, float} else "TEXT"


def write_sqlite(data: dict[str, list[Row]], path: Path) -> None:
    """A SQLite file Datasette opens as it is: one table each, typed columns, a primary key."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        with sqlite3.connect(tmp) as db:
            # A new file renamed into place when complete: no journal, and no syncs, are needed.
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("PRAGMA synchronous = OFF")
            for name, rows in data.items():
                if not rows:
                    continue
                cols = list(rows[0])
                values = [tuple(r.values()) for r in rows]
                defs = ", ".join(
                    f'"{c}" {_sql_type(column)}' + (" PRIMARY KEY" if c == _PRIMARY[name] else "")
                    for c, column in zip(cols, zip(*values, strict=True), strict=True)
                )
                db.execute(f'CREATE TABLE "{name}" ({defs})')
                marks = ", ".join("?" for _ in cols)
                db.executemany(f'INSERT INTO "{name}" VALUES ({marks})', values)
        db.close()
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write(kb: KnowledgeBase, results: Results, out: Path, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Write the tables in each format into `out`; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    data = tables(kb, results)
    written: list[Path] = []
    if "csv" in formats:
        for name, rows in data.items():
            atomic_write_text(out / f"{name}.csv", _csv(rows))
            written.append(out / f"{name}.csv")
    if "json" in formats:
        atomic_write_text(
            out / JSON_FILE,
            json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n",
        )
        written.append(out / JSON_FILE)
    if "sqlite" in formats:
        write_sqlite(data, out / SQLITE_FILE)
        written.append(out / SQLITE_FILE)
    return written


__all__ = ["FORMATS", "tables", "write", "write_sqlite"]
