"""The secret key file behind pseudonyms, UID remapping and date shifts.

One key file gives the same pseudonyms, UIDs and date shift for a patient in every
run, on every machine that has a copy of it; a different key gives unrelated ones.
Whoever holds the key and an original value can recompute its replacement, so the
file is created owner-only and must be kept like a password.

A key file that does not exist is created with 32 random bytes (`secrets`), owner
read/write only, in a folder that is also owner-only when this module creates it.
Without an explicit path, a per-user default is used::

    Linux/BSD  $XDG_CONFIG_HOME/elscint-codec/deid.key  (default ~/.config/...)
    macOS      ~/Library/Application Support/elscint-codec/deid.key
    Windows    %APPDATA%\\elscint-codec\\deid.key
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

from elscint_codec.errors import ElscintWarning

__all__ = [
    "KEY_BYTES",
    "MIN_KEY_BYTES",
    "KeyFile",
    "default_key_path",
    "derive",
    "ensure_key_file",
]

KEY_BYTES = 32
MIN_KEY_BYTES = 16
_APP = "elscint-codec"
_NAME = "deid.key"


@dataclass(frozen=True)
class KeyFile:
    """A loaded key.

    Attributes
    ----------
    path : Path
        Where the key lives.
    created : bool
        True when this call created the file.
    secret : bytes
        The key material (never printed; ``repr`` hides it).
    """

    path: Path
    created: bool
    secret: bytes

    def __repr__(self) -> str:
        return f"KeyFile(path={str(self.path)!r}, created={self.created})"


def default_key_path() -> Path:
    """Return the per-user default key file path for this platform."""
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / _APP / _NAME


def _create(path: Path) -> bool:
    """Create ``path`` with fresh random bytes unless it exists; return True if created."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
    # Write a complete temporary file, then link it into place: the key appears
    # whole or not at all, and of two processes racing only one key wins.
    tmp = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(KEY_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        except OSError:
            # File systems without hard links: exclusive rename is not portable, so
            # fall back to an exclusive create of the final name.
            try:
                fd2 = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                return False
            with os.fdopen(fd2, "wb") as handle:
                handle.write(tmp.read_bytes())
        return True
    finally:
        tmp.unlink(missing_ok=True)


def ensure_key_file(path: str | os.PathLike[str] | None = None) -> KeyFile:
    """Load the key file at ``path`` (or the default), creating it if it does not exist.

    Parameters
    ----------
    path : path-like, optional
        Key file; None means `default_key_path`.

    Returns
    -------
    KeyFile
        The key, its path and whether it was just created.

    Raises
    ------
    ValueError
        If the file is shorter than 16 bytes (not a usable key) or is a folder.
    OSError
        If it cannot be created or read.
    """
    key_path = Path(path) if path is not None else default_key_path()
    key_path = key_path.expanduser()
    created = False
    if not key_path.exists():
        created = _create(key_path)
    if key_path.is_dir():
        raise ValueError(f"key file {key_path} is a folder, not a file")
    secret = key_path.read_bytes()
    if len(secret) < MIN_KEY_BYTES:
        raise ValueError(
            f"key file {key_path} holds {len(secret)} bytes; a key needs at least "
            f"{MIN_KEY_BYTES} (delete it to have a new one created, which changes every "
            "pseudonym)"
        )
    if os.name == "posix":
        mode = stat.S_IMODE(key_path.stat().st_mode)
        if mode & 0o077:
            warnings.warn(
                f"key file {key_path} is readable by other users (mode {mode:04o}); "
                "run chmod 600 on it",
                ElscintWarning,
                stacklevel=2,
            )
    return KeyFile(key_path, created, secret)


def derive(secret: bytes, purpose: str) -> bytes:
    """Return a 32-byte sub-key of ``secret`` for one ``purpose`` (HMAC-SHA256).

    Separate sub-keys keep UIDs, pseudonyms and date shifts independent even though
    they come from one key file.
    """
    return hmac.new(secret, f"elscint-codec/deid/v1/{purpose}".encode(), hashlib.sha256).digest()
