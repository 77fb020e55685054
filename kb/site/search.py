"""Search: pagefind indexes the records of the searchable pages (kb/site/search_records.py), in shards.

Pagefind has no incremental mode, so the records are indexed in shards of about SHARD_SIZE pages,
each its own pagefind bundle (`pagefind/` for the first, `pagefind-1/`, `pagefind-2/`, ... for the
others, merged by the search page). A shard whose records are unchanged since the previous build
is linked from it instead of being indexed again, so a one-claim change re-indexes one shard.

The records never become files: one pagefind process, its service (kb/site/pagefind_service.py),
holds an index per changed shard, takes the records from memory while the pages render (each as
the digest its HTML parser would make of it, search_records.request()), and hands each bundle back
for kb to write (a merged bundle without the UI files only the first one's copy of is loaded).
Search needs the site served over http (pagefind fetches its index); from file:// the search page
says so.
"""

from __future__ import annotations

import base64
import hashlib
import math
import os
import shutil
import time
import zlib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path, PurePosixPath

from kb.errors import KbError
from kb.site import search_records
from kb.site.context import SiteContext
from kb.site.pagefind_service import INSTALL_HINT, Answer, Service
from kb.site.pages import Page
from kb.site.search_records import Record

TIMEOUT = 1800.0
SHARD_SIZE = 500
"""Records per shard, about: pagefind takes about 0.07 s plus 0.4 ms a record, so re-indexing the
one shard a changed claim is in takes about 0.3 s (2,000 records took 0.9-1.2 s)."""
MAX_SHARDS = 24
"""The search page merges every shard (fetching each one's WebAssembly and metadata): measured in
Chromium over 12,647 records, the first query answered in 0.85 s with 7 or 26 shards, 1.4 s with
32, 2.4 s with 51; past this count shards grow instead."""
IN_FLIGHT = 2
"""Shards whose records are with pagefind at a time: while it writes one's bundle, it indexes the next."""

Shard = list[tuple[str, Record]]
"""A shard's records, with the path of each one's page."""


def shard_count(records: int) -> int:
    """How many shards the index of this many searchable pages has."""
    return max(1, min(MAX_SHARDS, math.ceil(records / SHARD_SIZE)))


def bundle_dir(shard: int) -> str:
    """The folder of a shard's bundle, relative to the site root."""
    return "pagefind" if shard == 0 else f"pagefind-{shard}"


def split(records: dict[str, Record], n: int) -> list[Shard]:
    """Records (page path -> record) into n shards, stable: by a hash of the path."""
    shards: list[Shard] = [[] for _ in range(n)]
    for path, rec in records.items():
        shards[zlib.crc32(path.encode()) % n].append((path, rec))
    return shards


def shard_records(
    pages: Iterable[Page],
    ctx: SiteContext,
    keys: dict[str, str] | None = None,
    cache: Path | None = None,
) -> list[Shard]:
    """The records of every searchable page (reused from `cache` for the pages whose `keys` are
    unchanged: search_records.records()), split into shards."""
    made = search_records.records(pages, ctx, keys, cache)
    return split(made, shard_count(len(made)))


def shard_key(shards: list[Shard], i: int) -> str:
    """What shard i's bundle is made from: the records' format, pagefind's version, the records."""
    h = hashlib.sha256(search_records.FORMAT.encode() + f"\n{len(shards)}:{i}\n".encode())
    try:
        from importlib.metadata import version

        h.update(version("pagefind").encode())
    except Exception:  # noqa: BLE001 - no version known: the key just covers the records
        pass
    h.update(search_records.canonical(shards[i]))
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
        shards: list[Shard],
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
        for path, rec in self.shards[i]:  # none: still a bundle, of no page
            send({**search_records.request(path, rec), "index_id": index_id})
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
