"""A random secret of this installation, kept in a file only its owner can read (created on first use).

For keys nobody configured in the embedded profile: unlike a default in the repository, nobody else knows it.
Processes racing to create it end up with the same one: the file appears complete (a hard link of a fully
written temporary file) or not at all, and the loser reads the winner's.
"""

from __future__ import annotations

import os
import secrets
import stat
from functools import lru_cache
from pathlib import Path

SECRET_BYTES = 32


class InstallationSecretError(RuntimeError):
    """The secret file exists but is unusable; the message says which file and what to do."""


def installation_secret(path: Path) -> bytes:
    """The secret stored at `path`, created there (mode 0600) if it does not exist yet."""
    return _load_or_create(str(Path(path).resolve()))


@lru_cache(maxsize=8)
def _load_or_create(path_text: str) -> bytes:
    path = Path(path_text)
    if not path.exists():
        _create(path)
    return _read(path)


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(SECRET_BYTES) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process created it first: everyone uses that one
    finally:
        temporary.unlink(missing_ok=True)


def _read(path: Path) -> bytes:
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        # Readable by others (copied, restored from a backup): the owner alone should hold it.
        os.chmod(path, 0o600)
    text = path.read_text(encoding="ascii", errors="replace").strip()
    if len(text) < SECRET_BYTES * 2:
        raise InstallationSecretError(
            f"{path} does not hold a usable secret (it is empty or cut short). Delete it and a new one is made "
            "on the next start; links signed with the old one stop working.")
    return text.encode("ascii")
