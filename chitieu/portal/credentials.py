"""Department passwords, stored as Argon2id hashes in a file outside git (``CHITIEU_PORTAL_CREDENTIALS``).

One line per department, ``<code>:<argon2 hash>``; ``#`` starts a comment. The file is written
atomically with mode 0600 by ``chitieu portal-passwd``. The server re-reads it when it changes,
and a session remembers a fingerprint of the hash it signed in with, so rotating a password ends
that department's open sessions at their next request.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
# RFC 9106's second recommended option (Argon2id, 64 MiB, 3 passes, 4 lanes): argon2-cffi's default.
_HASHER = PasswordHasher()
# compared against when the department has no password, so a wrong department costs the same time
_DUMMY = _HASHER.hash(secrets.token_urlsafe(16))


class CredentialError(ValueError):
    """A credentials file that cannot be used, or a password too weak to set."""


def read_hashes(path: str | Path) -> dict[str, str]:
    """{department: hash} from the file; a missing file means nobody can sign in."""
    path = Path(path)
    if not path.exists():
        return {}
    out = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        code, sep, hashed = line.partition(":")
        if not sep or not hashed.startswith("$argon2"):
            raise CredentialError(f"{path}:{n}: expected '<department>:$argon2id$...'")
        out[code.strip()] = hashed.strip()
    return out


def fingerprint(hashed: str) -> str:
    """A short digest of the stored hash (not the password), kept in the session."""
    return hashlib.sha256(hashed.encode()).hexdigest()[:16]


def set_password(path: str | Path, department: str, password: str) -> None:
    """Hash ``password`` for ``department`` and write the file atomically (mode 0600)."""
    if len(password) < MIN_LENGTH:
        raise CredentialError(f"the password must have at least {MIN_LENGTH} characters")
    path = Path(path)
    hashes = read_hashes(path)
    hashes[department] = _HASHER.hash(password)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("# chitieu portal credentials: <department>:<argon2id hash>. Never commit.\n")
        fh.writelines(f"{code}:{h}\n" for code, h in sorted(hashes.items()))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class Credentials:
    """The credentials file as the server sees it, re-read when its modification time changes."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._stamp: tuple | None = None
        self._hashes: dict[str, str] = {}

    def hashes(self) -> dict[str, str]:
        try:
            st = self.path.stat()
            stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            stamp = None
        if stamp != self._stamp:
            self._hashes, self._stamp = read_hashes(self.path), stamp
        return self._hashes

    def verify(self, department: str, password: str) -> str | None:
        """The hash's fingerprint if ``password`` is right for ``department``, else None."""
        hashed = self.hashes().get(department)
        try:
            _HASHER.verify(hashed or _DUMMY, password)
        except (VerificationError, InvalidHashError):
            return None
        return fingerprint(hashed) if hashed else None

    def current(self, department: str) -> str | None:
        """The fingerprint a valid session of ``department`` must carry."""
        hashed = self.hashes().get(department)
        return fingerprint(hashed) if hashed else None
