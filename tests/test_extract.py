"""kb extract: every number of a document proposed in a draft, reviewed, and the accepted ones added."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from benchmarks.extract import SEEDS, score
from kb.cli import main
from kb.extract import sentences

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def root(claims_copy: Path) -> Path:
    return claims_copy


def kb(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out + out.err


def test_recall_on_the_four_seeds_is_at_least_95_percent() -> None:
    scores = [score(REPO / "claims", s) for s in SEEDS]
    found = sum(sum(s.found) for s in scores)
    claims = sum(len(s.found) for s in scores)
    assert found / claims >= 0.95, [(s.source, s.recall) for s in scores]
    kept = sum(sum(s.kept) for s in scores)
    assert kept / sum(len(s.kept) for s in scores) >= 0.5  # more real claims than noise


def test_a_sentence_wrapped_over_lines_is_one() -> None:
    text = "- A\ncomplex query (~1000 tokens) may take 1-10 Wh (~0.001–0.01\nkWh).\n- Next one.\n"
    assert [s for _, s in sentences(text)] == [
        "- A complex query (~1000 tokens) may take 1-10 Wh (~0.001–0.01 kWh).",
        "- Next one.",
    ]


def test_draft_marks_guesses_and_leaves_translations_empty(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = kb(capsys, "extract", "--claims", str(root), "csdn-chatgpt-cost-zh")
    assert code == 0, out
    draft = (root.parent / "drafts" / "csdn-chatgpt-cost-zh.yaml").read_text(encoding="utf-8")
    assert "Nothing here is a claim yet" in draft
    assert draft.count("review: pending") == len(re.findall(r"^  - review:", draft, re.M))
    assert "guessed: [quantity, subject, translation]" in draft
    assert 'translation: ""' in draft  # never a made-up translation
    assert "value: 0.177\n    unit: cent/kilotoken" in draft
    # The claims folder is untouched: a draft is not a claim.
    code, out = kb(capsys, "extract", "--claims", str(root), "csdn-chatgpt-cost-zh")
    assert code == 1 and "exists already; nothing written" in out


def _accept_first(draft: Path, translation: str) -> None:
    text = draft.read_text(encoding="utf-8")
    text = text.replace("review: pending", "review: accept", 1)
    text = text.replace('translation: ""', f'translation: "{translation}"', 1)
    draft.write_text(text, encoding="utf-8")


def test_accepting_adds_the_reviewed_claims(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kb(capsys, "extract", "--claims", str(root), "csdn-chatgpt-cost-zh")
    draft = root.parent / "drafts" / "csdn-chatgpt-cost-zh.yaml"
    _accept_first(draft, "ChatGPT's single training run cost about 1.7 million US dollars")
    code, out = kb(capsys, "extract", "--claims", str(root), "--accept", str(draft))
    assert code == 0, out
    assert "added 1 claims to claims/chatgpt/csdn-chatgpt-cost-zh.yaml (0 dropped, 11 still pending)" in out
    code, out = kb(capsys, "check", "--claims", str(root))
    assert code == 0, out


def test_an_accepted_proposal_without_translation_is_refused(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kb(capsys, "extract", "--claims", str(root), "csdn-chatgpt-cost-zh")
    draft = root.parent / "drafts" / "csdn-chatgpt-cost-zh.yaml"
    draft.write_text(draft.read_text(encoding="utf-8").replace("review: pending", "review: accept", 1))
    code, out = kb(capsys, "extract", "--claims", str(root), "--accept", str(draft))
    assert code == 1
    assert re.search(r"drafts/csdn-chatgpt-cost-zh.yaml:\d+:\d+: the translation is empty", out), out
    assert "csdn-chatgpt-cost-zh.yaml are not claims yet (1 problem(s))" in out and "1 proposal(s) of" in out
    assert not (root / "chatgpt" / "csdn-chatgpt-cost-zh.yaml").exists()
    # Two problems of one proposal are one proposal to fix.
    text = draft.read_text(encoding="utf-8")
    draft.write_text(re.sub(r"quantity: \S+", "quantity: no_such_quantity", text, count=1), encoding="utf-8")
    code, out = kb(capsys, "extract", "--claims", str(root), "--accept", str(draft))
    assert code == 1 and "1 proposal(s) of" in out and "(2 problem(s))" in out, out


def test_an_accepted_proposal_that_would_be_an_error_is_refused(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A reviewer changes a proposal's quantity but not the unit guessed for the old one, or edits a
    # value or quote so that they no longer agree: kb add refuses such a claim, and so does --accept,
    # naming the draft's line, instead of writing a claim that kb check then reports as an error.
    kb(capsys, "extract", "--claims", str(root), "csdn-chatgpt-cost-zh")
    draft = root.parent / "drafts" / "csdn-chatgpt-cost-zh.yaml"
    _accept_first(draft, "ChatGPT's single training run cost about 1.7 million US dollars")
    text = draft.read_text(encoding="utf-8")
    first = text.index("review: accept")
    head, tail = text[:first], text[first:]
    unit = re.search(r"unit: (.+)", tail)
    assert unit is not None
    draft.write_text(head + tail.replace(unit.group(0), "unit: token", 1), encoding="utf-8")
    code, out = kb(capsys, "extract", "--claims", str(root), "--accept", str(draft))
    assert code == 1, out
    assert re.search(r"drafts/csdn-chatgpt-cost-zh.yaml:\d+:\d+: unit 'token' measures", out), out
    assert not (root / "chatgpt" / "csdn-chatgpt-cost-zh.yaml").exists()
    # A value its quote does not state, and a quote its source does not hold.
    value = re.search(r"value: (.+)", tail)
    assert value is not None
    draft.write_text(head + tail.replace(value.group(0), "value: 999", 1), encoding="utf-8")
    code, out = kb(capsys, "extract", "--claims", str(root), "--accept", str(draft))
    assert code == 1 and "does not match its quote" in out, out
    quote = re.search(r'quote: "(.+)"', tail)
    assert quote is not None
    draft.write_text(
        head + tail.replace(quote.group(1), "ChatGPT 训练成本约为 999 万美元", 1), encoding="utf-8"
    )
    code, out = kb(capsys, "extract", "--claims", str(root), "--accept", str(draft))
    assert code == 1 and "quote not found in source csdn-chatgpt-cost-zh" in out, out
    assert not (root / "chatgpt" / "csdn-chatgpt-cost-zh.yaml").exists()


def test_unknown_and_unarchived_sources_are_refused(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = kb(capsys, "extract", "--claims", str(root), "csdn-chatgpt-cost")
    assert code == 1 and "no source 'csdn-chatgpt-cost'" in out and "csdn-chatgpt-cost-zh" in out
    code, out = kb(capsys, "extract", "--claims", str(root), "semianalysis-gpt4")
    assert code == 1 and "not archived here" in out


def test_model_names_keep_their_size_and_skip_dates_and_sentence_starts() -> None:
    from kb.subjects import model_names

    text = (
        "ChatGLM-6B and ChatGLM2-6B run on one GPU. Since 2020 we trained The 20 models; "
        "Llama 3.1 405B and Llama 3 8B came in April 2024."
    )
    names = set(model_names(text))
    assert {"ChatGLM-6B", "ChatGLM2-6B", "Llama 3.1 405B", "Llama 3 8B"} <= names
    assert not names & {"ChatGLM-6", "Since 2020", "The 20", "April 2024"}
    # BLOOM's card: a count's qualifier and a document's version are no models.
    text = "* Additional 32 A100 80GB GPUs (4 nodes) in reserve\n*Version 1.0.0, NVLink 4, Article 9 GDPR"
    assert set(model_names(text)) == {"NVLink 4"}


def test_a_subject_is_named_as_a_whole_word() -> None:
    from kb.subjects import mentions as _mentions

    text = "Llama 3.1 beats Llama 30; Llama 3 was first. ChatGPT的成本 and ChatGPT."
    assert [m.start() for m in _mentions("Llama 3", text)] == [text.index("Llama 3 was")]
    assert len(_mentions("ChatGPT", text)) == 2  # a Chinese character after a name ends it


def test_accepted_claims_of_unrelated_subjects_go_to_the_most_common_ones_folder(tmp_path: Path) -> None:
    from kb.commands.extract import _default_file

    def claim(subject: str) -> dict[str, object]:
        return {"subject": subject, "sources": [{"source": "doc"}]}

    glm = [claim("ChatGLM-6B"), claim("ChatGLM-6B"), claim("ChatGLM2-6B"), claim("CodeGeeX2-6B")]
    assert _default_file(tmp_path, glm) == tmp_path / "chatglm-6b" / "doc.yaml"
    llama = [claim("Llama 3 8B"), claim("Llama 3 70B")]
    assert _default_file(tmp_path, llama) == tmp_path / "llama-3" / "doc.yaml"
    pythia = [claim(f"Pythia-{size}") for size in ("70M", "160M", "410M", "1B", "1.4B", "2.8B")]
    assert _default_file(tmp_path, pythia) == tmp_path / "pythia" / "doc.yaml"
    leak = [claim("GPT-4"), claim("GPT-4"), claim("GPT-3")]  # the document's subject, not "GPT"
    assert _default_file(tmp_path, leak) == tmp_path / "gpt-4" / "doc.yaml"


def test_a_unit_symbol_after_a_number_is_its_unit_not_a_name() -> None:
    from kb.extract import _symbol_unit
    from kb.reading import readings

    def first(text: str) -> tuple[str, str, bool]:
        reading = readings(text)[0][0]
        got, named = _symbol_unit(reading, text[reading.end :])
        return got.unit, text[got.start : got.end], named

    assert first("最低只需 6GB 显存") == ("GB", "6GB", True)
    assert first("| 13 GB | 14 GB |") == ("GB", "13 GB", True)
    assert first("13 in the table")[2] is False  # a word that pint knows (inch) is no symbol
    assert first("8 million of them")[2] is False  # a scale word is read as one elsewhere


def test_a_pure_number_is_a_quantity_only_where_its_own_clause_names_it() -> None:
    from collections import Counter

    from kb.guessing import Context, Vocabulary
    from kb.model import Quantity
    from kb.reading import readings

    rows = Quantity(id="instruction_rows", label="Rows of fine-tuning instructions", unit="1")
    vocabulary = Vocabulary({"instruction_rows": rows}, Counter())
    reading = readings("82.0")[0][0]
    # A score in a table after "instruction tuned models": the words are near, not the number's own.
    near = Context(clause=set(), sentence=set(), before={"instruction", "tuned"})
    assert vocabulary.guess(reading, False, near)[0] is None
    own = Context(clause={"rows", "instructions"}, sentence=set(), before=set())
    found = vocabulary.guess(reading, False, own)[0]
    assert found is not None and found.id == "instruction_rows"


def test_labels_and_counts_of_nothing_measured_are_not_proposed() -> None:
    from collections import Counter

    from kb import contents
    from kb.extract import propose
    from kb.guessing import Vocabulary

    vocabulary = Vocabulary(contents.load(REPO / "claims").quantities, Counter())
    text = (
        "This is version 1 of the model, described in Table 2.\n\n"
        "We trained only one model of each size.\n\n"
        "It was trained on eight GPUs for 21 days, with 2 trillion tokens.\n"
    )
    found = {(p.reading.text, p.unit) for p in propose(text, vocabulary, ["LLaMA"], "LLaMA")}
    assert found == {("eight", "GPU"), ("21", "day"), ("2 trillion", "trillion token")}


def _vocabulary() -> object:
    from collections import Counter

    from kb import contents
    from kb.guessing import Vocabulary

    return Vocabulary(contents.load(REPO / "claims").quantities, Counter())


def test_an_html_table_of_th_cells_is_read_under_its_last_header_row() -> None:
    """LLaMA's card: a <thead> of two rows (the first spanning columns), a body written in <th>
    cells, rows left unclosed. Each body number is read once, under its own column's header."""
    from kb.extract import propose

    text = (
        "<table><thead><tr><th>LLaMA</th> <th colspan=3>Model hyper parameters</th></tr>\n"
        "<tr><th>Number of parameters</th><th>n heads</th><th>n layers</th><th>n tokens</th></tr>\n"
        "</thead><tbody>\n"
        "<tr><th>7B</th><th>32</th><th>30</th><th>1T</th></tr>\n"
        "<tr><th>65B</th><th>64</th><th>80</th><th>1.4T\n</th>\n"
        "</tbody></table>\n"
    )
    proposals = propose(text, _vocabulary(), ["LLaMA"], "LLaMA")  # type: ignore[arg-type]
    got = {(p.reading.text, p.quantity or p.unit.split()[-1]) for p in proposals}
    for size, heads, layers, tokens in [("7B", "32", "30", "1T"), ("65B", "64", "80", "1.4T")]:
        assert (heads, "attention_heads") in got and (layers, "layers") in got
        assert (size, "total_parameters") in got
        assert any(p.reading.text == tokens and p.unit == "trillion token" for p in proposals)
    assert len(proposals) == 8  # each number once: no header cell, no row read twice


