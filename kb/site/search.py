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

The records never become files: one pagefind process, its service (kb/site/pagefind_service.py),
holds an index per changed shard, takes the records from memory while the pages render (as the
digest its HTML parser would make of them, custom_record()), and hands each bundle back for kb to
write (a merged bundle without the UI files only the first one's copy of is loaded). Search needs
the site served over http (pagefind fetches its index); from file:// the search page says so.
"""

from __future__ import annotations

import base64
import hashlib
import math
import os
import re
import shutil
import time
import zlib
from collections.abc import Iterable
from functools import lru_cache
from html import escape, unescape
from pathlib import Path, PurePosixPath

from kb.cachedir import read_json, write_json
from kb.errors import KbError
from kb.site import views
from kb.site.context import SiteContext
from kb.site.pagefind_service import INSTALL_HINT, Answer, Service
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
SALT = b"kb search records 3"
IN_FLIGHT = 2
"""Shards whose records are with pagefind at a time: while it writes one's bundle, it indexes the next."""


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


_RECORD = re.compile(
    r'<main data-pagefind-body><h1 data-pagefind-meta="title">([^<]*)</h1>'
    r'(?:<span data-pagefind-filter="verdict">([^<]*)</span>)?((?:<p>[^<]*</p>)*)</main></body></html>\n\Z'
)
_PARAGRAPH = re.compile(r"<p>([^<]*)</p>")
_SENTENCE_CHAR = re.compile(r"[\w'\")$*]")
"""pagefind's SENTENCE_CHARS: a heading or paragraph whose source text ends with one gets a full stop."""
_PLAIN_PATH = re.compile(r"[A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+)*\.html")


def custom_record(path: str, html: str) -> dict[str, object] | None:
    """The AddRecord request that indexes a record as pagefind indexes it as an HTML file, or None
    when the record is not of the shape record() writes (then it is sent as HTML).

    Pagefind parses HTML into a digest, text with weight markers, and indexes that: a record sent
    as its digest spares the parse, a quarter of pagefind's work. The digest is made as pagefind's
    parser makes it (kb/site/search.py's tests compare the bundles of both ways): the heading
    weighted 7 as an h1, a full stop after a block whose source text ends in a word character,
    entities decoded; the filter's value decoded twice, as pagefind decodes an element's text."""
    found = _RECORD.search(html)
    if found is None or not _PLAIN_PATH.fullmatch(path):
        return None
    heading, verdict, paragraphs = found.group(1), found.group(2), _PARAGRAPH.findall(found.group(3))
    digest = f" ___PAGEFIND_AUTO_WEIGHT___7 {_block(heading)} ___END_PAGEFIND_WEIGHT___ "
    digest += unescape(verdict or "") + "".join(_block(p) for p in paragraphs)
    filters = {"verdict": [_normal(unescape(verdict))]} if verdict is not None else {}
    url = "/" + path
    if url.endswith("/index.html"):  # as pagefind writes a folder's index page
        url = url[: -len("index.html")]
    return {
        "type": "AddRecord",
        "url": url,
        "content": digest,
        "language": "en",
        "meta": {"title": _normal(heading)},
        "filters": filters,
    }


def _block(text: str) -> str:
    return " " + unescape(text) + ("." if text and _SENTENCE_CHAR.match(text[-1]) else "") + " "


def _normal(text: str) -> str:
    return " ".join(unescape(text).split())


def split(records: dict[str, str], n: int) -> list[list[tuple[str, str]]]:
    """Records (page path -> record) into n shards, stable: by a hash of the path."""
    shards: list[list[tuple[str, str]]] = [[] for _ in range(n)]
    for path, html in records.items():
        shards[zlib.crc32(path.encode()) % n].append((path, html))
    return shards


def shard_records(
    pages: Iterable[Page],
    ctx: SiteContext,
    keys: dict[str, str] | None = None,
    cache: Path | None = None,
) -> list[list[tuple[str, str]]]:
    """The records of every searchable page, split into shards (stable: by a hash of the path).

    With `keys` (each page's input hash) and a `cache` file, a page whose inputs hash as before
    reuses its record: after one claim changes, only the records of its pages are made again.
    """
    known: dict[str, str | None] = {}
    if cache is not None and keys is not None:
        loaded = read_json(cache)
        if isinstance(loaded, dict):
            known = {k: v for k, v in loaded.items() if v is None or isinstance(v, str)}
    fresh: dict[str, str | None] = {}
    records: list[tuple[str, str]] = []
    for p in pages:
        key = keys.get(p.path) if keys is not None else None
        if key is not None and key in known:
            r: str | None = known[key]
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
"""What the search page loads of a merged bundle besides its index, fragment and filter folders
(its entry, metadata and WebAssembly): the rest, the UI's scripts and styles (0.6 MB a shard), only
from the first bundle, so kb writes them only there."""


@lru_cache(maxsize=1)
def _pagefind() -> tuple[str, ...]:
    """The pagefind executable, found once."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        found = None
    else:
        found = get_executable()
    if found is None:
        raise KbError("pagefind is not installed", INSTALL_HINT, "search")
    return (str(found.resolve()),)


def write_bundle(folder: Path, files: object, merged: bool) -> None:
    """Write the files of a bundle pagefind made in memory (paths relative to the bundle, contents
    in base64) into folder; a merged bundle without the UI files the first bundle has."""
    if not isinstance(files, list):
        raise _failed("pagefind returned no files for a search shard")
    made: set[Path] = set()
    for item in files:
        try:
            name = PurePosixPath(item["path"])
            if merged and len(name.parts) == 1 and not name.name.endswith(MERGED_NEEDS):
                continue  # not even decoded
            content = base64.b64decode(item["content"], validate=True)
        except (KeyError, TypeError, ValueError):
            raise _failed("pagefind returned a file kb cannot read") from None
        if name.is_absolute() or ".." in name.parts or not name.parts:
            raise _failed(f"pagefind returned a file outside its bundle: {name}")
        target = folder.joinpath(*name.parts)
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_bytes(content)
    if not (folder / "pagefind-entry.json").is_file():
        raise _failed("pagefind made a search bundle without its entry file")


def _failed(message: str) -> KbError:
    return KbError(message, "build with --no-search to skip the search index", "search")


class Indexer:
    """Index the shards into `site`: reuse unchanged ones from `previous`, have one pagefind
    process index the rest (kb/site/pagefind_service.py).

    start() links what it can and starts pagefind; poll() moves records to it and bundles from it
    without blocking (called while the pages render); wait() finishes, and raises KbError saying
    why if pagefind failed; stop() ends pagefind (when the build fails elsewhere)."""

    def __init__(
        self,
        site: Path,
        shards: list[list[tuple[str, str]]],
        previous: Path | None = None,
        previous_keys: dict[str, str] | None = None,
        in_place: bool = False,
    ) -> None:
        self.site = site
        self.in_place = in_place
        """Leave unchanged bundles in `previous` (a site updated in place) instead of linking them."""
        self.kept: list[str] = []
        """Bundles reused as they are."""
        self.shards = shards
        self.previous = previous
        self.previous_keys = previous_keys or {}
        self.keys = {bundle_dir(i): shard_key(shards, i) for i in range(len(shards))}
        self.indexed_shards: list[int] = []
        """Shards indexed by this build (not reused)."""
        self.service: Service | None = None
        self.asked: dict[int, tuple[str, int]] = {}
        """Message id -> what was asked (a new index, a bundle's files) and for which shard."""
        self.left: set[int] = set()
        """Shards whose bundle is not written yet."""
        self.ready: list[tuple[int, int]] = []
        """Shards with an index in pagefind, and its id, waiting for their records to be sent."""
        self.sending = 0
        """Shards whose records were sent and whose bundle has not come back."""

    @property
    def indexed(self) -> int:
        return len(self.indexed_shards)

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
            self.indexed_shards.append(i)
        if self.indexed_shards:
            self.service = Service(_pagefind())
            for i in self.indexed_shards:
                new = {"type": "NewIndex", "config": {"force_language": "en"}}
                self.asked[self.service.send(new)] = ("index", i)
            self.left = set(self.indexed_shards)
        self.poll()
        return self

    def poll(self) -> None:
        """Send pagefind what its pipe takes, and write the bundles it has finished; never blocks."""
        if self.service is None:
            return
        try:
            # What has come so far, once: looping until pagefind is quiet would keep this process
            # busy for as long as pagefind answers records, taking a core from the render workers.
            for message_id, answer in self.service.pump():
                self._answered(message_id, answer)
            self.service.flush()  # the requests those answers queued (a next shard's records)
        except BaseException:
            self.stop()
            raise

    def _answered(self, message_id: int, answer: Answer) -> None:
        what, i = self.asked.pop(message_id, ("", -1))  # a record's answer: nothing to do
        if what == "index":
            index_id = answer.get("index_id")
            if not isinstance(index_id, int):
                raise _failed("pagefind answered a new index without its id")
            self.ready.append((i, index_id))
        elif what == "files":
            write_bundle(self.site / bundle_dir(i), answer.get("files"), merged=i > 0)
            self.left.discard(i)
            self.sending -= 1
        # A few shards' records at a time: queued all at once, at 100,000 claims they would hold
        # 100 MB here and as much in pagefind, which reads them as fast as they come.
        while self.ready and self.sending < IN_FLIGHT:
            self._send_records(*self.ready.pop(0))
            self.sending += 1

    def _send_records(self, i: int, index_id: int) -> None:
        """Shard i's records to pagefind's index index_id, then ask for its bundle."""
        assert self.service is not None
        send = self.service.send
        for path, html in self.shards[i]:  # none: still a bundle, of no page
            custom = custom_record(path, html)
            if custom is not None:
                send({**custom, "index_id": index_id})
            else:  # its path makes the result's URL, as the pagefind command makes it from a file's
                send({"type": "AddFile", "index_id": index_id, "file_path": path, "file_contents": html})
        self.asked[send({"type": "GetFiles", "index_id": index_id})] = ("files", i)
        send({"type": "DeleteIndex", "index_id": index_id})  # its memory, once the bundle is out

    def wait(self) -> None:
        """Wait for every shard's bundle; raises KbError saying why one failed."""
        deadline = time.monotonic() + TIMEOUT
        while self.left:
            assert self.service is not None
            if time.monotonic() > deadline:
                self.stop()
                raise _failed(f"pagefind took longer than {TIMEOUT:.0f} s")
            self.service.wait(min(1.0, max(0.0, deadline - time.monotonic())))
            self.poll()
        self._end()

    def stop(self) -> None:
        """End pagefind at once (when the build fails, here or elsewhere)."""
        if self.service is not None:
            self.service.kill()
            self.service = None
        self.left.clear()
        self.ready.clear()

    def _end(self) -> None:
        if self.service is not None:
            self.service.close()
            self.service = None
