"""kb extract measured on the four seed documents against the claims the knowledge base holds for them.

Recall: the share of the knowledge base's claims (with a value, quoting the document) that kb extract
proposes with the right value and unit (equal in base units: "13 万亿" token is 13 trillion token).
Precision: the share of its proposals that are one of those claims.

    python -m benchmarks.extract            # the four seeds
    python -m benchmarks.extract --show     # with each missed claim and each proposal kept
    python -m benchmarks.extract --cards    # the public model cards too, also as a new contributor sees them
    python -m benchmarks.extract --all      # every archived source, held and fresh (recall must not drop)
    python -m benchmarks.extract --source qwenlm-qwen-readme-en --fresh   # one document's proposals

A knowledge base that holds a document's claims knows their subjects ("Pythia"), which helps the
guess; `--cards` also scores each card with the claims quoting it left out ("fresh"), as when a
contributor runs kb extract on a document the knowledge base does not hold yet.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass, replace
from pathlib import Path

from kb import contents
from kb.errors import KbError
from kb.extract import Proposal, extract_source
from kb.model import Claim
from kb.numbers import literal_value
from kb.units import unit_info

SEEDS = ("kdnuggets-gpt4-leak-zh", "gpt4-cost-power-qa", "aiedge-gpt4-newsletter", "csdn-chatgpt-cost-zh")
CARDS = ("meta-llama2-model-card", "deepseek-v3-readme")
PUBLIC = (
    "deepseek-v3-readme",
    "thudm-glm-130b-readme-2022-08",
    "meta-llama1-model-card",
    "eleutherai-pythia-readme-2023-04",
)
"""Public model cards whose misreads were reported: measured with --cards."""
ROOT = Path(__file__).resolve().parent.parent / "claims"


def magnitude(value: str | list[str], unit: str) -> tuple[object, ...] | None:
    """A value and unit as numbers in base units with dimensions, to compare however they are written."""
    values = value if isinstance(value, list) else [value]
    try:
        info = unit_info(unit)
        if info.is_date:
            return ("date", *values)
        return (info.dims, *(literal_value(v) * info.scale for v in values))
    except KbError:
        return None


def same(a: tuple[object, ...] | None, b: tuple[object, ...] | None) -> bool:
    if a is None or b is None or len(a) != len(b) or a[0] != b[0]:
        return False
    return all(
        x == y if isinstance(x, str) else math.isclose(float(x), float(y), rel_tol=1e-6)  # type: ignore[arg-type]
        for x, y in zip(a[1:], b[1:], strict=True)
    )


@dataclass
class Score:
    source: str
    claims: list[Claim]
    proposals: list[Proposal]
    found: list[bool]
    kept: list[bool]
    subjects: list[bool]
    """Whether each proposal is one of the claims with its subject too."""

    @property
    def recall(self) -> float:
        return sum(self.found) / len(self.found) if self.found else 1.0

    @property
    def precision(self) -> float:
        return sum(self.kept) / len(self.kept) if self.kept else 1.0


def score(root: Path, source_id: str, fresh: bool = False) -> Score:
    """Extraction scored against the claims quoting the source; `fresh`: extracted by a knowledge
    base without those claims (their subjects and quantity counts unknown)."""
    kb = contents.load(root)
    source = kb.sources[source_id]
    quoting = [
        key for key, e in kb.claims.items() if any(s.source == source_id and s.quote for s in e.claim.sources)
    ]
    claims = [kb.claims[key].claim for key in quoting if kb.claims[key].claim.value is not None]
    if fresh:
        kb = replace(kb, claims={k: e for k, e in kb.claims.items() if k not in quoting})
    proposals = extract_source(kb, source)
    wanted = [magnitude(c.value, c.unit) for c in claims]  # type: ignore[arg-type]
    got = [magnitude(p.reading.value, p.unit) for p in proposals]
    found = [any(same(w, g) for g in got) for w in wanted]
    kept = [any(same(w, g) for w in wanted) for g in got]
    subjects = [
        any(same(w, g) and c.subject == p.subject for w, c in zip(wanted, claims, strict=True))
        for g, p in zip(got, proposals, strict=True)
    ]
    return Score(source_id, claims, proposals, found, kept, subjects)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show", action="store_true", help="list missed claims and proposals")
    parser.add_argument("--claims", type=Path, default=ROOT)
    parser.add_argument("--cards", action="store_true", help="also the public model cards, fresh and not")
    parser.add_argument("--all", action="store_true", help="every archived source, held and fresh")
    parser.add_argument("--source", help="list one source's proposals (+ held claim, - not) and misses")
    parser.add_argument("--fresh", action="store_true", help="with --source: without the claims quoting it")
    args = parser.parse_args()
    if args.source:
        show_source(args.claims, args.source, args.fresh)
        return
    if args.all:
        score_all(args.claims)
        return
    scores = [score(args.claims, s) for s in SEEDS]
    print("| document | claims | found | proposals | real | recall | precision |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for s in scores:
        print(
            f"| {s.source} | {len(s.found)} | {sum(s.found)} | {len(s.kept)} | {sum(s.kept)} "
            f"| {s.recall:.0%} | {s.precision:.0%} |"
        )
    found, claims = sum(sum(s.found) for s in scores), sum(len(s.found) for s in scores)
    kept, proposed = sum(sum(s.kept) for s in scores), sum(len(s.kept) for s in scores)
    print(
        f"| all four | {claims} | {found} | {proposed} | {kept} "
        f"| {found / claims:.1%} | {kept / proposed:.1%} |"
    )
    print()
    print("The model cards the knowledge base also holds (their claims were written by hand with kb add):")
    for source in CARDS:
        s = score(args.claims, source)
        print(
            f"  {source}: recall {s.recall:.0%} ({sum(s.found)}/{len(s.found)}), precision {s.precision:.0%}"
        )
    if args.cards:
        print()
        print(
            "| card | claims | found | proposals | real | recall | precision "
            "| fresh: found | proposals | real | subject right |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for source in PUBLIC:
            s, f = score(args.claims, source), score(args.claims, source, fresh=True)
            print(
                f"| {source} | {len(s.found)} | {sum(s.found)} | {len(s.kept)} | {sum(s.kept)} "
                f"| {s.recall:.0%} | {s.precision:.0%} | {sum(f.found)} | {len(f.kept)} | {sum(f.kept)} "
                f"| {sum(f.subjects)} |"
            )
            scores.append(f)  # --show lists the fresh run's misses and proposals
    if args.show:
        for s in scores:
            for c, ok in zip(s.claims, s.found, strict=True):
                if not ok:
                    print(f"missed {s.source}: {c.id} {c.value} {c.unit} | {c.sources[0].quote}")
            for p, ok in zip(s.proposals, s.kept, strict=True):
                mark = "+" if ok else "-"
                what = f"{p.reading.value_text} {p.unit} [{p.quantity}] {p.reading.text!r}"
                print(f"{mark} {what} | {p.quote[:50]}")


def archived(root: Path) -> list[str]:
    """Every source of the knowledge base with its text archived (what kb extract reads)."""
    kb = contents.load(root)
    return sorted(k for k, s in kb.sources.items() if s.text is not None)


def score_all(root: Path) -> None:
    """Every archived source scored as held and fresh, with the totals: a rule must not lower any
    source's recall, including those no benchmark above names."""
    print("| source | claims | found | proposals | real | fresh: found | proposals | real | subject right |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    totals = [0] * 8
    for source in archived(root):
        s, f = score(root, source), score(root, source, fresh=True)
        row = [len(s.found), sum(s.found), len(s.kept), sum(s.kept)]
        row += [sum(f.found), len(f.kept), sum(f.kept), sum(f.subjects)]
        totals = [a + b for a, b in zip(totals, row, strict=True)]
        print(f"| {source} | " + " | ".join(map(str, row)) + " |")
    print("| all | " + " | ".join(map(str, totals)) + " |")


def show_source(root: Path, source: str, fresh: bool) -> None:
    """One source's proposals, each marked + (a claim held for it, value and unit) or -, with its
    subject and quantity, then the claims missed."""
    s = score(root, source, fresh=fresh)
    print(
        f"{source}{' (fresh)' if fresh else ''}: {len(s.proposals)} proposals, {sum(s.kept)} held, "
        f"{sum(s.subjects)} with the held claim's subject; recall {sum(s.found)}/{len(s.found)}"
    )
    for p, ok in zip(s.proposals, s.kept, strict=True):
        what = f"{p.reading.value_text} {p.unit} ({p.reading.qualifier}) [{p.quantity}] {p.subject!r}"
        print(f"{'+' if ok else '-'} {what} {p.reading.text!r} | {p.quote[:70]}")
    for c, ok in zip(s.claims, s.found, strict=True):
        if not ok:
            print(f"missed {c.id} {c.value} {c.unit} | {c.sources[0].quote[:70]}")


if __name__ == "__main__":
    main()