def test_a_column_named_d_model_is_the_model_width() -> None:
    from kb.extract import propose

    text = "| Params | n_layers | d_model | n_heads |\n|---|---|---|---|\n| Pythia-70M | 6 | 512 | 8 |\n"
    proposals = propose(text, _vocabulary(), ["Pythia-70M"], "Pythia")  # type: ignore[arg-type]
    assert {(p.reading.text, p.quantity) for p in proposals} >= {("512", "model_width"), ("6", "layers")}


def test_a_count_of_a_noun_kb_does_not_know_borrows_no_unit() -> None:
    """Pythia's "143000 steps at a batch size of 2,097,152 tokens": the steps are no batch of
    143000 tokens. A word that is no noun ("200B each"), or a unit a few words on, still lets the
    number take the unit its sentence names."""
    from kb.extract import propose

    text = (
        "All models were trained for the equivalent of 143000 steps at a batch size of 2,097,152 tokens.\n\n"
        "It has been trained on over 400 billion text tokens (200B each for Chinese and English).\n\n"
        "We pre-train it on 14.8 trillion diverse and high-quality tokens.\n\n"
        "It was trained on 2 different datasets and supports a 32k context.\n"
    )
    proposals = {p.reading.text: p for p in propose(text, _vocabulary(), ["Pythia"], "Pythia")}  # type: ignore[arg-type]
    steps = proposals.get("143000")
    assert steps is None or (steps.unit == "1" and steps.quantity in (None, "training_steps"))
    assert proposals["2,097,152"].unit == "token"
    assert proposals["200B"].unit == "billion token"
    assert proposals["14.8 trillion"].unit == "trillion token"
    assert "2" not in proposals or proposals["2"].unit == "1"  # datasets counted, no tokens borrowed
    assert proposals["32k"].unit == "thousand token"  # a singular noun qualifies: a context length


