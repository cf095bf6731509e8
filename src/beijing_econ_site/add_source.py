"""add-source: archive a new article's text with its checksum, and write a metadata stub to fill in."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import yaml

from beijing_econ_site.data.fields import SLUG_PATTERN

SCHEMA_LINE = "# yaml-language-server: $schema=../../schema/data-file.schema.json"


class ArchiveError(Exception):
    """A problem an editor can fix: the message says how."""


def slug_for(path: Path) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
    return slug or "source"


def add_source(text_file: Path, data_dir: Path, source_id: str | None = None) -> tuple[Path, Path, Path]:
    """Copy text_file unchanged to data/sources/<id>.txt, write <id>.yaml and an empty
    data/figures/<id>.yaml; never overwrites."""
    source_id = source_id or slug_for(text_file)
    if not re.match(SLUG_PATTERN, source_id):
        raise ArchiveError(f"'{source_id}' is not a slug: use lower-case letters, digits and hyphens (--id)")
    try:
        raw = text_file.read_bytes()
    except OSError as exc:
        raise ArchiveError(f"cannot read {text_file}: {exc.strerror}") from None
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ArchiveError(f"{text_file} is not UTF-8 text: convert it first (e.g. iconv -t UTF-8)") from None
    folder = data_dir / "sources"
    archive, metadata = folder / f"{source_id}.txt", folder / f"{source_id}.yaml"
    figures = data_dir / "figures" / f"{source_id}.yaml"
    for existing in (archive, metadata, figures):
        if existing.exists():
            raise ArchiveError(f"{existing} already exists: choose another --id")
    folder.mkdir(parents=True, exist_ok=True)
    figures.parent.mkdir(parents=True, exist_ok=True)
    archive.write_bytes(raw)  # the bytes whose checksum is recorded, even if the file changes meanwhile
    metadata.write_text(
        metadata_stub(source_id, archive.name, hashlib.sha256(raw).hexdigest(), text_file.name), encoding="utf-8"
    )
    figures.write_text(
        f"{SCHEMA_LINE}\nfigures: []   # paste the blocks that `beijing-econ-site cite {source_id} QUOTE` prints\n",
        encoding="utf-8",
    )
    return archive, metadata, figures


STUB_COMMENTS = {
    "published": "YYYY-MM-DD, or YYYY-MM when the day is unknown",
    "url": "the original address, where known",
    "reviews_year": "the year the article reviews when its text does not say (a work report of early 2024: 2023)",
    "omitted": 'numbers deliberately not curated: - quote: "..." / reason: "..."',
}


def metadata_stub(source_id: str, archive_name: str, digest: str, collected_as: str) -> str:
    """The source's YAML, written by a YAML emitter (any file name is quoted as it must be),
    with a comment on the fields an editor fills in."""
    fields: dict[str, object] = {
        "id": source_id,
        "title": "FILL IN: the article's headline",
        "publisher": "FILL IN: who published it, as the text shows",
        "published": "FILL-IN",
        "url": None,
        "language": "en",
        "archive": archive_name,
        "sha256": digest,
        "collected_as": collected_as,
        "reviews_year": None,
        "notes": "FILL IN: what the article is and the period it reports; translation quirks.",
        "omitted": [],
    }
    emitted = yaml.safe_dump({"source": fields}, sort_keys=False, allow_unicode=True, width=1_000_000)
    lines = []
    for line in emitted.splitlines():
        key = line.strip().split(":", 1)[0]
        comment = STUB_COMMENTS.get(key) if line.startswith("  ") and not line.startswith("   ") else None
        lines.append(f"{line}   # {comment}" if comment else line)
    stub = SCHEMA_LINE + "\n" + "\n".join(lines) + "\n"
    assert yaml.safe_load(stub) == {"source": fields}, "the stub must read back as written"
    return stub
