"""Helpers for the site tests: build the fixture site, read HTML into a small tree, check links.

HTML is read with the standard library's html.parser into `Element`s that can be searched by tag,
class and attributes, so tests check structure, not strings.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from kb.site.build import BuildOptions, BuildOutcome, build
from kb.site.options import MARKER

FIXTURE = Path(__file__).parent / "fixtures" / "site" / "claims"
REPO_CLAIMS = Path(__file__).parent.parent / "claims"
BASE_URL = "https://kb.example.org/"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self) -> Iterator[Element]:
        for c in self.children:
            if isinstance(c, Element):
                yield c
                yield from c.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str | bool) -> list[Element]:
        """Elements by tag, class and attributes (True: present; a string: equal)."""
        out = []
        for el in self.iter():
            if tag is not None and el.tag != tag:
                continue
            if cls is not None and cls not in el.classes:
                continue
            ok = True
            for name, want in attrs.items():
                name = name.rstrip("_").replace("_", "-")
                ok = name in el.attrs if want is True else el.attrs.get(name) == want
                if not ok:
                    break
            if ok:
                out.append(el)
        return out

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str | bool) -> Element:
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag or '*'}> with class={cls} {attrs}"
        return found[0]

    def where(self, pred: Callable[[Element], bool]) -> list[Element]:
        return [el for el in self.iter() if pred(el)]

    def ancestors(self) -> Iterator[Element]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = Element(tag, {k: v or "" for k, v in attrs}, self.stack[-1])
        self.stack[-1].children.append(el)
        if tag not in VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = Element(tag, {k: v or "" for k, v in attrs}, self.stack[-1])
        self.stack[-1].children.append(el)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return
        raise AssertionError(f"stray </{tag}>")

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Element:
    b = _Builder()
    b.feed(html)
    b.close()
    assert len(b.stack) == 1, f"unclosed elements: {[e.tag for e in b.stack[1:]]}"
    return b.root


def page(site: Path, path: str) -> Element:
    return parse((site / path).read_text(encoding="utf-8"))


def build_site(out: Path, claims: Path = FIXTURE, search: bool = False, **kw: object) -> BuildOutcome:
    return build(BuildOptions(claims, out, search=search, base_url=BASE_URL, **kw))  # type: ignore[arg-type]


def copy_fixture(dest: Path) -> Path:
    shutil.copytree(FIXTURE, dest)
    return dest


def note_on_experts(claims: Path, note: str) -> None:
    """Give the fixture's claim gpt4-en-experts a note (an edit that changes its page)."""
    leak = claims / "gpt-4" / "leak.yaml"
    marker = "  - id: gpt4-en-experts\n"
    text = leak.read_text(encoding="utf-8")
    leak.write_text(text.replace(marker, f"{marker}    notes: {note}\n"), encoding="utf-8")


@contextlib.contextmanager
def kb_serve(claims: Path, out: Path, *args: str) -> Iterator[str]:
    """Run `kb serve` on a free port, looking for changes every 0.2 s; yields its address once it
    serves, and stops it at the end."""
    command = [sys.executable, "-m", "kb", "serve", "--claims", str(claims), "--out", str(out)]
    proc = subprocess.Popen(
        [*command, "--port", "0", "--interval", "0.2", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        match, line = None, ""
        for _ in range(5):
            line = proc.stdout.readline()
            match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if match or not line:
                break
        assert match, line
        yield match.group(0)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def site_files(site: Path) -> dict[str, bytes]:
    """Every file of a site but its manifest and its search bundles (pagefind's own output, which
    differs between two builds of the same records): what a rebuild must equal a fresh build in."""
    out = {}
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site)
        if path.is_file() and rel.name != MARKER and not rel.parts[0].startswith("pagefind"):
            out[str(rel)] = path.read_bytes()
    return out


def html_files(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "pagefind" not in p.relative_to(site).parts)


def ids_of(path: Path, cache: dict[Path, set[str]]) -> set[str]:
    if path not in cache:
        cache[path] = {
            el.attrs["id"] for el in parse(path.read_text(encoding="utf-8")).iter() if "id" in el.attrs
        }
    return cache[path]


def broken_links(site: Path) -> list[str]:
    """Every internal link (href, src) of every page that names a missing file or anchor."""
    problems = []
    ids: dict[Path, set[str]] = {}
    site = site.resolve()
    for file in html_files(site):
        doc = parse(file.read_text(encoding="utf-8"))
        for el in doc.iter():
            for attr in ("href", "src"):
                url = el.attrs.get(attr)
                if url is None or el.attrs.get("rel") == "canonical":
                    continue
                parts = urlsplit(url)
                if parts.scheme or parts.netloc:
                    continue  # external: checked elsewhere to be http(s) only
                target = file if not parts.path else (file.parent / unquote(parts.path)).resolve()
                where = f"{file.relative_to(site)}: {attr}={url!r}"
                if not target.is_relative_to(site):
                    problems.append(f"{where} leaves the site")
                    continue
                if not target.is_file():
                    problems.append(f"{where} -> missing file")
                    continue
                if (
                    parts.fragment
                    and target.suffix == ".html"
                    and unquote(parts.fragment) not in ids_of(target, ids)
                ):
                    problems.append(f"{where} -> missing anchor")
    return problems
