"""Reference dimensions: departments, areas and units, read from version-controlled YAML."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from chitieu.yaml_loader import load_yaml


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
        data = load_yaml(fh) or {}
    if key not in data or not isinstance(data[key], list):
        raise ValueError(f"{path}: expected a top-level list '{key}'")
    return data[key]


PRECEDENCE_FILE = "source_precedence.yaml"
PERIOD_KINDS = ("year", "year_estimate", "in_year")


def load_precedence(reference_dir: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The source-precedence table (source_precedence.yaml): one row per period kind × data
    status with its rank and finality, and one row per source kind with its priority."""
    path = Path(reference_dir) / PRECEDENCE_FILE
    figures = pd.DataFrame(_read(path, "figures")).rename(
        columns={"rank": "precedence_rank", "final": "is_final"}
    )
    sources = pd.DataFrame(_read(path, "sources")).rename(columns={"priority": "source_priority"})
    problems = []
    for col in ("period_kind", "data_status", "precedence_rank", "is_final"):
        if col not in figures or figures[col].isna().any():
            problems.append(f"every figure needs '{col}'")
    if not problems:
        bad = sorted(set(figures["period_kind"]) - set(PERIOD_KINDS))
        if bad:
            problems.append(f"unknown period_kind {bad}; expected one of {list(PERIOD_KINDS)}")
        dupes = figures[figures.duplicated(["period_kind", "data_status"])]
        if not dupes.empty:
            problems.append(
                "duplicate rows for "
                + ", ".join(f"{r.period_kind}/{r.data_status}" for r in dupes.itertuples())
            )
    if sources.empty or sources["source_kind"].duplicated().any():
        problems.append("sources: one row per source_kind with its priority")
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    figures["precedence_rank"] = figures["precedence_rank"].astype("int64")
    figures["is_final"] = figures["is_final"].astype(bool)
    sources["source_priority"] = sources["source_priority"].astype("int64")
    return figures, sources


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
    # counts of people, communes, schools are projected in whole units
    units["whole_units"] = (
        units["whole_units"].fillna(False).astype(bool) if "whole_units" in units else False
    )
    # reports round to a unit's decimals; a unit added without them shows two
    units["decimals"] = units.get("decimals", pd.Series(index=units.index)).fillna(2).astype(int)
    for frame, key in ((deps, "department_code"), (areas, "area_code"), (units, "unit_code")):
        dupes = frame[key][frame[key].duplicated()].tolist()
        if dupes:
            raise ValueError(f"{d}: duplicate {key} {dupes}")
    return Reference(deps, areas, units)
