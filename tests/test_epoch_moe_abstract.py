"""A mixture-of-experts model that only its abstract says is one.

K-EXAONE (Epoch's notable models as exported on 2026-02-16, GitHub rauletorresc/llmfit, "data/Epoch
Database - Notable Models.csv" at commit a652be3) has a parameters cell of 236 billion, the notes
"236B" and no compute notes, while its abstract says "a Mixture-of-Experts architecture with 236B
total parameters, activating 23B parameters": its compute 1.52e24 is 6 x 23B x 11T tokens, and
6 x 236B x 11T is ten times more, an upper bound only. Qwen1.5-14B (2025-08 release) is a dense
model whose abstract mentions another model of the same size that is one ("an MoE model of 14B
with 2.7B activated"): it stays dense. Its copy below has a compute ten times too small (edited),
which the dense equality flags and an MoE bound would not.
"""

from __future__ import annotations

import pytest
from test_import_epoch import LEADING_COLUMNS, import_rows

from kb import contents
from kb.importers.epoch.notes import moe_in_abstract
from kb.results import Results
from kb.verdicts import Verdict

K_EXAONE = (
    "K-EXAONE is a large-scale multilingual language model developed by LG AI Research. K-EXAONE is "
    "built on a Mixture-of-Experts architecture with 236B total parameters, activating 23B parameters "
    "during inference. It supports a 256K-token context window and covers six languages: Korean, "
    "English, Spanish, German, Japanese, and Vietnamese."
)
QWEN = (
    "Qwen1.5 is the beta version of Qwen2, a transformer-based decoder-only language model pretrained "
    "on a large amount of data. In comparison with the previous released Qwen, the improvements "
    "include:\n\n8 model sizes, including 0.5B, 1.8B, 4B, 7B, 14B, 32B and 72B dense models, and an MoE "
    "model of 14B with 2.7B activated;\nSignificant performance improvement in human preference for "
    "chat models;\nMultilingual support of both base and chat models"
)
MINIMAX = (
    "To maximize computational capacity, we integrate it with Mixture of Experts (MoE), creating a "
    "model with 32 experts and 456 billion total parameters, of which 45.9 billion are activated for "
    "each token."
)
MOBILE = (
    "Sparse Mixture-of-Experts models (MoEs) have recently gained popularity due to their ability to "
    "decouple model size from inference efficiency by only activating a small subset of the model "
    "parameters for any given input token."
)


@pytest.mark.parametrize(
    ("abstract", "parameters", "found"),
    [
        (K_EXAONE, 236e9, "K-EXAONE is built on a Mixture-of-Experts"),
        (MINIMAX, 456e9, "To maximize computational capacity"),
        (QWEN, 14e9, ""),  # another model's count, not written as a total
        (MOBILE, 1e9, ""),  # about MoE models in general: no count
        (K_EXAONE, 23e9, ""),  # the active count is not the total
        (K_EXAONE, 0.0, ""),
        ("A dense model with 236B total parameters, all of them active.", 236e9, ""),  # no MoE named
        ("A Mixture-of-Experts model with 236B total parameters.", 236e9, ""),  # no activated count
    ],
)
def test_the_abstract_says_the_model_is_a_mixture_of_experts(
    abstract: str, parameters: float, found: str
) -> None:
    sentence = moe_in_abstract(abstract, parameters)
    assert sentence.startswith(found) if found else sentence == ""


COLUMNS = (
    *LEADING_COLUMNS,
    "Training dataset size (total)",
    "Dataset size notes",
    "Epochs",
    "Confidence",
    "Abstract",
)
QWEN_NOTES = "6 FLOP / parameter / token * 14*10^9 parameters * 4*10^12 tokens =  3.36e+23 FLOP"
ROWS = (
    ("K-EXAONE", "2025-12-31", "236000000000.0", "236B", "1.52e+24", "", "11000000000000", "11T tokens",
     "1.00", K_EXAONE),
    ("Qwen1.5-14B", "2024-02-04", "14000000000.0", "14B", "3.36e+23", QWEN_NOTES, "4000000000000",
     "4 trillion tokens", "1.00", QWEN),
    ("Qwen1.5-14B (edited: compute x0.1)", "2024-02-04", "14000000000.0", "14B", "3.36e+22", "",
     "4000000000000", "4 trillion tokens", "1.00", QWEN),
)  # fmt: skip


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[contents.KnowledgeBase, Results]:
    # In the export's column order: the domain after the name, the confidence before the abstract.
    rows = [(row[0], "Language", *row[1:9], "Likely", row[9]) for row in ROWS]
    tmp = tmp_path_factory.mktemp("moe-abstract")
    return import_rows(tmp, "notable_ai_models_2026-02_fixture.csv", COLUMNS, rows)


def _six_n_d(kb: contents.KnowledgeBase, results: Results, model: str) -> tuple[str | None, Verdict]:
    cid = f"epoch-{model}-training-compute"
    [written] = [c for c in kb.claims[cid].claim.checks if c.id == "six-n-d"]
    verdict = next(c.verdict for c in results.claims[cid].checks if c.check_id == "six-n-d")
    return written.relation, verdict


def test_an_moe_model_by_its_abstract_is_bounded_not_flagged(
    imported: tuple[contents.KnowledgeBase, Results],
) -> None:
    kb, results = imported
    assert _six_n_d(kb, results, "k-exaone") == ("<=", Verdict.CONSISTENT)
    # The parameters claim cites the abstract, which is what says the model is a mixture of experts.
    sources = kb.claims["epoch-k-exaone-parameters"].claim.sources
    assert any(s.locator and "'Abstract'" in s.locator and "236B total" in s.quote for s in sources)


def test_a_dense_model_whose_abstract_mentions_an_moe_stays_dense(
    imported: tuple[contents.KnowledgeBase, Results],
) -> None:
    kb, results = imported
    assert _six_n_d(kb, results, "qwen1-5-14b") == ("=", Verdict.CONSISTENT)
    assert _six_n_d(kb, results, "qwen1-5-14b-edited-compute-x0-1") == ("=", Verdict.INCONSISTENT)
    # Its abstract is not quoted: it decides nothing for this row.
    sources = kb.claims["epoch-qwen1-5-14b-parameters"].claim.sources
    assert not any(s.locator and "'Abstract'" in s.locator for s in sources)
