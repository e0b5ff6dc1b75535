"""Administrative units over time: validity dates and the unit that replaces an abolished one.

From 1 July 2025 Vietnam abolished the district level and merged communes. An area may carry
``valid_from`` / ``valid_to`` (inclusive) and a ``successor``, the unit that reports in its place.
A figure for a period ending after an area's end date is refused, naming the successor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from chitieu.periods import Period


@dataclass(frozen=True)
class AreaSpan:
    """When an area exists and which area replaces it."""

    code: str
    name_vi: str
    name_en: str
    valid_from: date | None
    valid_to: date | None
    successor: str | None


def _day(v) -> date | None:
    if v is None or (not isinstance(v, date) and pd.isna(v)):
        return None
    return v if isinstance(v, date) else date.fromisoformat(str(v))


def area_spans(areas: pd.DataFrame) -> dict[str, AreaSpan]:
    """The validity of every area of ``Reference.areas``."""
    return {
        r.area_code: AreaSpan(
            r.area_code,
            r.name_vi,
            r.name_en,
            _day(r.valid_from),
            _day(r.valid_to),
            None if pd.isna(r.successor) else str(r.successor),
        )
        for r in areas.itertuples(index=False)
    }


def successor_on(spans: dict[str, AreaSpan], code: str, day: date) -> str:
    """The area that stands for ``code`` on ``day`` (following successors of successors)."""
    seen = set()
    while code in spans and spans[code].valid_to and day > spans[code].valid_to:
        if code in seen or not spans[code].successor:
            break
        seen.add(code)
        code = spans[code].successor
    return code


def area_problem(spans: dict[str, AreaSpan], code: str, period: Period) -> str | None:
    """Why a figure for ``code`` in ``period`` cannot be accepted (Vietnamese / English), or None."""
    span = spans.get(code)
    if span is None:
        return None
    end = period.end_date
    if span.valid_to and end > span.valid_to:
        new = spans.get(successor_on(spans, code, end))
        gone = (span.valid_to + timedelta(days=1)).strftime("%d/%m/%Y")
        to_vi = f"; báo cáo cho {new.name_vi} ({new.code})" if new and new.code != code else ""
        to_en = f"; report it for {new.name_en} ({new.code})" if new and new.code != code else ""
        return (
            f"{span.name_vi} ({code}) không còn từ {gone}, kỳ {period.code} kết thúc sau ngày đó{to_vi}"
            f" / {span.name_en} ({code}) ceased on {span.valid_to.isoformat()}, before the end of"
            f" {period.code}{to_en}"
        )
    if span.valid_from and end < span.valid_from:
        return (
            f"{span.name_vi} ({code}) chỉ có từ {span.valid_from.strftime('%d/%m/%Y')}"
            f" / {span.name_en} ({code}) exists only from {span.valid_from.isoformat()}"
        )
    return None
