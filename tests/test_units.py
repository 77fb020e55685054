"""Units: the project's definitions, scale words, and dimension checks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kb import contents, units
from kb.cache import ParseCache
from kb.cli import main
from kb.errors import KbError
from kb.units import describe_mismatch, unit_info


def test_flop_and_flop_per_second_have_different_dimensions() -> None:
    assert unit_info("FLOP").dims != unit_info("FLOP/s").dims
    assert "rate" in describe_mismatch(unit_info("FLOP/s").dims, unit_info("FLOP").dims)
    assert "total" in describe_mismatch(unit_info("FLOP").dims, unit_info("FLOP/s").dims)


def test_cents_convert_to_dollars() -> None:
    assert unit_info("cent").factor == pytest.approx(0.01)
    assert unit_info("cent").dims == unit_info("USD").dims
    assert unit_info("cent").currency_factor == pytest.approx(0.01)


@pytest.mark.parametrize(
    ("unit", "factor", "scale"),
    [
        ("trillion parameter", 1e12, 1e12),
        ("yi parameter", 1e8, 1e8),
        ("wan USD", 1e4, 1e4),
        ("TFLOP/s/GPU", 1e12, 1.0),
        ("percent", 0.01, 0.01),
        ("kWh", 3.6e6, 1.0),
    ],
)
def test_scale_words_and_prefixes(unit: str, factor: float, scale: float) -> None:
    info = unit_info(unit)
    assert info.factor == pytest.approx(factor)
    assert info.scale == pytest.approx(scale)


def test_counted_things_are_distinct_dimensions() -> None:
    dims = {
        unit_info(u).dims for u in ("parameter", "token", "word", "GPU", "expert", "layer", "query", "epoch")
    }
    assert len(dims) == 8


def test_unknown_unit_suggests_the_closest() -> None:
    with pytest.raises(KbError) as info:
        unit_info("trilion parameter")
    assert "unknown unit" in info.value.message
    assert "trillion" in info.value.hint
    with pytest.raises(KbError) as info:  # nothing close: where a contributor defines a unit
        unit_info("qqqq")
    assert "claims/units.yaml" in info.value.hint


def test_a_date_is_a_time() -> None:
    assert unit_info("date").is_date
    assert unit_info("date").dims == unit_info("day").dims


# --- units and quantities defined in claims/ -----------------------------------------------------

EUR_CLAIM = """\
claims:
  - id: eu-price
    subject: Some GPU
    quantity: gpu_euro_price
    value: 30
    unit: thousand EUR/GPU
    sources:
      - source: ref
        quote: "| Forward-pass FLOP per parameter per generated token | ~2 |"
"""


def _kb_with_units(make_kb: Callable[[str], Path], units_yaml: str) -> Path:
    root = make_kb(EUR_CLAIM)
    (root / "units.yaml").write_text(units_yaml, encoding="utf-8")
    (root / "quantities-eu.yaml").write_text(
        "quantities:\n  - {id: gpu_euro_price, label: GPU price in euros, unit: EUR/GPU}\n", encoding="utf-8"
    )
    return root


def test_a_units_file_defines_units_for_claims(make_kb: Callable[[str], Path]) -> None:
    root = _kb_with_units(make_kb, "units:\n  - EUR = [currency_eur] = euro = euros\n")
    kb = contents.load(root)
    assert not [p for p in kb.problems if "units.yaml" in str(p.location)]
    assert kb.claims["eu-price"].unit is not None
    assert kb.claims["eu-price"].unit.dims == (("[currency_eur]", 1), ("[gpu]", -1))
    assert unit_info("million EUR").dims != unit_info("million USD").dims  # never mixed with dollars


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("meter = 3 * foot", "'meter' is a unit already"),
        ("tCO2e = 2 * kgCO2e", "'tCO2e' is a unit already"),
        ("EUR ===", "not a unit definition"),
        ("EUR = 3 * nosuchunit", "pint cannot read"),
        ("EUR = " + "2 * " * 60 + "USD", "at most 200"),
    ],
)
def test_a_bad_definition_is_an_error_at_its_line(
    make_kb: Callable[[str], Path], line: str, message: str
) -> None:
    root = _kb_with_units(make_kb, f"units:\n  - GPU_week = GPU * week\n  - {line}\n")
    problems = [str(p) for p in contents.load(root).problems]
    assert any(p.startswith("claims/units.yaml:3:5: ") and message in p for p in problems), problems
    assert unit_info("GPU_week").dims == unit_info("GPU*week").dims  # the good one is in use


def test_the_units_file_is_part_of_the_cache_keys(make_kb: Callable[[str], Path]) -> None:
    root = _kb_with_units(make_kb, "units:\n  - EUR = [currency_eur] = euro\n")
    contents.load(root)
    with_units = (units.definitions_key(), ParseCache(root).key(b"x"))
    (root / "units.yaml").unlink()
    kb = contents.load(root)
    assert (units.definitions_key(), ParseCache(root).key(b"x")) != with_units
    assert kb.claims["eu-price"].unit is None  # EUR is unknown again, not served from a cache
    assert any("unknown unit 'EUR'" in str(p) for p in kb.claims["eu-price"].problems)


def test_quantity_add_writes_a_checked_quantity(
    make_kb: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_kb(EUR_CLAIM)
    args = ["quantity", "add", "--claims", str(root)]
    assert main([*args, "vocabulary_size", "--label", "Tokenizer vocabulary", "--unit", "token"]) == 0
    assert "id: vocabulary_size" in (root / "quantities-local.yaml").read_text(encoding="utf-8")
    assert "vocabulary_size" in contents.load(root).quantities
    assert main([*args, "vocabulary_size", "--label", "again", "--unit", "token"]) == 1
    assert main([*args, "vocab_size", "--label", "x", "--unit", "tokenz"]) == 1
    err = capsys.readouterr().err
    assert "exists already" in err and "unknown unit 'tokenz'" in err and "did you mean 'token'" in err


def test_the_bundled_unit_table_is_what_pint_resolves() -> None:
    """kb/units-known.json stands in for pint on a first run: every row must be pint's answer."""
    table = units.known_units()
    assert len(table) > 30
    units.use_definitions([])
    for text, info in table.items():
        assert units._resolve(text) == info, text


