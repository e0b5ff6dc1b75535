"""The inbox: one folder per department (``<root>/<department_code>/<file>``); each file is a submission."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from chitieu.submissions.problems import Problem

OUTBOX = "outbox"
_BAD_NAME = re.compile(r"\.\.|[\\/:*?\"<>|\x00-\x1f]")


@dataclass(frozen=True)
class InboxFile:
    path: Path
    department: str | None
    sha256: str
    received_at: datetime
    refused: Problem | None = None


ARTEFACTS = {".ds_store", "thumbs.db", "desktop.ini", ".gitkeep", ".keep"}


def _skip(rel: Path) -> bool:
    """Operating-system and editor artefacts (Excel's '~$' lock files), and the outbox folder."""
    name = rel.name.lower()
    in_outbox = len(rel.parts) >= 2 and rel.parts[1] == OUTBOX
    return name in ARTEFACTS or name.startswith(("~$", ".~lock")) or in_outbox


def scan_inbox(root: str | Path, departments: set[str]) -> list[InboxFile]:
    """Every submission file under ``root``; files outside department folders or with
    path tricks in their names come back with ``refused`` set, and are never parsed."""
    root = Path(root)
    if not root.is_dir():
        return []
    real_root = root.resolve()
    out = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_dir() or _skip(rel):
            continue
        refused = None
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
        data = b"" if refused else path.read_bytes()
        out.append(
            InboxFile(
                path,
                dept,
                hashlib.sha256(data).hexdigest() if data else "",
                datetime.fromtimestamp(path.lstat().st_mtime, UTC),
                refused,
            )
        )
    return out
