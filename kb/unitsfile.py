"""The knowledge base's own units: `claims/units.yaml`, definitions in pint's syntax, read first.

    units:
      - EUR = [currency_eur] = euro = euros    # a currency of its own
      - GPU_day = GPU * day

Read before any claim, since claims use the units; each definition is validated
(kb/units.py `use_definitions`) and a refused one is an error at its line, the others in use.
"""

from __future__ import annotations

from pathlib import Path

from kb import units
from kb.confined import read_confined
from kb.errors import KbError, Location, Problem
from kb.readers import YamlProblem, read_yaml

UNITS_FILE = "units.yaml"


def read_units(root: Path, display: str) -> list[Problem]:
    """Use the units file of a claims folder (none: kb's own units only); its problems, located."""
    path = root / UNITS_FILE
    if not path.exists():
        units.use_definitions([])
        return []
    try:
        doc = read_yaml(path, display, read_confined(path, root).decode("utf-8"))
    except YamlProblem as exc:
        return [exc.problem]
    except (KbError, UnicodeDecodeError, OSError) as exc:
        return [Problem(Location(display), f"cannot read the units file: {exc}", "save it as UTF-8 YAML")]
    data = doc.data
    items = data.get("units") if isinstance(data, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items) or set(data) != {"units"}:
        units.use_definitions([])
        return [Problem(doc.location(()), "a units file holds `units:`, a list of definitions", _EXAMPLE)]
    refused = units.use_definitions(items)
    return [Problem(doc.location(("units", i)), message, hint, "bad-unit") for i, message, hint in refused]


_EXAMPLE = "e.g. units: ['EUR = [currency_eur] = euro'] (pint's definition syntax)"