def test_the_bundled_unit_table_holds_the_vocabulary_and_the_benchmark_units(tmp_path: Path) -> None:
    """Regenerate it with `python -m kb.units claims BENCHMARK_CLAIMS` when this fails."""
    from benchmarks.generate import generate
    from kb import checks

    table = units.known_units()
    kb = contents.load(Path(__file__).resolve().parent.parent / "claims", use_cache=False)
    synthetic = contents.load(generate(tmp_path, 200, 4), use_cache=False)
    checks.run(synthetic)
    wanted = {q.unit.strip() for q in kb.quantities.values()} | {
        e.claim.unit.strip() for e in synthetic.claims.values()
    }
    # A unit of the knowledge base's own (claims/units.yaml: BLOOM's "node") cannot be in kb's
    # bundled table: the table is resolved with kb's definitions alone.
    units.use_definitions([])
    own = set()
    for text in wanted:
        try:
            units._resolve(text)
        except KbError:
            own.add(text)
    assert own <= {"node", "GPU/node", "GB/node"}, own
    assert wanted - own <= set(table), sorted(wanted - own - set(table))


def test_a_first_run_on_known_units_never_loads_pint(tmp_path: Path) -> None:
    import subprocess
    import sys

    from benchmarks.generate import generate

    root = generate(tmp_path, 100, 2)
    code = "import sys; from kb.cli import main; main(['check', '--quiet', '--claims', sys.argv[1]]);"
    code += "print('pint' in sys.modules)"
    env = {**__import__("os").environ, "KB_CACHE_DIR": str(tmp_path / "cache")}
    out = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, env=env)
    assert out.stdout.strip().endswith("False"), out.stdout + out.stderr


def test_memory_is_information_not_a_pure_number() -> None:
    # pint makes a bit a pure number: 13 GB of memory compared with a count of anything.
    units.use_definitions([])
    for known in (True, False):  # the bundled table and pint agree
        units.UNIT_CACHE.reset()
        old = units.USE_KNOWN
        units.USE_KNOWN = known
        try:
            gb, gib, one = unit_info("GB"), unit_info("GiB"), unit_info("1")
            assert gb.dims == (("[information]", 1),) and gb.factor == 8e9
            assert units.compatible(gb, gib) and not units.compatible(gb, one)
            assert not units.compatible(gb, unit_info("billion parameter"))
            per = unit_info("byte/parameter")
            assert units.dims_mul(per.dims, unit_info("parameter").dims) == gb.dims
        finally:
            units.USE_KNOWN = old
    assert unit_info("kWh").factor == 3.6e6  # the SI base units as before (kilogram, not gram)


def test_a_value_no_claims_unit_measures_is_shown_in_named_base_units() -> None:
    from kb.units import base_unit_text

    emissions_per_energy = (("[emissions]", 1), ("[length]", -2), ("[mass]", -1), ("[time]", 2))
    assert base_unit_text(emissions_per_energy) == "kgCO2e / J"  # a grid intensity
    power_per_gpu = (("[gpu]", -1), ("[length]", 2), ("[mass]", 1), ("[time]", -3))
    assert base_unit_text(power_per_gpu) == "W / GPU"
    assert base_unit_text((("[compute]", 1), ("[time]", -1))) == "FLOP / s"
    assert base_unit_text((("[information]", 1), ("[parameter]", -1))) == "bit / parameter"
