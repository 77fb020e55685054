"""The search index: one pagefind service indexes the shards from records held in memory.

What the browser finds is tested in test_browser.py; here, that the bundles hold what the pagefind
command makes of the same records, and that every way pagefind can fail is a KbError that leaves
no process and no previous site changed."""

from __future__ import annotations

import gzip
import re
import stat
import subprocess
import threading
from pathlib import Path

import pytest
from site_helpers import build_site

from kb.errors import KbError
from kb.site import search
from kb.site.pagefind_service import Service
from kb.site.pages import plan
from kb.site.resolve import resolve


def _fixture_shards(tmp_path: Path) -> list[list[tuple[str, str]]]:
    outcome = build_site(tmp_path / "plain", search=False)
    ctx = resolve(outcome.kb, outcome.results)
    return search.shard_records(plan(ctx).pages, ctx)


def _fragments(bundle: Path) -> list[bytes]:
    """A bundle's fragments (one per page: its URL, text, title and filters), decompressed."""
    return sorted(gzip.decompress(f.read_bytes()) for f in (bundle / "fragment").iterdir())


def _names(bundle: Path) -> set[str]:
    return {re.sub(r"_[0-9a-f]+\.pf_meta$", ".pf_meta", p.name) for p in bundle.iterdir()}


def _fake_pagefind(tmp_path: Path, script: str) -> tuple[str, ...]:
    path = tmp_path / "fake-pagefind"
    path.write_text("#!/bin/sh\n" + script + "\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return (str(path),)


def test_the_service_indexes_the_records_as_the_pagefind_command_indexes_their_files(tmp_path: Path) -> None:
    shards = _fixture_shards(tmp_path)
    site = tmp_path / "site"
    search.Indexer(site, shards).start().wait()
    records = tmp_path / "records"
    for path, html in shards[0]:
        (records / path).parent.mkdir(parents=True, exist_ok=True)
        (records / path).write_text(html, encoding="utf-8")
    command = tmp_path / "command"
    subprocess.run(
        [
            *search._pagefind(),
            "--site",
            str(records),
            "--output-path",
            str(command),
            "--silent",
            "--force-language",
            "en",
        ],
        check=True,
    )
    assert len(_fragments(site / "pagefind")) == len(shards[0]) > 10
    assert _fragments(site / "pagefind") == _fragments(command)  # same URLs, text, titles, verdicts
    # The same files but for the metadata's hash: pages are numbered in the order they came (the
    # command takes them in the order the folder lists them).
    assert _names(site / "pagefind") == _names(command)


def test_an_empty_shard_still_gets_a_bundle_the_search_page_can_merge(tmp_path: Path) -> None:
    shards = [
        [("a.html", "<html lang='en'><body><main data-pagefind-body><p>one page</p></main></body></html>")],
        [],
    ]
    search.Indexer(tmp_path, shards).start().wait()
    assert (tmp_path / "pagefind" / "pagefind-entry.json").is_file()
    assert (tmp_path / "pagefind-1" / "pagefind-entry.json").is_file()
    assert not (tmp_path / "pagefind-1" / "pagefind-ui.js").exists()  # the first bundle's serves it


def test_indexing_starts_no_thread_in_the_process_that_forks_the_render_workers(tmp_path: Path) -> None:
    shards = [[(f"p{i}.html", f"<html lang='en'><body><p>page {i}</p></body></html>") for i in range(50)]]
    before = threading.active_count()
    indexer = search.Indexer(tmp_path, shards).start()
    indexer.poll()
    assert threading.active_count() == before
    indexer.wait()
    assert indexer.service is None and (tmp_path / "pagefind" / "pagefind-entry.json").is_file()


def test_a_rebuild_indexes_only_the_shard_whose_records_changed(tmp_path: Path) -> None:
    shards = [
        [
            (f"s{s}/p{i}.html", f"<html lang='en'><body><p>shard {s} page {i}</p></body></html>")
            for i in range(5)
        ]
        for s in range(3)
    ]
    first = search.Indexer(tmp_path / "one", shards).start()
    first.wait()
    shards[1][0] = ("s1/p0.html", "<html lang='en'><body><p>changed</p></body></html>")
    again = search.Indexer(tmp_path / "two", shards, tmp_path / "one", first.keys).start()
    again.wait()
    assert again.indexed_shards == [1] and again.kept == ["pagefind", "pagefind-2"]
    entry = "pagefind-entry.json"
    assert (tmp_path / "two" / "pagefind" / entry).stat().st_ino == (
        tmp_path / "one" / "pagefind" / entry
    ).stat().st_ino
    assert b"changed" in b"".join(_fragments(tmp_path / "two" / "pagefind-1"))


def test_pagefind_missing_is_an_error_saying_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    search._pagefind.cache_clear()
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", "/nonexistent/pagefind")
    try:
        with pytest.raises(KbError) as raised:
            search.Indexer(Path("/nonexistent/site"), [[("a.html", "<p>a</p>")]]).start()
    finally:
        search._pagefind.cache_clear()
    assert "pagefind" in str(raised.value) and "pip install" in raised.value.hint


def test_pagefind_ending_early_is_an_error_with_what_it_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        search, "_pagefind", lambda: _fake_pagefind(tmp_path, "echo 'broken index' >&2; exit 3")
    )
    indexer = search.Indexer(tmp_path / "site", [[("a.html", "<p>a</p>")]])
    with pytest.raises(KbError, match=r"exit 3.*broken index") as raised:
        indexer.start().wait()
    assert "--no-search" in raised.value.hint
    assert indexer.service is None


