"""Hardening: a knowledge base is untrusted input (issue 12). Nothing under it runs, nothing outside
it is read or deleted, concurrent writers lose nothing, and bad input gets a message, not a crash."""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import pickle
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from subprocess import PIPE

import pytest

import kb
from kb.errors import KbError
from tests.conftest import BASE_CLAIMS

# --- 1. no code from the cache ---------------------------------------------------------------------


class _Evil:
    """A pickle that makes a folder when unpickled: proof that a cache file ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.mkdir, (str(self.marker),))


def kb_run(*args: str, cache: Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KB_CACHE_DIR": str(cache)}
    return subprocess.run(
        [sys.executable, "-m", "kb", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300
    )


def poison(folder: Path, marker: Path) -> int:
    """Replace every file under `folder` by a pickle (behind Jinja's magic for its bytecode files)."""
    from jinja2.bccache import bc_magic

    evil = pickle.dumps(_Evil(marker))
    n = 0
    for path in folder.rglob("*"):
        if path.is_file():
            path.write_bytes(bc_magic + evil if "jinja" in path.parts else evil)
            n += 1
    return n


@pytest.mark.parametrize(
    "command",
    [["check"], ["build", "--no-search"], ["build", "--no-search", "--no-cache"]],
    ids=["check", "build", "build-no-cache"],
)
def test_cache_files_never_run(make_kb: Callable[[str], Path], tmp_path: Path, command: list[str]) -> None:
    root = make_kb(BASE_CLAIMS)
    cache, marker = tmp_path / "user-cache", tmp_path / "pwned"
    out = ["--out", str(tmp_path / "site")] if "build" in command else []
    args = [*command, "--claims", str(root), *out]
    first = kb_run(*(a for a in args if a != "--no-cache"), cache=cache)
    planted = poison(tmp_path / ".kb-cache", marker) if (tmp_path / ".kb-cache").exists() else 0
    planted += poison(cache, marker) if cache.exists() else 0
    shutil.rmtree(tmp_path / "site", ignore_errors=True)
    again = kb_run(*args, cache=cache)
    assert not marker.exists(), "a cache file was unpickled"
    assert planted > 0 or "--no-cache" in command
    assert again.returncode == first.returncode, again.stderr
    assert not (tmp_path / ".kb-cache").exists(), "caches live outside the knowledge base"


def test_cache_is_json_and_still_hits(make_kb: Callable[[str], Path], tmp_path: Path) -> None:
    from kb import contents

    root = make_kb(BASE_CLAIMS)
    os.environ["KB_CACHE_DIR"] = str(tmp_path / "c")
    try:
        cold = contents.load(root)
        store = cold.parse_cache
        assert store is not None
        entries = list(store.dir.glob("*.json"))
        assert entries and all(p.read_bytes().startswith(b"{") for p in entries)
        warm = contents.load(root)
    finally:
        del os.environ["KB_CACHE_DIR"]
    assert {k: e.claim for k, e in warm.claims.items()} == {k: e.claim for k, e in cold.claims.items()}
    assert all(e.doc.data is None for e in warm.claims.values())  # from the cache, not parsed again


def test_entries_kept_between_loads_are_shared_until_their_file_changes(
    make_kb: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kb serve keeps the parse cache's entries between builds: an unchanged file's claims are the
    very objects of the last load, an edited file's are read again, and a removed one's forgotten."""
    from kb import checks, contents
    from kb.report import json_text

    root = make_kb(BASE_CLAIMS)
    (root / "more.yaml").write_text(
        (root / "test.yaml").read_text(encoding="utf-8").replace("id: ", "id: more-"), encoding="utf-8"
    )
    monkeypatch.setenv("KB_CACHE_DIR", str(tmp_path / "c"))
    kept: dict[str, object] = {}
    contents.load(root, kept=kept)  # type: ignore[arg-type]
    first = contents.load(root, kept=kept)  # type: ignore[arg-type]
    assert len(kept) == 2
    path = root / "test.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("value: 2800", "value: 2900", 1), encoding="utf-8"
    )
    again = contents.load(root, kept=kept)  # type: ignore[arg-type]
    for cid, entry in again.claims.items():
        assert (entry.claim is first.claims[cid].claim) == cid.startswith("more-"), cid
    assert len(kept) == 2  # the edited file's old entry is forgotten
    edited = next(e for e in again.claims.values() if not e.id.startswith("more-"))
    assert all(entry.positions is not edited.doc.positions for entry in kept.values())  # type: ignore[attr-defined]
    fresh = contents.load(root, use_cache=False)
    assert {k: e.claim for k, e in again.claims.items()} == {k: e.claim for k, e in fresh.claims.items()}
    assert json_text(again, checks.run(again)) == json_text(fresh, checks.run(fresh))
    (root / "more.yaml").unlink()
    contents.load(root, kept=kept)  # type: ignore[arg-type]
    assert len(kept) == 1


def test_the_parse_cache_remembers_which_values_their_quotes_state(
    make_kb: Callable[[str], Path], tmp_path: Path
) -> None:
    from kb import checks, contents

    root = make_kb(BASE_CLAIMS)
    os.environ["KB_CACHE_DIR"] = str(tmp_path / "c")
    try:
        cold = contents.load(root)
        warm = contents.load(root)
    finally:
        del os.environ["KB_CACHE_DIR"]
    quoted = {k for k, e in cold.claims.items() if e.quoted}
    assert quoted and quoted == {k for k, e in warm.claims.items() if e.quoted}
    assert all(e.doc.data is None for e in warm.claims.values())
    fresh = checks.run(contents.load(root, use_cache=False))
    for run in (checks.run(cold), checks.run(warm)):
        assert {k: r.value_ok for k, r in run.claims.items()} == {
            k: r.value_ok for k, r in fresh.claims.items()
        }


def test_cache_key_covers_every_file_of_the_package(tmp_path: Path) -> None:
    from kb.cachedir import package_hash

    copy = tmp_path / "kb"
    shutil.copytree(Path(kb.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = package_hash(copy)
    template = next(copy.glob("templates/*.html"))
    template.write_text(template.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert package_hash.__wrapped__(copy) != before


# --- 2. nothing read from outside the claims folder ------------------------------------------------

SECRET = "SECRET-TOKEN-4242"


def _site_text(site: Path) -> str:
    return "".join(p.read_text(encoding="utf-8", errors="replace") for p in site.rglob("*") if p.is_file())


def _link_source_text(root: Path, target: Path) -> None:
    """Point the 'ref' source's text at `target`, with a sha256 that matches what the link leads to."""
    text = root / "sources" / "ref.txt"
    text.unlink()
    text.symlink_to(target)
    if target.is_file():
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
        meta = root / "sources" / "ref.yaml"
        meta.write_text(re.sub(r"sha256: \w+", f"sha256: {digest}", meta.read_text()), encoding="utf-8")


def test_linked_files_outside_the_claims_folder_are_refused_and_never_published(
    make_kb: Callable[[str], Path], tmp_path: Path
) -> None:
    from tests.conftest import REF_TEXT

    root = make_kb(BASE_CLAIMS)
    secret = tmp_path / "secret.txt"
    secret.write_text(REF_TEXT + SECRET + "\n", encoding="utf-8")
    _link_source_text(root, secret)
    (root / "README.md").symlink_to(secret)
    (root / "stolen.yaml").symlink_to(secret)
    check = kb_run("check", "--claims", str(root), cache=tmp_path / "c")
    assert check.returncode == 1
    assert re.search(r"claims/sources/ref\.yaml:\d+:\d+: ref\.txt is a link that leads outside", check.stdout)
    assert "claims/README.md: README.md is a link that leads outside" in check.stdout
    assert "claims/stolen.yaml: stolen.yaml is a link that leads outside" in check.stdout
    assert SECRET not in check.stdout + check.stderr
    site = tmp_path / "site"
    kb_run("build", "--no-search", "--claims", str(root), "--out", str(site), cache=tmp_path / "c")
    assert (site / "index.html").is_file() and SECRET not in _site_text(site)


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "folder"])
def test_special_files_are_refused_without_hanging(
    make_kb: Callable[[str], Path], tmp_path: Path, kind: str
) -> None:
    root = make_kb(BASE_CLAIMS)
    if kind == "fifo":
        os.mkfifo(root / "sources" / "ref.txt.fifo")
        _link_source_text(root, root / "sources" / "ref.txt.fifo")  # a link inside: allowed, but a FIFO
        os.mkfifo(root / "pipe.yaml")
    elif kind == "dev-zero":
        _link_source_text(root, Path("/dev/zero"))
        (root / "pipe.yaml").symlink_to("/dev/zero")
    else:
        (root / "pipe.yaml").mkdir()
        (root / "sources" / "ref.txt").unlink()
        (root / "sources" / "ref.txt").mkdir()
    check = kb_run("check", "--claims", str(root), cache=tmp_path / "c")  # the run's timeout fails a hang
    assert check.returncode == 1
    assert "claims/pipe.yaml: pipe.yaml is " in check.stdout, check.stdout
    assert re.search(r"claims/sources/ref\.yaml:\d+:\d+: ref\.txt(\.fifo)? is ", check.stdout), check.stdout
    assert "Traceback" not in check.stderr


