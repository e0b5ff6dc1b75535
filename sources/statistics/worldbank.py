"""A World Bank API v2 client for one country's indicators (paging, errors sent as HTTP 200)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sources.statistics.http import Answer, FetchError
from sources.statistics.jsonstat import clean_bytes


class WorldBankError(FetchError):
    """The API answered with an error message (it does so with HTTP 200) or an unexpected shape."""


@dataclass(frozen=True)
class WbValue:
    indicator: str
    indicator_name: str
    country: str
    year: int
    value: float | None


class WorldBankClient:
    def __init__(self, base_url: str, transport, per_page: int = 100, max_pages: int = 50):
        self.base_url = base_url.rstrip("/")
        self.transport = transport
        self.per_page = per_page
        self.max_pages = max_pages
        self.answers: list[Answer] = []

    def indicator(self, country: str, code: str, date: str | None = None) -> list[WbValue]:
        """Every yearly value of ``code`` for ``country``, following the pages. An empty result
        (``pages: 0`` and ``null`` records) is no data: an empty list, not an error."""
        out: list[WbValue] = []
        page, pages = 1, 1
        while page <= pages:
            url = f"{self.base_url}/country/{country}/indicator/{code}?format=json&per_page={self.per_page}&page={page}"
            if date:
                url += f"&date={date}"
            answer = self.transport.request("GET", url)
            self.answers.append(answer)
            origin = answer.origin()
            try:
                doc = json.loads(clean_bytes(answer.content))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise WorldBankError(f"{url}: answer is not JSON ({exc}){origin}") from exc
            if isinstance(doc, list) and doc and isinstance(doc[0], dict) and "message" in doc[0]:
                msgs = "; ".join(
                    f"{m.get('id')} {m.get('key')}: {m.get('value')}"
                    for m in doc[0]["message"] or []
                    if isinstance(m, dict)
                )
                raise WorldBankError(f"{url}: World Bank API error: {msgs}{origin}")
            if not (isinstance(doc, list) and len(doc) == 2 and isinstance(doc[0], dict)):
                raise WorldBankError(f"{url}: expected [paging, records]{origin}")
            try:
                pages = min(int(doc[0].get("pages") or 0), self.max_pages)
                out.extend(self._value(rec, country) for rec in doc[1] or [])
            except (KeyError, TypeError, ValueError) as exc:
                raise WorldBankError(
                    f"{url}: unexpected record ({type(exc).__name__}: {exc}){origin}"
                ) from exc
            page += 1
        return out

    @staticmethod
    def _value(rec: dict, country: str) -> WbValue:
        return WbValue(
            rec["indicator"]["id"],
            rec["indicator"]["value"],
            rec.get("countryiso3code") or country,
            int(rec["date"]),
            None if rec["value"] is None else float(rec["value"]),
        )
