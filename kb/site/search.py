"""Search: pagefind indexes a small text record of each searchable page, in shards.

Pagefind costs time and memory with every word it reads, and has no incremental mode. So it is
not run over the rendered pages: each searchable page (claims, sources, subjects, quantities,
audits) gets a record, a tiny HTML file with its title, verdict filter and only the words a reader
searches for (a claim's subject, quantity, value and id, its quotes and their translations, the
sources' ids and titles; a source's metadata, not its archived text: its quotes are in the claims),
and the records are indexed in shards of about SHARD_SIZE pages, each its own pagefind bundle
(`pagefind/` for the first, `pagefind-1/`, `pagefind-2/`, ... for the others, merged by the search
page). A shard whose records are unchanged since the previous build is linked from it instead of
being indexed again, so a one-claim change re-indexes one shard.

Shards are indexed by separate pagefind processes, at most PARALLEL at a time, while the pages
are rendered. Search needs the site served over http (pagefind fetches its index); from file://
the search page says so.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import IO

from kb.cachedir import read_json, write_json
from kb.errors import KbError
from kb.site import views
from kb.site.context import SiteContext
from kb.site.pages import Page
from kb.site.views import Plain

TIMEOUT = 1800.0
SHARD_SIZE = 500
"""Records per shard, about: pagefind takes about 0.07 s plus 0.4 ms a record, so re-indexing the
one shard a changed claim is in takes about 0.3 s (2,000 records took 0.9-1.2 s)."""
MAX_SHARDS = 24
"""The search page merges every shard (fetching each one's WebAssembly and metadata): measured in
Chromium over 12,647 records, the first query answered in 0.85 s with 7 or 26 shards, 1.4 s with
32, 2.4 s with 51; past this count shards grow instead."""
PARALLEL = 2
"""Pagefind processes at a time (each uses several threads)."""
SALT = b"kb search records 3"


def shard_count(records: int) -> int:
    """How many shards the index of this many searchable pages has."""
    return max(1, min(MAX_SHARDS, math.ceil(records / SHARD_SIZE)))


def bundle_dir(shard: int) -> str:
    """The folder of a shard's bundle, relative to the site root."""
    return "pagefind" if shard == 0 else f"pagefind-{shard}"


def _words(*parts: object) -> str:
    return " · ".join(str(p) for p in parts if p not in (None, ""))


_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")
CJK_WORD = 6
ZH_MARK = "kbzhwords"
"""Starts the Chinese words of a record; search.js shows no excerpt past it."""
"""The longest Chinese word the index holds: a query up to this long finds any passage containing it."""


def cjk_words(text: str) -> str:
    """Every suffix of each run of Chinese characters, cut to CJK_WORD characters, as words.

    Chinese has no spaces, so the English index holds a whole run ("它大约有") as one word and
    "大约" finds nothing. Pagefind matches a query as the prefix of a word, so indexing each suffix
    ("它大约有", "大约有", "约有") lets any substring of a run be found, without a dictionary.
    """
    out: list[str] = []
    for run in _CJK_RUN.findall(text):
        out.extend(run[i : i + CJK_WORD] for i in range(1, len(run) - 1))
    return " ".join(dict.fromkeys(out))


def record(page: Page, ctx: SiteContext) -> str | None:
    """The text pagefind indexes for a page (a small HTML document), or None if it is not searched."""
    if not page.indexed:
        return None
    d = page.data
    if isinstance(d, dict):  # the audit page
        d = Plain()
    verdict = ""
    heading = page.title
    body: list[str] = []
    if page.template == "claim.html":
        assert isinstance(d, views.Claim)
        cv = d.cv
        c = cv.claim
        verdict = cv.style.label
        # Results must tell claims apart: "GPT-4 · Total parameters: about 1.8 trillion (source)".
        source = cv.citations[0].source_id if cv.citations else ""
        heading = f"{c.subject} · {cv.quantity_label}: {cv.value_text}" + (f" ({source})" if source else "")
        body.append(_words(c.subject, cv.quantity_label, cv.value_text, c.statement, cv.id))
        for cit in cv.citations:  # what readers search: the words of the quote, and where it is from
            title = cit.source.meta.title if cit.source is not None else ""
            body.append(_words(cit.quote.quote, cit.quote.translation, cit.source_id, title))
    elif page.template == "source.html":
        assert isinstance(d, views.Source)
        sv = d.sv
        m = sv.source.meta
        body.append(_words(m.id, m.kind, m.author, m.publisher, m.published, m.url, m.description))
        body.append(_words(f"{sv.total} claims cite it"))
    elif page.template == "subject.html":
        assert isinstance(d, views.Subject)
        s = d.subject
        body.append(_words(s.name, f"{s.total} claims"))
        body.append(", ".join(g.quantity_label for g in s.groups))
    elif page.template == "quantity.html":
        assert isinstance(d, views.Quantity)
        q = d.quantity
        body.append(_words(q.label, q.id, q.unit, q.description, f"{q.total} claims"))
    else:
        body.append(page.description)
    filt = f'<span data-pagefind-filter="verdict">{escape(verdict)}</span>' if verdict else ""
    text = "".join(f"<p>{escape(b)}</p>" for b in body if b)
    chinese = cjk_words(" ".join(body))
    if chinese:  # after a mark the search page cuts from excerpts (kb/static/search.js)
        text += f"<p>{ZH_MARK} {escape(chinese)}</p>"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(heading)}</title></head>"
        f'<body><main data-pagefind-body><h1 data-pagefind-meta="title">{escape(heading)}</h1>'
        f"{filt}{text}</main></body></html>\n"
    )


