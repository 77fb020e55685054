"""Errors a person can act on: each malformed input, run through `kb check`, names file:line(:column)
and says what to do; no traceback; all errors of a run are reported together."""

from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path

import pytest

from kb.cli import main

QUANTITIES = """\
quantities:
  - {id: total_parameters, label: Total parameters, unit: parameter}
  - {id: training_tokens, label: Training tokens, unit: token}
  - {id: experts, label: Experts, unit: expert}
"""
TEXT = "The model has 1.8 trillion parameters\nand was trained on 13 trillion tokens by 16 experts.\n"


def make_kb(tmp_path: Path, files: dict[str, str], text: str = TEXT) -> Path:
    """A knowledge base with one archived source 'doc', the quantities above, and `files`."""
    root = tmp_path / "claims"
    (root / "sources").mkdir(parents=True)
    (root / "quantities.yaml").write_text(QUANTITIES, encoding="utf-8")
    (root / "sources" / "doc.txt").write_text(text, encoding="utf-8")
    digest = hashlib.sha256(text.encode()).hexdigest()
    (root / "sources" / "doc.yaml").write_text(
        f"id: doc\ntitle: A document\nlanguage: en\ntext: doc.txt\nsha256: {digest}\n", encoding="utf-8"
    )
    for name, body in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(body), encoding="utf-8")
    return root


def check(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["check", "--claims", str(root)])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out + out.err


def error_lines(output: str) -> list[str]:
    """The report's error entries, one string each (message and its hint)."""
    _, _, errors = output.partition("\nErrors (")
    entries: list[str] = []
    for line in errors.splitlines()[1:]:
        if line.startswith("  ") and not line.startswith("    "):
            entries.append(line.strip())
        elif entries:
            entries[-1] += "\n" + line.strip()
    return entries


GOOD = """\
claims:
  - id: params
    subject: M
    quantity: total_parameters
    value: 1.8
    unit: trillion parameter
    sources:
      - source: doc
        quote: "1.8 trillion parameters"
"""


def one_error(root: Path, capsys: pytest.CaptureFixture[str]) -> str:
    code, out = check(root, capsys)
    assert code == 1, out
    errors = error_lines(out)
    assert len(errors) == 1, errors
    return errors[0]


def test_a_clean_knowledge_base_has_no_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = check(make_kb(tmp_path, {"m/a.yaml": GOOD}), capsys)
    assert code == 0, out
    assert "Errors" not in out


