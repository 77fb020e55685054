"""Shared fixtures: small knowledge bases written into tmp_path."""

from __future__ import annotations

import hashlib
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
QUANTITIES = REPO / "claims" / "quantities.yaml"

LEAK_TEXT = (
    "据说每次前向传递推理生成 1 个令牌只使用了大约 2800 亿个参数和大约 560 万亿次浮点操作。\n"
    "OpenAI 大约花费了 2.1e25 次浮点操作来训练，使用了大约 25 个 A100 处理器，历时 3 个月。\n"
)
REF_TEXT = "| Forward-pass FLOP per parameter per generated token | ~2 | Kaplan et al. 2020 |\n"


def write_source(root: Path, sid: str, text: str, language: str = "en") -> None:
    (root / "sources").mkdir(parents=True, exist_ok=True)
    (root / "sources" / f"{sid}.txt").write_text(text, encoding="utf-8")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    (root / "sources" / f"{sid}.yaml").write_text(
        f"id: {sid}\ntitle: Test source {sid}\nlanguage: {language}\ntext: {sid}.txt\nsha256: {digest}\n",
        encoding="utf-8",
    )


@pytest.fixture
def make_kb(tmp_path: Path) -> Callable[[str], Path]:
    """Write a knowledge base with two sources and the given claims YAML; returns its claims/ folder."""

    def make(claims_yaml: str, name: str = "test.yaml") -> Path:
        root = tmp_path / "claims"
        root.mkdir(exist_ok=True)
        (root / "quantities.yaml").write_text(QUANTITIES.read_text(encoding="utf-8"), encoding="utf-8")
        write_source(root, "leak", LEAK_TEXT, "zh")
        write_source(root, "ref", REF_TEXT)
        (root / name).write_text(textwrap.dedent(claims_yaml), encoding="utf-8")
        return root

    return make


BASE_CLAIMS = """\
claims:
  - id: fwd
    kind: reference
    subject: Transformer language models
    quantity: forward_flop_per_parameter_token
    value: 2
    unit: FLOP/(parameter*token)
    qualifier: about
    sources:
      - source: ref
        quote: "| Forward-pass FLOP per parameter per generated token | ~2 |"
  - id: active
    subject: GPT-4
    quantity: active_parameters_per_token
    value: 2800
    unit: yi parameter
    qualifier: about
    sources:
      - source: leak
        quote: 只使用了大约 2800 亿个参数
        translation: used only about 280 billion parameters
  - id: flop
    subject: GPT-4
    quantity: flop_per_token_inference
    value: 560
    unit: wan yi FLOP/token
    qualifier: about
    sources:
      - source: leak
        quote: 大约 560 万亿次浮点操作
        translation: about 560 trillion floating-point operations
    checks:
      - id: two-n
        formula: f * n
        inputs: {f: fwd, n: active}
"""


@pytest.fixture
def claims_copy(tmp_path: Path) -> Path:
    """A copy of the project's own claims/ folder, to change freely."""
    root = tmp_path / "claims"
    shutil.copytree(REPO / "claims", root)
    return root
