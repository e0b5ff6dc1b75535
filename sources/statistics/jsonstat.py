"""JSON-stat 1.x (as PX-Web answers) into one record per cell, keeping ids, labels and status.

pyjstat returns either ids or labels and drops the per-cell ``status`` (".." stays only as
NaN), so it cannot tell "missing" from a value or map positional year codes; see
tests/test_pxweb.py::test_pyjstat_drops_status.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass


class JsonStatError(ValueError):
    """An answer that is not JSON-stat 1.x."""


@dataclass(frozen=True)
class Cell:
    """One value of a cube: per dimension (id, label), the number (None if missing) and its status."""

    coords: dict[str, tuple[str, str]]
    value: float | None
    status: str | None


MISSING_SYMBOLS = frozenset({"..", "...", "-", "....", "x"})


def clean_bytes(content: bytes) -> str:
    """Decode an answer that may start with a BOM and end with NUL bytes."""
    return content.decode("utf-8-sig").rstrip("\x00").strip()


def parse_jsonstat(content: bytes) -> tuple[str, list[Cell]]:
    """Return the dataset label and its cells in row-major order."""
    try:
        doc = json.loads(clean_bytes(content))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise JsonStatError(f"not JSON: {exc}") from exc
    ds = doc.get("dataset", doc) if isinstance(doc, dict) else None
    if not isinstance(ds, dict) or "dimension" not in ds or "value" not in ds:
        raise JsonStatError("no 'dataset' with 'dimension' and 'value'")
    dims = ds["dimension"]
    ids, sizes = dims["id"], dims["size"]
    axes = []
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
    values = ds["value"]
    status = ds.get("status") or {}
    if isinstance(values, dict):
        values = [values.get(str(i)) for i in range(_product(sizes))]
    if len(values) != _product(sizes):
        raise JsonStatError(f"{len(values)} values for a cube of {_product(sizes)} cells")
    cells = []
    for i, combo in enumerate(itertools.product(*axes)):
        st = (
            status.get(str(i))
            if isinstance(status, dict)
            else (status[i] if isinstance(status, list) else status)
        )
        raw = values[i]
        value = (
            None
            if raw is None or (isinstance(raw, str) and raw.strip() in MISSING_SYMBOLS)
            else float(raw)
        )
        if isinstance(raw, str) and raw.strip() in MISSING_SYMBOLS:
            st = st or raw.strip()
        cells.append(Cell(dict(zip(ids, combo, strict=True)), value, st))
    return ds.get("label", ""), cells


def _product(sizes: list[int]) -> int:
    n = 1
    for s in sizes:
        n *= s
    return n