def test_a_text_that_fails_its_sha256_is_not_published(
    make_kb: Callable[[str], Path], tmp_path: Path
) -> None:
    from tests.conftest import REF_TEXT

    root = make_kb(BASE_CLAIMS)
    (root / "sources" / "ref.txt").write_text(REF_TEXT + SECRET + "\n", encoding="utf-8")
    site = tmp_path / "site"
    build = kb_run("build", "--no-search", "--claims", str(root), "--out", str(site), cache=tmp_path / "c")
    assert build.returncode == 1 and "no longer matches its sha256" in (site / "errors.html").read_text()
    assert (site / "sources" / "ref.html").is_file() and SECRET not in _site_text(site)


# --- 4. no lost claims -----------------------------------------------------------------------------


def _en_root(tmp_path: Path) -> Path:
    from tests.test_add import EN, QUANTITIES, source

    root = tmp_path / "claims"
    (root / "sources").mkdir(parents=True)
    (root / "quantities.yaml").write_text(QUANTITIES, encoding="utf-8")
    source(root, "en", EN, "en")
    kb_run("check", "--claims", str(root), cache=tmp_path / "c")  # warm the cache: the adds start together
    return root


def _adds_at_once(root: Path, cache: Path, extra: list[list[str]]) -> None:
    """Start one `kb add` of '120 layers' per item of `extra` (more arguments) at once; all must succeed."""
    base = [
        sys.executable,
        "-m",
        "kb",
        "add",
        "--claims",
        str(root),
        "--source",
        "en",
        "--quote",
        "120 layers",
    ]
    env = {**os.environ, "KB_CACHE_DIR": str(cache)}
    procs = [
        subprocess.Popen([*base, "--quantity", "layers", *more], stdout=PIPE, stderr=PIPE, text=True, env=env)
        for more in extra
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs


def test_simultaneous_adds_to_one_file_lose_nothing(tmp_path: Path) -> None:
    root = _en_root(tmp_path)
    target = root / "gpt-4" / "hand.yaml"
    target.parent.mkdir()
    target.write_text("claims:\n", encoding="utf-8")
    ids = [f"layers-{i}" for i in range(8)]
    # Each of another subject: the same claim twice is refused (kb add's duplicate check).
    _adds_at_once(
        root, tmp_path / "c", [["--subject", f"GPT-4 run {i}", "--file", str(target), "--id", i] for i in ids]
    )
    assert sorted(re.findall(r"- id: (layers-\d+)", target.read_text(encoding="utf-8"))) == sorted(ids)
    assert kb_run("check", "--claims", str(root), cache=tmp_path / "c").returncode == 0


def test_simultaneous_adds_never_reuse_an_id(tmp_path: Path) -> None:
    root = _en_root(tmp_path)
    # One file per subject, and the same id made up for each: only the lock keeps them apart.
    _adds_at_once(root, tmp_path / "c", [["--subject", f"Model {i}"] for i in range(6)])
    check = kb_run("check", "--claims", str(root), cache=tmp_path / "c")
    assert check.returncode == 0 and "duplicate claim id" not in check.stdout, check.stdout


# --- 3. no deletion outside the import -------------------------------------------------------------


def test_a_committed_manifest_deletes_nothing_outside_the_import(tmp_path: Path) -> None:
    from kb.importers.epoch import MANIFEST, import_epoch
    from tests.test_import_epoch import CHIPS, MODELS, make_root

    root = make_root(tmp_path)
    import_epoch(MODELS, root, chips=CHIPS)
    manifest = root / "epoch" / MANIFEST
    data = json.loads(manifest.read_text(encoding="utf-8"))
    victims = [tmp_path / "outside.txt", root / "gpt-4.yaml", root / "epoch" / "hand.yaml"]
    for v in victims:
        v.write_text("precious\n", encoding="utf-8")
    digest = hashlib.sha256(b"precious\n").hexdigest()
    listed = ["../outside.txt", str(tmp_path / "outside.txt"), "gpt-4.yaml", "epoch/hand.yaml"]
    (root / "epoch" / "link.yaml").symlink_to(tmp_path / "outside.txt")
    data["files"] = [*listed, "epoch/link.yaml"] if isinstance(data["files"], list) else data["files"]
    if isinstance(data["files"], dict):  # with hashes: a forged hash does not help either
        data["files"].update({p: digest for p in [*listed[:3], "epoch/link.yaml"]})
    manifest.write_text(json.dumps(data), encoding="utf-8")
    report = import_epoch(MODELS, root, chips=CHIPS)
    assert all(v.exists() for v in victims[:2]), "deleted a file outside the import folder"
    assert (tmp_path / "outside.txt").read_text() == "precious\n"
    assert any("were kept" in w for w in report.warnings)


def test_a_re_import_still_removes_the_files_it_wrote(tmp_path: Path) -> None:
    from kb.importers.epoch import import_epoch
    from tests.test_import_epoch import CHIPS, MODELS, make_root

    root = make_root(tmp_path)
    import_epoch(MODELS, root, chips=CHIPS)
    with MODELS.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    fewer = tmp_path / "all_ml_systems_2025-11.csv"
    with fewer.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows[:3])
    before = {p for p in root.rglob("*") if "2025-08" in p.name and p.suffix == ".txt"}
    edited = sorted(before)[-1]  # a file the import wrote, edited by hand since: kept
    edited.write_text("edited by hand\n", encoding="utf-8")
    report = import_epoch(fewer, root, chips=CHIPS)
    assert report.files_removed > 0
    assert {p for p in root.rglob("*") if "2025-08" in p.name} == {edited}
    assert any("were kept" in w for w in report.warnings)