@pytest.mark.parametrize(
    ("after", "noun"),
    [
        (" steps at a batch size", "steps"),
        (" pre-training steps, then", "steps"),
        (" multi-choice question answering tasks concerning human knowledge", "tasks"),
        (" each for Chinese and English", None),
        (" activated for each token", None),
        (" diverse and high-quality tokens", None),
        (" DGX-A100 nodes", None),
        (" | 4M |", None),
    ],
)
def test_the_noun_a_number_counts(after: str, noun: str | None) -> None:
    from kb.words import counted_noun

    assert counted_noun(after) == noun


def test_a_prefix_letter_glued_to_a_number_is_bytes_where_the_context_says_so() -> None:
    """GLM-130B's "A100 (40G * 8)" and "checkpoint file is up to 260G": gigabytes; but not where
    nothing speaks of memory or storage ("2.5T web-crawled corpora", "a 5G network")."""
    from kb.extract import propose

    text = (
        "It runs inference on a single A100 (40G * 8) server.\n\n"
        "Since the checkpoint file is up to 260G, use an SSD or a RAM disk.\n\n"
        "The model was pre-trained over 2.5T web-crawled corpora.\n\n"
        "The model needs 1.2T of disk.\n\n"
        "It was trained on 4 million tokens over a 5G network.\n"
    )
    got = {p.reading.text: p.unit for p in propose(text, _vocabulary(), ["GLM-130B"], "GLM-130B")}
    assert got["40G"] == "GB" and got["260G"] == "GB" and got["1.2T"] == "TB"
    assert got.get("2.5T", "trillion").startswith("trillion")
    assert all(u != "GB" for t, u in got.items() if t.startswith("5"))  # a 5G network


