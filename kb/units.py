"""Units: pint with the project's own definitions, resolved once per unit string.

pint costs microseconds per operation, so a unit string is parsed once (cached) into a
`UnitInfo`: the factor to base units and the dimensions. Arithmetic then runs on plain floats
and `Dims`, and pint is not called again.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from kb.cachedir import package_hash, read_json, write_json
from kb.errors import KbError, did_you_mean

# Counted things are dimensions of their own, so that parameters never add to tokens and a FLOP
# never compares with a FLOP/s. Scale words are dimensionless multipliers, so that a value can be
# written as the source wrote it ("1.8 trillion", "2800 亿" = 2800 yi).
PROJECT_DEFINITIONS = """
FLOP = [compute] = flop
petaflop_per_second_day = 1e15 * FLOP / second * day = pfs_day
token = [token] = tokens
word = [word] = words
parameter = [parameter] = parameters = param = params
USD = [currency] = dollar = dollars = usd
# Yuan are their own dimension: converting needs a dated, sourced exchange rate, as a claim of its own.
CNY = [currency_cny] = yuan = RMB
cent = 0.01 * USD = cents = US_cent
GPU = [gpu] = GPUs = gpu = chip = chips
GPU_hour = GPU * hour = GPU_hours = gpu_hour = gpu_hours = chip_hour = chip_hours
# Emissions in CO2 equivalent are their own dimension: a mass of CO2e never adds to a mass of hardware.
kgCO2e = [emissions] = kg_CO2e = kgCO2eq
tCO2e = 1000 * kgCO2e = tCO2eq = t_CO2e
expert = [expert] = experts
layer = [layer] = layers
query = [query] = queries = request = requests = response = responses
epoch = [epoch] = epochs
sample = [sample] = samples = sequence = sequences
engineer = [person] = engineers = person = people
thousand = 1e3 = K_
million = 1e6 = M_
billion = 1e9 = B_
trillion = 1e12 = T_
wan = 1e4 = 万
yi = 1e8 = 亿
times = 1 = fold = x_
"""

# Dimensionless units that are only scale words: stripped when a value is compared with its quote.
SCALE_WORDS = frozenset(
    {"thousand", "million", "billion", "trillion", "wan", "yi", "percent", "times", "万", "亿"}
)

MAX_UNIT_LENGTH = 200
"""The longest unit string kb reads (the longest in use is about 40 characters)."""

DATE_UNIT = "date"
DATE_UNITS = frozenset({DATE_UNIT, "month_date", "year_date"})


_DEFINED: tuple[str, ...] = ()
"""The definitions of the knowledge base's own units file (claims/units.yaml), in use."""


def registry() -> Any:
    return _registry(_DEFINED)


def _load_pint_defaults(ureg: Any, folder: Path) -> None:
    """pint's own definitions, except that information is a dimension (pint makes a bit a pure
    number, so "13 GB" of memory compared equal to 1.04e11 of anything and fitted any count)."""
    text = (folder / "default_en.txt").read_text(encoding="utf-8")
    if "\nbit = []\n" not in text or "\n@import constants_en.txt\n" not in text:
        raise RuntimeError("pint's default_en.txt changed: review kb/units.py _load_pint_defaults")
    lines = text.replace("\nbit = []\n", "\nbit = [information]\n").splitlines()
    at = lines.index("@import constants_en.txt")  # a list of lines cannot @import: load it here
    ureg.load_definitions(lines[:at])
    ureg.load_definitions(folder / "constants_en.txt")
    ureg.load_definitions(lines[at + 1 :])
    ureg.default_system = ureg._defaults.get("system", "mks")  # as pint does for a registry made from a file


@lru_cache(maxsize=2)
def _registry(extra: tuple[str, ...]) -> Any:
    import pint  # imported on first need: a run whose units are all in the unit cache never loads pint

    ureg: Any = pint.UnitRegistry(None, autoconvert_offset_to_baseunit=True, cache_folder=None)
    _load_pint_defaults(ureg, Path(pint.__file__).parent)
    for line in PROJECT_DEFINITIONS.strip().splitlines():
        ureg.define(line.strip())
    for line in extra:
        ureg.define(line)
    return ureg


def definitions_key() -> str:
    """Part of every cache key: resolved units and parsed claims depend on the units file."""
    return hashlib.sha256("\n".join(_DEFINED).encode()).hexdigest()[:16] if _DEFINED else ""