def test_broken_yaml_syntax(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = GOOD.replace('quote: "1.8 trillion parameters"', 'quote: "1.8 trillion parameters')
    err = one_error(make_kb(tmp_path, {"m/a.yaml": bad}), capsys)
    assert err.startswith("claims/m/a.yaml:10:1: YAML syntax error"), err
    assert "check indentation, colons and quotes" in err


def test_wrong_type(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = GOOD.replace("subject: M", "subject: [M, N]")
    err = one_error(make_kb(tmp_path, {"m/a.yaml": bad}), capsys)
    assert err.startswith("claims/m/a.yaml:3:5: subject: expected text, got list"), err


def test_wrong_type_nested(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = GOOD + "    checks:\n      - id: c\n        formula: 1.8 trillion parameter\n"
    bad += "        tolerance: {relative: lots, reason: rounding}\n"
    err = one_error(make_kb(tmp_path, {"m/a.yaml": bad}), capsys)
    assert err.startswith("claims/m/a.yaml:13:21: checks.0.tolerance.relative: expected a number"), err


def test_unknown_field_with_did_you_mean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = GOOD.replace("    quantity:", "    quantiy:")
    err = one_error(make_kb(tmp_path, {"m/a.yaml": bad}), capsys)
    assert err.startswith("claims/m/a.yaml:4:5: unknown field 'quantiy'"), err
    assert "did you mean 'quantity'?" in err


def test_unknown_unit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = GOOD.replace("unit: trillion parameter", "unit: trillion paramters")
    err = one_error(make_kb(tmp_path, {"m/a.yaml": bad}), capsys)
    assert err.startswith("claims/m/a.yaml:6:5: unknown unit 'paramters'"), err
    assert "did you mean 'parameters'" in err


def test_unknown_input_id_with_did_you_mean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = GOOD.replace("id: params", "id: params-copy").replace("subject: M", "subject: N")
    bad = GOOD + "    checks:\n      - id: same\n        formula: p\n        inputs: {p: params-cpy}\n"
    err = one_error(make_kb(tmp_path, {"m/a.yaml": bad, "m/b.yaml": other}), capsys)
    assert err.startswith("claims/m/a.yaml:13:18: check 'same': unknown input 'params-cpy' for 'p'"), err
    assert "did you mean 'params-copy'" in err


def test_unknown_source_with_did_you_mean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = GOOD.replace("- source: doc", "- source: dco")
    err = one_error(make_kb(tmp_path, {"m/a.yaml": bad}), capsys)
    assert err.startswith("claims/m/a.yaml:8:9: unknown source 'dco'"), err
    assert "did you mean 'doc'?" in err


def test_claims_checked_from_each_other_are_both_judged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Relations evaluate every claim at its stated interval: checks in both directions are no cycle.
    a = GOOD + "    checks:\n      - id: from-b\n        formula: b\n        inputs: {b: params-b}\n"
    b = (
        GOOD.replace("id: params", "id: params-b").replace("subject: M", "subject: N")
        + "    checks:\n      - id: from-a\n        formula: a\n        inputs: {a: params}\n"
    )
    code, out = check(make_kb(tmp_path, {"m/a.yaml": a, "m/b.yaml": b}), capsys)
    assert code == 0, out
    assert not error_lines(out)
    assert "consistent        2" in out


def test_a_check_that_names_its_own_claim_is_ill_formed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = GOOD + "    checks:\n      - id: itself\n        formula: p\n        inputs: {p: params}\n"
    err = one_error(make_kb(tmp_path, {"m/a.yaml": a}), capsys)
    assert "check 'itself': the claim is an input of its own check" in err, err


def test_duplicate_id_names_both_places(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = one_error(make_kb(tmp_path, {"m/a.yaml": GOOD, "m/b.yaml": GOOD}), capsys)
    assert err.startswith("claims/m/b.yaml:2:5: duplicate claim id 'params', also at claims/m/a.yaml:2:5"), (
        err
    )
    assert "rename one" in err


def test_duplicate_key_names_both_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = GOOD.replace(
        "    unit: trillion parameter\n", "    unit: trillion parameter\n    unit: parameter\n"
    )
    err = one_error(make_kb(tmp_path, {"m/a.yaml": bad}), capsys)
    assert err.startswith("claims/m/a.yaml:7:5: duplicate key 'unit' (first at line 6)"), err


def test_a_check_on_a_claim_of_an_unreadable_file_points_at_that_files_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # One duplicate key makes its file unreadable; a check elsewhere on one of its claims says so
    # and where, rather than calling the claim unknown.
    bad = GOOD.replace(
        "    unit: trillion parameter\n", "    unit: trillion parameter\n    unit: parameter\n"
    )
    other = GOOD.replace("id: params", "id: params-b").replace("subject: M", "subject: N")
    other += "    checks:\n      - id: same\n        formula: p\n        inputs: {p: params}\n"
    code, out = check(make_kb(tmp_path, {"m/a.yaml": bad, "m/b.yaml": other}), capsys)
    errors = error_lines(out)
    assert code == 1 and len(errors) == 2, errors
    assert "unreadable input 'params' for 'p'" in errors[1], errors
    assert "'params' could not be read: fix the error at claims/m/a.yaml:7:5 first" in errors[1], errors


def test_quote_not_in_source_shows_closest_passage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = GOOD.replace('quote: "1.8 trillion parameters"', 'quote: "1.8 trillion parametres"')
    err = one_error(make_kb(tmp_path, {"m/a.yaml": bad}), capsys)
    assert err.startswith("claims/m/a.yaml:9:9: quote not found in source doc"), err
    assert "the closest passage is: '1.8 trillion parameters'" in err


def test_quote_white_space_is_folded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fine = GOOD.replace(
        'quote: "1.8 trillion parameters"', 'quote: "1.8 trillion parameters and   was trained"'
    )
    code, out = check(make_kb(tmp_path, {"m/a.yaml": fine}), capsys)
    assert code == 0, out


def test_value_not_matching_its_quote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = GOOD.replace("value: 1.8", "value: 1.9")
    err = one_error(make_kb(tmp_path, {"m/a.yaml": bad}), capsys)
    assert err.startswith("claims/m/a.yaml:5:5: value 1.9 trillion parameter does not match its quote"), err
    assert "the numbers in the quote are: 1.8e12" in err or "1.8" in err


def test_source_text_changed_since_its_sha256(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_kb(tmp_path, {"m/a.yaml": GOOD})
    (root / "sources" / "doc.txt").write_text(TEXT + "An edit.\n", encoding="utf-8")
    err = one_error(root, capsys)
    assert err.startswith(
        "claims/sources/doc.yaml:5:1: the text of 'doc.txt' no longer matches its sha256"
    ), err
    assert "restore the archived text byte for byte" in err


def test_missing_translation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_kb(tmp_path, {"m/a.yaml": GOOD})
    meta = root / "sources" / "doc.yaml"
    meta.write_text(meta.read_text().replace("language: en", "language: zh"))
    err = one_error(root, capsys)
    assert err.startswith("claims/m/a.yaml:8:9: the quote from doc (zh) has no English translation"), err


def test_invalid_date(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = GOOD + "    as_of: 2023-02-30\n"
    err = one_error(make_kb(tmp_path, {"m/a.yaml": bad}), capsys)
    assert err.startswith("claims/m/a.yaml:10:12: cannot read the value '2023-02-30': day is out of range"), (
        err
    )


def test_python_tags_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = GOOD.replace("subject: M", "subject: !!python/object/apply:os.system ['echo pwned']")
    err = one_error(make_kb(tmp_path, {"m/a.yaml": bad}), capsys)
    assert err.startswith(
        "claims/m/a.yaml:3:14: the YAML tag '!!python/object/apply:os.system' is not allowed"
    ), err


def test_archived_text_outside_the_sources_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_kb(tmp_path, {"m/a.yaml": GOOD})
    meta = root / "sources" / "doc.yaml"
    meta.write_text(meta.read_text().replace("text: doc.txt", "text: ../../secret.txt"))
    code, out = check(root, capsys)
    assert code == 1
    assert "claims/sources/doc.yaml:4:1: text: must be the name of a file beside this YAML" in out


def test_all_errors_of_a_run_are_reported_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {
        "m/syntax.yaml": "claims:\n  - id: [\n",
        "m/field.yaml": GOOD.replace("id: params", "id: p-field").replace("    quantity:", "    quantty:"),
        "m/unit.yaml": GOOD.replace("id: params", "id: p-unit").replace(
            "unit: trillion parameter", "unit: trillion prams"
        ),
        "m/value.yaml": GOOD.replace("id: params", "id: p-value").replace("value: 1.8", "value: 18"),
        "m/quote.yaml": GOOD.replace("id: params", "id: p-quote").replace(
            "1.8 trillion parameters", "1.8 trillion params"
        ),
        "m/zdup.yaml": GOOD.replace("id: params", "id: p-quote"),
    }
    root = make_kb(tmp_path, files)
    (root / "sources" / "doc.txt").write_text(TEXT.replace("16", "sixteen"), encoding="utf-8")
    code, out = check(root, capsys)
    assert code == 1
    errors = error_lines(out)
    places = sorted(e.split(": ")[0] for e in errors)
    assert places == sorted(
        [
            "claims/m/syntax.yaml:3:1",
            "claims/m/field.yaml:4:5",
            "claims/m/unit.yaml:6:5",
            "claims/m/value.yaml:5:5",
            "claims/m/quote.yaml:9:9",
            "claims/m/zdup.yaml:2:5",
            "claims/sources/doc.yaml:5:1",
        ]
    ), errors


def test_no_claims_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = check(tmp_path / "nowhere", capsys)
    assert code == 1
    assert "no claims folder here" in out


def test_claims_folder_above_the_working_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_kb(tmp_path, {"m/a.yaml": GOOD})
    monkeypatch.chdir(root / "m")
    code, out = check(Path("../../claims"), capsys)
    assert code == 0, out
    assert "1 claims" in out


TOKENS = """\
  - id: tokens
    subject: M
    quantity: training_tokens
    value: 13
    unit: trillion token
    sources:
      - source: doc
        quote: "13 trillion tokens"
"""


@pytest.mark.parametrize(
    ("relation", "where", "said"),
    [
        # line 21 holds the formula; "    formula: " is 13 characters, then character 8 is the second "/"
        ("    formula: p = t // 2\n    inputs: {p: params, t: tokens}\n", ":21:21", "at character 8"),
        (
            "    formula: p = t / 2\n    inputs:\n      p: params\n      t: tokns\n",
            ":24:7",
            "unknown input 'tokns'",
        ),
    ],
)
def test_a_standalone_relations_error_is_located_at_its_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], relation: str, where: str, said: str
) -> None:
    body = GOOD + TOKENS + "relations:\n  - id: r\n    note: a relation with a mistake\n" + relation
    error = one_error(make_kb(tmp_path, {"m.yaml": body}), capsys)
    assert f"claims/m.yaml{where}" in error and said in error, error
