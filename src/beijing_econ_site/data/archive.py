"""Archived article texts: read as plain UTF-8 files of bounded size, checked against their
recorded sha256, and normalised the one way quotes are compared."""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from beijing_econ_site.data.files import MAX_ARCHIVE_BYTES, NotAPlainFile, read_plain
from beijing_econ_site.data.models import Dataset
from beijing_econ_site.data.numbers import LONG_NUMBER, MAX_DIGITS, elided
from beijing_econ_site.data.validate import Locator
from beijing_econ_site.diagnostics import Diagnostic

_TYPOGRAPHIC = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"'}
)


_WHITESPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Only whitespace runs and typographic quotes are normalised: loose matching lets edited quotes pass."""
    return _WHITESPACE.sub(" ", text.translate(_TYPOGRAPHIC)).strip()


@functools.lru_cache(maxsize=4096)  # by the text's sha256: serve reads the same archives every build
def _normalized(digest: str, text: str) -> str:
    return normalize(text)


@dataclass(frozen=True)
class Archive:
    source_id: str
    path: Path
    text: str  # normalised
    raw: bytes = b""  # exactly as verified: the site publishes these bytes, not a later read


def read_archives(dataset: Dataset, locator: Locator, data_root: Path) -> tuple[dict[str, Archive], list[Diagnostic]]:
    archives: dict[str, Archive] = {}
    diagnostics: list[Diagnostic] = []
    for source in dataset.sources.values():
        yaml_file = locator.file_of("source", source.id)
        folder = _real_path(yaml_file, data_root).parent if yaml_file else data_root / "sources"
        path = folder / source.archive
        where = locator("source", source.id, "archive")
        if path.is_symlink() or (path.exists() and not path.is_file()):
            message = f"{source.archive} is not a plain file (links are not followed): archive the text itself"
            diagnostics.append(Diagnostic(where, "archive-missing", message))
            continue
        try:
            raw, size = read_plain(path, MAX_ARCHIVE_BYTES)
        except NotAPlainFile:
            message = f"{source.archive} is not a plain file (links are not followed): archive the text itself"
            diagnostics.append(Diagnostic(where, "archive-missing", message))
            continue
        except OSError:
            diagnostics.append(
                Diagnostic(where, "archive-missing", f"archived text {source.archive} not found beside the source file")
            )
            continue
        if size > MAX_ARCHIVE_BYTES:
            message = f"{source.archive} is {size:,} bytes; an archived article is at most {MAX_ARCHIVE_BYTES:,}"
            diagnostics.append(Diagnostic(where, "archive-too-large", message))
            continue
        digest = hashlib.sha256(raw).hexdigest()
        if digest != source.sha256:
            diagnostics.append(
                Diagnostic(
                    locator("source", source.id, "sha256"),
                    "archive-checksum",
                    f"{source.archive} has sha256 {digest}, not the recorded one: the archive was changed "
                    "(restore it; if the change is intended, record the new checksum)",
                )
            )
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            diagnostics.append(Diagnostic(where, "archive-encoding", f"{source.archive} is not UTF-8 text"))
            continue
        too_long = LONG_NUMBER.search(text)
        if too_long is not None:
            message = (
                f"{source.archive} holds a number of {elided(too_long[0])}: numbers of more than {MAX_DIGITS} "
                "digits are not read (a code or a hash belongs in no article; archive the article's text)"
            )
            diagnostics.append(Diagnostic(where, "number-too-long", message))
        archives[source.id] = Archive(source.id, path, _normalized(digest, text), raw)
    return archives, diagnostics


def _real_path(shown: str, data_root: Path) -> Path:
    candidate = Path(shown)
    return candidate if candidate.is_absolute() or candidate.exists() else data_root / candidate