def test_a_prose_number_is_about_the_nearest_name_or_the_documents_common_name() -> None:
    """Pythia's README, new to the knowledge base: a number is about the model named before it in
    its sentence; any other is about "Pythia", the family of the sizes it names, not whichever
    size it names most. A table row labelled by a size is that size's model."""
    from dataclasses import replace
    from types import SimpleNamespace

    from kb import contents
    from kb.extract import extract_source

    empty = replace(contents.load(REPO / "claims"), claims={})
    text = (
        "# Pythia\n\nThe Pythia suite has models from Pythia-70M to Pythia-12B.\n\n"
        "Pythia-1.4B and Pythia-1.4B-deduped were retrained; Pythia-1.4B is the one we study most.\n\n"
        "Each model saw 299.9B tokens during training.\n\n"
        "Pythia-12B was trained with a batch size of 2M tokens.\n\n"
        "| Params | n_layers |\n|---|---|\n| 70M | 6 |\n"
    )
    source = SimpleNamespace(text=text, meta=SimpleNamespace(title="Pythia: a suite for analysis"))
    subjects = {p.reading.text: p.subject for p in extract_source(empty, source)}  # type: ignore[arg-type]
    assert subjects["299.9B"] == "Pythia"
    assert subjects["2M"] == "Pythia-12B"
    assert subjects["6"] == "Pythia-70M"  # the row's size, written as the document writes it


def test_only_the_numbers_own_column_says_it_is_bytes() -> None:
    """Qwen's README (not tuned on): "2.2T" under "# of Pretrained Tokens" stays 2.2 trillion
    tokens, though the next column speaks of GPU memory; "(2xA100)" after a figure is no part of it."""
    from kb.extract import propose

    text = (
        "| Model | # of Pretrained Tokens | Minimum GPU Memory Usage |\n|---|---|---|\n"
        "| Qwen-7B | 2.4T | 11.5GB |\n\n"
        "Generating with Qwen-72B needs 144.69GB (2xA100) of GPU memory.\n"
    )
    got = {p.reading.text: p.unit for p in propose(text, _vocabulary(), ["Qwen-7B", "Qwen-72B"], "Qwen")}  # type: ignore[arg-type]
    assert got["2.4T"] == "trillion token" and got["11.5"] == "GB"
    assert "2" not in got


def test_a_short_family_name_with_sizes_is_a_name_and_an_accelerator_no_document_subject() -> None:
    """Yi's README (not tuned on): "Yi-34B" is a model's name though "Yi" has two letters; the
    "Chat-4" of "Yi-6B-Chat-4bits" is none; the RTX 4090 it names in every memory table is
    hardware, not what the document is about."""
    from kb.subjects import document_subject, model_names

    text = (
        "The Yi series: Yi-6B and Yi-34B. Yi-34B runs on 4 x RTX 4090 (24 GB).\n"
        "| Yi-6B-Chat-4bits | 4 GB | 1 x RTX 4090 (24 GB) |\n"
        "| Yi-34B-Chat-4bits | 20 GB | 1 x RTX 4090 (24 GB) |\n"
        "| Yi-34B-Chat-8bits | 38 GB | 2 x RTX 4090 (24 GB) |\n"
    )
    names = model_names(text)
    assert {"Yi-6B", "Yi-34B"} <= set(names) and not any(n.startswith("Chat") for n in names)
    assert document_subject(text, sorted(names), [], "Yi") == "Yi-34B"


