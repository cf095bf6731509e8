"""Write: the built site's changed files into a temporary directory beside the output, then
publish them (SiteWriter.commit).

A build that fails before it publishes leaves the previous site exactly as it was.
"""

from __future__ import annotations

import contextlib
import fcntl
import filecmp
import functools
import hashlib
import json
import logging
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from beijing_econ_site.build.output import stamp_content, stamp_name, stamp_of
from beijing_econ_site.environment import BuildRunning

log = logging.getLogger(__name__)

FILE_MODE = 0o644
DIR_MODE = 0o755


@functools.lru_cache(maxsize=65536)
def safe_path(path: str) -> str:
    """A site path, relative and without empty or "." parts; refuses anything that could escape
    the output. Strings, not Paths: a build checks every one of its files' paths (11,000 at 10k)."""
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if path.startswith("/") or ".." in parts or not parts:
        raise ValueError(f"unsafe output path: {path!r}")
    return "/".join(parts)


def safe_relative(path: str) -> Path:
    """A site path as a relative Path; refuses anything that could escape the output."""
    return Path(safe_path(path))


def replace_atomically(path: Path, content: bytes) -> None:
    """Write path by way of a temporary file beside it, so no reader (nor a later build, if
    this one is stopped) ever sees it half-written."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.write_bytes(content)
    os.replace(partial, path)


def store_verified(path: Path, content: bytes) -> None:
    """A cache entry and, beside it, the key it answers (its file name) and the sha256 of its
    content, written last: an entry cut short by a full disk or a killed build never matches its
    hash, and an entry moved or copied under another key never matches that key."""
    replace_atomically(path, content)
    replace_atomically(path.with_name(path.name + ".sha256"), _seal(path.name, content).encode())


def _seal(key: str, content: bytes) -> str:
    return f"{key}\n{hashlib.sha256(content).hexdigest()}"


def load_verified(path: Path) -> bytes | None:
    """A cache entry's content if it answers this key and matches its recorded sha256; None if
    it is missing, damaged, or another key's (swapped, copied), so the caller makes it again (a
    wrong or damaged entry is never published)."""
    try:
        content = path.read_bytes()
        recorded = path.with_name(path.name + ".sha256").read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if recorded != _seal(path.name, content):
        log.warning(
            "cache entry %s is damaged (not the content its checksum records, or another key's entry): making it again",
            path,
        )
        return None
    return content


class OutputChanged(Exception):
    """A file the build kept from the previous site is gone from it: nothing was published."""


class SiteWriter:
    """The new site, file by file: what changed goes to a staging directory beside out_dir, and
    commit() publishes it.

    Files go to disk as the build makes them, so a large site is never held in memory whole. A
    file whose bytes are unchanged is kept where it is, never rewritten. Leaving the `with` block
    without commit() (a failed build) removes the staging directory and keeps the previous site.

    commit() publishes in one of two ways. When the edit is small beside the site, the previous
    site is updated in place: a journal of the moves and removals is written, then carried out,
    a rename per file, so a build killed while it publishes is finished by the next one. Else
    (the first build, most files changed, or a previous site with links or other oddities in
    it) the unchanged files are hard-linked into the staging directory, which is then swapped in
    whole for the previous site.
    """

    def __init__(self, out_dir: Path, site_id: str = "site"):
        self.out_dir = out_dir.resolve()
        self.site_id = site_id
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        self._lock = _lock_output(self.out_dir)
        _clear_stale_folders(self.out_dir)
        self.staging = Path(tempfile.mkdtemp(dir=self.out_dir.parent, prefix=f".{self.out_dir.name}.new-"))
        self.paths: set[str] = set()
        self.bytes_written = 0
        self.reused = 0
        self.changed: list[str] = []  # files whose bytes are new or different, in the order made
        self.in_place = False  # how commit() published: the previous site updated, or swapped whole
        self._folders: set[str] = set()
        self._kept: list[str] = []  # the previous site's files this one keeps as they are
        # the previous site is as its build left it (serve checks its fingerprint before the swap):
        # keep_later need not look for each file
        self.trust_previous = False

    def __enter__(self) -> SiteWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if (self.staging / JOURNAL).is_file():  # stopped while it published in place
            with contextlib.suppress(Exception):  # finish it; if that fails too, the next build does
                _carry_out(self.staging, self.out_dir)
        elif self.staging.exists():
            shutil.rmtree(self.staging, ignore_errors=True)
        self._lock.release()  # the kernel releases it too if the build is killed

    def add(self, path: str, content: bytes) -> None:
        relative = safe_relative(path)
        if _same_bytes(self.out_dir / relative, content):
            self._keep_one(path)
            return
        self._claim(path).write_bytes(content)
        self.bytes_written += len(content)
        self.changed.append(path)

    def add_stream(self, path: str, pieces: Iterable[bytes]) -> None:
        """A file written piece by piece, never held whole; the previous site's file is kept
        instead if its bytes turn out the same."""
        target = self._claim(path)
        size = 0
        with target.open("wb") as handle:
            for piece in pieces:
                handle.write(piece)
                size += len(piece)
        if _same_file_bytes(self.out_dir / safe_relative(path), target, size):
            target.unlink()
            self.paths.discard(path)
            self._keep_one(path)
            return
        self.bytes_written += size
        self.changed.append(path)

    def keep(self, *paths: str) -> bool:
        """Take the previous site's files as they are, unread (the build graph says they are
        unchanged); False, with none taken, if any of them is missing."""
        for path in paths:
            try:
                mode = os.lstat(f"{self.out_dir}/{safe_path(path)}").st_mode
            except OSError:
                return False
            if not stat.S_ISREG(mode):  # a link, a folder, or anything else
                return False
        for path in paths:
            self._keep_one(path)
        return True

    def keep_later(self, *paths: str) -> bool:
        """keep(), without looking for the files when the previous site is trusted (serve's);
        commit() finds any that went missing. False, with none taken, if any is missing."""
        if not self.trust_previous:
            return self.keep(*paths)
        for path in paths:
            safe_path(path)  # refuses a path that could escape the output
        for path in paths:
            self._keep_one(path)
        return True

    def _keep_one(self, path: str) -> None:
        self._take(path)
        self._kept.append(path)
        self.reused += 1

    def previous(self, path: str) -> Path:
        """Where the previous site has this file."""
        return self.out_dir / safe_relative(path)

    def _claim(self, path: str) -> Path:
        self._take(path)
        return self._staged(path)

    def _take(self, path: str) -> None:
        if path in self.paths:
            raise ValueError(f"two files for one output path: {path!r}")
        safe_path(path)  # refuses a path that could escape the output
        self.paths.add(path)

    def _staged(self, path: str) -> Path:
        """Where the staging folder holds the path, its folder made."""
        target = self.staging / safe_relative(path)
        folder = os.path.dirname(path)
        if folder not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)
        return target

    def commit(self) -> int:
        """Publish the new site; returns the bytes written. OutputChanged, with nothing published,
        if a kept file is gone from the previous site."""
        stamp = stamp_name(self.site_id)
        previous = _site_files(self.out_dir) if self.out_dir.is_dir() else None
        if previous is not None and previous.plain and self._kept:
            gone = [path for path in self._kept if path not in previous.files]
            if gone:
                raise OutputChanged(f"{gone[0]} is gone from {self.out_dir}")
        removed = sorted(previous.files - self.paths - {stamp}) if previous is not None else []
        small = len(self.changed) + len(removed) <= len(self.paths) // IN_PLACE_SHARE
        self.in_place = previous is not None and previous.plain and stamp in previous.files and small
        if self.in_place:
            _make_readable(self.staging, self.changed, set())
            journal = {"moves": self.changed, "removes": removed}
            replace_atomically(self.staging / JOURNAL, json.dumps(journal).encode("utf-8"))
            _carry_out(self.staging, self.out_dir)
        else:
            for path in self._kept:  # a kept file gone since is an OSError: nothing is published
                os.link(self.out_dir / safe_relative(path), self._staged(path), follow_symlinks=False)
            (self.staging / stamp).write_text(stamp_content(self.site_id), encoding="utf-8")
            # a linked file is the previous site's, readable already: only what this build wrote is made so
            _make_readable(self.staging, [*self.changed, stamp], self._folders)
            _swap(self.staging, self.out_dir)
        log.info(
            "wrote %d files (%d bytes), kept %d unchanged, in %s%s",
            len(self.paths) - self.reused,
            self.bytes_written,
            self.reused,
            self.out_dir,
            " (updated in place)" if self.in_place else "",
        )
        return self.bytes_written


# in place when at most a tenth of the site's files are moved or removed: the site is mixed, old
# and new, for the time those renames take; a larger change is swapped in whole
IN_PLACE_SHARE = 10
JOURNAL = ".in-place-journal.json"  # in the staging folder: no site path starts with a dot


@dataclass
class _PreviousSite:
    files: set[str]
    plain: bool  # only folders and regular files, nothing a rename in place could be led astray by


def _site_files(root: Path) -> _PreviousSite:
    files: set[str] = set()
    plain = True
    pending = [("", str(root))]
    while pending:
        prefix, folder = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_symlink():
                    plain = False
                elif entry.is_dir(follow_symlinks=False):
                    pending.append((f"{prefix}{entry.name}/", entry.path))
                elif entry.is_file(follow_symlinks=False):
                    files.add(prefix + entry.name)
                else:
                    plain = False
    return _PreviousSite(files, plain)


def _carry_out(staging: Path, out_dir: Path) -> None:
    """Do what the staging folder's journal says, then remove the folder. Each step may have been
    done already (by a build killed half-way through it), so each is done only if still to do."""
    journal = json.loads((staging / JOURNAL).read_text(encoding="utf-8"))
    emptied: set[str] = set()
    for path in journal["removes"]:
        (out_dir / safe_relative(path)).unlink(missing_ok=True)
        emptied.update(_ancestors(os.path.dirname(path)))
    for folder in sorted(emptied, key=lambda f: f.count("/"), reverse=True):
        with contextlib.suppress(OSError):  # not empty: it holds files of the new site
            os.rmdir(out_dir / folder)
    for path in journal["moves"]:
        staged, target = staging / safe_relative(path), out_dir / safe_relative(path)
        if not staged.exists():
            continue  # moved before the build was stopped
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)  # a folder of the previous site where the new one has a file
        _make_folders(out_dir, os.path.dirname(path))
        os.replace(staged, target)
    shutil.rmtree(staging, ignore_errors=True)


def _make_folders(out_dir: Path, folder: str) -> None:
    """The folder and any missing parent, readable by all whatever the umask."""
    missing = [f for f in _ancestors(folder) if not (out_dir / f).is_dir()]
    for made in reversed(missing):
        (out_dir / made).mkdir(exist_ok=True)
        os.chmod(out_dir / made, DIR_MODE)


def _lock_output(out_dir: Path) -> _OutputLock:
    """One build at a time per output: an exclusive lock on a file beside it, held until the
    build ends. A killed build's lock goes with its process, so nothing stale remains."""
    path = out_dir.parent / f".{out_dir.name}.lock"
    while True:
        handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held open for the whole build
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise BuildRunning(
                f"another build is writing {out_dir} ({holder}); wait for it to finish, then build again"
            ) from None
        try:
            same_file = os.stat(path).st_ino == os.fstat(handle.fileno()).st_ino
        except FileNotFoundError:
            same_file = False
        if same_file:  # not a file the previous holder removed while this one was opening it
            break
        handle.close()
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}\n")
    handle.flush()
    return _OutputLock(path, handle)


