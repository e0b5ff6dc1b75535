"""Limits for talking to statistics servers: retries, waits, deadlines and a call throttle.

``requests``' timeout applies to each socket read, so a server that trickles a byte at a
time never trips it; the transport therefore also enforces an overall deadline per request
and per source (all of one asset's requests), checked between reads.
"""

from __future__ import annotations

import time
from collections import deque
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from chitieu.resources import StatisticsLimits

# Declared once, with the resource that sets them from the environment (names, defaults, docs).
Limits = StatisticsLimits


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds asked for by a Retry-After header (a number or an HTTP date); None if absent or unreadable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


class DeadlinePassed(RuntimeError):
    """Waiting any longer would pass the request's or the source's deadline."""


class Throttle:
    """At most ``max_calls`` calls in any ``time_window`` seconds (PX-Web's ``?config`` limits)."""

    def __init__(self, max_calls: int, time_window: float, clock=time.monotonic, sleep=time.sleep):
        self.max_calls = max(1, int(max_calls))
        self.time_window = max(0.0, float(time_window))
        self.calls: deque[float] = deque()
        self.clock, self.sleep = clock, sleep

    def tighten(self, max_calls: int | None, time_window: float | None) -> None:
        """Adopt the server's limits where they are stricter than ours."""
        if isinstance(max_calls, int | float) and max_calls >= 1:
            self.max_calls = min(self.max_calls, int(max_calls))
        if isinstance(time_window, int | float) and time_window > 0:
            self.time_window = max(self.time_window, float(time_window))

    def wait(self, deadline: float) -> float:
        """Block until one more call is allowed; returns the seconds waited."""
        now = self.clock()
        while self.calls and self.calls[0] <= now - self.time_window:
            self.calls.popleft()
        waited = 0.0
        if len(self.calls) >= self.max_calls:
            waited = self.calls[0] + self.time_window - now
            if now + waited > deadline:
                raise DeadlinePassed(
                    f"the server allows {self.max_calls} calls per {self.time_window:g} s; "
                    f"waiting {waited:.1f} s for the next one would pass the deadline"
                )
            self.sleep(waited)
            self.calls.popleft()
        self.calls.append(self.clock())
        return waited
