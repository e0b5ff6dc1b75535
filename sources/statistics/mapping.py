"""Turn configured PX-Web tables into observation rows, refusing any answer that could put a
figure under the wrong year, area, series or unit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from chitieu.reference import fold
from sources.statistics.jsonstat import Cell
from sources.statistics.pxweb import PxWebClient, PxWebError, TableChoice, Variable

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


def _coord(cell: Cell, var: Variable, where: str) -> tuple[str, str]:
    for key, value in cell.coords.items():
        if fold(key) in (fold(var.code), fold(var.text)):
            return value
    raise PxWebError(
        f"{where}: the answer has no dimension {var.text!r}; it has {list(cell.coords)}"
    )


def _checked(cell: Cell, var: Variable, selected: list[str], where: str) -> tuple[str, str]:
    """(code, label) of the cell on ``var``, refusing labels that disagree with the metadata."""
    code, label = _coord(cell, var, where)
    known = var.text_for(code)
    if known is not None and code in selected:
        if fold(known) != fold(label):
            raise PxWebError(
                f"{where}: {var.text} code {code!r} is {label.strip()!r} in the data answer but "
                f"{known.strip()!r} in the metadata (table re-published between the two?); refused"
            )
        return code, label
    texts = {fold(var.text_for(c) or ""): c for c in selected}
    if fold(label) in texts and (known is None or code == label):
        return texts[fold(label)], label
    raise PxWebError(
        f"{where}: the answer has {var.text} {label.strip()!r} (code {code!r}), which was not asked for; "
        f"asked {[var.text_for(c).strip() for c in selected]}"
    )


@dataclass
class TableResult:
    key: str
    choice: TableChoice
    rows: list[dict]

    @property
    def table_id(self) -> str:
        return self.choice.table_id

    @property
    def moved(self) -> bool:
        return self.choice.moved


def _dimensions(spec: dict) -> list[str]:
    names = [spec["area"]["dimension"], spec["year"]["dimension"]]
    return names + ([spec["series"]["dimension"]] if spec.get("series") else [])


def fetch_pxweb_table(client: PxWebClient, spec: dict) -> TableResult:
    """Find the table by title, select the configured areas, years and series, check the answer
    against the metadata and the config, and map its cells to rows (period from the answer's labels)."""
    folder = spec["folder"]
    choice = client.find_table(folder, spec["title"], spec.get("table_id"))
    table_id = choice.table_id
    where = f"{folder}/{table_id}" + (f" (pinned {choice.pinned_id})" if choice.moved else "")
    _, variables = client.metadata(folder, table_id)
    wanted = {fold(n) for n in _dimensions(spec)}
    extra = [v.text for v in variables if not {fold(v.code), fold(v.text)} & wanted]
    if extra:
        raise PxWebError(
            f"{where}: dimensions {extra} are not in the config (expected {_dimensions(spec)}); refused"
        )
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
    table = client.query(folder, table_id, selections, fmt=spec.get("format", "json-stat"))
    url = client.answers[-1].url
    origin = client.answers[-1].origin()
    if table.unit is None and choice.moved:
        raise PxWebError(
            f"{where}: moved table names no unit, cannot confirm {spec['unit']!r}{origin}"
        )
    if table.unit is not None and fold(table.unit) != fold(spec["unit"]):
        raise PxWebError(
            f"{where}: the answer's unit is {table.unit!r}, the config expects {spec['unit']!r}; refused{origin}"
        )
    rows, seen = [], set()
    for cell in table.cells:
        area_code, area_label = _checked(cell, area_var, selections[area_var.code], where)
        year_code, year_text = _checked(cell, year_var, year_codes, where)
        parsed = year_label(year_text)
        if parsed is None:
            raise PxWebError(
                f"{where}: year {year_text!r} in the answer is not a year label{origin}"
            )
        target = spec.get("target_code")
        if series_var:
            s_code, _ = _checked(cell, series_var, selections[series_var.code], where)
            target = series_codes[s_code]
        key = (target, area_code, parsed[1])
        if key in seen:
            raise PxWebError(f"{where}: two cells for {key} in the answer; refused{origin}")
        seen.add(key)
        rows.append(
            {
                "table_key": spec["key"],
                "table_id": table_id,
                "table_title": choice.title,
                "target_code": target,
                "indicator": spec.get("indicator", target),
                "area_code": area_codes[area_code],
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
    return TableResult(spec["key"], choice, rows)
