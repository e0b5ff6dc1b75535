"""The outcome of parsing one submitted file: its figures with their provenance, its problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from chitieu.submissions.problems import Problem

# the value columns a form may have, in the order they are read
VALUE_ROLES = ("actual", "estimate", "prev_year", "prev_period")


class Value(NamedTuple):
    """One figure read from a submission, with its provenance."""

    target_code: str
    area_code: str
    period_code: str
    value_kind: str
    value: float
    raw_text: str
    sheet: str
    cell: str


VALUE_FIELDS = Value._fields


@dataclass
class Submission:
    """The outcome of parsing one file. Figures are kept column by column (a 200,000-row sheet
    would otherwise cost 600,000 objects); ``values`` gives them as ``Value`` tuples."""

    path: str
    sha256: str
    department_code: str | None = None
    period_code: str | None = None
    plan_id: str | None = None
    template_version: str | None = None
    title_period: str | None = None
    value_columns: dict[str, list] = field(default_factory=lambda: {f: [] for f in VALUE_FIELDS})
    problems: list[Problem] = field(default_factory=list)

    def add_value(self, value: Value) -> None:
        for f, v in zip(VALUE_FIELDS, value, strict=True):
            self.value_columns[f].append(v)

    def extend_values(self, **columns: list) -> None:
        for f in VALUE_FIELDS:
            self.value_columns[f].extend(columns[f])

    @property
    def values(self) -> list[Value]:
        return list(
            map(Value._make, zip(*(self.value_columns[f] for f in VALUE_FIELDS), strict=True))
        )

    @property
    def value_count(self) -> int:
        return len(self.value_columns["value"])

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]

    @property
    def accepted(self) -> bool:
        return not self.errors
