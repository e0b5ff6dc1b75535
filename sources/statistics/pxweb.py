"""A PX-Web API v1 client for the statistics office's database (pxweb.nso.gov.vn).

It lists a folder's tables, reads a table's metadata, posts a query and parses the answer
(JSON-stat, preferred, or PC-Axis ``.px``) into cells. Tables are found by title, because
their ids shift between yearly editions; the id in the config is a pin: a table found under
another id is used only when it is the single title match (and later checks pass).
"""

from __future__ import annotations

import codecs
import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from chitieu.reference import fold
from sources.statistics.http import Answer, FetchError
from sources.statistics.jsonstat import (
    MISSING_SYMBOLS,
    Cell,
    JsonStatError,
    Table,
    clean_bytes,
    parse_jsonstat_table,
)

_UTF8_BOM = b"\xef\xbb\xbf"
_NEVER = r"(?!)"


class PxWebError(FetchError):
    """The database answered, but not with what the config expects."""


@dataclass(frozen=True)
class Variable:
    code: str
    text: str
    values: list[str]
    value_texts: list[str]

    def code_for(self, label: str) -> str:
        """The value code whose text matches ``label`` (ignoring indentation, case, Ð/Đ)."""
        key = fold(label)
        for code, text in zip(self.values, self.value_texts, strict=True):
            if fold(text) == key:
                return code
        raise PxWebError(
            f"variable {self.text!r} has no value {label!r}; it has {[t.strip() for t in self.value_texts][:12]}"
        )

    def text_for(self, code: str) -> str | None:
        return self.value_texts[self.values.index(code)] if code in self.values else None


@dataclass(frozen=True)
class TableChoice:
    """The table a title pattern chose, and every table whose title matched."""

    table_id: str
    title: str
    pinned_id: str | None
    candidates: list[dict] = field(default_factory=list)

    @property
    def moved(self) -> bool:
        return bool(self.pinned_id) and self.pinned_id != self.table_id


def norm_label(text: str) -> str:
    """A label for matching: folded, indentation dropped."""
    return fold(text)


def _listed(entries: list[dict]) -> str:
    return "; ".join(f"{e.get('id')} {e.get('text', '')!r}" for e in entries)


class PxWebClient:
    """Talks PX-Web API v1 through a transport (live, recorded or a cached unit)."""

    def __init__(self, base_url: str, transport, language: str = "vi"):
        self.base_url = base_url.rstrip("/")
        self.language = language
        self.transport = transport
        self.answers: list[Answer] = []
        self._listings: dict[str, list[dict]] = {}
        hook = getattr(transport, "use_server_limits", None)
        if hook:
            hook(self._url("") + "?config")

    def _url(self, *parts: str) -> str:
        path = "/".join(quote(p.strip("/"), safe="/") for p in parts if p)
        return f"{self.base_url}/{self.language}/{path}"

    def _call(self, method: str, url: str, payload: dict | None = None) -> Answer:
        answer = self.transport.request(method, url, payload)
        self.answers.append(answer)
        return answer

    def _json(self, answer: Answer):
        try:
            return json.loads(clean_bytes(answer.content))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise PxWebError(f"{answer.url}: answer is not JSON ({exc}){answer.origin()}") from exc

    def list_tables(self, folder: str) -> list[dict]:
        """Entries of a folder: ``{"id", "type" ("l" folder / "t" table), "text"}``; read once per client."""
        if folder not in self._listings:
            answer = self._call("GET", self._url(folder) + "/")
            entries = self._json(answer)
            if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
                raise PxWebError(f"{folder}: expected a list of entries{answer.origin()}")
            self._listings[folder] = entries
        return self._listings[folder]

    def find_table(
        self, folder: str, title_pattern: str, pinned_id: str | None = None
    ) -> TableChoice:
        """The pinned table if its title matches ``title_pattern`` (folded regex); else the only
        matching table. Several matches without the pin, or none, are refused with the candidates."""
        rx = re.compile(norm_label(title_pattern))
        tables = [e for e in self.list_tables(folder) if e.get("type") == "t"]
        matches = [e for e in tables if rx.search(norm_label(str(e.get("text", ""))))]
        pinned = [e for e in matches if e.get("id") == pinned_id]
        if pinned:
            return TableChoice(pinned[0]["id"], pinned[0]["text"], pinned_id, matches)
        if len(matches) == 1:
            return TableChoice(matches[0]["id"], matches[0]["text"], pinned_id, matches)
        pin = f"the pinned {pinned_id} is not among them" if pinned_id else "no table_id is pinned"
        if not matches:
            also = [e for e in tables if e.get("id") == pinned_id]
            raise PxWebError(
                f"{folder}: no table title matches {title_pattern!r}"
                + (
                    f"; the pinned {pinned_id} is now titled {also[0].get('text')!r}"
                    if also
                    else ""
                )
                + f"; tables in the folder: {_listed(tables)}"
            )
        raise PxWebError(
            f"{folder}: {len(matches)} tables match {title_pattern!r} and {pin}; refused rather "
            f"than guessed. Candidates: {_listed(matches)}. Set table_id in "
            "sources/statistics/config.yaml to the right one."
        )

    def metadata(self, folder: str, table_id: str) -> tuple[str, list[Variable]]:
        answer = self._call("GET", self._url(folder, table_id))
        doc = self._json(answer)
        try:
            variables = [
                Variable(
                    v["code"], v.get("text", v["code"]), list(v["values"]), list(v["valueTexts"])
                )
                for v in doc["variables"]
            ]
        except (KeyError, TypeError) as exc:
            raise PxWebError(
                f"{folder}/{table_id}: metadata without variables/code/values/valueTexts{answer.origin()}"
            ) from exc
        return doc.get("title", ""), variables

    def query(
        self, folder: str, table_id: str, selections: dict[str, list[str]], fmt: str = "json-stat"
    ) -> Table:
        """POST a query (value codes per variable code) and parse the answer (JSON-stat 1.x or
        2.0, or PC-Axis). A JSON-stat query the server refuses with HTTP 400 is asked again as .px."""
        payload = {
            "query": [
                {"code": code, "selection": {"filter": "item", "values": values}}
                for code, values in selections.items()
            ],
            "response": {"format": fmt},
        }
        url = self._url(folder, table_id)
        try:
            answer = self._call("POST", url, payload)
        except FetchError as exc:
            if fmt == "px" or "HTTP 400" not in str(exc):
                raise
            return self.query(folder, table_id, selections, "px")
        try:
            return parse_px(answer.content) if fmt == "px" else parse_jsonstat_table(answer.content)
        except FetchError as exc:
            raise PxWebError(
                f"{folder}/{table_id}: cannot parse the {fmt} answer: {exc}{answer.origin()}"
            ) from exc