# --- 5. no crash or hang on bad input --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        ("claims: " + "[" * 50_000 + "]" * 50_000 + "\n", ":1:73:", "nests more than 64 levels"),
        ("claims:\n" + "- " * 20_000 + "x\n", ":2:1:", "nests more than 64 levels"),
        ("claims: &a\n  - *a\n", ":1:9:", "an alias contains itself"),
        ("claims:\n  - id: a\x00b\n", ":2:10:", "control character #x0000"),
        ("claims:\n  - id: a\x07b\n", ":2:10:", "control character #x0007"),
        (b"claims:\n  - id: a\xffb\n", ":2:10:", "not UTF-8 text"),
    ],
    ids=["brackets", "dashes", "recursive-alias", "nul", "control", "utf-8"],
)
def test_bad_yaml_gets_a_located_message_not_a_crash(
    make_kb: Callable[[str], Path], tmp_path: Path, text: str | bytes, where: str, what: str
) -> None:
    root = make_kb(BASE_CLAIMS)
    bad = root / "bad.yaml"
    bad.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    check = kb_run("check", "--claims", str(root), cache=tmp_path / "c")
    assert check.returncode == 1, check.stderr  # a segfault is -11
    line = next(x for x in check.stdout.splitlines() if "bad.yaml" in x)
    assert f"claims/bad.yaml{where}" in line and what in line, line


