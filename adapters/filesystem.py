"""Files and folders Atelier creates for itself: readable by their owner only.

The data folder (and any missing parent) is created 0700; the SQLite database file is
created 0600 before SQLite opens it, and SQLite gives its ``-wal`` and ``-shm`` files the
mode of the database file. Existing files and folders keep the mode the operator chose.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` and its missing parents with mode 0700 (existing ones are kept)."""
    if path.is_dir():
        return
    for parent in reversed(path.parents):
        if not parent.exists():
            parent.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
    path.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)


def ensure_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists (in a 0700 folder if missing)."""
    ensure_private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        return
    os.close(fd)
    os.chmod(path, PRIVATE_FILE_MODE)  # whatever the umask
