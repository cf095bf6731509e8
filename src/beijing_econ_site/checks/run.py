"""The pipeline's front half, shared by every command: load, validate, verify; `check` is this."""

from __future__ import annotations

import hashlib
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from beijing_econ_site.checks.acceptance import apply_acceptances
from beijing_econ_site.checks.archives import (
    check_archives_unchanged,
    check_corrections,
    read_published,
    read_published_figures,
)
from beijing_econ_site.checks.citations import check_citation, check_conflicts, check_references
from beijing_econ_site.checks.coverage import check_coverage
from beijing_econ_site.checks.profile import lint_profile
from beijing_econ_site.checks.prose import check_prose
from beijing_econ_site.checks.stories import lint_stories
from beijing_econ_site.data.archive import Archive, read_archives
from beijing_econ_site.data.load import load_directory, load_profile
from beijing_econ_site.data.models import Dataset, Figure, Kind
from beijing_econ_site.data.numbers import currency_words, use_currency_words
from beijing_econ_site.data.profile import currency_words_of
from beijing_econ_site.data.stories import Story, load_stories
from beijing_econ_site.data.validate import Locator, stand_in_profile, validate_documents, validate_profile
from beijing_econ_site.diagnostics import Diagnostic, Location, Severity
from beijing_econ_site.memo import Memo, key_of

log = logging.getLogger(__name__)


@dataclass
class CheckedData:
    dataset: Dataset
    locator: Locator
    archives: dict[str, Archive] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    stories: dict[str, Story] = field(default_factory=dict)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.WARNING]

    @property
    def accepted(self) -> list[Diagnostic]:
        """Warnings an editor reviewed and accepted with a reason."""
        return [d for d in self.diagnostics if d.severity is Severity.ACCEPTED]


def check_data(data_dir: Path, published: Path | None = None, memo: Memo | None = None) -> CheckedData:
    """Load every YAML file under data_dir, validate it and verify every citation; with published
    (a published site's data/archives.json, when it exists), also that no archive was changed.
    A memo spares the work already done on files that did not change."""
    if not data_dir.is_dir():
        empty = Dataset(site=stand_in_profile([]), sources={}, indicators={}, figures={})
        problem = Diagnostic(Location(str(data_dir)), "data-missing", "data directory not found")
        return CheckedData(empty, Locator({}, {}), {}, [problem])
    profile_document, diagnostics = load_profile(data_dir, memo)
    profile, problems = validate_profile(profile_document)
    diagnostics += problems
    if profile is not None and profile_document is not None:
        diagnostics += lint_profile(profile, profile_document)
    use_currency_words(currency_words_of(profile.currencies if profile else []))
    documents, problems = load_directory(data_dir, memo)
    diagnostics += problems
    dataset, locator, problems = validate_documents(documents, profile)
    diagnostics += problems
    if profile_document is not None:
        locator.documents[profile_document.path] = profile_document
        locator.origins[("profile", "site")] = (profile_document.path, ())
    if profile is None:  # what a number's currency is, which scopes exist: nothing else can be judged yet
        log.info("the site profile has errors: citations and stories are checked once it is fixed")
        return CheckedData(dataset, locator, {}, capped(sorted(diagnostics)), {})
    archives, problems = verify(dataset, locator, data_dir, memo)
    diagnostics += problems
    if published is not None:
        record, problems = read_published(published)
        diagnostics += problems
        if record is not None:
            diagnostics += check_archives_unchanged(dataset, locator, record)
        figures = read_published_figures(published.with_name("figures.json"))
        if figures is not None:
            diagnostics += check_corrections(dataset, locator, figures)
    stories, problems = load_stories(data_dir)
    diagnostics += problems + _story_problems(stories, dataset, locator, memo)
    log.info(
        "checked %d files: %d sources, %d indicators, %d figures",
        len(documents),
        len(dataset.sources),
        len(dataset.indicators),
        len(dataset.figures),
    )
    diagnostics = apply_acceptances(diagnostics, dataset, locator)
    return CheckedData(dataset, locator, archives, capped(sorted(diagnostics)), stories)


WARNINGS_PER_FILE = 20  # of one rule: a 5 MB archive full of numbers would otherwise print a million
ERRORS_PER_FILE = 50  # of one rule: enough to see the pattern and fix it; the count says how many more