def use_definitions(lines: list[str]) -> list[tuple[int, str, str]]:
    """Use the units file's definitions; returns (index, message, hint) for each one refused.

    A definition must be pint's definition syntax ("EUR = [currency_eur] = euro"), define a name
    new to kb and pint (no redefinition of a base or existing unit), and be at most
    MAX_UNIT_LENGTH characters. The accepted ones, in order, are what kb resolves units with.
    """
    global _DEFINED
    key = tuple(line.strip() for line in lines)
    if key not in _CHECKED:
        _CHECKED.clear()  # one units file at a time: the last one read
        _CHECKED[key] = _check_definitions(key) if key else ((), [])
    accepted, refused = _CHECKED[key]
    if accepted != _DEFINED:
        _DEFINED = accepted
        UNIT_CACHE.reset()
    return refused


_CHECKED: dict[tuple[str, ...], tuple[tuple[str, ...], list[tuple[int, str, str]]]] = {}


def _check_definitions(lines: tuple[str, ...]) -> tuple[tuple[str, ...], list[tuple[int, str, str]]]:
    """The definitions pint accepts, in order, on a scratch registry; and the refused ones."""
    import pint

    scratch = _registry.__wrapped__(())  # not the cached registry: a refused definition leaves no trace
    accepted: list[str] = []
    refused: list[tuple[int, str, str]] = []
    for i, line in enumerate(lines):
        problem = _definition_problem(line, scratch, pint)
        if problem:
            refused.append((i, *problem))
        else:
            accepted.append(line)
    return tuple(accepted), refused


_DEF_NAME = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*=")


def _definition_problem(line: str, ureg: Any, pint: Any) -> tuple[str, str] | None:
    example = "write e.g. 'EUR = [currency_eur] = euro' or 'GPU_day = GPU * day'"
    if not line or len(line) > MAX_UNIT_LENGTH:
        return f"a unit definition of {len(line)} characters", f"at most {MAX_UNIT_LENGTH}; {example}"
    m = _DEF_NAME.match(line)
    if not m or any(not part.strip() for part in line.split("=")[1:]):
        return f"not a unit definition: {line[:60]!r}", example
    names = [m.group(1)] + [
        a.strip() for a in line.split("=")[2:] if re.fullmatch(r"[A-Za-z_]\w*", a.strip())
    ]
    for name in names:
        if name in ureg:
            return f"{name!r} is a unit already; a units file defines new ones only", "choose another name"
    try:
        ureg.define(line)
        ureg.Quantity(1.0, m.group(1)).to_base_units()  # resolves what it is defined from
    except Exception as exc:  # noqa: BLE001 - pint raises many definition error types
        return f"pint cannot read {line[:60]!r}: {exc}", example
    return None


Dims = tuple[tuple[str, int], ...]
DIMENSIONLESS: Dims = ()


@lru_cache(maxsize=4096)
def dims_mul(a: Dims, b: Dims, sign: int = 1) -> Dims:
    """Dimensions of a product (sign=1) or quotient (sign=-1)."""
    if not b:
        return a
    out = dict(a)
    for name, exp in b:
        out[name] = out.get(name, 0) + sign * exp
    return tuple(sorted((k, v) for k, v in out.items() if v))


@lru_cache(maxsize=1024)
def dims_pow(a: Dims, exponent: int) -> Dims:
    return tuple(sorted((k, v * exponent) for k, v in a if v * exponent))


def dims_text(d: Dims) -> str:
    if not d:
        return "dimensionless"
    num = [f"{k}" + (f"^{v}" if v != 1 else "") for k, v in d if v > 0]
    den = [f"{k}" + (f"^{-v}" if v != -1 else "") for k, v in d if v < 0]
    text = " * ".join(num) or "1"
    if den:
        text += " / " + " / ".join(den)
    return text


_SI_SYMBOLS = {"[mass]": "kg", "[length]": "m", "[time]": "s", "[temperature]": "K", "[current]": "A"}
_DERIVED: tuple[tuple[str, Dims], ...] = (
    ("J", (("[length]", 2), ("[mass]", 1), ("[time]", -2))),
    ("W", (("[length]", 2), ("[mass]", 1), ("[time]", -3))),
)


def base_unit_text(d: Dims) -> str:
    """The base units kb computes a value in, for a value no claim's unit measures: joules or watts
    where they account for mass and length ("kgCO2e / J", not "emissions * time^2 / length^2 /
    mass"), kb's own counted things by their names (GPU, token, kgCO2e)."""
    fits = []
    for name, unit in _DERIVED:
        for k in (1, -1):
            rest = dims_mul(d, dims_pow(unit, k), sign=-1)
            if not any(dim in ("[length]", "[mass]") for dim, _ in rest):
                fits.append((sum(abs(v) for _, v in rest), rest + ((name, k),)))
    return _symbols(min(fits)[1] if fits else d)  # the fewest other units: W / GPU, not J / GPU / s


def _symbols(d: Dims) -> str:
    names = _base_names()
    return dims_text(tuple((names.get(k, _SI_SYMBOLS.get(k, k.strip("[]"))), v) for k, v in d))