def test_a_long_unit_is_refused_before_pint_reads_it() -> None:
    from kb.errors import KbError
    from kb.units import unit_info

    with pytest.raises(KbError, match="100,000 characters long"):
        unit_info("parameter*" * 10_000)


def _seconds(fn: Callable[[], object]) -> float:
    import time

    best = math.inf
    for _ in range(3):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def test_reading_a_quote_grows_linearly_with_its_numbers() -> None:
    from kb.choosing import choose
    from kb.reading import readings
    from kb.units import unit_info

    def quote(n: int) -> str:
        return ", 2023-03-14: ".join(f"~{i}.5 million tokens" for i in range(n))

    small, large = quote(400), quote(4000)
    ratio = _seconds(lambda: readings(large)) / _seconds(lambda: readings(small))
    assert ratio < 30, f"10x the numbers took {ratio:.0f}x the time (quadratic: 100x)"
    target = unit_info("token")
    ratio = _seconds(lambda: choose(large, target)) / _seconds(lambda: choose(small, target))
    assert ratio < 30, f"10x the numbers took {ratio:.0f}x the time to choose from"


def _epoch_table(tmp_path: Path, change: Callable[[list[list[str]]], None]) -> Path:
    from tests.test_import_epoch import MODELS

    with MODELS.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    change(rows)
    path = tmp_path / "all_ml_systems_2025-08.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return path


def _set(rows: list[list[str]], column: str, text: str) -> None:
    rows[2][rows[0].index(column)] = text


