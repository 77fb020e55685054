"""kb add: a claim from a quote, its value read off the quote, written without disturbing its file."""

from __future__ import annotations

import hashlib
import os
import shlex
from pathlib import Path

import pytest

import kb.atomic
import kb.writers
from kb.choosing import choose
from kb.cli import main
from kb.commands import add as add_command
from kb.reading import parse_value_flag
from kb.units import unit_info

QUANTITIES = """\
# yaml-language-server: $schema=../kb/schemas/quantities.schema.json
quantities:
  - {id: total_parameters, label: Total parameters, unit: parameter}
  - {id: layers, label: Layers, unit: layer}
  - {id: training_tokens, label: Training tokens, unit: token}
  - {id: training_cost, label: Training cost, unit: USD}
  - {id: price_per_1k_tokens, label: "Price per 1,000 tokens", unit: USD/kilotoken}
  - {id: release_date, label: Release date, unit: date}
  - {id: gpu_hour_price, label: Price per GPU-hour, unit: USD/GPU/hour}
"""
EN = (
    "GPT-4 has ~1.8 trillion parameters across 120 layers. It was trained on ~13 trillion\n"
    "tokens, at a cost of about $63 million. It was released on March 14th 2023.\n"
)
ZH = (
    "微软的NewBing称,ChatGPT的单次训练成本约为170万美元。ChatGPT每处理1000个token的信息,需花费约0.177美分。\n"
)
EXISTING = """\
# yaml-language-server: $schema=../../kb/schemas/claims.schema.json
# Hand-written claims: this comment, the order and the quoting below must survive kb add.
claims:
  - id: en-total-params   # the headline figure
    subject: GPT-4
    quantity: total_parameters
    value: 1.8
    unit: trillion parameter
    qualifier: about
    sources:
      - source: en
        quote: '~1.8 trillion parameters'
    notes: |
      Kept as written.

  # A trailing comment.
"""

# The arguments of the simplest kb add: 120 layers of GPT-4, quoted from the English source.
LAYERS = ("--source", "en", "--quote", "120 layers", "--subject", "GPT-4", "--quantity", "layers")


def source(root: Path, sid: str, text: str, language: str) -> None:
    (root / "sources" / f"{sid}.txt").write_text(text, encoding="utf-8")
    digest = hashlib.sha256(text.encode()).hexdigest()
    (root / "sources" / f"{sid}.yaml").write_text(
        f"id: {sid}\ntitle: {sid}\nlanguage: {language}\ntext: {sid}.txt\nsha256: {digest}\n",
        encoding="utf-8",
    )


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    r = tmp_path / "claims"
    (r / "sources").mkdir(parents=True)
    (r / "quantities.yaml").write_text(QUANTITIES, encoding="utf-8")
    source(r, "en", EN, "en")
    source(r, "zh", ZH, "zh")
    (r / "sources" / "remote.yaml").write_text(
        "id: remote\ntitle: Not archived\nlanguage: en\n", encoding="utf-8"
    )
    monkeypatch.setattr(add_command, "_interactive", lambda: False)
    return r


def kb_add(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["add", "--claims", str(root), *args])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out, out.err


def kb_add_line(root: Path, capsys: pytest.CaptureFixture[str], line: str) -> tuple[int, str, str]:
    """kb add with its arguments written as on a command line."""
    return kb_add(root, capsys, *shlex.split(line))


def kb_check(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["check", "--claims", str(root)])
    out = capsys.readouterr()
    return code, out.out


