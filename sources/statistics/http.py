"""HTTP for the statistics clients: live with retries and backoff, or replayed from recordings.

Both transports return an ``Answer``. The live one retries HTTP 403, 404, 429, 5xx and
timeouts with exponential backoff (urllib3's Retry, honouring Retry-After), then raises
``FetchError`` naming the request and what went wrong.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import requests
import yaml
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from chitieu import __version__

USER_AGENT = f"chitieu/{__version__} (plan-target pipeline for Vietnamese provinces; +https://github.com/chitieu/chitieu)"
RETRY_STATUSES = (403, 404, 429, 500, 502, 503, 504)


class FetchError(RuntimeError):
    """A request that failed for good, after its retries."""


@dataclass(frozen=True)
class Answer:
    """One HTTP answer with the provenance the raw layer keeps."""

    method: str
    url: str
    body: str | None
    status: int
    content: bytes
    retrieved_at: datetime
    mode: str

    @property
    def request_key(self) -> str:
        return request_key(self.method, self.url, self.body)


def canonical_body(payload: dict | None) -> str | None:
    return (
        None
        if payload is None
        else json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    )


def request_key(method: str, url: str, body: str | None) -> str:
    """Stable id of a request: method, decoded URL and canonical JSON body."""
    return hashlib.sha256(f"{method.upper()} {unquote(url)}\n{body or ''}".encode()).hexdigest()


class LiveTransport:
    """Calls the real (or a local test) server."""

    mode = "live"

    def __init__(self, retries: int = 4, backoff_factor: float = 1.0, timeout: float = 30.0):
        self.timeout = timeout
        self.retries = retries
        retry = Retry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            backoff_factor=backoff_factor,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET", "POST"}),
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        self.session = requests.Session()
        self.session.mount("http://", HTTPAdapter(max_retries=retry))
        self.session.mount("https://", HTTPAdapter(max_retries=retry))
        self.session.headers["User-Agent"] = USER_AGENT

    def request(self, method: str, url: str, payload: dict | None = None) -> Answer:
        body = canonical_body(payload)
        try:
            resp = self.session.request(
                method,
                url,
                data=body.encode() if body else None,
                timeout=self.timeout,
                headers={"Content-Type": "application/json"} if body else None,
            )
        except requests.exceptions.RetryError as exc:
            raise FetchError(
                f"{method} {unquote(url)}: still failing after {self.retries} retries ({exc})"
            ) from exc
        except (requests.exceptions.Timeout, requests.exceptions.ConnectionError) as exc:
            kind = (
                "timed out"
                if "timed out" in str(exc).lower() or isinstance(exc, requests.exceptions.Timeout)
                else "connection failed"
            )
            raise FetchError(
                f"{method} {unquote(url)}: {kind} after {self.retries} retries"
            ) from exc
        if resp.status_code >= 400:
            raise FetchError(
                f"{method} {unquote(url)}: HTTP {resp.status_code} after {self.retries} retries"
            )
        return Answer(
            method, url, body, resp.status_code, resp.content, datetime.now(UTC), self.mode
        )


class RecordedTransport:
    """Replays answers recorded in ``index.yaml`` beside the files (the offline default)."""

    mode = "recorded"

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        with open(self.folder / "index.yaml", encoding="utf-8") as fh:
            entries = yaml.safe_load(fh)["answers"]
        self.index = {
            request_key(e["method"], e["url"], canonical_body(e.get("payload"))): e for e in entries
        }

    def request(self, method: str, url: str, payload: dict | None = None) -> Answer:
        body = canonical_body(payload)
        entry = self.index.get(request_key(method, url, body))
        if entry is None:
            raise FetchError(
                f"{method} {unquote(url)}: no recorded answer in {self.folder}/index.yaml (offline mode)"
            )
        content = (self.folder / entry["file"]).read_bytes()
        return Answer(
            method, url, body, int(entry.get("status", 200)), content, datetime.now(UTC), self.mode
        )


class CachingTransport:
    """Serves answers still within their time-to-live; fetches (and remembers) the rest."""

    def __init__(self, inner, cached: dict[str, Answer]):
        self.inner = inner
        self.cached = cached
        self.fetched: list[Answer] = []
        self.hits = 0

    def request(self, method: str, url: str, payload: dict | None = None) -> Answer:
        key = request_key(method, url, canonical_body(payload))
        if key in self.cached:
            self.hits += 1
            return self.cached[key]
        answer = self.inner.request(method, url, payload)
        self.fetched.append(answer)
        return answer