def decode_px(content: bytes) -> str:
    """The text of a .px file: UTF-8 with a BOM, else its CODEPAGE, else UTF-8, else
    Windows-1252 when it says CHARSET="ANSI" (the PC-Axis meaning of ANSI)."""
    if content.startswith(_UTF8_BOM):
        return content[len(_UTF8_BOM) :].decode("utf-8").rstrip("\x00")
    head = content.split(b"DATA=", 1)[0].decode("latin-1")
    codepage = re.search(r'CODEPAGE\s*=\s*"([^"]+)"', head)
    charset = re.search(r'CHARSET\s*=\s*"([^"]+)"', head)
    if codepage:
        name = codepage.group(1).strip()
        try:
            return content.decode(codecs.lookup(name).name).rstrip("\x00")
        except LookupError as exc:
            raise PxWebError(f".px answer: unknown CODEPAGE {name!r}") from exc
        except UnicodeDecodeError as exc:
            raise PxWebError(f".px answer: not valid {name} text ({exc})") from exc
    try:
        return content.decode("utf-8").rstrip("\x00")
    except UnicodeDecodeError as exc:
        if charset and charset.group(1).strip().upper() == "ANSI":
            return content.decode("cp1252", errors="strict").rstrip("\x00")
        raise PxWebError(
            f".px answer is not UTF-8 and names no CODEPAGE (CHARSET {charset.group(1) if charset else 'absent'}): {exc}"
        ) from exc


def parse_px(content: bytes) -> Table:
    """Parse a PC-Axis answer with pyaxis. Codes come from CODES(...) when given, else the
    (indentation-stripped) value texts; every missing-value symbol keeps its own meaning."""
    from pyaxis import pyaxis

    text = decode_px(content)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "answer.px"
        path.write_text(text, encoding="utf-8")
        try:
            parsed = pyaxis.parse(
                uri=str(path), encoding="utf-8", null_values=_NEVER, sd_values=_NEVER
            )
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise JsonStatError(f"malformed .px ({type(exc).__name__}: {exc})") from exc
    meta, df = parsed["METADATA"], parsed["DATA"]
    dims = [c for c in df.columns if c != "DATA"]
    codes = {}
    for d in dims:
        listed, coded = meta.get(f"VALUES({d})"), meta.get(f"CODES({d})")
        if isinstance(coded, list) and isinstance(listed, list) and len(coded) == len(listed):
            codes[d] = dict(zip(listed, coded, strict=True))
    cells = []
    for rec in df.itertuples(index=False):
        raw = str(rec[-1]).strip().strip('"').strip()
        if raw in MISSING_SYMBOLS:
            value, status = None, raw
        else:
            try:
                value, status = float(raw), None
            except ValueError as exc:
                raise JsonStatError(
                    f"cell {raw!r} is neither a number nor a status symbol"
                ) from exc
        coords = {
            d: (codes.get(d, {}).get(str(v), str(v)), str(v))
            for d, v in zip(dims, rec[:-1], strict=True)
        }
        cells.append(Cell(coords, value, status))
    unit = meta.get("UNITS")
    unit = unit[0] if isinstance(unit, list) and unit else (unit or None)
    title = meta.get("TITLE")
    return Table(title[0] if isinstance(title, list) and title else str(title or ""), unit, cells)
