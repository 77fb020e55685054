"""What the import needs from the knowledge base it writes into: the assumptions its checks rest
on (the knowledge base's own, or labelled ones it writes citing the reference facts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kb.errors import KbError
from kb.importers.yamlout import Literal
from kb.readers import load_plain
from kb.units import unit_info

WORDS_PER_TOKEN = "assume-words-per-token"
LLM_UTILIZATION = "assume-llm-utilization"
OTHER_UTILIZATION = "assume-utilization-other"
REFERENCE_FACTS = "reference-facts"
OWN_WORDS_PER_TOKEN = "epoch-assume-words-per-token"
OWN_LLM_UTILIZATION = "epoch-assume-llm-utilization"
OWN_OTHER_UTILIZATION = "epoch-assume-utilization-other"
WPT_QUOTE = "Words per token (English, GPT tokenizers) | ~0.75"
UTILIZATION_QUOTE = "Default utilization when unknown | 30% for large language models (40% otherwise)"


@dataclass
class Context:
    """What the import needs from the knowledge base it writes into."""

    words_per_token: str | None = None
    """Id of the words-per-token assumption."""
    words_per_token_inverse: bool = False
    """True when that assumption is written in token/word."""
    utilization: str | None = None
    """Id of the default utilization assumption (30%: language models; the lowest default of others)."""
    utilization_other: str | None = None
    """Id of the default utilization of models other than language models (40%)."""
    own_assumptions: list[dict[str, Any]] = field(default_factory=list)
    """Assumptions the import writes itself because the knowledge base lacks them."""


def _reference_has(claims_root: Path, needle: str) -> bool:
    try:
        return needle in (claims_root / "sources" / f"{REFERENCE_FACTS}.txt").read_text(encoding="utf-8")
    except OSError:
        return False


def _scan_units(claims_root: Path, into: Path) -> dict[str, str]:
    """Claim id -> unit, for the claims outside the import folder (a plain scan, not a full load)."""
    out: dict[str, str] = {}
    skip = into.resolve()
    for path in sorted(claims_root.rglob("*.yaml")):
        rel = path.relative_to(claims_root)
        if rel.parts[0] == "sources" or any(p.startswith(".") for p in rel.parts):
            continue
        if skip in path.resolve().parents:
            continue
        try:
            data = load_plain(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError, UnicodeDecodeError):
            continue
        if isinstance(data, dict) and isinstance(data.get("claims"), list):
            for c in data["claims"]:
                if isinstance(c, dict) and isinstance(c.get("id"), str):
                    out[c["id"]] = str(c.get("unit", "1"))
    return out


def build_context(claims_root: Path, into: Path, warnings: list[str]) -> Context:
    """Find the assumptions the checks need; write our own where the knowledge base lacks them."""
    ctx = Context()
    units = _scan_units(claims_root, into)
    have_ref_wpt = _reference_has(claims_root, WPT_QUOTE)
    have_ref_util = _reference_has(claims_root, UTILIZATION_QUOTE)
    if WORDS_PER_TOKEN in units:
        try:
            ctx.words_per_token_inverse = (
                unit_info(units[WORDS_PER_TOKEN]).dims != unit_info("word/token").dims
            )
            ctx.words_per_token = WORDS_PER_TOKEN
        except KbError:
            warnings.append(f"{WORDS_PER_TOKEN} has a unit kb cannot read: 6·N·D checks skipped")
    elif have_ref_wpt:
        ctx.words_per_token = OWN_WORDS_PER_TOKEN
        ctx.own_assumptions.append(
            _assumption(
                OWN_WORDS_PER_TOKEN,
                "Language model data sets",
                "words_per_token",
                "0.75",
                "word/token",
                WPT_QUOTE,
                "Epoch AI converts language model data set sizes from tokens to words with 0.75 words per "
                "token (OpenAI's rule of thumb for English text); turning them back uses the same factor.",
                qualifier="about",
            )
        )
        warnings.append(f"no {WORDS_PER_TOKEN} in the knowledge base: wrote {OWN_WORDS_PER_TOKEN}")
    else:
        warnings.append(f"no {WORDS_PER_TOKEN} and no {REFERENCE_FACTS} source to cite: 6·N·D checks skipped")
    # Sevilla et al. 2022 give 30% for language models and 40% for the rest, yet Epoch's own
    # hardware estimates of vision, biology and other models use 30% as often as 40% (their compute
    # notes say so): for those, the two defaults bound the estimate from below and from above.
    if LLM_UTILIZATION in units:
        ctx.utilization = LLM_UTILIZATION
    elif have_ref_util:
        ctx.utilization = OWN_LLM_UTILIZATION
        ctx.own_assumptions.append(
            _assumption(
                OWN_LLM_UTILIZATION,
                "Large language model training",
                "utilization",
                "30",
                "percent",
                UTILIZATION_QUOTE,
                "Epoch AI's default utilization for large language models whose papers do not report it "
                "(Sevilla et al. 2022, 'Estimating Training Compute of Deep Learning Models').",
            )
        )
    else:
        warnings.append("no default utilization assumption: hardware checks need the row's own utilization")
    if OTHER_UTILIZATION in units:
        ctx.utilization_other = OTHER_UTILIZATION
    elif have_ref_util:
        ctx.utilization_other = OWN_OTHER_UTILIZATION
        ctx.own_assumptions.append(
            _assumption(
                OWN_OTHER_UTILIZATION,
                "Deep learning training other than large language models",
                "utilization",
                "40",
                "percent",
                UTILIZATION_QUOTE,
                "Epoch AI's default utilization for models other than large language models whose "
                "papers do not report it (Sevilla et al. 2022, 'Estimating Training Compute of Deep "
                "Learning Models'); Epoch's own estimates of such models also use its 30%.",
            )
        )
    return ctx


def _assumption(
    cid: str,
    subject: str,
    quantity: str,
    value: str,
    unit: str,
    quote: str,
    justification: str,
    qualifier: str | None = None,
) -> dict[str, Any]:
    claim: dict[str, Any] = {
        "id": cid,
        "kind": "assumption",
        "subject": subject,
        "quantity": quantity,
        "value": Literal(value),
        "unit": unit,
    }
    if qualifier:
        claim["qualifier"] = qualifier
    claim["sources"] = [{"source": REFERENCE_FACTS, "quote": quote}]
    claim["justification"] = justification
    claim["notes"] = "A labelled assumption of the Epoch AI import; unverified by design."
    return claim
