"""Write: the built site into a temporary directory beside the output, then swap it in.

A build that fails before the swap leaves the previous site exactly as it was.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

FILE_MODE = 0o644
DIR_MODE = 0o755


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


class SiteWriter:
    """The new site, file by file, in a staging directory beside out_dir; commit() swaps it in.

    Files go to disk as the build makes them, so a large site is never held in memory whole.
    A file whose bytes are unchanged is hard-linked from the previous site instead of
    rewritten, so a rebuild writes only what changed. Leaving the `with` block without
    commit() (a failed build) removes the staging directory and keeps the previous site.
    """

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir.resolve()
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(dir=self.out_dir.parent, prefix=f".{self.out_dir.name}.new-"))
        self.paths: set[str] = set()
        self.bytes_written = 0
        self.reused = 0
        self._folders: set[Path] = set()

    def __enter__(self) -> SiteWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.staging.exists():
            shutil.rmtree(self.staging, ignore_errors=True)

    def add(self, path: str, content: bytes) -> None:
        if path in self.paths:
            raise ValueError(f"two files for one output path: {path!r}")
        relative = safe_relative(path)
        self.paths.add(path)
        target = self.staging / relative
        if target.parent not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(target.parent)
        if _link_if_unchanged(self.out_dir / relative, target, content):
            self.reused += 1
            return
        target.write_bytes(content)
        self.bytes_written += len(content)

    def commit(self) -> int:
        """Swap the staged site in for the previous one; returns the bytes written."""
        _make_readable(self.staging)
        _swap(self.staging, self.out_dir)
        log.info(
            "wrote %d files (%d bytes), kept %d unchanged, in %s",
            len(self.paths) - self.reused,
            self.bytes_written,
            self.reused,
            self.out_dir,
        )
        return self.bytes_written


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


def _make_readable(root: Path) -> None:
    # mkdtemp makes a private directory; the published site must be readable by everyone
    os.chmod(root, DIR_MODE)
    for folder, dirs, names in os.walk(root):
        for name in dirs:
            os.chmod(os.path.join(folder, name), DIR_MODE)
        for name in names:
            os.chmod(os.path.join(folder, name), FILE_MODE)


def _swap(staging: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        staging.rename(out_dir)
        return
    retired = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.old-"))
    retired.rmdir()
    out_dir.rename(retired)
    try:
        staging.rename(out_dir)
    except BaseException:
        retired.rename(out_dir)
        raise
    shutil.rmtree(retired, ignore_errors=True)
