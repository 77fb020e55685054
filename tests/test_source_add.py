"""kb source add: a document archived byte for byte, its metadata with the sha256, duplicates refused."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from kb import contents
from kb.cli import main
from kb.commands.source import slugify

ARTICLE = "GPT-4 was trained on ~13 trillion tokens.\r\nTrailing spaces stay.   \n\nAnd odd bytes: é ✓\n"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    r = tmp_path / "claims"
    (r / "sources").mkdir(parents=True)
    return r


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "article.txt"
    path.write_bytes(ARTICLE.encode("utf-8"))
    return path


def source_add(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["source", "add", "--claims", str(root), *args])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out, out.err


BASIC = (
    "--title",
    "GPT-4 Architecture, Infrastructure & Costs",
    "--url",
    "https://example.com/gpt4",
    "--published",
    "2023-07-11",
    "--language",
    "en",
)


def test_archives_text_byte_for_byte_with_metadata(
    root: Path, article: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = source_add(root, capsys, str(article), *BASIC, "--retrieved", "2024-01-02")
    assert code == 0, err
    sid = "gpt-4-architecture-infrastructure-costs"
    assert f"archived {article} as source {sid!r}" in out
    assert (root / "sources" / f"{sid}.txt").read_bytes() == article.read_bytes()
    digest = hashlib.sha256(article.read_bytes()).hexdigest()
    assert (root / "sources" / f"{sid}.yaml").read_text(encoding="utf-8") == (
        "# yaml-language-server: $schema=../../kb/schemas/source.schema.json\n"
        f"id: {sid}\n"
        "title: GPT-4 Architecture, Infrastructure & Costs\n"
        "url: https://example.com/gpt4\n"
        "language: en\n"
        "published: 2023-07-11\n"
        "retrieved: 2024-01-02\n"
        "kind: article\n"
        f"text: {sid}.txt\n"
        f"sha256: {digest}\n"
        "original_name: article.txt\n"
    )
    kb = contents.load(root)
    assert list(kb.all_problems()) == []
    assert kb.sources[sid].text == ARTICLE
    assert str(kb.sources[sid].meta.published) == "2023-07-11"


def test_id_flag_and_other_fields(root: Path, article: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = source_add(
        root,
        capsys,
        str(article),
        "--title",
        "GPT-4 细节已泄露",
        "--id",
        "leak-zh",
        "--language",
        "zh",
        "--published",
        "2023",
        "--kind",
        "translation",
        "--author",
        "Someone",
        "--description",
        "A translation.",
    )
    assert code == 0, err
    meta = (root / "sources" / "leak-zh.yaml").read_text(encoding="utf-8")
    assert "title: GPT-4 细节已泄露\n" in meta
    assert "published: 2023\n" in meta
    assert "kind: translation\n" in meta and "author: Someone\n" in meta
    kb = contents.load(root)
    assert list(kb.all_problems()) == []
    assert kb.sources["leak-zh"].meta.published == "2023"


def test_refuses_an_existing_id(
    root: Path, article: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert source_add(root, capsys, str(article), *BASIC, "--id", "gpt4")[0] == 0
    other = tmp_path / "other.txt"
    other.write_text("A different text.\n")
    code, _, err = source_add(
        root, capsys, str(other), "--title", "Other", "--id", "gpt4", "--language", "en"
    )
    assert code == 1
    assert "a source with id 'gpt4' already exists: " in err and "gpt4.yaml" in err
    assert "choose another id with --id" in err
    assert (root / "sources" / "gpt4.txt").read_bytes() == article.read_bytes()


def test_refuses_the_same_text_twice(
    root: Path, article: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert source_add(root, capsys, str(article), *BASIC, "--id", "first")[0] == 0
    copy = tmp_path / "copy.txt"
    copy.write_bytes(article.read_bytes())
    code, _, err = source_add(
        root, capsys, str(copy), "--title", "Again", "--id", "second", "--language", "en"
    )
    assert code == 1
    assert "this text is already archived: " in err and "first.yaml has the same sha256" in err
    assert "cite the existing source 'first'" in err
    assert sorted(p.name for p in (root / "sources").iterdir()) == ["first.txt", "first.yaml"]


def test_refuses_bad_input(
    root: Path, article: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = source_add(root, capsys, str(tmp_path / "missing.txt"), *BASIC)
    assert code == 2 and "cannot read" in err
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("中文".encode("gbk"))
    code, _, err = source_add(root, capsys, str(gbk), *BASIC)
    assert code == 1 and "is not UTF-8 text" in err and "iconv" in err
    code, _, err = source_add(root, capsys, str(article), "--title", "中文标题", "--language", "zh")
    assert code == 2 and "cannot make an id from the title" in err and "--id" in err
    code, _, err = source_add(root, capsys, str(article), *BASIC, "--id", "Bad_Id")
    assert code == 2 and "is not a lower-case slug" in err
    code, _, err = source_add(
        root, capsys, str(article), "--title", "T", "--language", "en", "--url", "ftp://x"
    )
    assert code == 2 and "--url 'ftp://x': must be an http:// or https:// address" in err
    code, _, err = source_add(
        root, capsys, str(article), "--title", "T", "--language", "en", "--published", "July"
    )
    assert code == 2 and "--published 'July'" in err
    code, _, err = source_add(root, capsys, str(article), "--title", "T", "--language", "english")
    assert code == 2 and "--language 'english': is not allowed here" in err and "such as en, zh" in err
    assert "should match pattern" not in err  # pydantic's regular expression is no help
    assert list((root / "sources").iterdir()) == []


def test_slugify() -> None:
    assert slugify("GPT-4 Architecture, Infrastructure, Training Dataset, Costs, Vision, MoE") == (
        "gpt-4-architecture-infrastructure-training-dataset-costs"
    )
    assert slugify("Café — ünïcode") == "cafe-unicode"
    assert slugify("中文") == ""


def test_a_cited_source_without_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "claims"
    (root / "sources").mkdir(parents=True)
    base = ["source", "add", "--claims", str(root), "--title", "Introducing Meta Llama 3", "--language", "en"]
    assert main([*base, "--no-text"]) == 2  # where is it? --url is needed
    assert main([*base, "--no-text", "--url", "https://ai.meta.com/blog/meta-llama-3/"]) == 0
    meta = (root / "sources" / "introducing-meta-llama-3.yaml").read_text(encoding="utf-8")
    assert (
        "url: https://ai.meta.com/blog/meta-llama-3/" in meta and "sha256" not in meta and "text:" not in meta
    )
    assert not (root / "sources" / "introducing-meta-llama-3.txt").exists()
    assert main([*base, "--no-text", "--url", "https://example.com"]) == 1  # the id exists
    err = capsys.readouterr().err
    assert "--no-text needs --url" in err and "already exists" in err
