"""Fingerprints of a build's inputs and output, so that a rebuild with nothing changed does nothing.

Kept free of heavy imports: the CLI checks the fingerprint before loading the pipeline.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from beijing_econ_site.build.write import replace_atomically
from beijing_econ_site.data.files import MAX_ARCHIVE_BYTES

log = logging.getLogger(__name__)

CACHE_ROOT = Path(".cache")
DEFAULT_CACHE = CACHE_ROOT / "site"  # a site whose profile names none (build_site's default)
_PROFILE_ID = re.compile(rb"^id:[ \t]*[\"']?([a-z0-9][a-z0-9-]{0,79})[\"']?[ \t]*(?:#.*)?$", re.MULTILINE)


def site_cache(data_dir: Path) -> Path:
    """The site's own cache folder, .cache/<its profile's id>: two sites built from one folder never
    share memos or renders. Read with a pattern, not the YAML loader, to stay light (the profile
    itself is checked by the build)."""
    try:
        with (data_dir / "site.yaml").open("rb") as stream:
            head = stream.read(65_536)
    except OSError:
        return DEFAULT_CACHE
    found = _PROFILE_ID.search(head)
    return CACHE_ROOT / found[1].decode() if found else DEFAULT_CACHE


PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the whole package: any code change rebuilds


def _files(root: str, prefix: str = "") -> list[tuple[str, os.DirEntry[str]]]:
    """Every regular file under root as (relative path, entry); os.scandir spares a stat per file.
    Links, pipes and devices are left out: reading them could block or never end."""
    found = []
    with os.scandir(root) as entries:
        for entry in entries:
            name = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                if entry.name == "__pycache__":  # written by Python itself, not an input
                    continue
                found.extend(_files(entry.path, name + "/"))
            elif entry.is_file(follow_symlinks=False):
                found.append((name, entry))
    return found


# What a build reads from data/: any other file there (an editor's notes, a stray download) is
# not an input, and a huge one must not cost every build a read.
_DATA_INPUTS = (".yaml", ".md", ".txt")


def _tree_digest(digest: hashlib._Hash, root: Path, *, contents: bool, inputs: tuple[str, ...] = ()) -> None:
    if not root.is_dir():
        digest.update(b"<missing>")
        return
    for name, entry in sorted(_files(str(root)), key=lambda item: item[0]):
        if inputs and not name.endswith(inputs):
            continue
        digest.update(name.encode() + b"\0")
        status = entry.stat(follow_symlinks=False)
        if contents and status.st_size <= MAX_ARCHIVE_BYTES:  # a larger file is refused by check, not read
            with open(entry.path, "rb") as handle:
                digest.update(hashlib.sha256(handle.read()).digest())
        else:
            digest.update(f"{status.st_size}:{status.st_mtime_ns}\0".encode())


def inputs_fingerprint(data_dir: Path, templates_dir: Path) -> str:
    """A hash of everything a build reads (data, templates, code, settings). Taken before the
    build reads them, so an edit saved during a build makes the next build run."""
    digest = hashlib.sha256()
    for name in ("vl-convert-python", "altair", "jinja2", "pydantic", "markdown-it-py"):
        try:
            digest.update(f"{name}={version(name)}".encode())
        except PackageNotFoundError:
            digest.update(name.encode())
    digest.update(os.environ.get("SITE_URL", "").encode())
    _tree_digest(digest, PACKAGE_DIR, contents=True)
    _tree_digest(digest, data_dir, contents=True, inputs=_DATA_INPUTS)
    _tree_digest(digest, templates_dir, contents=True)
    return digest.hexdigest()


def output_fingerprint(out_dir: Path) -> str:
    """Sizes and times of the built files: someone may have changed or deleted them."""
    digest = hashlib.sha256()
    _tree_digest(digest, out_dir, contents=False)
    return digest.hexdigest()


def _stamp(cache_dir: Path, out_dir: Path) -> Path:
    key = hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()[:16]
    return cache_dir / "builds" / f"{key}.txt"


def is_up_to_date(cache_dir: Path, inputs: str, out_dir: Path) -> bool:
    """Whether the last build of out_dir was made from these inputs and its files are as it left
    them. A folder changing under the walk (another build's swap) counts as not up to date."""
    stamp = _stamp(cache_dir, out_dir)
    try:
        recorded = stamp.read_text() if out_dir.is_dir() and stamp.is_file() else None
        return recorded == f"{inputs}\n{output_fingerprint(out_dir)}"
    except OSError:
        return False


def record(cache_dir: Path, inputs: str, out_dir: Path) -> None:
    """Remember that out_dir was built from inputs (the fingerprint taken before the build)."""
    stamp = _stamp(cache_dir, out_dir)
    try:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        replace_atomically(stamp, f"{inputs}\n{output_fingerprint(out_dir)}".encode())
    except OSError as exc:
        log.warning("could not record the build in %s (%s): the next build will run in full", stamp, exc.strerror)
