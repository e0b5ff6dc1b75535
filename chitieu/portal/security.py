"""Request hardening for the portal: CSRF tokens, sign-in rate limit, body size and time bounds,
file names that are never paths, and security headers."""

from __future__ import annotations

import asyncio
import hmac
import re
import secrets
import threading
import time
import unicodedata
from collections import defaultdict, deque

from starlette.responses import PlainTextResponse

CSRF_FIELD = "csrf_token"
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (
        b"content-security-policy",
        b"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        b"frame-ancestors 'none'; base-uri 'none'",
    ),
    (b"cache-control", b"no-store"),
]


def csrf_token(session: dict) -> str:
    """The session's CSRF token, created on first use (one per session, rotated at sign-in)."""
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


def csrf_ok(session: dict, submitted: object) -> bool:
    expected = session.get(CSRF_FIELD)
    return (
        isinstance(submitted, str)
        and bool(expected)
        and hmac.compare_digest(expected.encode(), submitted.encode())
    )


def safe_name(original: str, limit: int = 100) -> str:
    """A display name from a browser-supplied file name: the last path component only, no
    control or reserved characters, no '..', no leading dots. It is shown and recorded but never
    used to build a path on its own."""
    name = unicodedata.normalize("NFC", str(original or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = _UNSAFE.sub("_", name)
    while ".." in name:
        name = name.replace("..", ".")
    name = name.strip(" .")
    if len(name) > limit:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: limit - len(ext) - 1] + dot + ext) if dot and len(ext) <= 5 else name[:limit]
    return name or "tep"


class SignInLimiter:
    """At most ``attempts`` failed sign-ins per client address and per department in a sliding
    window; a success does not reset the count (a guesser who also knows one password gains nothing)."""

    def __init__(self, attempts: int, window_seconds: float):
        self.attempts, self.window = attempts, window_seconds
        self._failures: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque:
        q = self._failures[key]
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def blocked(self, *keys: str) -> float:
        """Seconds until a new attempt is allowed (0: allowed now)."""
        now = time.monotonic()
        with self._lock:
            waits = [
                self.window - (now - q[0])
                for k in keys
                if len(q := self._recent(k, now)) >= self.attempts
            ]
        return max(waits, default=0.0)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for k in keys:
                self._recent(k, now).append(now)


REFUSED = "chitieu.refused"


class BodyLimit:
    """ASGI middleware bounding a request body to ``max_bytes`` and ``seconds``, whether or not it
    declares a Content-Length. A body declared far too large is answered 413 at once; otherwise an
    oversized or too slow body is drained (up to 4x the limit, so the client reads the answer),
    ``scope[REFUSED]`` is set to 413 or 408 and the app sees a client disconnect."""

    def __init__(self, app, max_bytes: int, seconds: float):
        self.app, self.max_bytes, self.seconds = app, max_bytes, seconds

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > 4 * self.max_bytes):
            return await too_large(self.max_bytes)(scope, receive, send)
        deadline = time.monotonic() + self.seconds
        seen = 0

        async def next_message():
            return await asyncio.wait_for(receive(), max(deadline - time.monotonic(), 0.01))

        async def limited_receive():
            nonlocal seen
            if REFUSED in scope:
                return {"type": "http.disconnect"}
            try:
                message = await next_message()
                if message["type"] != "http.request":
                    return message
                seen += len(message.get("body", b""))
                if seen <= self.max_bytes:
                    return message
                scope[REFUSED] = 413
                while message.get("more_body") and seen <= 4 * self.max_bytes:
                    message = await next_message()
                    seen += len(message.get("body", b""))
            except TimeoutError:
                scope[REFUSED] = 408
            scope.setdefault(REFUSED, 413)
            return {"type": "http.disconnect"}

        await self.app(scope, limited_receive, send)


def refusal(scope, max_bytes: int) -> PlainTextResponse:
    """The answer to a body that ``BodyLimit`` cut off."""
    if scope.get(REFUSED) == 408:
        return PlainTextResponse(
            "Gửi tệp quá lâu. / The upload took too long.",
            status_code=408,
            headers={"connection": "close"},
        )
    return too_large(max_bytes)


def too_large(max_bytes: int) -> PlainTextResponse:
    mb = f"{max_bytes / 1048576:.1f}".replace(".", ",")
    return PlainTextResponse(
        f"Tệp quá lớn (tối đa {mb} MB). / The file is too large (at most {mb} MB).",
        status_code=413,
        headers={"connection": "close"},
    )


class SecurityHeaders:
    """ASGI middleware adding the headers in ``HEADERS`` to every response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + HEADERS
            await send(message)

        await self.app(scope, receive, with_headers)