@dataclass(frozen=True)
class RecordSink:
    """Where render workers write the search record of each page they render: folder/SHARD/PATH.

    The shard of a page is the one shard_records() puts it in, for the same number of shards."""

    folder: Path
    shards: int

    def shard_of(self, path: str) -> int:
        return zlib.crc32(path.encode()) % self.shards

    def write(self, page: Page, ctx: SiteContext) -> str | None:
        r = record(page, ctx)
        if r is not None:
            target = self.folder / str(self.shard_of(page.path)) / page.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(r, encoding="utf-8")
        return r


def split(records: dict[str, str], n: int) -> list[list[tuple[str, str]]]:
    """Records (page path -> record) into n shards, as shard_records() and RecordSink split them."""
    shards: list[list[tuple[str, str]]] = [[] for _ in range(n)]
    for path, html in records.items():
        shards[zlib.crc32(path.encode()) % n].append((path, html))
    return shards


def shard_records(
    pages: Iterable[Page],
    ctx: SiteContext,
    keys: dict[str, str] | None = None,
    cache: Path | None = None,
    made: dict[str, str] | None = None,
) -> list[list[tuple[str, str]]]:
    """The records of every searchable page, split into shards (stable: by a hash of the path).

    With `keys` (each page's input hash) and a `cache` file, a page whose inputs hash as before
    reuses its record: after one claim changes, only the records of its pages are made again.
    `made` holds the records the render workers made already (write_pages with a RecordSink).
    """
    made = made or {}
    known: dict[str, str | None] = {}
    if cache is not None and keys is not None:
        loaded = read_json(cache)
        if isinstance(loaded, dict):
            known = {k: v for k, v in loaded.items() if v is None or isinstance(v, str)}
    fresh: dict[str, str | None] = {}
    records: list[tuple[str, str]] = []
    for p in pages:
        key = keys.get(p.path) if keys is not None else None
        if p.path in made:
            r: str | None = made[p.path]
        elif key is not None and key in known:
            r = known[key]
        else:
            r = record(p, ctx)
        if key is not None:
            fresh[key] = r
        if r is not None:
            records.append((p.path, r))
    if cache is not None and keys is not None and fresh != known:
        write_json(cache, fresh)
    return split(dict(records), shard_count(len(records)))


def shard_key(shards: list[list[tuple[str, str]]], i: int) -> str:
    h = hashlib.sha256(SALT + f"{len(shards)}:{i}\n".encode())
    try:
        from importlib.metadata import version

        h.update(version("pagefind").encode())
    except Exception:  # noqa: BLE001 - no version known: the key just covers the records
        pass
    for path, html in shards[i]:
        h.update(path.encode() + b"\0" + html.encode() + b"\0")
    return h.hexdigest()


def _link_tree(src: Path, dst: Path) -> bool:
    """Recreate src at dst with hard links (copies where links are refused)."""
    if not (src / "pagefind-entry.json").is_file():
        return False

    def link(a: str, b: str) -> None:
        try:
            os.link(a, b)
        except OSError:
            shutil.copy2(a, b)

    shutil.copytree(src, dst, copy_function=link)
    return True


MERGED_NEEDS = ("pagefind-entry.json", ".pf_meta", ".pagefind")
"""What the search page loads of a merged bundle (its entry, metadata and WebAssembly, besides the
index, fragment and filter folders): the rest (the UI's scripts and styles) is the first bundle's."""


def _strip_ui(bundle: Path) -> None:
    """Remove from a merged bundle what only the first bundle's copy of is ever loaded (0.6 MB a shard)."""
    for item in bundle.iterdir():
        if item.is_file() and not item.name.endswith(MERGED_NEEDS):
            item.unlink()


@lru_cache(maxsize=1)
def _pagefind() -> tuple[str, ...]:
    """The pagefind executable, found once: `python -m pagefind` would start a Python to find it for
    every shard (about 0.1 s each)."""
    try:
        from pagefind.service import _must_get_executable

        return (str(_must_get_executable().resolve()),)
    except Exception:  # noqa: BLE001 - the wrapper finds it, or says why not
        return (sys.executable, "-m", "pagefind")


