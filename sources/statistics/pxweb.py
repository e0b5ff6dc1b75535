"""A PX-Web API v1 client for the statistics office's database (pxweb.nso.gov.vn).

It lists a folder's tables, reads a table's metadata, posts a query and parses the answer
(JSON-stat 1.x or PC-Axis ``.px``) into cells. Tables are found by title, because their ids
shift between yearly editions; the id in the config is only a pin that is checked.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from chitieu.reference import fold
from sources.statistics.http import Answer
from sources.statistics.jsonstat import (
    MISSING_SYMBOLS,
    Cell,
    JsonStatError,
    clean_bytes,
    parse_jsonstat,
)


class PxWebError(RuntimeError):
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


def norm_label(text: str) -> str:
    """A label for matching: folded, indentation dropped."""
    return fold(text)


class PxWebClient:
    """Talks PX-Web API v1 through a transport (live or recorded)."""

    def __init__(self, base_url: str, transport, language: str = "vi"):
        self.base_url = base_url.rstrip("/")
        self.language = language
        self.transport = transport
        self.answers: list[Answer] = []
        self._listings: dict[str, list[dict]] = {}

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
            raise PxWebError(f"{answer.url}: answer is not JSON ({exc})") from exc

    def list_tables(self, folder: str) -> list[dict]:
        """Entries of a folder: ``{"id", "type" ("l" folder / "t" table), "text"}``; read once per client."""
        if folder not in self._listings:
            entries = self._json(self._call("GET", self._url(folder) + "/"))
            if not isinstance(entries, list):
                raise PxWebError(f"{folder}: expected a list of entries")
            self._listings[folder] = entries
        return self._listings[folder]

    def find_table(
        self, folder: str, title_pattern: str, pinned_id: str | None = None
    ) -> tuple[str, str]:
        """(table id, title) of the table whose title matches ``title_pattern`` (folded regex)."""
        rx = re.compile(norm_label(title_pattern))
        tables = [e for e in self.list_tables(folder) if e.get("type") == "t"]
        matches = [e for e in tables if rx.search(norm_label(e.get("text", "")))]
        if not matches:
            raise PxWebError(f"{folder}: no table title matches {title_pattern!r}")
        pinned = [e for e in matches if e["id"] == pinned_id]
        chosen = pinned[0] if pinned else matches[0]
        return chosen["id"], chosen["text"]

    def metadata(self, folder: str, table_id: str) -> tuple[str, list[Variable]]:
        doc = self._json(self._call("GET", self._url(folder, table_id)))
        try:
            variables = [
                Variable(
                    v["code"], v.get("text", v["code"]), list(v["values"]), list(v["valueTexts"])
                )
                for v in doc["variables"]
            ]
        except (KeyError, TypeError) as exc:
            raise PxWebError(
                f"{folder}/{table_id}: metadata without variables/code/values/valueTexts"
            ) from exc
        return doc.get("title", ""), variables

    def query(
        self, folder: str, table_id: str, selections: dict[str, list[str]], fmt: str = "json-stat"
    ) -> list[Cell]:
        """POST a query (value codes per variable code) and parse the answer into cells."""
        payload = {
            "query": [
                {"code": code, "selection": {"filter": "item", "values": values}}
                for code, values in selections.items()
            ],
            "response": {"format": fmt},
        }
        answer = self._call("POST", self._url(folder, table_id), payload)
        try:
            return parse_px(answer.content) if fmt == "px" else parse_jsonstat(answer.content)[1]
        except (JsonStatError, ValueError) as exc:
            raise PxWebError(f"{folder}/{table_id}: cannot parse the {fmt} answer: {exc}") from exc


def parse_px(content: bytes) -> list[Cell]:
    """Parse a PC-Axis file with pyaxis; codes are the (indentation-stripped) value texts."""
    from pyaxis import pyaxis

    text = content.decode("utf-8-sig").rstrip("\x00")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "answer.px"
        path.write_text(text, encoding="utf-8")
        parsed = pyaxis.parse(uri=str(path), encoding="utf-8")
    df = parsed["DATA"]
    dims = [c for c in df.columns if c != "DATA"]
    cells = []
    for rec in df.itertuples(index=False):
        raw = str(rec[-1]).strip().strip('"')
        if raw in {"nan", "NaN", "None", ""}:
            value, status = None, ".."
        elif raw in MISSING_SYMBOLS:
            value, status = None, raw
        else:
            value, status = float(raw), None
        cells.append(
            Cell({d: (str(v), str(v)) for d, v in zip(dims, rec[:-1], strict=True)}, value, status)
        )
    return cells
