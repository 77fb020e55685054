"""kb source add FILE: archive a source document's text under claims/sources/, with its metadata."""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import re
import sys
from pathlib import Path
from typing import Any, get_args

from pydantic import ValidationError

from kb.commands import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, add_claims_option
from kb.contents import SOURCES_DIR
from kb.model import SLUG, SourceKind, SourceMeta
from kb.readers import YamlProblem, pattern_hint, read_yaml
from kb.slugs import slugify
from kb.writers import atomic_create, dump_yaml, plain_scalar

KINDS = get_args(SourceKind)
# Flags by metadata field, for messages about a bad value.
FLAGS = {
    "id": "--id",
    "title": "--title",
    "url": "--url",
    "language": "--language",
    "published": "--published",
    "retrieved": "--retrieved",
    "kind": "--kind",
    "author": "--author",
    "publisher": "--publisher",
    "translation_of": "--translation-of",
    "description": "--description",
}


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "source",
        help="archive a source document (kb source add FILE ...)",
        description="Manage the source documents under claims/sources/.",
    )
    ssub = p.add_subparsers(dest="source_command", metavar="SUBCOMMAND")
    ssub.required = True
    a = ssub.add_parser(
        "add",
        help="archive a text file as a source",
        description="Copy FILE byte for byte to claims/sources/<id>.txt and write its metadata, with the "
        "text's sha256, to claims/sources/<id>.yaml. Refuses an id or a text that is already "
        "archived.",
        epilog='example: kb source add article.txt --title "GPT-4 Architecture" '
        "--url https://example.com/gpt4 --published 2023-07-11 --language en",
    )
    add_claims_option(a)
    a.add_argument("file", type=Path, nargs="?", metavar="FILE", help="the document as UTF-8 text")
    a.add_argument(
        "--no-text",
        action="store_true",
        help="register a cited source not archived here (needs --url, no FILE); its quotes stay unverified",
    )
    a.add_argument("--title", required=True, help="the document's title as published")
    a.add_argument("--id", help="the source id, a lower-case slug (default: from the title)")
    a.add_argument("--language", required=True, help="BCP 47 tag of the text: en, zh, ...")
    a.add_argument("--url", help="where it was published (http or https)")
    a.add_argument("--published", help="publication date: YYYY-MM-DD, YYYY-MM or YYYY")
    a.add_argument("--retrieved", help="when this copy was taken, YYYY-MM-DD (default: today)")
    a.add_argument(
        "--kind", choices=KINDS, default="article", help="what sort of document (default: article)"
    )
    a.add_argument("--author", help="who wrote it")
    a.add_argument("--publisher", help="who published it")
    a.add_argument("--translation-of", help="id of the source this document translates")
    a.add_argument("--description", default="", help="what the document is, in a sentence or two")
    a.set_defaults(run=run)


def _fail(message: str, hint: str = "", code: int = EXIT_ERRORS) -> int:
    print(f"kb source add: {message}", file=sys.stderr)
    if hint:
        print(f"    -> {hint}", file=sys.stderr)
    return code


def _existing(folder: Path) -> tuple[dict[str, Path], dict[str, Path]]:
    """Ids and text hashes of the sources already archived: id -> metadata file, sha256 -> file."""
    ids: dict[str, Path] = {}
    hashes: dict[str, Path] = {}
    if not folder.is_dir():
        return ids, hashes
    for path in sorted(folder.glob("*.yaml")):
        ids.setdefault(path.stem, path)
        try:
            data = read_yaml(path, str(path)).data
        except YamlProblem:
            continue
        if isinstance(data, dict):
            if isinstance(data.get("id"), str):
                ids.setdefault(data["id"], path)
            if isinstance(data.get("sha256"), str):
                hashes.setdefault(data["sha256"], path)
    for path in sorted(folder.iterdir()):
        if path.suffix != ".yaml" and path.is_file() and not path.name.startswith("."):
            ids.setdefault(path.stem, path)
            try:
                hashes.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), path)
            except OSError:
                continue
    return ids, hashes


def _schema_comment(folder: Path, claims: Path) -> str:
    schema = claims.resolve().parent / "kb" / "schemas" / "source.schema.json"
    return os.path.relpath(schema, folder.resolve()).replace(os.sep, "/")


def metadata(args: argparse.Namespace, source_id: str, digest: str) -> dict[str, Any]:
    retrieved = args.retrieved or dt.date.today().isoformat()
    fields: dict[str, Any] = {
        "id": source_id,
        "title": args.title,
        "author": args.author,
        "publisher": args.publisher,
        "url": args.url,
        "language": args.language,
        "published": args.published,
        "retrieved": retrieved,
        "kind": args.kind,
        "text": f"{source_id}.txt" if digest else None,
        "sha256": digest or None,
        "original_name": args.file.name if args.file else None,
        "translation_of": args.translation_of,
        "description": args.description or None,
    }
    return {k: v for k, v in fields.items() if v is not None}


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except BrokenPipeError:  # the reader of our output left (kb add | head): kb.cli ends quietly
        raise
    except OSError as exc:  # a full disk, a read-only folder: nothing is left half written
        return _fail(
            f"cannot write {exc.filename or 'the source'}: {exc.strerror or exc}",
            "nothing was archived; fix the cause and run the command again",
        )