def test_add_reads_value_unit_and_qualifier_off_the_quote(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = kb_add_line(
        root, capsys, "--source en --quote '~13 trillion tokens' --subject GPT-4 --quantity training_tokens"
    )
    assert code == 0, err
    assert "added en-training-tokens to claims/gpt-4/added.yaml:3" in out
    assert "value 13, unit trillion token, qualifier about" in out
    assert "verdict: unverified" in out
    text = (root / "gpt-4" / "added.yaml").read_text(encoding="utf-8")
    assert text == (
        "# yaml-language-server: $schema=../../kb/schemas/claims.schema.json\n"
        "claims:\n"
        "  - id: en-training-tokens\n"
        "    subject: GPT-4\n"
        "    quantity: training_tokens\n"
        "    value: 13\n"
        "    unit: trillion token\n"
        "    qualifier: about\n"
        "    sources:\n"
        "      - source: en\n"
        '        quote: "~13 trillion tokens"\n'
    )
    assert kb_check(root, capsys)[0] == 0


@pytest.mark.parametrize(
    ("quote", "qualifier"),
    [
        ("more than 5 GB", "at_least"),
        ("no more than 5 GB", "at_most"),
        ("should not require more than 5 GB", "at_most"),
        ("does not exceed 5 GB", "at_most"),
        ("not less than 5 GB", "at_least"),
        ("under 5 GB", "at_most"),
        ("not about 5 GB", "about"),  # only a comparison turns around
    ],
)
def test_a_negated_comparison_turns_the_qualifier_around(quote: str, qualifier: str) -> None:
    from kb.reading import readings

    [(reading, _)] = readings(quote)
    assert (reading.value, reading.unit, reading.qualifier) == ("5", "GB", qualifier)


def test_quote_white_space_is_folded(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = kb_add_line(
        root,
        capsys,
        "--source en --quote 'trained on ~13   trillion tokens' --subject GPT-4 --quantity training_tokens",
    )
    assert code == 0, err
    assert 'quote: "trained on ~13 trillion tokens"' in (root / "gpt-4" / "added.yaml").read_text()


def test_chinese_amounts_need_a_translation(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "--source",
        "zh",
        "--quote",
        "单次训练成本约为170万美元",
        "--subject",
        "ChatGPT",
        "--quantity",
        "training_cost",
    ]
    code, _, err = kb_add(root, capsys, *args)
    assert code == 2
    assert "source zh is in 'zh': give an English translation" in err
    assert not (root / "chatgpt").exists()
    code, out, err = kb_add(root, capsys, *args, "--translation", "a single training run costs about $1.7M")
    assert code == 0, err
    assert "value 170, unit wan USD, qualifier about" in out
    text = (root / "chatgpt" / "added.yaml").read_text(encoding="utf-8")
    assert "    value: 170\n    unit: wan USD\n    qualifier: about\n" in text
    assert '        translation: "a single training run costs about $1.7M"\n' in text
    assert kb_check(root, capsys)[0] == 0


def test_cents_per_thousand_tokens(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = kb_add_line(
        root,
        capsys,
        "--source zh --quote 'ChatGPT每处理1000个token的信息,需花费约0.177美分' "
        "--translation 'ChatGPT costs about 0.177 cents per 1000 tokens' "
        "--subject ChatGPT --quantity price_per_1k_tokens",
    )
    assert code == 0, err
    assert "value 0.177, unit cent/kilotoken, qualifier about" in out
    assert "takes '/kilotoken' from the quantity's unit" in out
    assert kb_check(root, capsys)[0] == 0


def test_quote_not_in_source_shows_the_closest_passage(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = kb_add_line(
        root, capsys, "--source en --quote '~14 trillion tokens' --subject GPT-4 --quantity training_tokens"
    )
    assert code == 1
    assert "the quote is not in source en" in err
    assert "the closest passage is: '~13 trillion tokens" in err
    assert not (root / "gpt-4").exists()


def test_unarchived_source_keeps_the_quote_unverified(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = kb_add_line(
        root,
        capsys,
        "--source remote --quote '~13 trillion tokens' --subject GPT-4 --quantity training_tokens",
    )
    assert code == 0, err
    assert "source remote is not archived here" in out


def test_existing_file_is_kept_byte_for_byte(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = root / "gpt-4" / "hand.yaml"
    path.parent.mkdir()
    path.write_text(EXISTING, encoding="utf-8")
    code, out, err = kb_add(
        root,
        capsys,
        *LAYERS,
        "--file",
        str(path),
    )
    assert code == 0, err
    assert "added en-layers to claims/gpt-4/hand.yaml:17" in out
    text = path.read_text(encoding="utf-8")
    assert text.startswith(EXISTING)
    assert text[len(EXISTING) :] == (
        "  - id: en-layers\n"
        "    subject: GPT-4\n"
        "    quantity: layers\n"
        "    value: 120\n"
        "    unit: layer\n"
        "    sources:\n"
        "      - source: en\n"
        '        quote: "120 layers"\n'
    )
    assert kb_check(root, capsys)[0] == 0


def test_ids_are_never_overwritten_nor_a_claim_added_twice(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "--source",
        "en",
        "--quote",
        "~13 trillion tokens",
        "--subject",
        "GPT-4",
        "--quantity",
        "training_tokens",
    ]
    assert kb_add(root, capsys, *args)[0] == 0
    code, out, _ = kb_add(
        root, capsys, *[a if a != "~13 trillion tokens" else "13 trillion tokens" for a in args]
    )
    assert code == 0
    assert "added en-training-tokens-2 " in out
    before = (root / "gpt-4" / "added.yaml").read_bytes()
    code, _, err = kb_add(root, capsys, *args, "--id", "en-training-tokens")
    assert code == 2 and "en-training-tokens (claims/gpt-4/added.yaml:3:5) already states this" in err
    code, _, err = kb_add(root, capsys, *args[:3], "13 trillion", *args[4:], "--id", "en-training-tokens")
    assert code == 1
    assert "a claim with id 'en-training-tokens' already exists, at claims/gpt-4/added.yaml:3:5" in err
    assert (root / "gpt-4" / "added.yaml").read_bytes() == before


def test_dry_run_prints_the_yaml_and_writes_nothing(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = kb_add_line(
        root,
        capsys,
        "--source en --quote 'released on March 14th 2023' --subject GPT-4 --quantity release_date --dry-run",
    )
    assert code == 0, err
    assert "# would be added to claims/gpt-4/added.yaml (line 3):" in out
    assert "  - id: en-release-date\n" in out
    assert "    value: 2023-03-14\n    unit: date\n" in out
    assert not (root / "gpt-4").exists()


def test_flags_override_what_is_read(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = kb_add_line(
        root,
        capsys,
        "--source en --quote '~1.8 trillion parameters' --subject GPT-4 --quantity total_parameters "
        "--unit 'trillion parameters' --qualifier none --id my-id",
    )
    assert code == 0, err
    text = (root / "gpt-4" / "added.yaml").read_text()
    assert "  - id: my-id\n" in text
    assert "unit: trillion parameters\n" in text
    assert "qualifier" not in text


def test_a_value_the_quote_does_not_state_is_refused(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = kb_add_line(
        root,
        capsys,
        "--source en --quote '~1.8 trillion parameters' --subject GPT-4 --quantity total_parameters "
        "--value 1.9 --unit 'trillion parameter'",
    )
    assert code == 1
    assert "value 1.9 trillion parameter does not match its quote" in err
    assert "nothing written" in err
    assert not (root / "gpt-4").exists()


def test_several_numbers_need_a_choice(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    quote = "It was trained on ~13 trillion\ntokens, at a cost of about $63 million"
    args = ["--source", "en", "--quote", quote, "--subject", "GPT-4", "--quantity", "training_tokens"]
    code, out, err = kb_add(root, capsys, *args)
    assert code == 0, err  # only one of them is tokens
    code, _, err = kb_add_line(
        root,
        capsys,
        "--source en --quote 'GPT-4 has ~1.8 trillion parameters across 120 layers' --subject GPT-4 "
        "--quantity layers",
    )
    assert code == 0, err


def test_ambiguous_quote_asks_for_value(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    extra = "Some say 1.8 trillion parameters, others 1.7 trillion parameters.\n"
    source(root, "two", extra, "en")
    args = [
        "--source",
        "two",
        "--quote",
        extra.strip(),
        "--subject",
        "GPT-4",
        "--quantity",
        "total_parameters",
    ]
    code, _, err = kb_add(root, capsys, *args)
    assert code == 2
    assert "the quote has 2 numbers that could be the total_parameters" in err
    assert "choose one with --value" in err
    code, out, err = kb_add(root, capsys, *args, "--value", "1.7")
    assert code == 0, err
    assert "value 1.7, unit trillion parameter" in out


def test_prompts_at_a_terminal(
    root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(add_command, "_interactive", lambda: True)
    answers = iter(["GPT-4", "trainng_tokens", "training_tokens"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    code, out, err = kb_add_line(root, capsys, "--source en --quote '~13 trillion tokens'")
    assert code == 0, err
    assert "Quantity:" in out
    assert "training_tokens" in out and "Training tokens [token]" in out
    assert "unknown quantity 'trainng_tokens'; did you mean 'training_tokens'" in out
    assert "added en-training-tokens" in out


def test_missing_subject_without_a_terminal(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = kb_add_line(
        root, capsys, "--source en --quote '~13 trillion tokens' --quantity training_tokens"
    )
    assert code == 2
    assert "give the claim's subject with --subject" in err


def test_unknown_source_and_quantity(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = kb_add_line(root, capsys, "--source enn --quote x --subject A --quantity layers")
    assert code == 1
    assert "no source 'enn'" in err and "did you mean 'en'" in err
    code, _, err = kb_add_line(root, capsys, "--source en --quote '120 layers' --subject A --quantity layer")
    assert code == 2
    assert "unknown quantity 'layer'" in err and "did you mean 'layers'" in err


def test_file_outside_the_claims_folder_is_refused(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = kb_add(
        root,
        capsys,
        "--source",
        "en",
        "--quote",
        "120 layers",
        "--subject",
        "A",
        "--quantity",
        "layers",
        "--file",
        str(root.parent / "elsewhere.yaml"),
    )
    assert code == 1
    assert "outside the claims folder" in err


def test_broken_target_file_is_not_touched(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = root / "gpt-4" / "broken.yaml"
    path.parent.mkdir()
    path.write_text("claims:\n  - id: [\n", encoding="utf-8")
    code, _, err = kb_add(
        root,
        capsys,
        *LAYERS,
        "--file",
        str(path),
    )
    assert code == 1
    assert "cannot add to claims/gpt-4/broken.yaml" in err and "YAML syntax error" in err
    assert path.read_text() == "claims:\n  - id: [\n"


# --- nothing lost -------------------------------------------------------------------------------


def test_interrupted_serializer_leaves_the_file_as_it_was(
    root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = root / "gpt-4" / "hand.yaml"
    path.parent.mkdir()
    path.write_text(EXISTING, encoding="utf-8")

    def broken_dump(data: object) -> str:
        raise KeyboardInterrupt  # as if the user pressed Ctrl-C while the YAML was being written

    monkeypatch.setattr(kb.writers, "dump_yaml", broken_dump)
    code = main(
        [
            "add",
            "--claims",
            str(root),
            *LAYERS,
            "--file",
            str(path),
        ]
    )
    assert code == 130
    assert path.read_text(encoding="utf-8") == EXISTING
    assert sorted(os.listdir(path.parent)) == ["hand.yaml"]


def test_interrupted_write_leaves_the_file_as_it_was(
    root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = root / "gpt-4" / "hand.yaml"
    path.parent.mkdir()
    path.write_text(EXISTING, encoding="utf-8")

    def crash(fd: int) -> None:
        os.write(fd, b"half a file")  # part of the new text is on disk...
        raise OSError(28, "No space left on device")  # ...when the disk fills

    monkeypatch.setattr(kb.atomic.os, "fsync", crash)
    code, _, err = kb_add(
        root,
        capsys,
        *LAYERS,
        "--file",
        str(path),
    )
    assert code == 1
    assert "No space left on device" in err and "the file is as it was" in err
    assert path.read_text(encoding="utf-8") == EXISTING
    assert sorted(os.listdir(path.parent)) == ["hand.yaml"]


def test_atomic_write_keeps_the_mode_and_replaces_in_one_step(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("old\n")
    path.chmod(0o640)
    kb.writers.atomic_write_text(path, "new\n")
    assert path.read_text() == "new\n"
    assert path.stat().st_mode & 0o777 == 0o640
    assert os.listdir(tmp_path) == ["a.yaml"]


def test_atomic_create_refuses_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    kb.writers.atomic_create(path, b"one")
    with pytest.raises(FileExistsError):
        kb.writers.atomic_create(path, b"two")
    assert path.read_bytes() == b"one"
    assert os.listdir(tmp_path) == ["a.txt"]


# --- reading quotes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quote", "unit", "value", "read_unit", "qualifier"),
    [
        ("~13 trillion tokens", "token", "13", "trillion token", "about"),
        ("170万美元", "USD", "170", "wan USD", None),
        ("成本约为170万美元", "USD", "170", "wan USD", "about"),
        ("0.177美分", "USD", "0.177", "cent", None),
        ("需花费约0.177美分", "USD/kilotoken", "0.177", "cent/kilotoken", "about"),
        ("0.053美分左右", "USD/kilotoken", "0.053", "cent/kilotoken", "about"),
        ("它大约有 1.8 万亿个参数，跨越 120 层", "parameter", "1.8", "trillion parameter", "about"),
        ("它大约有 1.8 万亿个参数，跨越 120 层", "layer", "120", "layer", None),
        ("$0.10 - $1.00 per GPU-hour", "USD/GPU/hour", ["0.10", "1.00"], "USD/GPU/hour", None),
        ("2.15 × 10^25 FLOP", "FLOP", "2.15e25", "FLOP", None),
        ("2.15e25 FLOPs", "FLOP", "2.15e25", "FLOP", None),
        ("more than 1,000 engineers", "person", "1000", "engineer", "at_least"),
        ("up to 25,000 A100 GPUs", "GPU", "25000", "GPU", "at_most"),
        ("costs over $63 million", "USD", "63", "million USD", "at_least"),
        ("released March 14th 2023", "date", "2023-03-14", "date", None),
        ("finished training in August 2022", "date", "2022-08", "date", None),
        ("2023年3月", "date", "2023-03", "date", None),
        ("an MFU of 32% to 36%", "1", ["32", "36"], "percent", None),
        ("16 experts", "expert", "16", "expert", None),
        ("eight experts", "expert", "8", "expert", None),
        ("32k context", "token", "32", "thousand token", None),
        ("3亿", "token", "3", "yi token", None),
        ("1000万", "USD", "1000", "wan USD", None),
        ("5千万", "USD", "5", "thousand wan USD", None),
        # A rate per GPU per second is no GPU-second, nor a price per GPU a price per GPU-hour.
        ("About 150 TFLOP per GPU per second", "FLOP/s/GPU", "150", "TFLOP/GPU/second", "about"),
        ("$2 per GPU per hour", "USD/GPU/hour", "2", "USD/GPU/hour", None),
        ("3.3M GPU hours", "GPU*hour", "3.3", "million GPU_hour", None),
        ("2,000 tokens per second", "token/s", "2000", "token/second", None),
        # "the 7B model" is a model of 7 billion parameters.
        ("182 TFLOPS for the 7B model on thousand A800 GPUs", "parameter", "7", "billion parameter", None),
        ("达到了 7B 模型 182 TFLOPS 的吞吐", "parameter", "7", "billion parameter", None),
        # The 80GB of "A100 80GB GPUs" is the card's memory, not 80 GPUs.
        ("Hardware: 384 A100 80GB GPUs (48 nodes)", "GPU", "384", "GPU", None),
        ("Hardware: 384 A100 80GB GPUs (48 nodes)", "GB", "80", "GB", None),
    ],
)
def test_reading_quotes(quote: str, unit: str, value: object, read_unit: str, qualifier: str | None) -> None:
    found = choose(quote, unit_info(unit))
    assert len(found) == 1, found
    r = found[0]
    assert (r.value, r.unit, r.qualifier) == (value, read_unit, qualifier)


def test_value_flag() -> None:
    assert parse_value_flag("13") == "13"
    assert parse_value_flag("[0.10, 1.00]") == ["0.10", "1.00"]
    assert parse_value_flag("0.10..1.00") == ["0.10", "1.00"]
    assert parse_value_flag("2023-03-14") == "2023-03-14"


def test_a_chinese_about_anywhere_in_the_clause_counts() -> None:
    from kb.reading import readings

    found = {r.value: r.qualifier for r, _ in readings("GPT-4 的训练大约使用了 13 万亿个令牌")}
    assert found["13"] == "about"
    found = {r.value: r.qualifier for r, _ in readings("使用了 25 个处理器，历时 3 个月")}
    assert found["25"] is None and found["3"] is None


def test_a_reader_that_leaves_early_does_not_make_a_written_claim_look_unwritten(
    root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # `kb add ... | head -1`: printing the verdict fails once the claim is written; kb ends quietly
    # and does not say that the file is as it was.
    printed = []

    def closed_pipe(*args: object, **kwargs: object) -> None:
        if kwargs.get("file") is None and printed:
            raise BrokenPipeError(32, "Broken pipe")
        printed.append(args)

    monkeypatch.setattr("builtins.print", closed_pipe)
    code = main(
        ["add", "--claims", str(root), *shlex.split("--source en --quote '~13 trillion tokens'")]
        + ["--subject", "GPT-4", "--quantity", "training_tokens"]
    )
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert code == 0 and "as it was" not in err
    assert "id: en-training-tokens" in (root / "gpt-4" / "added.yaml").read_text(encoding="utf-8")


def test_the_quantitys_unit_written_after_a_number_picks_it() -> None:
    # "8-bit" is a number of the quote too; "10GB" writes the quantity's own unit (GB) after its 10.
    quote = "进行 2 至 3 轮对话后，8-bit 量化下 GPU 显存占用约为 10GB，4-bit 量化下仅需 6GB 占用。"
    memory = "inference_gpu_memory GPU memory"
    found = choose(quote[: quote.index("，4-bit")], unit_info("GB"), quantity=memory)
    assert [(r.value, r.unit, r.qualifier, r.note) for r in found] == [("10", "GB", "about", "")]
    # Two numbers followed by the unit: still asked, never one picked silently.
    assert len(choose(quote, unit_info("GB"), quantity=memory)) == 2


def test_a_model_size_is_no_count_of_something_else() -> None:
    # "on thousand A800 GPUs" has no number kb reads; "7B" names the model's size. kb add once
    # wrote "7 billion GPU" here (the unit taken from the quantity, with only a note).
    quote = "we achieved a throughput of 182 TFLOPS for the 7B model on thousand A800 GPUs"
    assert choose(quote, unit_info("GPU")) == []


def test_a_letter_glued_to_a_number_is_bytes_for_a_quantity_in_bytes() -> None:
    # Qwen's "a single A100-SXM4-80G GPU": kb add never offered 80 GB, and offered 80 GPUs.
    quote = "The profiling runs on a single A100-SXM4-80G GPU"
    assert [(r.value, r.unit) for r in choose(quote, unit_info("GB/GPU"))] == [("80", "GB/GPU")]
    assert [(r.value, r.unit) for r in choose(quote, unit_info("GB"))] == [("80", "GB")]
    assert choose(quote, unit_info("GPU")) == []
