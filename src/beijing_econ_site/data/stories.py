"""Stories: narrative Markdown in data/stories/, where every number is a reference to a figure.

    {{fig:ID}}          the value as the article states it: "over 890 billion euros", "nearly half"
    {{fig:ID:value}}    the value alone, without its qualifier: "890 billion euros"
    {{fig:ID:period}}   the value with its period: "40.4% in 2021", "−3.2% in H1 2020"
    {{change:A:B}}      the change from figure A to figure B of one indicator, labelled as computed
    {{allow:TEXT}}      TEXT as written, exempt from the prose lint (a number that is not a figure)

Story files: overview.md (the home page), <year>.md (a year page), compare.md.
This module loads them and parses references; checks.stories lints them, site.references renders them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from beijing_econ_site.data.files import NotAPlainFile, read_plain
from beijing_econ_site.diagnostics import Diagnostic, Location, relative_path

REFERENCE = re.compile(r"\{\{\s*(?P<kind>fig|change|allow)\s*:(?P<body>[^{}]*)\}\}")
FIGURE_VARIANTS = ("stated", "value", "period")
MAX_STORY_BYTES = 200_000
STORY_NAME = re.compile(r"^(overview|compare|\d{4})$")
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
# Dates and years are not figures: they are masked before numbers are looked for.
DATES = re.compile(
    rf"\b\d{{1,2}}\s(?:{MONTHS})(?:\s\d{{4}})?\b|\b(?:{MONTHS})\s\d{{1,2}}(?:,\s\d{{4}})?\b|\b(?:19|20)\d\d(?:s|-\d\d)?\b"
)
CODE_SPAN = re.compile(r"`[^`\n]*`")
LINK_TARGET = re.compile(r"\]\([^)\n]*\)")
HEADING_ANCHOR = re.compile(r"\{#[^}\n]*\}")


@dataclass(frozen=True)
class Reference:
    kind: str  # fig | change | allow
    figure_ids: tuple[str, ...]
    variant: str = "stated"
    text: str = ""


@dataclass(frozen=True)
class Story:
    name: str  # overview | compare | a year
    path: str  # as shown in diagnostics
    text: str

    @property
    def year(self) -> int | None:
        return int(self.name) if self.name.isdigit() else None


def parse_reference(kind: str, body: str) -> Reference:
    """Parse the inside of {{...}}; raises ValueError with a message for people."""
    parts = [p.strip() for p in body.split(":")]
    if kind == "allow":
        return Reference("allow", (), text=body.strip())
    if kind == "change":
        if len(parts) != 2 or not all(parts):
            raise ValueError("write {{change:FIRST-ID:SECOND-ID}}")
        return Reference("change", (parts[0], parts[1]))
    if not parts[0] or len(parts) > 2 or (len(parts) == 2 and parts[1] not in FIGURE_VARIANTS[1:]):
        raise ValueError("write {{fig:ID}}, {{fig:ID:value}} or {{fig:ID:period}}")
    return Reference("fig", (parts[0],), parts[1] if len(parts) == 2 else "stated")


def load_stories(data_dir: Path) -> tuple[dict[str, Story], list[Diagnostic]]:
    stories: dict[str, Story] = {}
    problems: list[Diagnostic] = []
    folder = data_dir / "stories"
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        shown = relative_path(path)
        if not STORY_NAME.match(path.stem):
            problems.append(
                Diagnostic(
                    Location(shown), "story-name", "a story is named overview.md, compare.md or YEAR.md (e.g. 2021.md)"
                )
            )
            continue
        try:
            raw, _ = read_plain(path, MAX_STORY_BYTES)
        except NotAPlainFile as exc:
            problems.append(Diagnostic(Location(shown), "story-not-a-file", f"a story is a plain text file, not {exc}"))
            continue
        except OSError as exc:
            problems.append(Diagnostic(Location(shown), "file-unreadable", f"cannot read file: {exc.strerror}"))
            continue
        if len(raw) > MAX_STORY_BYTES:
            problems.append(
                Diagnostic(Location(shown), "story-too-large", f"a story is at most {MAX_STORY_BYTES:,} bytes")
            )
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(Diagnostic(Location(shown, 1, 1), "story-encoding", "story is not UTF-8 text"))
            continue
        stories[path.stem] = Story(path.stem, shown, text)
    return stories, problems


# ---- rendering ----------------------------------------------------------------------------
