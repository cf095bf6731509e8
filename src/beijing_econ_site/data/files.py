"""Reading an editor's file safely: a regular file only (no link, pipe or device), and never
more than a limit, so a FIFO, a link to /dev/zero or a huge file cannot stall a build."""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_ARCHIVE_BYTES = 5_000_000  # an archived article; kept here, with no heavy import, for the fingerprint


class NotAPlainFile(Exception):
    """The path is a link, a pipe, a device or a folder; the message says which."""


def kind_of(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a link (links are not followed)"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def read_plain(path: Path, limit: int) -> tuple[bytes, int]:
    """Up to limit + 1 bytes of a regular file, and its size. Raises NotAPlainFile, or OSError."""
    mode = os.lstat(path).st_mode
    if not stat.S_ISREG(mode):
        raise NotAPlainFile(kind_of(mode))
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(descriptor, "rb") as stream:
        status = os.fstat(stream.fileno())
        if not stat.S_ISREG(status.st_mode):  # swapped for something else since the lstat
            raise NotAPlainFile(kind_of(status.st_mode))
        return stream.read(limit + 1), status.st_size