def capped(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """At most ERRORS_PER_FILE errors and WARNINGS_PER_FILE warnings of a rule per file, then one
    line of that severity saying how many more there are (so the exit code stays what it was)."""
    kept: list[Diagnostic] = []
    hidden: Counter[tuple[str, str, Severity]] = Counter()
    shown: Counter[tuple[str, str, Severity]] = Counter()
    limits = {Severity.ERROR: ERRORS_PER_FILE, Severity.WARNING: WARNINGS_PER_FILE}
    for diagnostic in diagnostics:
        key = (diagnostic.location.path, diagnostic.rule, diagnostic.severity)
        limit = limits.get(diagnostic.severity)
        if limit is not None and shown[key] >= limit:
            hidden[key] += 1
            continue
        shown[key] += 1
        kept.append(diagnostic)
    for (path, rule, severity), count in sorted(hidden.items(), key=lambda item: (item[0][0], item[0][1])):
        message = f"{count:,} more {rule} {severity.value}s in this file are not shown"
        kept.append(Diagnostic(Location(path), rule, message, severity))
    return kept


def verify(
    dataset: Dataset, locator: Locator, data_root: Path, memo: Memo | None = None
) -> tuple[dict[str, Archive], list[Diagnostic]]:
    """All citation and consistency checks; returns the archives read and every problem found.
    With a memo, the citations of a figures file are checked again only when the file, an
    archive it cites or the kind of an indicator it uses has changed."""
    archives, diagnostics = read_archives(dataset, locator, data_root)
    # every check below reads the data files and the archives alone: when none changed (an
    # editor saved a story or a template), the last run's findings stand
    key = _data_key(locator, archives) if memo is not None else None
    if key is not None and memo is not None:
        found = memo.get(key)
        if found is not None:
            return archives, diagnostics + found
    known = len(diagnostics)
    for figure in dataset.figures.values():
        diagnostics += check_references(figure, dataset, locator)
    diagnostics += _citations(dataset, archives, locator, memo)
    diagnostics += check_conflicts(dataset, locator)
    diagnostics += check_coverage(dataset, archives, locator, memo)
    diagnostics += check_prose(dataset, archives, locator, memo)
    used = {figure.indicator for figure in dataset.figures.values()}
    diagnostics += [
        Diagnostic(locator("indicator", i), "unused-indicator", f"indicator '{i}' has no figures", Severity.WARNING)
        for i in dataset.indicators
        if i not in used
    ]
    if key is not None and memo is not None:
        memo.put(key, diagnostics[known:])
    return archives, diagnostics


def _story_problems(
    stories: dict[str, Story], dataset: Dataset, locator: Locator, memo: Memo | None
) -> list[Diagnostic]:
    """The stories' lint, again only when a story or a data file changed."""
    if memo is None or not all(document.digest for document in locator.documents.values()):
        return lint_stories(stories, dataset)
    told = sorted(f"{story.path}\0{story.text}" for story in stories.values())
    key = key_of("stories", repr(currency_words()), *file_digests(locator), *told)
    found: list[Diagnostic] | None = memo.get(key)
    if found is None:
        found = lint_stories(stories, dataset)
        memo.put(key, found)
    return found


def _data_key(locator: Locator, archives: dict[str, Archive]) -> str:
    """A digest of every data file (the profile too: its currencies and scopes shape the reading)
    and every archived text, with where each is: the findings name the files."""
    texts = sorted(
        f"{source_id}={hashlib.sha256(a.text.encode('utf-8', 'surrogatepass')).hexdigest()}"
        for source_id, a in archives.items()
    )
    return key_of("verify", repr(currency_words()), *file_digests(locator), *texts)


def file_digests(locator: Locator) -> list[str]:
    """Each data file the locator holds (the profile too), by path and sha256."""
    return sorted(f"{path}={document.digest}" for path, document in locator.documents.items())


def _citations(dataset: Dataset, archives: dict[str, Archive], locator: Locator, memo: Memo | None) -> list[Diagnostic]:
    by_file: dict[str, list[Figure]] = defaultdict(list)
    for figure in dataset.figures.values():
        by_file[locator.file_of("figure", figure.id) or ""].append(figure)
    texts = {
        source_id: hashlib.sha256(a.text.encode("utf-8", "surrogatepass")).hexdigest()
        for source_id, a in archives.items()
    }
    diagnostics: list[Diagnostic] = []
    for file, figures in by_file.items():
        document = locator.documents.get(file)
        kinds = {f.id: _kind_of(f, dataset) for f in figures}
        key = None
        if memo is not None and document is not None and document.digest:
            cited = sorted({f"{f.source}={texts.get(f.source, '-')}" for f in figures})
            # the path too: the diagnostics name the file, and two files may hold the same bytes
            key = key_of(
                "citations",
                document.path,
                document.digest,
                repr(currency_words()),
                *cited,
                *(f"{i}={k}" for i, k in sorted(kinds.items())),
            )
            found = memo.get(key)
            if found is not None:
                diagnostics += found
                continue
        problems = []
        for figure in figures:
            archive = archives.get(figure.source)
            if archive is not None:
                problems += check_citation(figure, archive, locator, kinds[figure.id])
        if key is not None and memo is not None:
            memo.put(key, problems)
        diagnostics += problems
    return diagnostics


def _kind_of(figure: Figure, dataset: Dataset) -> Kind | None:
    indicator = dataset.indicators.get(figure.indicator)
    return indicator.kind if indicator is not None else None
