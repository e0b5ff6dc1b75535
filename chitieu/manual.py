"""The canonical manual-observations CSV: figures that arrive by letter, and the demo's sample.

The file is plain: UTF-8 (a BOM is accepted), comma-separated, "." as the decimal mark.
A file with any bad line is rejected whole; every problem names the file, line and column.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from chitieu.periods import Period, PeriodError, parse_period

COLUMNS = ("plan_id", "target_code", "area_code", "period_code", "value", "data_status", "note")
DATA_STATUSES = ("official", "preliminary", "estimated", "reported")


@dataclass
class ManualFile:
    """The outcome of reading one file: its rows, or the problems that reject it."""

    path: str
    sha256: str
    rows: pd.DataFrame
    problems: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return not self.problems


def _canonical_number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def read_manual_observations(
    path: str | Path,
    known_targets: set[tuple[str, str]],
    known_areas: set[str],
    area_check: Callable[[str, Period], str | None] | None = None,
) -> ManualFile:
    """Read and check the CSV. ``known_targets`` holds (plan_id, target_code) pairs; ``area_check``
    names why an area cannot report for a period (``chitieu.areas.area_problem``), or None."""
    path = Path(path)
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    empty = pd.DataFrame(columns=[*COLUMNS, "value_text", "source_row"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return ManualFile(
            str(path),
            digest,
            empty,
            [f"{path.name}: not UTF-8 text (byte {exc.start}); save it as CSV UTF-8"],
        )
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return ManualFile(
            str(path),
            digest,
            empty,
            [
                f"{path.name}: line 1: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}"
            ],
        )
    problems: list[str] = []
    rows: list[dict] = []
    seen: dict[tuple, int] = {}
    for line_no, rec in enumerate(reader, start=2):
        where = f"{path.name}: line {line_no}"
        rec = {k: (v or "").strip() for k, v in rec.items() if k in COLUMNS}
        if (rec["plan_id"], rec["target_code"]) not in known_targets:
            problems.append(
                f"{where}, column target_code: found {rec['target_code']!r}; expected a target of plan {rec['plan_id']!r}"
            )
        if rec["area_code"] not in known_areas:
            problems.append(
                f"{where}, column area_code: found {rec['area_code']!r}; expected one of {sorted(known_areas)}"
            )
        try:
            period = parse_period(rec["period_code"])
            rec["period_code"] = period.code
        except PeriodError as exc:
            problems.append(f"{where}, column period_code: {exc}")
        else:
            if area_check and (why := area_check(rec["area_code"], period)):
                problems.append(f"{where}, column area_code: {why}")
        try:
            value = _canonical_number(rec["value"])
        except ValueError:
            problems.append(
                f"{where}, column value: found {rec['value']!r}; expected a number with '.' as decimal mark and no grouping, e.g. 2365.5"
            )
            value = None
        if rec["data_status"] not in DATA_STATUSES:
            problems.append(
                f"{where}, column data_status: found {rec['data_status']!r}; expected one of {', '.join(DATA_STATUSES)}"
            )
        key = (rec["plan_id"], rec["target_code"], rec["area_code"], rec["period_code"])
        if key in seen:
            problems.append(f"{where}: duplicates line {seen[key]} ({', '.join(key)})")
        seen.setdefault(key, line_no)
        rows.append(rec | {"value_text": rec["value"], "value": value, "source_row": line_no})
    if not rows and not problems:
        problems.append(f"{path.name}: no data lines")
    if problems:
        return ManualFile(str(path), digest, empty, problems)
    return ManualFile(str(path), digest, pd.DataFrame(rows), [])
