"""Stories: narrative Markdown in data/stories/, where every number is a reference to a figure.

    {{fig:ID}}          the value as the article states it: "over 890 billion yuan", "nearly half"
    {{fig:ID:value}}    the value alone, without its qualifier: "890 billion yuan"
    {{fig:ID:period}}   the value with its period: "40.4% in 2021", "−3.2% in H1 2020"
    {{change:A:B}}      the change from figure A to figure B of one indicator, labelled as computed
    {{allow:TEXT}}      TEXT as written, exempt from the prose lint (a number that is not a figure)

Story files: overview.md (the home page), <year>.md (a year page), compare.md.
The lint: a number typed by hand in prose is an error, with a suggested figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic, Location, Severity, relative_path
from .models import Dataset, Figure
from .numbers import find_mentions, stating_mentions

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
                Diagnostic(Location(shown), "story-name", "a story is named overview.md, compare.md or YEAR.md (e.g. 2021.md)")
            )
            continue
        if path.stat().st_size > MAX_STORY_BYTES:
            problems.append(Diagnostic(Location(shown), "story-too-large", f"a story is at most {MAX_STORY_BYTES:,} bytes"))
            continue
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            problems.append(Diagnostic(Location(shown, 1, 1), "story-encoding", "story is not UTF-8 text"))
            continue
        stories[path.stem] = Story(path.stem, shown, text)
    return stories, problems


def lint_story(story: Story, dataset: Dataset) -> list[Diagnostic]:
    """Every number a reader sees is a checked figure: references resolve, nothing typed by hand."""
    problems = []
    in_fence = False
    for line_number, line in enumerate(story.text.splitlines(), start=1):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        for match in REFERENCE.finditer(line):
            where = Location(story.path, line_number, match.start() + 1)
            problems += _check_reference(match, where, story, dataset)
        for mention in find_mentions(_masked(line)):
            if mention.form == "ordinal":
                continue  # "first" and "second" are words of prose, not figures
            where = Location(story.path, line_number, mention.start + 1)
            problems.append(Diagnostic(where, "number-in-prose", _hand_typed(mention.text, story, dataset)))
    return problems


def _masked(line: str) -> str:
    """The line with references, code, link targets and dates blanked out (same length, so columns hold)."""
    for pattern in (REFERENCE, CODE_SPAN, LINK_TARGET, HEADING_ANCHOR, DATES):
        line = pattern.sub(lambda m: " " * len(m.group(0)), line)
    return line


def _check_reference(match: re.Match, where: Location, story: Story, dataset: Dataset) -> list[Diagnostic]:
    try:
        reference = parse_reference(match["kind"], match["body"])
    except ValueError as exc:
        return [Diagnostic(where, "bad-reference", f"'{match.group(0)}': {exc}")]
    problems = []
    figures = []
    for figure_id in reference.figure_ids:
        figure = dataset.figures.get(figure_id)
        if figure is None:
            problems.append(Diagnostic(where, "unknown-figure", f"no figure has the id '{figure_id}'"))
        else:
            figures.append(figure)
    if problems:
        return problems
    if reference.kind == "change" and figures[0].indicator != figures[1].indicator:
        problems.append(
            Diagnostic(where, "change-across-indicators", f"{{{{change}}}} needs two figures of one indicator, not '{figures[0].indicator}' and '{figures[1].indicator}'")
        )
    if story.year is not None:
        for figure in figures:
            if figure.year != story.year:
                problems.append(
                    Diagnostic(
                        where,
                        "figure-from-other-year",
                        f"'{figure.id}' measures {figure.year}, but this story is about {story.year}",
                        Severity.WARNING,
                    )
                )
    return problems


def _hand_typed(text: str, story: Story, dataset: Dataset) -> str:
    message = f"'{text}' is typed by hand: every number in a story must be a figure reference"
    suggestion = suggest_figure(text, story, dataset)
    if suggestion:
        message += f"; use {{{{fig:{suggestion.id}}}}}"
    else:
        message += "; add the figure to data/, or write {{allow:...}} if it is not a figure"
    return message


def suggest_figure(text: str, story: Story, dataset: Dataset) -> Figure | None:
    """A figure whose value the typed number states, preferring the story's year."""
    candidates = [f for f in dataset.figures.values() if stating_mentions(abs(f.value), f.unit.value, text)]
    candidates.sort(key=lambda f: (f.year != story.year, f.id))
    return candidates[0] if candidates else None


def lint_stories(stories: dict[str, Story], dataset: Dataset) -> list[Diagnostic]:
    problems = []
    years = {f.year for f in dataset.figures.values()}
    for story in stories.values():
        if story.year is not None and story.year not in years:
            problems.append(Diagnostic(Location(story.path), "story-without-page", f"no figures measure {story.year}: the story has no page", Severity.WARNING))
        problems += lint_story(story, dataset)
    return problems


# ---- rendering ----------------------------------------------------------------------------


def stated_text(view) -> str:
    """The value as the article states it: words the article used for fractions ('nearly half')."""
    figure = view.figure
    from .formatting import QUALIFIER_WORDS

    mentions = stating_mentions(abs(figure.value), figure.unit.value, figure.quote)
    worded = next((m for m in mentions if m.form in ("fraction", "word", "multiple")), None)
    if worded is not None and not any(m.form == "digits" for m in mentions):
        return f"{QUALIFIER_WORDS[figure.qualifier]} {worded.text.lower()}".strip()
    return view.display


def reference_text(reference: Reference, views: dict) -> str:
    if reference.kind == "allow":
        return reference.text
    if reference.kind == "change":
        return change_text(views[reference.figure_ids[0]], views[reference.figure_ids[1]])
    view = views[reference.figure_ids[0]]
    if reference.variant == "value":
        from .formatting import format_value

        return format_value(view.figure.value, view.figure.unit)
    text = stated_text(view)
    if reference.variant == "period":
        label = view.period_label
        return f"{text} {label}" if label.startswith("as of") else f"{text} in {label}"
    return text


def change_text(first, second) -> str:
    """second minus first, in the unit a reader expects: percentages change by percentage points."""
    from decimal import Decimal

    from .formatting import format_value
    from .models import Qualifier, Unit

    def exact(value) -> Decimal:
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)

    difference = exact(second.figure.value) - exact(first.figure.value)
    unit = Unit.PERCENTAGE_POINTS if first.figure.unit is Unit.PERCENT else first.figure.unit
    number = float(difference) if difference != difference.to_integral() else int(difference)
    text = format_value(number, unit, signed=True)
    if unit is Unit.PERCENTAGE_POINTS:
        text = text.replace(" pp", " percentage points")
    if any(view.figure.qualifier is not Qualifier.EXACT for view in (first, second)):
        text = f"about {text}"
    return text
