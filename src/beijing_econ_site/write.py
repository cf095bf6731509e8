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
    """Write files (site path -> bytes) as the new out_dir, atomically; returns bytes written."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.new-"))
    try:
        total = 0
        for path in sorted(files):
            target = staging / safe_relative(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[path])
            total += len(files[path])
        _make_readable(staging)
        _swap(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log.info("wrote %d files, %d bytes, to %s", len(files), total, out_dir)
    return total


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
