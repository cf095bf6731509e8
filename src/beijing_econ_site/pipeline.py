"""The pipeline's front half, shared by every command: load, validate, verify."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import Diagnostic, Location, Severity
from .load import load_directory
from .models import Dataset
from .stories import Story, lint_stories, load_stories
from .validate import Locator, validate_documents
from .verify import Archive, verify

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


def check_data(data_dir: Path) -> CheckedData:
    """Load every YAML file under data_dir, validate it and verify every citation."""
    if not data_dir.is_dir():
        empty = Dataset(sources={}, indicators={}, figures={})
        problem = Diagnostic(Location(str(data_dir)), "data-missing", "data directory not found")
        return CheckedData(empty, Locator({}, {}), {}, [problem])
    documents, diagnostics = load_directory(data_dir)
    dataset, locator, problems = validate_documents(documents)
    diagnostics += problems
    archives, problems = verify(dataset, locator, data_dir)
    diagnostics += problems
    stories, problems = load_stories(data_dir)
    diagnostics += problems + lint_stories(stories, dataset)
    log.info(
        "checked %d files: %d sources, %d indicators, %d figures",
        len(documents),
        len(dataset.sources),
        len(dataset.indicators),
        len(dataset.figures),
    )
    return CheckedData(dataset, locator, archives, sorted(diagnostics), stories)
