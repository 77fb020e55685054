"""Compiled templates kept in the user's cache folder: reused by the next process, never read when
someone else could have written them, missed when kb changes, and never touched by --no-cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import Environment
from site_helpers import copy_fixture

from kb.cli import main
from kb.site import templatecache, writer
from kb.site.templatecache import TemplateCodeCache

TEMPLATES = ("claim.html", "source.html", "index.html")


def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates Jinja2 compiles from source from now on."""
    seen: list[str] = []
    real = Environment.compile

    def counted(
        self: Environment, source: str, name: str | None = None, *args: object, **kw: object
    ) -> object:
        seen.append(str(name))
        return real(self, source, name, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(Environment, "compile", counted)
    return seen


def fresh_env(folder: Path | None) -> Environment:
    """An environment as a new process makes it (writer.environment is made once per process)."""
    env = writer.environment.__wrapped__()
    env.bytecode_cache = None if folder is None else TemplateCodeCache(folder)
    return env


def load_all(env: Environment) -> None:
    for name in TEMPLATES:
        env.get_template(name)


def test_a_second_process_loads_the_compiled_templates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = compiles(monkeypatch)
    first = fresh_env(tmp_path)
    load_all(first)
    assert sorted(set(seen)) >= sorted(TEMPLATES)
    files = sorted(tmp_path.iterdir())
    assert files and all(f.stat().st_mode & 0o077 == 0 for f in files)  # private to this user
    seen.clear()
    second = fresh_env(tmp_path)
    load_all(second)
    assert seen == []
    # The same code: the templates' module-level code objects compare equal field by field.
    for name in TEMPLATES:
        a = first.get_template(name).root_render_func.__code__
        b = second.get_template(name).root_render_func.__code__
        assert a.co_code == b.co_code and a.co_consts == b.co_consts and a.co_names == b.co_names


def test_output_escaping_survives_the_cache(tmp_path: Path) -> None:
    load_all(fresh_env(tmp_path))
    env = fresh_env(tmp_path)
    template = env.get_template("claim.html")
    assert template.root_render_func.__globals__["escape"] is writer.output_escape


@pytest.mark.parametrize("damage", ["group-writable", "garbage", "other-source", "symlink"])
def test_a_cache_file_that_fails_a_check_is_compiled_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    folder = tmp_path / "jinja"
    load_all(fresh_env(folder))
    files = sorted(folder.glob("*.code"))
    for f in files:
        if damage == "group-writable":
            f.chmod(0o664)
        elif damage == "garbage":
            raw = f.read_bytes()
            f.write_bytes(raw[: raw.index(b"\n") + 1] + b"\x00not marshal")
        elif damage == "other-source":
            f.write_bytes(f.read_bytes().replace(b":", b":0", 1))
        else:
            target = tmp_path / f.name
            f.rename(target)
            f.symlink_to(target)
    seen = compiles(monkeypatch)
    load_all(fresh_env(folder))
    assert sorted(set(seen)) >= sorted(TEMPLATES)


def test_a_change_to_kb_misses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load_all(fresh_env(tmp_path))
    monkeypatch.setattr(templatecache, "package_hash", lambda: "another kb")
    seen = compiles(monkeypatch)
    load_all(fresh_env(tmp_path))
    assert sorted(set(seen)) >= sorted(TEMPLATES)


def test_kb_build_keeps_them_in_the_cache_folder_unless_no_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    claims = copy_fixture(tmp_path / "claims")
    monkeypatch.setenv("KB_CACHE_DIR", str(tmp_path / "cache"))
    env = writer.environment()
    monkeypatch.setattr(env, "cache", {})  # forget what this process compiled, as a new process
    monkeypatch.setattr(env, "bytecode_cache", env.bytecode_cache)  # put back when the test ends
    args = ["build", "--claims", str(claims), "--no-search", "--quiet"]
    main([*args, "--out", str(tmp_path / "a"), "--no-cache"])
    assert not (tmp_path / "cache" / "jinja").exists()
    env.cache.clear()
    main([*args, "--out", str(tmp_path / "b")])
    assert list((tmp_path / "cache" / "jinja").glob("*.code"))
    assert not list(claims.rglob("*.code"))
