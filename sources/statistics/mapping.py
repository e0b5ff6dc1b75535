"""Turn configured PX-Web tables and World Bank indicators into observation rows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from chitieu.reference import fold
from sources.statistics.jsonstat import Cell
from sources.statistics.pxweb import PxWebClient, PxWebError, Variable

_YEAR_LABEL = re.compile(
    r"^(?:(?P<prefix>so bo|uoc tinh|uoc|chinh thuc)\s*(?:nam)?\s*)?(?:nam\s*)?(?P<year>\d{4})$"
)


def load_config(path: str | Path) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def year_label(text: str) -> tuple[int, str, str] | None:
    """'2023' -> (2023, '2023', 'official'); 'Sơ bộ 2024' -> preliminary; 'Ước tính 2024' -> (2024, '2024-EST', 'estimated')."""
    m = _YEAR_LABEL.match(fold(text))
    if not m:
        return None
    year, prefix = int(m["year"]), m["prefix"]
    if prefix in ("uoc tinh", "uoc"):
        return year, f"{year}-EST", "estimated"
    return year, str(year), "preliminary" if prefix == "so bo" else "official"


def _variable(variables: list[Variable], name: str, table: str) -> Variable:
    for v in variables:
        if fold(v.code) == fold(name) or fold(v.text) == fold(name):
            return v
    raise PxWebError(f"{table}: no dimension {name!r}; it has {[v.text for v in variables]}")


def _coord(cell: Cell, var: Variable) -> tuple[str, str]:
    for key, value in cell.coords.items():
        if fold(key) in (fold(var.code), fold(var.text)):
            return value
    raise PxWebError(f"answer has no dimension {var.text!r}")


@dataclass
class TableResult:
    key: str
    table_id: str
    title: str
    pinned_id: str | None
    rows: list[dict]

    @property
    def moved(self) -> bool:
        return bool(self.pinned_id) and self.pinned_id != self.table_id


def fetch_pxweb_table(client: PxWebClient, spec: dict) -> TableResult:
    """Find the table by title, select the configured areas, years and series, and map cells to rows."""
    folder = spec["folder"]
    table_id, title = client.find_table(folder, spec["title"], spec.get("table_id"))
    _, variables = client.metadata(folder, table_id)
    where = f"{folder}/{table_id}"
    area_var = _variable(variables, spec["area"]["dimension"], where)
    area_codes = {area_var.code_for(label): code for label, code in spec["area"]["values"].items()}
    year_var = _variable(variables, spec["year"]["dimension"], where)
    years = {c: year_label(t) for c, t in zip(year_var.values, year_var.value_texts, strict=True)}
    year_codes = [c for c, y in years.items() if y and y[0] >= spec["year"].get("from", 0)]
    if not year_codes:
        raise PxWebError(
            f"{where}: no year from {spec['year'].get('from')} in {year_var.value_texts}"
        )
    selections = {area_var.code: list(area_codes), year_var.code: year_codes}
    series_var, series_codes = None, {}
    if spec.get("series"):
        series_var = _variable(variables, spec["series"]["dimension"], where)
        series_codes = {
            series_var.code_for(label): target for label, target in spec["series"]["values"].items()
        }
        selections[series_var.code] = list(series_codes)
    cells = client.query(folder, table_id, selections, fmt=spec.get("format", "json-stat"))
    url = client.answers[-1].url
    area_by_label = {
        fold(t): area_codes[c]
        for c, t in zip(area_var.values, area_var.value_texts, strict=True)
        if c in area_codes
    }
    series_by_label = (
        {
            fold(t): series_codes[c]
            for c, t in zip(series_var.values, series_var.value_texts, strict=True)
            if c in series_codes
        }
        if series_var
        else {}
    )
    rows = []
    for cell in cells:
        area_code_raw, area_label = _coord(cell, area_var)
        year_code, year_text = _coord(cell, year_var)
        # JSON-stat answers carry positional codes ('11'); .px answers carry the label itself
        known = year_code in year_var.values
        parsed = year_label(
            year_var.value_texts[year_var.values.index(year_code)] if known else year_text
        )
        if parsed is None:
            raise PxWebError(f"{where}: year {year_text!r} is not a year label")
        target = spec.get("target_code")
        if series_var:
            s_code, s_label = _coord(cell, series_var)
            target = series_codes.get(s_code) or series_by_label.get(fold(s_label))
        rows.append(
            {
                "table_key": spec["key"],
                "table_id": table_id,
                "table_title": title,
                "target_code": target,
                "indicator": spec.get("indicator", target),
                "area_code": area_codes.get(area_code_raw) or area_by_label.get(fold(area_label)),
                "area_label": area_label.strip(),
                "period_code": parsed[1],
                "period_label": year_text.strip(),
                "value": cell.value,
                "status_symbol": cell.status,
                "data_status": parsed[2],
                "unit": spec["unit"],
                "url": url,
            }
        )
    return TableResult(spec["key"], table_id, title, spec.get("table_id"), rows)
