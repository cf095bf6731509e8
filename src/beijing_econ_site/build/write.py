"""Write: the built site into a temporary directory beside the output, then swap it in.

A build that fails before the swap leaves the previous site exactly as it was.
"""

from __future__ import annotations

import contextlib
import fcntl
import filecmp
import functools
import hashlib
import logging
import os
import shutil
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
def safe_relative(path: str) -> Path:
    """A site path as a relative Path; refuses anything that could escape the output."""
    candidate = Path(path)
    if candidate.is_absolute() or ".." in candidate.parts or not candidate.parts:
        raise ValueError(f"unsafe output path: {path!r}")
    return candidate


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


class SiteWriter:
    """The new site, file by file, in a staging directory beside out_dir; commit() swaps it in.

    Files go to disk as the build makes them, so a large site is never held in memory whole.
    A file whose bytes are unchanged is hard-linked from the previous site instead of
    rewritten, so a rebuild writes only what changed. Leaving the `with` block without
    commit() (a failed build) removes the staging directory and keeps the previous site.
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
        self._folders: set[str] = set()
        self._later: list[str] = []  # kept files whose links are made at flush_kept()
        # the previous site is as its build left it (serve checks its fingerprint before the swap):
        # keep_later need not look for each file
        self.trust_previous = False

    def __enter__(self) -> SiteWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.staging.exists():
            shutil.rmtree(self.staging, ignore_errors=True)
        self._lock.release()  # the kernel releases it too if the build is killed

    def add(self, path: str, content: bytes) -> None:
        target = self._claim(path)
        if _link_if_unchanged(self.out_dir / safe_relative(path), target, content):
            self.reused += 1
            return
        target.write_bytes(content)
        self.bytes_written += len(content)
        self.changed.append(path)

    def add_stream(self, path: str, pieces: Iterable[bytes]) -> None:
        """A file written piece by piece, never held whole; linked to the previous site's file
        instead if its bytes turn out the same."""
        target = self._claim(path)
        size = 0
        with target.open("wb") as handle:
            for piece in pieces:
                handle.write(piece)
                size += len(piece)
        previous = self.out_dir / safe_relative(path)
        if _same_file_bytes(previous, target, size):
            linked = target.with_name(target.name + ".link")
            if self._link_previous(previous, linked):
                os.replace(linked, target)
                self.reused += 1
                return
        self.bytes_written += size
        self.changed.append(path)

    def keep(self, *paths: str) -> bool:
        """Take the previous site's files as they are, unread (the build graph says they are
        unchanged); False, with none taken, if any of them is missing."""
        taken: list[tuple[str, Path]] = []
        for path in paths:
            target = self._claim(path)
            taken.append((path, target))
            try:
                os.link(self.out_dir / safe_relative(path), target, follow_symlinks=False)
            except OSError:
                for claimed, made in taken:
                    self.paths.discard(claimed)
                    made.unlink(missing_ok=True)
                return False
        self.reused += len(paths)
        return True

    def keep_later(self, *paths: str) -> bool:
        """keep(), with the links made at flush_kept() (commit() flushes): serve shows the new
        pages before the unchanged files are linked. False, with none taken, if any is missing."""
        for path in paths:
            safe_relative(path)  # refuses a path that could escape the output
        previous = str(self.out_dir)
        if not self.trust_previous and not all(os.path.lexists(os.path.join(previous, path)) for path in paths):
            return False
        for path in paths:
            if path in self.paths:
                raise ValueError(f"two files for one output path: {path!r}")
        self.paths.update(paths)
        self._later.extend(paths)
        return True

    def flush_kept(self) -> None:
        """Link every file keep_later() took; one gone from the previous site since is an OSError."""
        later, self._later = self._later, []
        for path in later:
            self.paths.discard(path)
            target = self._claim(path)
            os.link(self.out_dir / safe_relative(path), target, follow_symlinks=False)
        self.reused += len(later)

    def previous(self, path: str) -> Path:
        """Where the previous site has this file."""
        return self.out_dir / safe_relative(path)

    def _claim(self, path: str) -> Path:
        if path in self.paths:
            raise ValueError(f"two files for one output path: {path!r}")
        relative = safe_relative(path)
        self.paths.add(path)
        target = self.staging / relative
        folder = os.path.dirname(path)
        if folder not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)
        return target

    @staticmethod
    def _link_previous(previous: Path, target: Path) -> bool:
        try:
            if previous.is_symlink() or not previous.is_file():
                return False
            os.link(previous, target)
        except OSError:
            return False
        return True

    def commit(self) -> int:
        """Swap the staged site in for the previous one; returns the bytes written."""
        self.flush_kept()
        (self.staging / stamp_name(self.site_id)).write_text(stamp_content(self.site_id), encoding="utf-8")
        # a linked file is the previous site's, readable already: only what this build wrote is made so
        _make_readable(self.staging, [*self.changed, stamp_name(self.site_id)], self._folders)
        _swap(self.staging, self.out_dir)
        log.info(
            "wrote %d files (%d bytes), kept %d unchanged, in %s",
            len(self.paths) - self.reused,
            self.bytes_written,
            self.reused,
            self.out_dir,
        )
        return self.bytes_written


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
        shutil.rmtree(staging, ignore_errors=True)
        log.info("removed %s, left by a build that was stopped", staging)


def _link_if_unchanged(previous: Path, target: Path, content: bytes) -> bool:
    try:
        if previous.is_symlink() or not previous.is_file() or previous.stat().st_size != len(content):
            return False
        if previous.read_bytes() != content:
            return False
        os.link(previous, target)
    except OSError:
        return False  # another filesystem, or no hard links: write the file instead
    return True


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
