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


def write_site(files: dict[str, bytes], out_dir: Path) -> int:
    """Write files (site path -> bytes) as the new out_dir, atomically; returns bytes written.

    A file whose bytes are unchanged is hard-linked from the previous site instead of
    rewritten, so a rebuild writes only what changed.
    """
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.new-"))
    try:
        written = reused = 0
        for path in sorted(files):
            relative = safe_relative(path)
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if _link_if_unchanged(out_dir / relative, target, files[path]):
                reused += 1
                continue
            target.write_bytes(files[path])
            written += len(files[path])
        _make_readable(staging)
        _swap(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log.info("wrote %d files (%d bytes), kept %d unchanged, in %s", len(files) - reused, written, reused, out_dir)
    return written


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
