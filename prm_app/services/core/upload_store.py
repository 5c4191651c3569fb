"""Uploaded files kept privately between the steps of an import (map, check, import).

Never in Reflex's upload folder, which is served publicly: under PRM_UPLOAD_DIR (default
`prm-uploads` in the system's temp folder), readable by this user only, named by a random key
that stays on the server. Files older than a day are swept whenever a new one is stored.
"""

import os
import re
import secrets
import tempfile
import time
from pathlib import Path
from typing import BinaryIO

from ... import settings
from .errors import NotFound

MAX_AGE_SECONDS = 24 * 3600
_KEY = re.compile(r"^[0-9a-f]{32}$")
GONE = "The uploaded file is no longer here: choose it again."


def directory() -> Path:
    path = settings.current().upload_dir or Path(tempfile.gettempdir()) / "prm-uploads"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def create() -> tuple[str, BinaryIO]:
    """A new private file to write an upload into: (its key, the file open for writing)."""
    sweep()
    key = secrets.token_hex(16)
    descriptor = os.open(directory() / key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return key, os.fdopen(descriptor, "wb")


def open_upload(key: str) -> BinaryIO:
    """The stored upload, open for reading; NotFound once discarded or swept."""
    try:
        return _path(key).open("rb")
    except FileNotFoundError:
        raise NotFound(GONE) from None


def discard(key: str) -> None:
    if isinstance(key, str) and _KEY.match(key):
        _path(key).unlink(missing_ok=True)


def sweep(max_age: float = MAX_AGE_SECONDS) -> int:
    """Remove uploads older than `max_age` seconds; returns how many."""
    cutoff, removed = time.time() - max_age, 0
    for path in directory().iterdir():
        try:
            if _KEY.match(path.name) and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # swept by another worker meanwhile
            pass
    return removed


def _path(key: str) -> Path:
    if not isinstance(key, str) or not _KEY.match(key):
        raise NotFound(GONE)
    return directory() / key


def size(key: str) -> int:
    """The stored file's size in bytes; NotFound once discarded or swept."""
    try:
        return _path(key).stat().st_size
    except FileNotFoundError:
        raise NotFound(GONE) from None