def test_a_number_format_or_a_form_factor_is_no_models_name() -> None:
    """GLM-130B's "With INT4 quantization, ... 4 * RTX 3090": the figures are GLM-130B's, not INT4's."""
    from kb.subjects import model_names

    assert set(model_names("With INT4 or Int8 quantization, BF16 or FP8, on an A100-SXM4-80G")) == set()
    assert set(model_names("GLM-130B with INT4 quantization")) == {"GLM-130B"}


def _propose(text: str, subjects: list[str], fallback: str, title_model: str | None = None) -> list:  # type: ignore[type-arg]
    from kb.extract import propose

    if title_model is None:
        return propose(text, _vocabulary(), subjects, fallback)  # type: ignore[arg-type]
    return propose(text, _vocabulary(), subjects, fallback, title_model)  # type: ignore[arg-type]


def test_a_clock_time_a_day_of_a_month_and_a_periods_year_are_no_figures() -> None:
    """The OPT-175B note: "at 12:46pm PST on January 6", "[November 17th update]", "by the end of
    H2 2021" were proposed as token counts; "experiments 12.xx" and "7 out of 10 tasks" too."""
    text = (
        "As of yesterday, at 12:46pm PST on January 6, our 175B model completed its run on 300B tokens.\n\n"
        "* [November 17th update](./10_percent_update.md) @ 10%: mainly faced issues\n\n"
        "We had to deliver by the end of H2 2021 with 180B tokens.\n\n"
        "These notes cover ~90 restarts of this model (experiments 12.xx).\n\n"
        "Qwen-72B outperforms GPT-3.5 on 7 out of 10 tasks and uses 2048 tokens.\n"
    )
    got = {p.reading.text for p in _propose(text, ["GPT-3.5", "Qwen-72B"], "OPT-175B")}
    assert not got & {"12", "46", "6", "17", "2021", "7"}
    assert {"175B", "300B", "180B", "10%"} <= got


def test_a_dotted_date_is_one_date() -> None:
    """Qwen's news: "2023.11.30", "2023.9.12" are dates, not 2023.11 tokens or 2023.9 FLOP."""
    from kb.reading import readings

    assert [r.describe() for r, _ in readings("* 2023.9.12 We now support finetuning")] == ["2023-09-12 date"]
    assert "2023.11 token" not in {
        p.reading.describe() for p in _propose("* 2023.11.30 We release it", [], "Q")
    }


def test_a_size_before_a_models_name_or_scale_is_its_parameters() -> None:
    """ "The 175B GPT-3 model", "at 175B scale", "A 1.1T Mixture-of-Experts model", "For 1.1T MoE":
    a model's size, not FLOPs or human languages."""
    from kb.reading import readings

    for quote in (
        "The 175B GPT-3 model trained by OpenAI required",
        "training at 175B scale for 14 days",
        "A 1.1T Mixture-of-Experts model requires",
        "For 1.1T MoE, that ratio is",
        "For this 175B (dense) model, that ratio",
    ):
        assert readings(quote)[0][0].unit.endswith("parameter"), quote
    assert readings("trained on 3T tokens")[0][0].unit == "trillion token"


def test_the_size_ending_a_models_name_is_that_models_parameters() -> None:
    """ "Qwen-72B achieves better performance than LLaMA2-70B": 70 billion parameters of
    LLaMA2-70B, not a throughput of Qwen-72B; a table row labelled by a size alone is the size of
    that row's model, not a batch of tokens."""
    got = _propose(
        "Qwen-72B achieves better performance than LLaMA2-70B on all tasks.",
        ["Qwen-72B", "LLaMA2-70B"],
        "Qwen",
    )
    size = [p for p in got if p.reading.text == "70B"]
    assert [(p.unit, p.subject) for p in size] == [("billion parameter", "LLaMA2-70B")]
    table = (
        "<table><tr><th>Model Size</th><th>Quantization</th><th>Speed (Tokens/s)</th></tr>\n"
        '<tr><td rowspan="2">1.8B</td><td>BF16</td><td>54.09</td></tr>\n'
        "<tr><td>Int8</td><td>55.56</td></tr></table>\n"
    )
    sizes = [p for p in _propose(table, ["Qwen-1.8B"], "Qwen") if p.reading.text == "1.8B"]
    assert [(p.unit, p.subject) for p in sizes] == [("billion parameter", "Qwen-1.8B")]


def test_memory_before_an_accelerators_name_is_each_ones_memory() -> None:
    """ "1024 80GB A100s": each A100 has 80 GB (gpu_memory_per_gpu), it is no training data; an
    accelerator's model number ("Ascend 910") is no figure."""
    text = (
        "roughly ~33 days of continuous training on 1024 80GB A100s (assuming no hardware issues).\n\n"
        "Additionally, support the inference on **Ascend 910** and **Hygon DCU**.\n"
    )
    got = {p.reading.text: (p.unit, p.quantity) for p in _propose(text, [], "OPT-175B")}
    assert got["80"] == ("GB/GPU", "gpu_memory_per_gpu")
    assert "910" not in got and not any(t.startswith("910") for t in got)