@pytest.mark.parametrize(
    ("column", "cell", "reason"),
    [
        ("Training compute (FLOP)", "9" * 400, "too long for a number"),
        ("Training compute (FLOP)", "9" * 70 + "e400", "too large to be a value"),
        ("Model", "GPT\x00-3", "a control character"),
        ("Training compute notes", "x" * 140_000, "more than the 131,072 kb imports"),
    ],
    ids=["digits", "overflow", "nul", "huge-cell"],
)
def test_bad_csv_cells_are_named_by_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], column: str, cell: str, reason: str
) -> None:
    from kb import checks, contents
    from kb.cli import main
    from tests.test_import_epoch import CHIPS, make_root

    root = make_root(tmp_path)
    models = _epoch_table(tmp_path, lambda rows: _set(rows, column, cell))
    code = main(
        ["import", "epoch", str(models), "--claims", str(root), "--chips", str(CHIPS), "--all-problems"]
    )
    out = capsys.readouterr()
    assert code == 0 and "Traceback" not in out.out + out.err
    assert re.search(rf"row 2 \(line \d+\).*{re.escape(column)} .*{reason}", out.out), out.out
    assert out.out.count("cells for 57 columns") == 1  # the fixture's own short row: the reader kept in step
    kb = contents.load(root, use_cache=False)
    assert not [p for p in checks.run(kb).problems if "bad.yaml" in str(p) or "yaml-" in p.code]


def test_a_full_disk_during_an_import_is_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import kb.atomic
    from kb.cli import main
    from tests.test_import_epoch import CHIPS, MODELS, make_root

    root = make_root(tmp_path)

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(kb.atomic.os, "fsync", full)
    code = main(["import", "epoch", str(MODELS), "--claims", str(root), "--chips", str(CHIPS)])
    out = capsys.readouterr()
    assert code == 1 and "No space left on device" in out.err and "run the command again" in out.err
    assert not list(root.rglob("*.tmp"))


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("claims: !!binary aGVsbG8=\n", "the YAML tag '!!binary' is not allowed"),
        ("claims: !!set {a, b}\n", "the YAML tag '!!set' is not allowed"),
        ("claims:\n  ? [a, b]\n  : 1\n", "a mapping key must be a plain word"),
    ],
)
def test_both_yaml_readers_refuse_the_same_things(tmp_path: Path, yaml_text: str, message: str) -> None:
    from kb.readers import YamlProblem, read_yaml, read_yaml_fast

    path = tmp_path / "x.yaml"
    for reader in (read_yaml_fast, read_yaml):
        with pytest.raises(YamlProblem) as exc:
            reader(path, "x.yaml", yaml_text)
        assert message in exc.value.problem.message


@pytest.mark.parametrize(
    ("yaml_text", "careful"),
    [
        ("claims:\n  - id: a\n    value: 1.80\n    as_of: 2023-01-02\n    ok: true\n    x: null\n", False),
        ("a: &x hello\nb: *x\n'1': [c, 'd']\n", False),
        ("a: &x {k: v}\nb: *x\n", True),  # an alias of a mapping: the careful reader bounds aliases
        ("a: &x [v]\nb: [*x, *x]\n", True),
        ("a: 1\na: 2\n", None),  # a duplicate key: refused by both, located by the careful one
    ],
)
def test_the_fast_yaml_reader_reads_what_the_careful_one_does(
    tmp_path: Path, yaml_text: str, careful: bool | None
) -> None:
    from kb.readers import YamlProblem, read_yaml, read_yaml_fast

    path = tmp_path / "x.yaml"
    if careful is None:
        with pytest.raises(YamlProblem, match="duplicate key"):
            read_yaml_fast(path, "x.yaml", yaml_text)
        return
    fast, slow = read_yaml_fast(path, "x.yaml", yaml_text), read_yaml(path, "x.yaml", yaml_text)
    assert fast.data == slow.data
    assert fast.complete == careful  # False: read fast, positions found again only for an error


def test_the_quick_tag_resolver_resolves_as_pyyaml_does() -> None:
    import yaml

    from kb.readers import _Loader

    def tags(node: yaml.Node) -> list[str]:
        out = [node.tag]
        for item in node.value if isinstance(node.value, list) else []:
            for part in item if isinstance(item, tuple) else (item,):
                out += tags(part)
        return out

    text = (
        "a: [~, null, '', 0x1F, 0o17, 1_000, .inf, -.5, +1, 2001-12-14t21:59:43.10-05:00, yes, No, on,\n"
        "    '1', =, <<, 1e3, 1.0e+3, 2023-03-14, \"x\", plain words, -, ., 12:30]\n? b\n: {c: d}\n"
    )
    reference = yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader
    assert tags(yaml.compose(text, Loader=_Loader)) == tags(yaml.compose(text, Loader=reference))


