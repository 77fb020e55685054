"""Synthetic knowledge bases in the real format, deterministic from a seed.

N claims over M sources: each source is an archived text whose sentences state the claims'
numbers (so quotes are verified), claims form chains of checks several levels deep (products
of inputs, sums, unit conversions), values are points or ranges with qualifiers, and about one
claim in eight is deliberately inconsistent (a dropped "thousand").

    python -m benchmarks.generate OUT_DIR --claims 10000 --sources 100 --seed 1
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SUBJECTS = ["Model-" + chr(65 + i) + str(j) for i in range(26) for j in range(40)]
WORDS = ("reportedly", "estimated", "about", "roughly", "the team said", "sources claim", "analysts put")


def _fmt(x: float) -> str:
    return f"{x:.3g}".replace("e+", "e")


def generate(out: Path, n_claims: int, n_sources: int, seed: int = 1) -> Path:
    """Write a claims/ folder under `out` and return it."""
    rng = random.Random(seed)
    root = out / "claims"
    if root.exists():
        shutil.rmtree(root)
    (root / "sources").mkdir(parents=True)
    shutil.copy(REPO / "claims" / "quantities.yaml", root / "quantities.yaml")
    sentences: list[list[str]] = [[] for _ in range(n_sources)]
    files: dict[str, list[str]] = {}
    # Level 0: references (FLOP per parameter per token), then per subject: params, tokens, compute.
    per_subject = 4
    n_subjects = max(1, n_claims // per_subject)
    ref_lines = [
        "  - id: syn-flop-per-param-token",
        "    kind: reference",
        "    subject: Transformer language models",
        "    quantity: training_flop_per_parameter_token",
        "    value: 6",
        "    unit: FLOP/(parameter*token)",
        "    qualifier: about",
        '    sources: [{source: syn-source-0, quote: "about 6 FLOP per parameter per token"}]',
    ]
    sentences[0].append("Training takes about 6 FLOP per parameter per token.")
    files["reference.yaml"] = ref_lines
    count = 1
    for s in range(n_subjects):
        if count >= n_claims:
            break
        subject = f"{SUBJECTS[s % len(SUBJECTS)]}-{s // len(SUBJECTS)}"
        slug = subject.lower()
        src = s % n_sources
        sid = f"syn-source-{src}"
        params = round(rng.uniform(1, 900), 1)
        tokens = round(rng.uniform(1, 30), 1)
        compute = 6 * params * 1e9 * tokens * 1e12
        wrong = rng.random() < 0.125
        stated_compute = compute / 1000 if wrong else compute
        word = rng.choice(WORDS)
        p_txt, t_txt, c_txt = _fmt(params), _fmt(tokens), _fmt(stated_compute)
        sentences[src].append(
            f"{subject} has {p_txt} billion parameters, {word}, and saw {t_txt} trillion tokens; "
            f"its training took {c_txt} FLOP."
        )
        lines = [
            f"  - id: {slug}-params",
            f"    subject: {subject}",
            "    quantity: total_parameters",
            f"    value: {p_txt}",
            "    unit: billion parameter",
            f'    sources: [{{source: {sid}, quote: "{subject} has {p_txt} billion parameters"}}]',
            f"  - id: {slug}-tokens",
            f"    subject: {subject}",
            "    quantity: training_tokens",
            f"    value: {t_txt}",
            "    unit: trillion token",
            f'    sources: [{{source: {sid}, quote: "saw {t_txt} trillion tokens"}}]',
            f"  - id: {slug}-compute",
            f"    subject: {subject}",
            "    quantity: training_compute",
            f"    value: {c_txt}",
            "    unit: FLOP",
            "    qualifier: about",
            f'    sources: [{{source: {sid}, quote: "its training took {c_txt} FLOP"}}]',
            "    notes: Synthetic claim for benchmarks.",
            "    checks:",
            "      - id: six-n-d",
            "        formula: k * n * d",
            f"        inputs: {{k: syn-flop-per-param-token, n: {slug}-params, d: {slug}-tokens}}",
        ]
        count += 3
        if count < n_claims:
            # A fourth level: compute per parameter, checked from the compute claim (a chain).
            per = stated_compute / (params * 1e9)
            per_txt = _fmt(per)
            sentences[src].append(f"That is {per_txt} FLOP per parameter.")
            lines += [
                f"  - id: {slug}-compute-per-param",
                f"    subject: {subject}",
                "    quantity: ratio",
                f"    value: [{_fmt(per * 0.9)}, {_fmt(per * 1.1)}]",
                '    unit: "1"',
                f"    sources: [{{source: {sid}, "
                f'quote: "{_fmt(per * 0.9)} to {_fmt(per * 1.1)} per parameter"}}]',
                "    checks:",
                "      - id: from-compute",
                "        formula: c / n / (1 FLOP/parameter)",
                f"        inputs: {{c: {slug}-compute, n: {slug}-params}}",
            ]
            sentences[src].append(f"Between {_fmt(per * 0.9)} to {_fmt(per * 1.1)} per parameter.")
            count += 1
        files.setdefault(f"{slug[:7]}.yaml", []).extend(lines)
    for i, body in enumerate(sentences):
        text = "\n".join(body or ["Nothing to see."]) + "\n"
        sid = f"syn-source-{i}"
        (root / "sources" / f"{sid}.txt").write_text(text, encoding="utf-8")
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        (root / "sources" / f"{sid}.yaml").write_text(
            f"id: {sid}\ntitle: Synthetic source {i}\nlanguage: en\npublished: 2024-01-0{1 + i % 9}\n"
            f"text: {sid}.txt\nsha256: {digest}\n",
            encoding="utf-8",
        )
    (root / "synthetic").mkdir()
    for name, lines in files.items():
        (root / "synthetic" / name).write_text("claims:\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return root


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--claims", type=int, default=1000)
    ap.add_argument("--sources", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    root = generate(args.out, args.claims, args.sources, args.seed)
    print(root)


if __name__ == "__main__":
    main()