def test_the_model_a_title_names_is_the_documents_subject() -> None:
    """The OPT-175B note names GPT-3 four times, to compare; OPT-175B only in its title."""
    text = "Our 175B model trained on 300B tokens. The 175B GPT-3 model needed 14.8 days. GPT-3 GPT-3\n"
    got = {p.reading.text: p.subject for p in _propose(text, ["GPT-3"], "175B run", "OPT-175B")}
    assert got["300B"] == "OPT-175B" and got["14.8"] == "GPT-3"


def test_a_long_table_rows_quote_is_cut_at_a_pipe_never_inside_a_link() -> None:
    """Qwen's models table: "| 1.8B | <a href=\"https" was the quote (cut at the link's colon)."""
    link = '<a href="https://huggingface.co/Qwen/Qwen-1_8B-Chat">🤗</a>'
    text = f"| | Qwen-Chat | Qwen-Chat (Int4) |\n|---|---|---|\n| 1.8B | {link * 4} | {link * 4} |\n"
    quotes = [p.quote for p in _propose(text, ["Qwen-1.8B"], "Qwen") if p.reading.text == "1.8B"]
    assert quotes and all(q.endswith("|") and "https" not in q.split("|")[-2][-6:] for q in quotes)
    assert quotes[0].startswith("| 1.8B |")


def test_a_lost_exponent_is_read_as_one_figure_with_a_note() -> None:
    """ "3.14+23 FLOPs" is 3.14E+23 with its E lost: one figure, not 3.14 of something and 23 FLOP;
    the draft says how it was read, for the reviewer to check against the document."""
    text = (
        "The 175B GPT-3 model trained by OpenAI required 14.8 days of compute on 10,000 V100s, and "
        "consumed 3.14+23 FLOPs.\nA 1.1T Mixture-of-Experts model requires ~2.16+22 FLOPs of compute."
    )
    found = _propose(text, ["GPT-3"], "GPT-3")
    got = {p.reading.text: p for p in found}
    assert (got["3.14+23"].reading.value, got["3.14+23"].reading.unit) == ("3.14e23", "FLOP")
    assert got["3.14+23"].quantity == "training_compute"
    assert "'3.14+23' without its E: read as 3.14e23" in got["3.14+23"].reading.note
    assert got["~2.16+22"].reading.value == "2.16e22"
    assert not {"3.14", "23", "2.16", "22"} & set(got)


@pytest.mark.parametrize(
    ("quote", "described"),
    [
        (
            "它们在 3T tokens上进行训练，并支持 32k 上下文",
            "32 thousand",
        ),  # 上下文 is context, not 上下 "about"
        ("覆盖多语言，总量高达3万亿token。", "3 trillion token (at_most)"),  # 高达, "up to"
        ("pretrained for up to 3 trillion tokens of data", "3 trillion token (at_most)"),
    ],
)
def test_chinese_qualifier_marks_are_read_as_whole_words(quote: str, described: str) -> None:
    from kb.reading import readings

    assert readings(quote)[-1][0].describe() == described


def test_a_camel_case_name_is_no_quantitys_word_and_a_rate_header_no_count() -> None:
    """Qwen's tables: "HumanEval" scores were human_languages; "Speed (Tokens/s)" made each speed a
    count of training tokens."""
    from kb.guessing import words

    assert "human" not in words("| Model | MMLU | HumanEval | TruthfulQA |")
    table = (
        "<table><tr><th>Model Size</th><th>Quantization</th><th>Speed (Tokens/s)</th></tr>\n"
        '<tr><td rowspan="2">7B</td><td>BF16</td><td>40.93</td></tr>\n'
        "<tr><td>Int8</td><td>37.47</td></tr></table>\n"
    )
    speeds = [p for p in _propose(table, ["Qwen-7B"], "Qwen") if p.reading.text in ("40.93", "37.47")]
    assert speeds and all(p.unit == "token/second" and p.quantity != "training_tokens" for p in speeds)


def test_a_context_length_written_with_k_stays_as_written_with_a_note_that_k_may_be_1024() -> None:
    """ "32K" is read as 32 thousand tokens (the claim says what the source says, so kb check's
    verdicts do not move), and the draft says it may be 32,768."""
    got = [
        p for p in _propose("Qwen-72B supports the max context length of 32K tokens.\n", ["Qwen-72B"], "Qwen")
    ]
    assert [(p.reading.value, p.unit, p.quantity) for p in got] == [
        ("32", "thousand token", "context_length")
    ]
    assert "32,768" in got[0].reading.note and "31,500 to 32,500" in got[0].reading.note
    # The interval it says kb reads is kb's own: "100K" has trailing zeros, read as rounding too.
    from kb.figures import binary_k
    from kb.reading import Reading

    note = binary_k(Reading("100", "thousand token", None, "100K"), "context_length").note
    assert "102,400" in note and "50,000 to 150,000" in note
    # Its qualifier aside: "at least 32K" has no top, and the note says what the number reads as.
    note = binary_k(Reading("32", "thousand token", "at_least", "32K"), "context_length").note
    assert "31,500 to 32,500" in note


