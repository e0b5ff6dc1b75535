"""The inbox: one folder per department (``<root>/<department_code>/<file>``); each file is a submission."""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from chitieu.submissions.problems import Problem

OUTBOX = "outbox"
_BAD_NAME = re.compile(r"\.\.|[\\/:*?\"<>|\x00-\x1f]")


MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class InboxFile:
    """One file found in the inbox. ``sha256`` hashes its bytes (for a refused file, which is never
    read, its refusal and path, so it is recorded once); ``received_at`` is when this scan saw it
    (the pipeline keeps the first time a content was seen); ``held`` says why a file that may still
    be being written is left for a later scan; ``content`` is the bytes read, so the parser reads
    exactly what was hashed."""

    path: Path
    department: str | None
    sha256: str
    received_at: datetime
    refused: Problem | None = None
    held: str | None = None
    content: bytes | None = field(default=None, repr=False, compare=False)
    modified_at: datetime | None = None


ARTEFACTS = {".ds_store", "thumbs.db", "desktop.ini", ".gitkeep", ".keep"}


def _skip(rel: Path) -> bool:
    """Operating-system and editor artefacts (Excel's '~$' lock files), and the outbox folder."""
    name = rel.name.lower()
    in_outbox = len(rel.parts) >= 2 and rel.parts[1] == OUTBOX
    return name in ARTEFACTS or name.startswith(("~$", ".~lock")) or in_outbox


def _refusal_id(problem: Problem, rel: Path) -> str:
    return hashlib.sha256(f"refused\0{problem.rule}\0{rel}".encode()).hexdigest()


def _read_regular(path: Path, max_bytes: int) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file, opened without following links and without blocking (a FIFO
    opened for reading would wait for a writer); raises OSError or ValueError otherwise."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ValueError("not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(max_bytes + 1)
    finally:
        os.close(fd)
    return data, st


def _inspect(
    path: Path, rel: Path, dept: str, now: datetime, settle_seconds: float, max_bytes: int
) -> tuple[Problem | None, str | None, bytes | None, datetime | None]:
    """(refusal, hold reason, bytes, file time) of one candidate file in a department folder."""
    try:
        st = os.lstat(path)
    except OSError:
        return None, "vanished while scanning", None, None
    modified = datetime.fromtimestamp(st.st_mtime, UTC)
    if not stat.S_ISREG(st.st_mode):
        kind = (
            "symlink"
            if stat.S_ISLNK(st.st_mode)
            else "a folder"
            if stat.S_ISDIR(st.st_mode)
            else "pipe, socket or device"
        )
        rule = "path_refused" if stat.S_ISLNK(st.st_mode) else "not_regular_file"
        expected = (
            "a plain file name inside the department folder"
            if rule == "path_refused"
            else "an ordinary .xlsx, .xls, .ods or .csv file"
        )
        return (
            Problem(rule, str(rel), found=f"{path.name} ({kind})", expected=expected),
            None,
            None,
            modified,
        )
    if st.st_size > max_bytes:
        return (
            Problem(
                "file_limit",
                str(rel),
                found=f"{st.st_size / 1024 / 1024:.1f} MB",
                expected=f"at most {max_bytes // (1024 * 1024)} MB",
            ),
            None,
            None,
            modified,
        )
    if (now - modified).total_seconds() < settle_seconds:
        return (
            None,
            f"changed less than {settle_seconds:g} s ago; may still be being copied",
            None,
            modified,
        )
    try:
        data, st2 = _read_regular(path, max_bytes)
    except (OSError, ValueError) as exc:
        return None, f"cannot be opened now ({exc})", None, modified
    after = os.lstat(path)
    if (st2.st_size, st2.st_mtime_ns) != (after.st_size, after.st_mtime_ns) or len(
        data
    ) != after.st_size:
        return None, "changed while being read", None, modified
    return None, None, data, modified


def scan_inbox(
    root: str | Path,
    departments: set[str],
    settle_seconds: float = 0.0,
    max_bytes: int = MAX_FILE_BYTES,
    now: datetime | None = None,
    received_at: datetime | None = None,
) -> list[InboxFile]:
    """Every submission file under ``root``, each stamped ``received_at`` (default: the scan's
    time ``now``; a fixed receipt clock for tests and what-if runs, docs/submissions.md). Files outside department folders, with path tricks in
    their names, symlinks, pipes and devices, and files over ``max_bytes`` come back with
    ``refused`` set and are never parsed (nor opened). A file modified less than ``settle_seconds``
    ago, or that changes while it is read, comes back ``held``: it is taken on a later scan."""
    root = Path(root)
    if not root.is_dir():
        return []
    now = now or datetime.now(UTC)
    received_at = received_at or now
    real_root = root.resolve()
    out = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if (path.is_dir() and not path.is_symlink()) or _skip(rel):
            continue
        refused = held = data = modified = None
        dept = rel.parts[0] if len(rel.parts) == 2 and rel.parts[0] in departments else None
        if dept is None:
            refused = Problem(
                "path_refused",
                str(rel),
                found=str(rel),
                expected="<department code>/<file>, e.g. snn/bao-cao-9-thang.xlsx",
            )
        elif (
            _BAD_NAME.search(path.name)
            or path.is_symlink()
            or not path.resolve().is_relative_to(real_root / dept)
        ):
            refused = Problem(
                "path_refused",
                str(rel),
                found=path.name,
                expected="a plain file name inside the department folder",
            )
        else:
            refused, held, data, modified = _inspect(
                path, rel, dept, now, settle_seconds, max_bytes
            )
        sha = _refusal_id(refused, rel) if refused else hashlib.sha256(data or b"").hexdigest()
        out.append(InboxFile(path, dept, sha, received_at, refused, held, data, modified))
    return out


def inspect_file(
    path: Path, max_bytes: int = MAX_FILE_BYTES
) -> tuple[Problem | None, str | None, bytes | None]:
    """(refusal, hold reason, bytes) of one file outside the inbox (``chitieu check``), with the
    inbox's regular-file, size and read-stability checks and no settle period."""
    refused, held, data, _ = _inspect(path, Path(path.name), "", datetime.now(UTC), 0.0, max_bytes)
    return refused, held, data


def with_upload_times(
    files: list[InboxFile], uploads: dict[tuple[str, str], tuple[str, datetime]]
) -> list[InboxFile]:
    """``files`` with each file the portal delivered stamped with its upload time instead of the
    scan's: an upload at 23:59 on the deadline day is on time, though the night sees it later.
    Only the same department, file name and bytes (sha256) count, and never a time after the
    scan's."""
    out = []
    for f in files:
        upload = uploads.get((f.department, f.path.name)) if f.department else None
        if upload and upload[0] == f.sha256 and upload[1] <= f.received_at:
            f = replace(f, received_at=upload[1])
        out.append(f)
    return out


def feedback_path(outbox_dir: str | Path, department: str | None, file_name: str) -> Path:
    """Where the feedback for one submitted file goes: ``<outbox>/<department>/outbox/<file>.phan-hoi.txt``.
    With the outbox root set to the inbox root, it sits next to the department's files (the
    scanner skips ``outbox/``)."""
    return Path(outbox_dir) / (department or "_refused") / OUTBOX / f"{file_name}.phan-hoi.txt"
