"""Delivering a checked upload into the department's inbox folder, atomically."""

from __future__ import annotations

import hashlib
import os
from datetime import datetime
from pathlib import Path

from chitieu.submissions.inbox import OUTBOX


def stored_name(received_at: datetime, display_name: str) -> str:
    """``<UTC receipt time>-<sanitised name>``: unique per second, sorted by arrival, and free of
    the characters the inbox scanner refuses."""
    return f"{received_at:%Y%m%dT%H%M%SZ}-{display_name}"


def deliver(
    inbox_dir: str | Path, department: str, display_name: str, content: bytes, received_at: datetime
) -> Path:
    """Write ``content`` to ``<inbox>/<department>/<stored name>`` by temporary file + os.replace.
    The temporary file sits in the department's ``outbox/`` folder, which the inbox scanner skips,
    so the sensor never sees half a file. The file time is the receipt time (the nightly job's
    ``received_at``)."""
    folder = Path(inbox_dir) / department
    name = stored_name(received_at, display_name)
    target = folder / name
    if target.exists():
        stem, dot, ext = name.rpartition(".")
        target = folder / f"{stem}-{hashlib.sha256(content).hexdigest()[:8]}{dot}{ext}"
    if target.resolve().parent != folder.resolve():
        raise ValueError(f"refusing to write outside {folder}: {target.name!r}")
    tmp_dir = folder / OUTBOX
    tmp_dir.mkdir(parents=True, exist_ok=True)
    tmp = tmp_dir / f".upload-{os.getpid()}-{received_at.timestamp():.6f}.tmp"
    try:
        with open(tmp, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        stamp = received_at.timestamp()
        os.utime(tmp, (stamp, stamp))
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return target