def test_a_benchmarks_name_is_no_word_of_a_quantity_and_large_scale_no_parameters() -> None:
    """ "Humaneval" scores were human_languages (human + eval); "大规模" (large-scale) made Qwen's
    "总量高达3万亿token" a count of tokens per parameter."""
    from kb.guessing import related, words

    assert not related("human", "humaneval") and related("context", "contextual")
    assert related("train", "training") and related("hour", "hourly")
    assert "parameters" not in words("稳定训练了大规模高质量的数据") and "parameters" in words("模型规模")


def test_the_paragraphs_before_a_table_say_its_g_is_memory() -> None:
    """Qwen's finetuning table: "We profile the memory (GB) and speed (s/iter) ..." two paragraphs
    before it; its cells "5.8G / 1.4s/it" hold 5.8 GB, not 5.8 tokens of context."""
    text = (
        "We profile the memory (GB) and speed (s/iter) of inputs of different lengths.\n\n"
        "For Qwen-72B, we experiment in two ways.\n\n"
        "The statistics are listed below:\n\n"
        "<table><tr><th>Model Size</th><th>Method</th><th>256</th><th>512</th></tr>\n"
        "<tr><th>1.8B</th><td>Q-LoRA</td><td>5.8G / 1.4s/it</td><td>6.0G / 1.4s/it</td></tr></table>\n"
    )
    got = {p.reading.text: p.unit for p in _propose(text, ["Qwen-1.8B"], "Qwen")}
    assert got.get("5.8G") == "GB" and got.get("6.0G") == "GB"
    assert not any(t.startswith("1.4") for t in got)
    full = text.replace("Q-LoRA", "Full-parameter").replace("1.4s/it", "2.1s/it")
    assert not any(p.reading.text.startswith("2.1") for p in _propose(full, ["Qwen-1.8B"], "Qwen"))


def test_a_size_ending_a_longer_name_than_kb_knows_is_not_given_its_tail() -> None:
    """InternLM's README: "the InternLM Chat 7B model" is no model "Chat 7B"."""
    text = "InternLM 7B is here. InternLM 7B is open.\n\nYou can talk to the InternLM Chat 7B model here.\n"
    got = [p for p in _propose(text, ["Chat 7B", "InternLM 7B"], "InternLM") if "Chat" in p.quote]
    assert [(p.unit, p.subject) for p in got] == [("billion parameter", "InternLM 7B")]


def test_software_versions_are_no_figures_and_a_size_after_a_slash_is_the_siblings() -> None:
    """Qwen's README: "(72B + vLLM uses PyTorch 2.1.0 and Cuda 11.8.)" gave FLOP per token;
    "Qwen-1.8B/7B" gave 7 billion tokens; a row labelled "72B + vLLM" a batch of 72 billion tokens."""
    text = (
        "(72B + vLLM uses PyTorch 2.1.0 and Cuda 11.8.) We install `peft>=0.8.0` and CUDA 11.4.\n\n"
        "We extend the context of Qwen-1.8B/7B from 8K to 32K tokens.\n\n"
        "| Model Size | Quantization | Speed (Tokens/s) |\n|---|---|---|\n| 72B + vLLM | BF16 | 17.60 |\n"
    )
    got = _propose(text, ["Qwen-1.8B", "Qwen-7B"], "Qwen")
    texts = {p.reading.text for p in got}
    assert not texts & {"2.1", "11.8", "0.8", "11.4", "2.1.0"}
    assert [(p.unit, p.subject) for p in got if p.reading.text == "7B"] == [("billion parameter", "Qwen-7B")]
    assert {p.unit for p in got if p.reading.text == "72B" and p.quote.startswith("|")} == {
        "billion parameter"
    }


def test_names_and_versions_are_bounded_by_latin_letters_not_chinese_ones() -> None:
    """Qwen's README in Chinese: "建议使用CUDA 11.4及以上" gave 11.4 W/GPU, "单张A100-SXM4-80G GPU" 80 GPUs:
    \\b does not separate a Chinese character from a Latin one. "ZeRO 3" is no model's name."""
    from kb.subjects import model_names

    text = "* 建议使用CUDA 11.4及以上\n\n评测运行于单张A100-SXM4-80G GPU，使用CUDA 11.8和Pytorch 2.0。\n"
    got = {p.reading.text: p.unit for p in _propose(text, [], "Qwen")}
    assert got == {"80G": "GB/GPU"}
    assert not model_names("DeepSpeed ZeRO 3 and Zero3, CUDA 11.8") and model_names("Qwen-7B")
    # A name written against Chinese characters is still a name (its ends are Latin letters' ends).
    assert set(model_names("通义千问Qwen-14B和Qwen-7B模型")) == {"Qwen-14B", "Qwen-7B"}