def _read_text(args: argparse.Namespace) -> bytes | int:
    """The document's bytes (b"" with --no-text), or the exit code of a refusal."""
    if args.no_text:
        if args.file is not None:
            return _fail(
                "give FILE or --no-text, not both",
                "--no-text registers a source without its text",
                EXIT_USAGE,
            )
        if not args.url:
            return _fail("--no-text needs --url", "say where the cited document is published", EXIT_USAGE)
        return b""
    if args.file is None:
        return _fail(
            "give the document's FILE", "or --no-text --url URL for a source not archived here", EXIT_USAGE
        )
    try:
        raw: bytes = args.file.read_bytes()
    except OSError as exc:
        return _fail(
            f"cannot read {args.file}: {exc.strerror or exc}", "give the path of a text file", EXIT_USAGE
        )
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _fail(
            f"{args.file} is not UTF-8 text (byte {exc.start}: {exc.reason})",
            f"convert it first, e.g. iconv -f GB18030 -t UTF-8 {args.file} > {args.file.stem}.utf8.txt",
        )
    if not raw.strip():
        return _fail(f"{args.file} is empty", "archive the document's text")
    return raw


def _run(args: argparse.Namespace) -> int:
    raw = _read_text(args)
    if isinstance(raw, int):
        return raw
    source_id = args.id or slugify(args.title)
    if not source_id:
        return _fail(
            f"cannot make an id from the title {args.title!r}",
            "give one with --id, e.g. --id csdn-chatgpt-cost-zh",
            EXIT_USAGE,
        )
    if not re.match(SLUG, source_id) or len(source_id) > 120:
        return _fail(
            f"--id {source_id!r} is not a lower-case slug",
            "use letters a-z, digits, '.', '_' and '-', starting with a letter or digit",
            EXIT_USAGE,
        )
    folder = args.claims / SOURCES_DIR
    ids, hashes = _existing(folder)
    if source_id in ids:
        return _fail(
            f"a source with id {source_id!r} already exists: {ids[source_id]}",
            "choose another id with --id (or, if it is the same document, use the existing source)",
        )
    digest = hashlib.sha256(raw).hexdigest() if raw else ""
    if digest and digest in hashes:
        other = hashes[digest]
        return _fail(
            f"this text is already archived: {other} has the same sha256 ({digest[:12]}…)",
            f"cite the existing source {other.stem!r} instead of archiving it again",
        )
    if args.translation_of and args.translation_of not in ids:
        return _fail(
            f"--translation-of {args.translation_of!r}: no such source in {folder}",
            "archive the original first, or leave out --translation-of",
        )
    fields = metadata(args, source_id, digest)
    try:
        SourceMeta.model_validate(fields)
    except ValidationError as exc:
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else ""
            flag = FLAGS.get(name, name)
            if err["type"] == "string_pattern_mismatch":  # not pydantic's regular expression
                said = f"is not allowed here\n    -> {pattern_hint(name)}"
            else:
                said = err["msg"].removeprefix("Value error, ")
            print(f"kb source add: {flag} {fields.get(name)!r}: {said}", file=sys.stderr)
        return EXIT_USAGE
    text_path = folder / f"{source_id}.txt"
    meta_path = folder / f"{source_id}.yaml"
    node = {k: (plain_scalar(v) if k in ("published", "retrieved") else v) for k, v in fields.items()}
    yaml_text = f"# yaml-language-server: $schema={_schema_comment(folder, args.claims)}\n" + dump_yaml(node)
    if not raw:
        try:
            atomic_create(meta_path, yaml_text.encode("utf-8"))
        except FileExistsError:
            return _fail(f"{meta_path} already exists", "choose another id with --id")
        print(f"registered source {source_id!r} (not archived here): {meta_path}")
        print(f'next: kb add --source {source_id} --quote "..." --locator "where in the document"')
        return EXIT_OK
    try:
        atomic_create(text_path, raw)
    except FileExistsError:
        return _fail(f"{text_path} already exists", "choose another id with --id")
    try:
        atomic_create(meta_path, yaml_text.encode("utf-8"))
    except BaseException:
        text_path.unlink(missing_ok=True)
        if meta_path.exists():
            return _fail(f"{meta_path} already exists", "choose another id with --id")
        raise
    print(f"archived {args.file} as source {source_id!r}:")
    print(f"  {text_path}  ({len(raw)} bytes, sha256 {digest[:12]}…)")
    print(f"  {meta_path}")
    print(f'next: kb add --source {source_id} --quote "words of the source that state a number"')
    return EXIT_OK