class Indexer:
    """Index the shards into `site`: reuse unchanged ones from `previous`, run pagefind on the rest.

    start() links what it can and launches the first pagefind runs; poll() launches more as runs
    finish; wait() waits for all and raises KbError if one failed."""

    def __init__(
        self,
        site: Path,
        shards: list[list[tuple[str, str]]],
        previous: Path | None = None,
        previous_keys: dict[str, str] | None = None,
        in_place: bool = False,
        written: RecordSink | None = None,
    ) -> None:
        self.site = site
        self.in_place = in_place
        """Leave unchanged bundles in `previous` (a site updated in place) instead of linking them."""
        self.kept: list[str] = []
        """Bundles reused as they are."""
        self.written = written
        """Records the render workers wrote already (their folder is the Indexer's to remove)."""
        self.shards = shards
        self.previous = previous
        self.previous_keys = previous_keys or {}
        self.keys = {bundle_dir(i): shard_key(shards, i) for i in range(len(shards))}
        self.queue: list[int] = []
        self.running: dict[int, tuple[subprocess.Popen[bytes], IO[bytes]]] = {}
        self.records: Path | None = None
        self.indexed = 0
        """Shards indexed by this build (not reused)."""
        self.indexed_shards: list[int] = []

    def start(self) -> Indexer:
        for i in range(len(self.shards)):
            name = bundle_dir(i)
            if self.previous is not None and self.previous_keys.get(name) == self.keys[name]:
                if self.in_place and (self.previous / name / "pagefind-entry.json").is_file():
                    self.kept.append(name)
                    continue
                if not self.in_place and _link_tree(self.previous / name, self.site / name):
                    self.kept.append(name)
                    continue
            self.queue.append(i)
        if self.written is not None:
            assert self.written.shards == len(self.shards)
            self.records = self.written.folder
        if self.queue and self.records is None:
            self.records = Path(tempfile.mkdtemp(prefix=".kb-search-", dir=self.site.parent))
        self.indexed = len(self.queue)
        self.indexed_shards = list(self.queue)
        self.poll()
        return self

    def poll(self) -> None:
        """Launch queued shards while fewer than PARALLEL run; raise if a finished one failed."""
        for i, (proc, log) in list(self.running.items()):
            code = proc.poll()
            if code is None:
                continue
            del self.running[i]
            self._check(i, code, log)
        while self.queue and len(self.running) < PARALLEL:
            i = self.queue.pop(0)
            self._write_records(i)  # just before its run: the others are written while pages render
            assert self.records is not None
            cmd = [
                *_pagefind(),
                "--site",
                str(self.records / str(i)),
                "--output-path",
                str(self.site / bundle_dir(i)),
                "--silent",
                "--force-language",
                "en",
            ]
            log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by _check
            try:
                proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            except OSError as exc:
                log.close()
                raise KbError(
                    f"pagefind could not run: {exc}",
                    "install it with pip install 'pagefind[extended]'",
                    "search",
                ) from None
            self.running[i] = (proc, log)

    def _write_records(self, i: int) -> None:
        """The record files of shard i, for pagefind to read."""
        assert self.records is not None
        root = self.records / str(i)
        made: set[Path] = set()
        for path, html in self.shards[i]:
            target = root / path
            if self.written is not None and target.is_file():
                continue  # written by the worker that rendered the page
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            target.write_text(html, encoding="utf-8")
        if not self.shards[i]:  # pagefind refuses an empty site; index an empty page
            root.mkdir(parents=True, exist_ok=True)
            (root / "empty.html").write_text("<html lang='en'><body></body></html>", encoding="utf-8")

    def _check(self, i: int, code: int, log: IO[bytes]) -> None:
        log.seek(0)
        output = log.read().decode("utf-8", "replace").strip()
        log.close()
        if code != 0 or not (self.site / bundle_dir(i) / "pagefind-entry.json").is_file():
            detail = " / ".join(output.splitlines()[-5:]) or "no output"
            raise KbError(
                f"pagefind failed (exit {code}): {detail}",
                "build with --no-search to skip the search index",
                "search",
            )
        if i > 0:
            _strip_ui(self.site / bundle_dir(i))

    def wait(self) -> None:
        """Wait for every shard; raises KbError saying why one failed."""
        deadline = time.monotonic() + TIMEOUT
        try:
            while self.queue or self.running:
                if time.monotonic() > deadline:
                    raise KbError(
                        f"pagefind took longer than {TIMEOUT:.0f} s", "build with --no-search", "search"
                    )
                self.poll()
                if self.running:
                    time.sleep(0.02)
        except BaseException:
            self.stop()
            raise
        self._cleanup()

    def stop(self) -> None:
        """End every run (when the build fails elsewhere)."""
        for proc, log in self.running.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            log.close()
        self.running.clear()
        self.queue.clear()
        self._cleanup()

    def _cleanup(self) -> None:
        if self.records is not None:
            shutil.rmtree(self.records, ignore_errors=True)
            self.records = None
