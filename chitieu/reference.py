"""Reference dimensions: departments, areas and units, read from version-controlled YAML."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case, strip Vietnamese diacritics and collapse spaces, for tolerant matching."""
    text = str(text).replace("Đ", "D").replace("đ", "d").replace("Ð", "D")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().split())


@dataclass(frozen=True)
class Reference:
    """The three reference tables as DataFrames, plus lookups used by validation."""

    departments: pd.DataFrame
    areas: pd.DataFrame
    units: pd.DataFrame
    _unit_keys: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def department_codes(self) -> set[str]:
        return set(self.departments["department_code"])

    @property
    def area_codes(self) -> set[str]:
        return set(self.areas["area_code"])

    @property
    def unit_codes(self) -> set[str]:
        return set(self.units["unit_code"])

    def unit_for(self, text: str) -> str | None:
        """The canonical unit code for a unit as typed in a spreadsheet, or None."""
        if not self._unit_keys:
            for row in self.units.itertuples():
                for alias in row.aliases:
                    self._unit_keys.setdefault(alias, row.unit_code)
                self._unit_keys[fold(row.unit_code)] = row.unit_code
        return self._unit_keys.get(fold(text))


def _read(path: Path, key: str) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    if key not in data or not isinstance(data[key], list):
        raise ValueError(f"{path}: expected a top-level list '{key}'")
    return data[key]


def load_reference(reference_dir: str | Path) -> Reference:
    """Read departments.yaml, areas.yaml and units.yaml from ``reference_dir``."""
    d = Path(reference_dir)
    deps = pd.DataFrame(_read(d / "departments.yaml", "departments")).rename(
        columns={"code": "department_code"}
    )
    areas = pd.DataFrame(_read(d / "areas.yaml", "areas")).rename(
        columns={"code": "area_code", "parent": "parent_code", "level": "area_level"}
    )
    if "members" not in areas:
        areas["members"] = None
    areas["members"] = areas["members"].map(lambda m: list(m) if isinstance(m, list) else [])
    for col in ("valid_from", "valid_to", "successor"):  # see chitieu.areas
        if col not in areas:
            areas[col] = None
    areas["successor"] = areas["successor"].map(lambda c: None if c is None or c != c else str(c))
    areas["area_code"] = areas["area_code"].astype(str)
    units = pd.DataFrame(_read(d / "units.yaml", "units")).rename(columns={"code": "unit_code"})
    units["aliases"] = units["aliases"].map(lambda a: [fold(x) for x in (a or [])])
    # reports round to a unit's decimals; a unit added without them shows two
    units["decimals"] = units.get("decimals", pd.Series(index=units.index)).fillna(2).astype(int)
    for frame, key in ((deps, "department_code"), (areas, "area_code"), (units, "unit_code")):
        dupes = frame[key][frame[key].duplicated()].tolist()
        if dupes:
            raise ValueError(f"{d}: duplicate {key} {dupes}")
    return Reference(deps, areas, units)