@dataclass
class _OutputLock:
    path: Path
    handle: IO[str]

    def release(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink()  # before closing: no one can take the lock on a file that is gone
        self.handle.close()


def _clear_stale_folders(out_dir: Path) -> None:
    """Staging and retired folders of builds that were killed. The lock is held, so no live
    build owns them. A site retired by a build killed mid-swap is put back if none replaced it."""
    parent, name = out_dir.parent, out_dir.name
    for retired in sorted(parent.glob(f".{name}.old-*")):
        if not out_dir.exists() and stamp_of(retired) is not None:
            retired.rename(out_dir)
            log.info("restored %s, left aside by a build that was stopped", out_dir)
        else:
            shutil.rmtree(retired, ignore_errors=True)
    for staging in parent.glob(f".{name}.new-*"):
        if (staging / JOURNAL).is_file() and out_dir.is_dir():
            _carry_out(staging, out_dir)  # it was publishing in place: what it began is finished
            log.info("finished updating %s, left half-done by a build that was stopped", out_dir)
            continue
        shutil.rmtree(staging, ignore_errors=True)
        log.info("removed %s, left by a build that was stopped", staging)


def _same_bytes(previous: Path, content: bytes) -> bool:
    try:
        if previous.is_symlink() or not previous.is_file() or previous.stat().st_size != len(content):
            return False
        return previous.read_bytes() == content
    except OSError:
        return False


def _same_file_bytes(previous: Path, made: Path, size: int) -> bool:
    try:
        if previous.is_symlink() or not previous.is_file() or previous.stat().st_size != size:
            return False
        return filecmp.cmp(previous, made, shallow=False)
    except OSError:
        return False


def _make_readable(root: Path, written: list[str], folders: set[str]) -> None:
    """mkdtemp makes a private directory, and the umask may make private files: the published
    site must be readable by everyone. Files linked from the previous site were made so by it."""
    os.chmod(root, DIR_MODE)
    every_folder = {ancestor for folder in folders for ancestor in _ancestors(folder)}
    for folder in sorted(every_folder):
        os.chmod(root / folder, DIR_MODE)
    for path in written:
        os.chmod(root / path, FILE_MODE)


def _ancestors(folder: str) -> Iterator[str]:
    """'a/b/c' -> 'a/b/c', 'a/b', 'a' (the staging root itself is not one)."""
    while folder:
        yield folder
        folder = os.path.dirname(folder)


def _swap(staging: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        staging.rename(out_dir)
        return
    # checked before the build, but files may have come since
    if any(out_dir.iterdir()) and stamp_of(out_dir) is None:
        raise FileExistsError(f"{out_dir} is not a previous build (no .SITE-build stamp): left as it is")
    retired = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.old-"))
    retired.rmdir()
    out_dir.rename(retired)
    try:
        staging.rename(out_dir)
    except BaseException:
        retired.rename(out_dir)
        raise
    shutil.rmtree(retired, ignore_errors=True)
