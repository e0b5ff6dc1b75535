"""JSON-stat (1.x as PX-Web answers, and 2.0) into one record per cell, keeping ids, labels and status.

pyjstat returns either ids or labels and drops the per-cell ``status`` (".." stays only as
NaN), so it cannot tell "missing" from a value or map positional year codes; see
tests/test_pxweb.py::test_pyjstat_drops_status.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass

from sources.statistics.http import FetchError


class JsonStatError(FetchError, ValueError):
    """An answer that is not a JSON-stat dataset."""


@dataclass(frozen=True)
class Cell:
    """One value of a cube: per dimension (id, label), the number (None if missing) and its status."""

    coords: dict[str, tuple[str, str]]
    value: float | None
    status: str | None


@dataclass(frozen=True)
class Table:
    """A parsed answer: its label, unit (None if it names none) and cells."""

    label: str
    unit: str | None
    cells: list[Cell]


# PC-Axis and PX-Web symbols for a cell without a number; each keeps its own meaning
MISSING_SYMBOLS = frozenset({".", "..", "...", "....", ".....", "......", "-", "x"})
_LABEL_UNIT = re.compile(r"\(([^()]+)\)\s*$")


def clean_bytes(content: bytes) -> str:
    """Decode an answer that may start with a BOM and end with NUL bytes."""
    return content.decode("utf-8-sig").rstrip("\x00").strip()


def label_unit(label: str) -> str | None:
    """The unit a PX-Web title ends with: '… phân theo địa phương (%)' -> '%'."""
    m = _LABEL_UNIT.search(label or "")
    return m.group(1).strip() if m else None


def _dataset(doc) -> tuple[dict, list, list, dict]:
    """(dataset, dimension ids, sizes, dimensions) of a JSON-stat 2.0 or 1.x document."""
    if not isinstance(doc, dict):
        raise JsonStatError("not a JSON-stat object")
    if "version" in doc or "class" in doc:
        if doc.get("class") != "dataset":
            raise JsonStatError(
                f"JSON-stat {doc.get('version', '')} class {doc.get('class')!r} is not a dataset"
            )
        return doc, doc["id"], doc["size"], doc["dimension"]
    ds = doc.get("dataset")
    if ds is None and len(doc) == 1:
        ds = next(iter(doc.values()))  # a 1.x bundle with one dataset under its own name
    if not isinstance(ds, dict) or "dimension" not in ds or "value" not in ds:
        raise JsonStatError("no 'dataset' with 'dimension' and 'value'")
    dims = ds["dimension"]
    return ds, dims["id"], dims["size"], dims


def parse_jsonstat_table(content: bytes) -> Table:
    """Parse a JSON-stat 1.x or 2.0 dataset; anything else is refused with the reason."""
    try:
        doc = json.loads(clean_bytes(content))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise JsonStatError(f"not JSON: {exc}") from exc
    try:
        return _cells(*_dataset(doc))
    except JsonStatError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise JsonStatError(f"malformed JSON-stat ({type(exc).__name__}: {exc})") from exc


def parse_jsonstat(content: bytes) -> tuple[str, list[Cell]]:
    """Return the dataset label and its cells in row-major order."""
    table = parse_jsonstat_table(content)
    return table.label, table.cells


def _cells(ds: dict, ids: list, sizes: list, dims: dict) -> Table:
    axes, units = [], []
    for dim_id, size in zip(ids, sizes, strict=True):
        cat = dims[dim_id]["category"]
        index = cat.get("index")
        order = (
            sorted(index, key=index.get) if isinstance(index, dict) else list(index or cat["label"])
        )
        if len(order) != size:
            raise JsonStatError(f"dimension {dim_id!r}: {len(order)} categories, size says {size}")
        labels = cat.get("label", {})
        axes.append([(code, labels.get(code, code)) for code in order])
        for unit in (cat.get("unit") or {}).values():
            if isinstance(unit, dict) and (unit.get("label") or unit.get("base")):
                units.append(str(unit.get("label") or unit.get("base")))
    n = 1
    for s in sizes:
        n *= s
    values = ds["value"]
    status = ds.get("status") or {}
    if isinstance(values, dict):
        values = [values.get(str(i)) for i in range(n)]
    if len(values) != n:
        raise JsonStatError(f"{len(values)} values for a cube of {n} cells")
    cells = []
    for i, combo in enumerate(itertools.product(*axes)):
        st = (
            status.get(str(i))
            if isinstance(status, dict)
            else (status[i] if isinstance(status, list) else status)
        )
        raw = values[i]
        symbol = raw.strip() if isinstance(raw, str) else None
        if symbol in MISSING_SYMBOLS:
            value, st = None, st or symbol
        elif raw is None:
            value = None
        else:
            try:
                value = float(raw)
            except ValueError as exc:
                raise JsonStatError(
                    f"cell {i}: {raw!r} is neither a number nor a status symbol"
                ) from exc
        cells.append(Cell(dict(zip(ids, combo, strict=True)), value, st))
    label = ds.get("label", "") or ""
    unit = units[0] if len(set(units)) == 1 else label_unit(label)
    return Table(label, unit, cells)
