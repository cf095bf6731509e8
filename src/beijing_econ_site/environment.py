"""Problems of the machine, not of the data nor of the code: a full or read-only disk, a folder
that may not be written, a port in use, another build running. One line each, naming the path."""

from __future__ import annotations

import errno
import re

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


SITE_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f<>\"']+\Z")  # it goes into robots.txt, links and cards


class BadSiteUrl(ValueError):
    """SITE_URL is not an address a page may link to: a usage error."""


def check_site_url(value: str | None) -> None:
    """Raise BadSiteUrl unless value (SITE_URL) is unset or an absolute http(s) address of
    printable characters: a line break would add lines to robots.txt, 'javascript:' a link."""
    if value and not SITE_URL.match(value):
        raise BadSiteUrl(
            f"SITE_URL {value[:80]!r} is not an absolute http or https address without spaces or control characters"
        )
