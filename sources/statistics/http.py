"""HTTP for the statistics clients: live with retries, waits and deadlines, or replayed from recordings.

Both transports return an ``Answer``. The live one retries HTTP 403, 404, 429, 5xx, timeouts
and broken connections with exponential backoff (a server's Retry-After is honoured up to a
cap), stops at the request's and the source's deadline, keeps to the server's call limits,
and raises ``FetchError`` naming the request, what went wrong and how many attempts it made.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import requests
import urllib3
import yaml

from chitieu import __version__
from sources.statistics.limits import DeadlinePassed, Limits, Throttle, parse_retry_after

USER_AGENT = f"chitieu/{__version__} (plan-target pipeline for Vietnamese provinces; +https://github.com/chitieu/chitieu)"
RETRY_STATUSES = (403, 404, 429, 500, 502, 503, 504)
_READ_SIZE = 65536


class FetchError(RuntimeError):
    """One table or indicator could not be fetched or accepted; its previous rows stay."""


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
    from_cache: bool = False

    @property
    def request_key(self) -> str:
        return request_key(self.method, self.url, self.body)

    def origin(self) -> str:
        """' (answer served from cache, retrieved …)' for cached answers, else ''."""
        if not self.from_cache:
            return ""
        return f" (answer served from cache, retrieved {self.retrieved_at:%Y-%m-%d %H:%M} UTC)"


def canonical_body(payload: dict | None) -> str | None:
    return (
        None
        if payload is None
        else json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    )


def request_key(method: str, url: str, body: str | None) -> str:
    """Stable id of a request: method, decoded URL and canonical JSON body."""
    return hashlib.sha256(f"{method.upper()} {unquote(url)}\n{body or ''}".encode()).hexdigest()


class _Transient(Exception):
    """A failure worth another attempt."""


def _attempts(n: int) -> str:
    return "1 attempt" if n == 1 else f"{n} attempts"


class LiveTransport:
    """Calls the real (or a local test) server within ``Limits``."""

    mode = "live"

    def __init__(self, limits: Limits | None = None, clock=time.monotonic, sleep=time.sleep):
        self.limits = limits or Limits()
        self.clock, self.sleep = clock, sleep
        self.source_deadline = clock() + self.limits.source_deadline_seconds
        self.throttle = Throttle(
            self.limits.max_calls, self.limits.time_window_seconds, clock, sleep
        )
        self.limits_url: str | None = None
        self._limits_asked = False
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT

    def use_server_limits(self, url: str) -> None:
        """Read the server's call limits (PX-Web ``?config``) once, before the first real request."""
        if not self._limits_asked:
            self.limits_url, self._limits_asked = url, True

    def _read_server_limits(self) -> None:
        url, self.limits_url = self.limits_url, None
        try:
            deadline = min(self.clock() + self.limits.timeout_seconds, self.source_deadline)
            self.throttle.wait(deadline)
            status, _, content = self._once("GET", url, None, deadline)
            doc = json.loads(content.decode("utf-8-sig").strip("\x00 \n")) if status < 400 else {}
            self.throttle.tighten(doc.get("maxCalls"), doc.get("timeWindow"))
        except (_Transient, DeadlinePassed, ValueError, AttributeError):
            pass  # one attempt only: the server's ?config is optional and our own limits stand

    def request(self, method: str, url: str, payload: dict | None = None) -> Answer:
        if self.limits_url:
            self._read_server_limits()
        body = canonical_body(payload)
        what = f"{method} {unquote(url)}"
        lim = self.limits
        deadline = min(self.clock() + lim.request_deadline_seconds, self.source_deadline)
        which = (
            "the source's deadline"
            if deadline == self.source_deadline
            else f"the {lim.request_deadline_seconds:g} s request deadline"
        )
        attempts, problem = 0, ""
        while True:
            if self.clock() >= deadline:
                raise FetchError(
                    f"{what}: stopped at {which} after {_attempts(attempts)}"
                    + (f"; last problem: {problem}" if problem else "")
                )
            try:
                self.throttle.wait(deadline)
            except DeadlinePassed as exc:
                raise FetchError(f"{what}: {exc} ({which})") from exc
            attempts += 1
            retry_after = None
            try:
                status, headers, content = self._once(method, url, body, deadline)
            except _Transient as exc:
                problem = str(exc)
            else:
                if status < 400:
                    return Answer(method, url, body, status, content, datetime.now(UTC), self.mode)
                snippet = content[:120].decode("utf-8", "replace").strip()
                problem = f"HTTP {status}" + (f" ({snippet})" if snippet else "")
                if status not in RETRY_STATUSES:
                    raise FetchError(f"{what}: {problem}; not retried ({_attempts(attempts)})")
                raw_retry = headers.get("Retry-After")
                retry_after = parse_retry_after(raw_retry)
                if raw_retry and retry_after is None:
                    problem += f"; unreadable Retry-After {raw_retry!r} ignored"
            if self.clock() >= deadline:
                raise FetchError(
                    f"{what}: {problem}; stopped at {which} after {_attempts(attempts)}"
                )
            if attempts > lim.retries:
                raise FetchError(f"{what}: {problem} after {_attempts(attempts)}")
            wait = lim.backoff_factor * 2 ** (attempts - 1)
            if retry_after is not None:
                wait = min(retry_after, lim.max_retry_after_seconds)
            if self.clock() + wait > deadline:
                raise FetchError(
                    f"{what}: {problem} after {_attempts(attempts)}; waiting {wait:g} s more would pass {which}"
                )
            self.sleep(wait)

    def _once(self, method: str, url: str, body: str | None, deadline: float):
        """One attempt; the body is read in pieces so the deadline is checked between reads."""
        left = max(0.001, deadline - self.clock())
        timeout = min(self.limits.timeout_seconds, left)
        try:
            resp = self.session.request(
                method,
                url,
                data=body.encode() if body else None,
                timeout=(timeout, timeout),
                headers={"Content-Type": "application/json"} if body else None,
                stream=True,
            )
        except requests.exceptions.Timeout as exc:
            raise _Transient(f"timed out (no answer within {timeout:.3g} s)") from exc
        except requests.exceptions.RequestException as exc:
            raise _Transient(f"connection failed ({type(exc).__name__})") from exc
        parts = []
        try:
            while True:
                if self.clock() >= deadline:
                    raise _Transient(
                        f"answer still arriving at the deadline ({sum(map(len, parts))} bytes read)"
                    )
                chunk = resp.raw.read1(_READ_SIZE, decode_content=True)
                if not chunk:
                    break
                parts.append(chunk)
        except (urllib3.exceptions.HTTPError, requests.exceptions.RequestException, OSError) as exc:
            kind = "timed out" if "timed out" in str(exc).lower() else "connection broke"
            raise _Transient(
                f"{kind} while reading the answer ({type(exc).__name__}, {sum(map(len, parts))} bytes read)"
            ) from exc
        finally:
            resp.close()
        return resp.status_code, resp.headers, b"".join(parts)


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