def test_a_request_pagefind_refuses_is_an_error() -> None:
    service = Service(search._pagefind())
    try:
        service.send({"type": "AddFile", "index_id": 7, "file_path": "a.html", "file_contents": "<p>a</p>"})
        with pytest.raises(KbError, match="refused"):
            for _ in range(100):
                service.wait(0.1)
                service.pump()
    finally:
        service.kill()
    assert service.proc.returncode is not None


def test_pagefind_that_never_answers_times_out_and_is_ended(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "_pagefind", lambda: _fake_pagefind(tmp_path, "exec sleep 60"))
    monkeypatch.setattr(search, "TIMEOUT", 0.2)
    indexer = search.Indexer(tmp_path / "site", [[("a.html", "<p>a</p>")]]).start()
    proc = indexer.service.proc if indexer.service else None
    with pytest.raises(KbError, match="longer than"):
        indexer.wait()
    assert proc is not None and proc.returncode is not None  # killed, not left behind


def test_a_failed_index_leaves_the_previous_site_and_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    build_site(out, search=True)
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    index = (out / "index.html").stat().st_ino
    monkeypatch.setattr(search, "_pagefind", lambda: _fake_pagefind(tmp_path, "exit 1"))
    with pytest.raises(KbError):
        build_site(out, search=True, reuse=False)
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert (out / "index.html").stat().st_ino == index
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fake-pagefind", "site"]


def test_no_search_starts_no_pagefind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> tuple[str, ...]:
        raise AssertionError("pagefind started")

    monkeypatch.setattr(search, "_pagefind", refuse)
    outcome = build_site(tmp_path / "site", search=False)
    assert outcome.built and outcome.shards == 0
    assert not any(p.name.startswith("pagefind") for p in (tmp_path / "site").iterdir())


def test_bundle_files_outside_their_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(KbError, match="outside"):
        search.write_bundle(tmp_path, [{"path": "../escape.js", "content": ""}], merged=False)
    assert not (tmp_path.parent / "escape.js").exists()


def _bundle(folder: Path) -> dict[str, bytes]:
    """A bundle's fragments and word indexes, decompressed (its metadata names the filter files)."""
    return {str(p.relative_to(folder)): gzip.decompress(p.read_bytes()) for p in folder.rglob("*.pf_*")}


def test_records_sent_as_digests_index_exactly_as_their_html(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from html import escape

    def made(i: int, heading: str, verdict: str, body: list[str]) -> tuple[str, str]:
        filt = f'<span data-pagefind-filter="verdict">{escape(verdict)}</span>' if verdict else ""
        text = "".join(f"<p>{escape(b)}</p>" for b in body)
        return (
            f"odd/{i}.html",
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{escape(heading)}</title></head>"
            f'<body><main data-pagefind-body><h1 data-pagefind-meta="title">{escape(heading)}</h1>'
            f"{filt}{text}</main></body></html>\n",
        )

    odd = [  # what the parse does to text: entities, full stops after word characters, white space
        made(0, 'AT&T <b> "quoted" it\'s', "Consistent", ["a & b < c > d 'x'", 'it\'s "done"']),
        made(1, "ends with '", "", ["ends with &", "中文 参数 1.8 万亿个参数", "kbzhwords 参数 数"]),
        made(2, "title  with   spaces ", "In  consistent", ["x) y$ z*", "tab\there"]),
        made(3, "lit &amp; &lt;x&gt;", "V &amp;", ["literal &amp; and &#39; and &lt;tag&gt;"]),
    ]
    shards = _fixture_shards(tmp_path)
    shards[0] += odd
    assert all(search.custom_record(p, h) is not None for shard in shards for p, h in shard)
    search.Indexer(tmp_path / "digests", shards).start().wait()
    monkeypatch.setattr(search, "custom_record", lambda path, html: None)
    search.Indexer(tmp_path / "html", shards).start().wait()
    for i in range(len(shards)):
        digests, html = (
            _bundle(tmp_path / "digests" / search.bundle_dir(i)),
            _bundle(tmp_path / "html" / search.bundle_dir(i)),
        )
        assert {k: v for k, v in digests.items() if "filter/" not in k and "pf_meta" not in k} == {
            k: v for k, v in html.items() if "filter/" not in k and "pf_meta" not in k
        }
        # A filter file lists its values in the order of a hash map pagefind seeds anew each run.
        assert sorted(sorted(v) for k, v in digests.items() if "filter/" in k) == sorted(
            sorted(v) for k, v in html.items() if "filter/" in k
        )


def test_pagefind_holds_the_records_of_a_few_shards_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shards = [[(f"s{s}/p{i}.html", f"<p>shard {s} page {i}</p>") for i in range(3)] for s in range(6)]
    sent: list[int] = []
    real = search.Indexer._send_records

    def counting(indexer: search.Indexer, i: int, index_id: int) -> None:
        sent.append(indexer.sending)  # shards out before this one
        real(indexer, i, index_id)

    monkeypatch.setattr(search.Indexer, "_send_records", counting)
    search.Indexer(tmp_path, shards).start().wait()
    assert len(sent) == 6 and max(sent) == search.IN_FLIGHT - 1
    assert all((tmp_path / search.bundle_dir(i) / "pagefind-entry.json").is_file() for i in range(6))