def test_a_long_row_without_a_leading_pipe_quotes_its_first_cell() -> None:
    """A row that does not begin with a pipe, whose first cell is the number's and longer than a quote
    may be: the quote is that cell, not the empty text a search for the pipe before it gave."""
    from kb.extract import MAX_QUOTE, _cited
    from kb.reading import Reading

    row = "trained on 2 trillion tokens " + "x" * MAX_QUOTE + " | 7B | 4096 | more cells |"
    reading = Reading("2", "trillion token", None, "2 trillion tokens", start=11, end=28)
    quote = _cited(row, row, reading)
    assert quote.startswith("trained on 2 trillion tokens") and quote.endswith("|")


@pytest.mark.parametrize(
    ("quote", "unit"),
    [
        ("使用了 8 块显卡", "GPU"),  # eight graphics cards
        ("训练使用了 1024 块卡", "GPU"),  # 1,024 cards: accelerators
        ("256 颗芯片", "GPU"),
        ("共 100 万卡时", "wan GPU*hour"),  # card-hours
        ("大约使用了 13 万亿个令牌", "trillion token"),  # 令牌: a token, in some translations
    ],
)
def test_chinese_nouns_of_accelerators_and_tokens(quote: str, unit: str) -> None:
    from kb.reading import readings

    assert readings(quote)[0][0].unit == unit


def test_what_a_chinese_classifier_counts_lends_it_no_unit() -> None:
    """ "67 个主题" counts topics: no gigabytes borrowed from a README's memory tables."""
    text = "推理需要 15.3 GB 显存。CMMLU 是一个包含 67 个主题的中文评估基准，MATH 包含 12,500 个数学问题。"
    got = {p.reading.text: p.reading.unit for p in _propose(text, ["Baichuan2"], "Baichuan2")}
    assert got.get("15.3") == "GB"
    assert "67" not in got and "12,500" not in got


def test_device_numbers_are_no_figures() -> None:
    """The Baichuan2 README: "CUDA_VISIBLE_DEVICES=0,1" and "0、1号显卡" were proposed as 0 and 1 GB."""
    text = "类似 `export CUDA_VISIBLE_DEVICES=0,1`（使用了0、1号显卡）的方式控制。推理需要 15.3 GB 显存。"
    assert [p.reading.text for p in _propose(text, ["Baichuan2"], "Baichuan2")] == ["15.3"]


def test_sizes_listed_before_a_models_versions_are_parameters() -> None:
    """The Baichuan2 README: "7B、13B 的 Base 和 Chat 版本" read as 7 billion bits per parameter."""
    from kb.reading import readings

    found = readings("本次发布包含有 7B、13B 的 Base 和 Chat 版本，并提供了 Chat 版本的 4bits 量化")
    sizes = [(r.value, r.unit) for r, _ in found][:2]
    assert sizes == [("7", "billion parameter"), ("13", "billion parameter")]


def test_a_row_of_a_family_and_a_size_is_that_models() -> None:
    """The Cerebras-GPT card: rows "| Cerebras-GPT | 111M | 10 | ..." were all given "GPT 13B", the
    tail of the title's name; a row labelled by a size alone is the family's model of that size."""
    text = (
        "# Cerebras-GPT 13B\n\n"
        "| Model | Parameters | Layers | d_model |\n|---|---|---|---|\n"
        "| Cerebras-GPT | 111M | 10 | 768 |\n| Cerebras-GPT | 256M | 14 | 1088 |\n\n"
        "Model Params | Sequence Length | Batch Size\n---|---|---\n111M | 2048 | 120\n"
    )
    got = {(p.reading.text, p.subject) for p in _propose(text, [], "Cerebras-GPT")}
    assert ("10", "Cerebras-GPT 111M") in got and ("1088", "Cerebras-GPT 256M") in got
    assert ("2048", "Cerebras-GPT 111M") in got


def test_a_d_head_column_is_the_width_of_a_head() -> None:
    text = "| Model | Params | Layers | Heads | d_head |\n|---|---|---|---|---|\n"
    text += "| Foo-1B | 1.3B | 24 | 16 | 128 |\n"
    got = {p.reading.text: p.quantity for p in _propose(text, ["Foo-1B"], "Foo")}
    assert got["16"] == "attention_heads" and got["128"] == "attention_head_width"


def test_a_total_row_is_no_model_of_its_first_figure() -> None:
    """The Llama 3 card's training table: "| Total | 7.7M | ..." under GPU hours is no "Total 7.7M"."""
    text = "| Model | Time (GPU hours) | Power |\n|---|---|---|\n"
    text += "| Llama 3 8B | 1.3M | 700 |\n| Total | 7.7M | |\n"
    assert "Total 7.7M" not in {p.subject for p in _propose(text, ["Llama 3 8B"], "Llama 3")}


def test_how_a_benchmark_is_run_is_no_figure() -> None:
    """ "Pass@1", "3-shot": a vocabulary with a count of benchmark items read them as 1 and 3 items."""
    text = "| Benchmark | Shots | Score |\n|---|---|---|\n| HumanEval (Pass@1) | 0-shot | 65.2 |\n"
    text += "| DROP (3-shot F1) | 3 | 91.6 |\n"
    got = [p.reading.text for p in _propose(text, ["DeepSeek-V3"], "DeepSeek-V3")]
    assert "1" not in got and "0" not in got