@lru_cache(maxsize=1)
def _base_names() -> dict[str, str]:
    """Each dimension kb defines, by the unit that defines it ("[gpu]": "GPU", "[emissions]": "kgCO2e")."""
    found = (re.match(r"\s*(\w+)\s*=\s*(\[\w+\])", line) for line in PROJECT_DEFINITIONS.splitlines())
    return {m.group(2): m.group(1) for m in found if m} | {"[information]": "bit"}


@dataclass(frozen=True)
class UnitInfo:
    """A unit string resolved once: how to convert to base units, and what it measures."""

    text: str
    """The unit as written in the YAML (pint syntax)."""
    factor: float
    """Multiply a magnitude in this unit by `factor` to get it in base units."""
    dims: Dims
    """The dimensions, e.g. (('[compute]', 1), ('[time]', -1)) for FLOP/s."""
    scale: float
    """The product of the unit's scale words (million, 亿, percent): what a quote's number carries."""
    is_date: bool = False
    currency_factor: float | None = None
    """USD per currency unit written (1 for USD, 0.01 for cent), None when the unit is not money."""

    @property
    def dims_text(self) -> str:
        return dims_text(self.dims)

    def pretty(self) -> str:
        return self.text


class _UnitCache:
    """Resolved units kept between runs as JSON in kb's cache folder (kb/cachedir.py), keyed by kb's code."""

    def __init__(self) -> None:
        self.known: dict[str, UnitInfo] = {}
        self.path: Path | None = None
        self.dirty = False

    def attach(self, cache_dir: Path) -> None:
        if self.path is not None:
            return
        self.path = cache_dir / f"units-{package_hash()[:16]}{definitions_key()}.json"
        loaded = read_json(self.path)
        if isinstance(loaded, dict):
            self.known.update(_infos(loaded))
        atexit.register(self.save)

    def reset(self) -> None:
        """Forget resolved units (the units file changed): save them first, attach afresh later."""
        self.save()
        self.known.clear()
        self.path = None

    def save(self) -> None:
        if self.dirty and self.path:
            write_json(self.path, {text: _fields(info) for text, info in self.known.items()})
            self.dirty = False


def _fields(info: UnitInfo) -> list[Any]:
    return [info.factor, [list(d) for d in info.dims], info.scale, info.is_date, info.currency_factor]


def _infos(data: dict[str, Any]) -> dict[str, UnitInfo]:
    """Units from the cache's JSON; a damaged cache counts as empty."""
    try:
        return {
            text: UnitInfo(
                text,
                float(factor),
                tuple((str(name), int(exp)) for name, exp in dims),
                float(scale),
                bool(is_date),
                None if currency is None else float(currency),
            )
            for text, (factor, dims, scale, is_date, currency) in data.items()
        }
    except (TypeError, ValueError):
        return {}


UNIT_CACHE = _UnitCache()
KNOWN_FILE = Path(__file__).with_name("units-known.json")
"""The units of kb's own vocabulary, claims and laws, resolved ahead (`python -m kb.units`): a first
run on a knowledge base that writes only these never loads pint. A unit resolves the same whatever
the units file adds, since a units file defines new names only."""


USE_KNOWN = True
"""Whether `unit_info` takes units from the bundled table (off while the table is made)."""


@lru_cache(maxsize=1)
def known_units() -> dict[str, UnitInfo]:
    """The bundled table of resolved units; empty when it is missing or damaged."""
    data = read_json(KNOWN_FILE)
    return _infos(data) if isinstance(data, dict) else {}


def write_known_units(texts: list[str], path: Path = KNOWN_FILE) -> int:
    """Resolve `texts` with pint (kb's own definitions only) and write the table; how many it holds."""
    use_definitions([])
    table = {}
    for text in sorted(set(texts)):
        try:
            table[text] = _fields(_resolve(text))
        except KbError:
            continue
    lines = (f"{json.dumps(text, ensure_ascii=False)}: {json.dumps(row)}" for text, row in table.items())
    path.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
    return len(table)


def unit_info(text: str) -> UnitInfo:
    """Resolve a unit string; raises KbError with a hint when pint does not know it."""
    text = (text or "").strip()
    found = UNIT_CACHE.known.get(text) or (known_units().get(text) if USE_KNOWN else None)
    if found is not None:
        return found
    if len(text) > MAX_UNIT_LENGTH:  # pint's parser is quadratic in the length of a unit string
        raise KbError(
            f"unit {text[:40]!r}… is {len(text):,} characters long; kb reads units of at most "
            f"{MAX_UNIT_LENGTH}",
            "write the unit in pint syntax, e.g. 'trillion parameter' or 'USD/GPU/hour'",
            "bad-unit",
        )
    try:
        info = _resolve(text)
    except (ArithmeticError, ValueError, TypeError):  # pint overflows on "thousand**1000"
        info = None
    if info is None or not all(math.isfinite(x) and x > 0 for x in (info.factor, info.scale)):
        raise KbError(f"unit {text[:60]!r} is out of range", "write units with small powers", "bad-unit")
    UNIT_CACHE.known[text] = info
    UNIT_CACHE.dirty = True
    return info


