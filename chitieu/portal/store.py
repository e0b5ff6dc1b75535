"""The portal's append-only event log: every sign-in and upload (who, when, what, result).

A small SQLite file (``CHITIEU_PORTAL_LOG``), not the warehouse: the nightly run holds the DuckDB
file for writing and DuckDB fails at once on a second writer, while SQLite waits on its lock. The
nightly job copies the log into ``raw.portal_events`` (``assets/portal.py``).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

COLUMNS = (
    "event_id",
    "occurred_at",
    "kind",
    "department_code",
    "sender",
    "client",
    "file_name",
    "stored_name",
    "sha256",
    "size_bytes",
    "result",
    "period_code",
    "error_count",
    "warning_count",
    "duration_ms",
    "detail",
    "report",
)
_SCHEMA = """
create table if not exists events (
    event_id integer primary key autoincrement,
    occurred_at text not null,
    kind text not null,            -- sign_in | upload
    department_code text,
    sender text,
    client text,
    file_name text,
    stored_name text,
    sha256 text,
    size_bytes integer,
    result text not null,          -- ok | wrong_password | rate_limited | accepted | warned | rejected | too_large | timeout
    period_code text,
    error_count integer,
    warning_count integer,
    duration_ms real,
    detail text,
    report text
)"""


@dataclass(frozen=True)
class Event:
    kind: str
    department_code: str | None
    result: str
    client: str = ""
    sender: str = ""
    file_name: str = ""
    stored_name: str = ""
    sha256: str = ""
    size_bytes: int | None = None
    period_code: str | None = None
    error_count: int | None = None
    warning_count: int | None = None
    duration_ms: float | None = None
    detail: str = ""
    report: str = ""


class EventLog:
    """Open, write, close on every event, so no process holds the file between requests."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db, db:
            db.execute(_SCHEMA)

    def _connect(self):
        return closing(sqlite3.connect(self.path, timeout=30))

    def record(self, event: Event, occurred_at: datetime | None = None) -> int:
        """Append ``event`` stamped ``occurred_at`` (an upload: when its bytes were received),
        else now; UTC. Returns its id."""
        row = {k: v for k, v in event.__dict__.items()}
        row["occurred_at"] = (
            (occurred_at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="milliseconds")
        )
        names = ", ".join(row)
        with self._connect() as db, db:
            cur = db.execute(
                f"insert into events ({names}) values ({', '.join('?' * len(row))})",
                list(row.values()),
            )
            return int(cur.lastrowid)

    def uploads(self, department: str) -> list[dict]:
        """The department's uploads, newest first."""
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            rows = db.execute(
                "select * from events where kind = 'upload' and department_code = ? "
                "order by event_id desc",
                [department],
            ).fetchall()
        return [dict(r) for r in rows]

    def upload(self, department: str, event_id: int) -> dict | None:
        """One upload of ``department``; None for another department's (never revealed)."""
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            row = db.execute(
                "select * from events where kind = 'upload' and event_id = ? and department_code = ?",
                [event_id, department],
            ).fetchone()
        return dict(row) if row else None

    def delivered_uploads(self) -> dict[tuple[str, str], tuple[str, datetime]]:
        """(department, stored file name) -> (sha256, receipt time) of every upload the portal
        delivered into the inbox: the receipt time of those files (``chitieu.submissions.inbox``)."""
        with self._connect() as db:
            rows = db.execute(
                "select department_code, stored_name, sha256, occurred_at from events "
                "where kind = 'upload' and stored_name <> '' and result in ('accepted', 'warned')"
            ).fetchall()
        return {(d, n): (sha, datetime.fromisoformat(t)) for d, n, sha, t in rows}

    def all_events(self) -> list[dict]:
        """Every event, oldest first (for the nightly copy into the warehouse)."""
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("select * from events order by event_id")]