def test_subjects_that_only_look_alike_are_one_subject(make_kb: Callable[[str], Path]) -> None:
    from kb import checks, contents

    body = "claims:\n"
    for cid, subject, value in (
        ("a", "GPT\u20114", "100"),
        ("b", "GPT-4 ", "300"),
        ("c", "\uff27\uff30\uff34-4", "300"),
    ):
        body += (
            f"  - {{id: {cid}, subject: '{subject}', quantity: total_parameters, value: {value},"
            f" unit: billion parameter, sources: [{{source: {'ref' if cid == 'a' else 'leak'},"
            " locator: t}]}\n"
        )
    kb_ = contents.load(make_kb(body))
    assert {e.claim.subject for e in kb_.claims.values()} == {"GPT-4"}
    conflicts = checks.run(kb_).conflicts
    assert {frozenset((c.a, c.b)) for c in conflicts} == {frozenset("ab"), frozenset("ac")}


def test_temporary_folders_of_a_killed_build_are_removed_by_the_next(tmp_path: Path) -> None:
    from kb import procs

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    abandoned = tmp_path / ".site.build-abc"
    abandoned.mkdir()
    (abandoned / procs.OWNER).write_text(dead.stdout.strip(), encoding="ascii")
    running = procs.owned_temp_folder(".site.build-", tmp_path)  # this process's: kept
    unrelated = tmp_path / ".other"
    unrelated.mkdir()
    assert procs.remove_abandoned(tmp_path, (".site.build-", ".site.old-")) == 1
    assert not abandoned.exists() and running.exists() and unrelated.exists()


WORKERS_SCRIPT = """
import multiprocessing, os, time
from kb import procs

def blocked(with_initializer):
    if with_initializer:
        procs.die_with_parent()
    read, write = os.pipe()  # holds both ends, as a pool worker does its task queue: never an EOF
    os.read(read, 1)

if __name__ == "__main__":
    workers = [multiprocessing.get_context("fork").Process(target=blocked, args=(w,)) for w in (True, False)]
    for w in workers:
        w.start()
    print(" ".join(str(w.pid) for w in workers), flush=True)
    time.sleep(60)
"""


def test_render_workers_die_with_their_parent(tmp_path: Path) -> None:
    # A parent that starts a pool with kb's initializer and is then killed: its workers must go too.
    script = tmp_path / "parent.py"
    script.write_text(WORKERS_SCRIPT, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script)], stdout=PIPE, text=True)
    assert proc.stdout is not None
    guarded, unguarded = (int(p) for p in proc.stdout.readline().split())
    proc.kill()
    proc.wait(timeout=10)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _running(guarded):
            time.sleep(0.1)
        assert not _running(guarded)
        assert _running(unguarded)  # without it, a worker blocked on its pipe outlives its parent
    finally:
        os.kill(unguarded, 9)


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().split()[2] != "Z"  # a zombie has ended
    except FileNotFoundError:
        return False


def _fail_with_hint() -> None:
    raise KbError("the disk is full", "free some space", "disk")


def test_work_beside_a_command_comes_back_as_json_never_as_a_pickle() -> None:
    from kb import procs

    assert procs.Beside(lambda: {"a": [1, 2.5, "x"]}).join() == {"a": [1, 2.5, "x"]}
    beside = procs.Beside(_fail_with_hint)
    with pytest.raises(KbError) as caught:
        beside.join()
    error = caught.value
    assert (error.message, error.hint, error.code) == ("the disk is full", "free some space", "disk")
    with pytest.raises(TypeError):  # not plain data: said loudly, not smuggled through a pickle
        procs.Beside(lambda: object()).join()


def test_work_beside_a_command_yields_the_cores_to_it() -> None:
    import os

    from kb import procs

    here = os.nice(0)  # this process's niceness, unchanged
    yielding = procs.Beside(os.nice, 0, niceness=procs.BESIDE_NICENESS)
    assert yielding.join() == min(here + procs.BESIDE_NICENESS, 19)
    assert procs.Beside(os.nice, 0).join() == here  # by default, the command's own priority
    assert procs.Beside(os.nice, 0, niceness=5, parallel=False).join() == here  # run here: nothing changes