def _resolve(text: str) -> UnitInfo:
    import pint

    if text in DATE_UNITS:
        return UnitInfo(text, 86400.0, (("[time]", 1),), 1.0, is_date=True)
    if not text or text in {"1", "dimensionless"}:
        return UnitInfo(text or "1", 1.0, DIMENSIONLESS, 1.0)
    ureg = registry()
    try:
        units = ureg.parse_units(text)
    except pint.UndefinedUnitError as exc:
        names = sorted(set(ureg._units) | SCALE_WORDS)
        bad = str(exc.unit_names if hasattr(exc, "unit_names") else exc).strip("()',")
        hint = did_you_mean(bad, names) or "use a pint unit, or define your own in claims/units.yaml"
        raise KbError(f"unknown unit {bad!r} in {text!r}", hint, code="unknown-unit") from None
    except Exception as exc:  # pint raises many syntax error types
        raise KbError(
            f"cannot read unit {text!r}: {exc}", "write units in pint syntax, e.g. 'FLOP/s'", "bad-unit"
        ) from None
    quantity: Any = ureg.Quantity(1.0, units)
    base = quantity.to_base_units()
    scale = 1.0
    currency: float | None = None
    for name, exp in units._units.items():
        one = ureg.Quantity(1.0, name).to_base_units()
        if name in SCALE_WORDS:
            # Only the numerator's scale words go with the number ("2.5 USD/million token" is written
            # "$2.50 per million tokens": the denominator's million is not the number's).
            if exp > 0:
                scale *= float(one.magnitude) ** exp
        elif "[currency]" in str(one.dimensionality) and exp == 1:
            currency = float(one.magnitude)
    dims = tuple(sorted((f"[{k}]", v) for k, v in _base_dims(base).items()))
    return UnitInfo(text, float(base.magnitude), dims, scale, currency_factor=currency)


def _base_dims(base: Any) -> dict[str, int]:
    """Base-unit names to exponents, with pint's base units named by their dimension."""
    ureg = registry()
    out: dict[str, int] = {}
    for name, exp in base._units.items():
        dim = ureg.get_dimensionality(name)
        for dname, dexp in dim.items():
            key = str(dname).strip("[]")
            out[key] = out.get(key, 0) + int(dexp * exp)
    return {k: v for k, v in out.items() if v}


def compatible(a: UnitInfo, b: UnitInfo) -> bool:
    return a.dims == b.dims


def describe_mismatch(computed: Dims, stated: Dims) -> str:
    """Explain incompatible dimensions; names the rate-vs-total slip (FLOP/s vs FLOP)."""
    ratio = dims_mul(computed, stated, -1)
    if ratio == (("[time]", 1),):
        return (
            "the formula gives a total accumulated over time where a rate is stated "
            "(e.g. FLOP vs FLOP/s): divide by a duration, or compare totals"
        )
    if ratio == (("[time]", -1),):
        return (
            "the formula gives a rate where a total is stated (e.g. FLOP/s vs FLOP): "
            "multiply by a duration, or compare rates"
        )
    return f"the formula gives {dims_text(computed)} but the claim states {dims_text(stated)}"


def _units_of(folders: list[Path]) -> list[str]:
    """Every unit string that checking these claims folders resolves (claims, quantities, formulas)."""
    from kb import checks, contents

    global USE_KNOWN
    USE_KNOWN = False
    found: set[str] = set()
    try:
        for folder in folders:
            checks.run(contents.load(folder, use_cache=False))
            found |= set(UNIT_CACHE.known)  # each folder's: the next one's units file resets them
    finally:
        USE_KNOWN = True
    return sorted(found)


if __name__ == "__main__":  # python -m kb.units claims/ ... : make the bundled table again
    import argparse

    from kb import units  # this module as kb imports it, not as __main__

    ap = argparse.ArgumentParser(
        prog="python -m kb.units",
        description=f"Write {KNOWN_FILE.name}, the units kb knows without pint: every unit that "
        "checking these claims folders resolves (tests/test_units.py says which folders).",
    )
    ap.add_argument("folders", nargs="*", type=Path, default=[Path("claims")], help="claims folders")
    args = ap.parse_args()
    missing = [str(f) for f in args.folders if not f.is_dir()]
    if missing:
        ap.error(f"not a claims folder: {', '.join(missing)} (the table is unchanged)")
    count = units.write_known_units(units._units_of(args.folders))
    print(f"{KNOWN_FILE.name}: {count} units")
