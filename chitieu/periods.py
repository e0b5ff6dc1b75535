"""Reporting periods: month, quarter, 6 and 9 months cumulative, year, year-end estimate.

Period codes are canonical strings: ``2024-06`` (month), ``2024-Q2`` (quarter),
``2024-6M`` / ``2024-9M`` (cumulative from 1 January), ``2024`` (the whole year,
final figure) and ``2024-EST`` (the year-end estimate, "ước thực hiện cả năm").
Flow values are cumulative from 1 January to the end of the period.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

PERIOD_TYPES = ("month", "quarter", "cumulative_6m", "cumulative_9m", "year", "year_estimate")

LABELS_VI = {
    "month": "Tháng {m}/{y}",
    "quarter": "Quý {q}/{y}",
    "cumulative_6m": "6 tháng năm {y}",
    "cumulative_9m": "9 tháng năm {y}",
    "year": "Năm {y}",
    "year_estimate": "Ước thực hiện cả năm {y}",
}
LABELS_EN = {
    "month": "{y}-{m:02d} year to date",
    "quarter": "{y} Q{q} year to date",
    "cumulative_6m": "First 6 months of {y}",
    "cumulative_9m": "First 9 months of {y}",
    "year": "Year {y}",
    "year_estimate": "Year-end estimate {y}",
}

_PATTERN = re.compile(r"^(?P<y>\d{4})(?:-(?:(?P<m>\d{2})|Q(?P<q>[1-4])|(?P<c>6M|9M)|(?P<e>EST)))?$")


class PeriodError(ValueError):
    """A period code that does not follow the canonical form."""


@dataclass(frozen=True)
class Period:
    """One reporting period with its calendar extent."""

    code: str
    period_type: str
    year: int
    end_month: int

    @property
    def start_date(self) -> date:
        return (
            date(self.year, 1, 1)
            if self.period_type != "month"
            else date(self.year, self.end_month, 1)
        )

    @property
    def end_date(self) -> date:
        return date(self.year, self.end_month, calendar.monthrange(self.year, self.end_month)[1])

    @property
    def elapsed_fraction(self) -> float:
        """Share of the year covered from 1 January to the end of the period."""
        return self.end_month / 12

    @property
    def is_final(self) -> bool:
        return self.period_type == "year"

    @property
    def is_estimate(self) -> bool:
        return self.period_type == "year_estimate"

    @property
    def label_vi(self) -> str:
        return LABELS_VI[self.period_type].format(
            y=self.year, m=self.end_month, q=self.end_month // 3
        )

    @property
    def label_en(self) -> str:
        return LABELS_EN[self.period_type].format(
            y=self.year, m=self.end_month, q=self.end_month // 3
        )


@lru_cache(maxsize=4096)
def parse_period(code: str) -> Period:
    """Parse a canonical period code; raises PeriodError naming what was expected."""
    m = _PATTERN.match(str(code).strip())
    if not m:
        raise PeriodError(
            f"period {code!r} is not valid; expected YYYY, YYYY-MM, YYYY-Q1..Q4, YYYY-6M, YYYY-9M or YYYY-EST"
        )
    y = int(m["y"])
    if m["m"]:
        month = int(m["m"])
        if not 1 <= month <= 12:
            raise PeriodError(f"period {code!r} has month {month}; expected 01-12")
        return Period(f"{y}-{month:02d}", "month", y, month)
    if m["q"]:
        return Period(f"{y}-Q{m['q']}", "quarter", y, int(m["q"]) * 3)
    if m["c"]:
        months = int(m["c"][0])
        return Period(f"{y}-{m['c']}", f"cumulative_{months}m", y, months)
    if m["e"]:
        return Period(f"{y}-EST", "year_estimate", y, 12)
    return Period(str(y), "year", y, 12)


def periods_for_year(year: int) -> list[Period]:
    """Every period code of one year, in calendar order."""
    codes = [f"{year}-{m:02d}" for m in range(1, 13)]
    codes += [f"{year}-Q{q}" for q in range(1, 5)] + [
        f"{year}-6M",
        f"{year}-9M",
        str(year),
        f"{year}-EST",
    ]
    return sorted(
        (parse_period(c) for c in codes),
        key=lambda p: (p.end_month, PERIOD_TYPES.index(p.period_type)),
    )


def parse_receipt_time(text: str) -> datetime:
    """A receipt time: YYYY-MM-DD (noon in Asia/Ho_Chi_Minh, the same calendar day in UTC) or an
    ISO date-time with its offset; ValueError naming the text otherwise."""
    from zoneinfo import ZoneInfo

    text = str(text).strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValueError(
            f"receipt time {text!r} is not valid; expected YYYY-MM-DD or an ISO date-time"
            " with offset, e.g. 2024-10-08 or 2024-10-08T09:30:00+07:00"
        )
    return moment


def parse_as_of(text: str) -> date:
    """An evaluation date written YYYY-MM-DD; ValueError naming the text otherwise."""
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise ValueError(
            f"as-of date {text!r} is not a valid date; expected YYYY-MM-DD, e.g. 2024-09-30"
        ) from None
