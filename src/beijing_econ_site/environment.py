"""Problems of the machine, not of the data nor of the code: a full or read-only disk, a folder
that may not be written, a port in use, another build running. One line each, naming the path."""

from __future__ import annotations

import errno

_REASONS = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENAMETOOLONG: "a file name is too long",
    errno.EMFILE: "too many open files",
    errno.EADDRINUSE: "the address is in use",
}


class BuildRunning(Exception):
    """Another build holds the output's lock."""


def environment_message(exc: BaseException) -> str:
    """What went wrong and where, for an OSError or another environment problem."""
    if not isinstance(exc, OSError) or exc.errno is None:
        return str(exc)
    reason = _REASONS.get(exc.errno, exc.strerror or str(exc))
    where = exc.filename if exc.filename is not None else ""
    if exc.filename2 is not None:
        where = f"{where} -> {exc.filename2}"
    return f"{reason}: {where}" if where else reason
