"""The site profile's own words, read as a story's are: a number typed into them is a number
nobody checks (the pages add the counts and years, computed from the data), and the example
values `new` writes are flagged until an editor replaces them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from beijing_econ_site.data.load import Document, Path_
from beijing_econ_site.data.numbers import find_mentions, is_year
from beijing_econ_site.data.profile import SiteProfile
from beijing_econ_site.diagnostics import Diagnostic, Severity

EXAMPLE_MARK = "(EXAMPLE)"  # what `new` writes into the values an editor must replace

_READER_TEXT = ("title", "subject", "description", "context_heading", "label", "name")


def lint_profile(profile: SiteProfile, document: Document) -> list[Diagnostic]:
    """Numbers in the profile's reader-facing text are errors; the scaffold's example values are warnings."""
    problems = []
    for path, text in _texts(profile.model_dump(), ()):
        where = document.location(path)
        shown = ".".join(str(step) for step in path)
        if EXAMPLE_MARK in text:
            message = f"{shown} is still the example `new` wrote ({text!r}): write your site's own"
            problems.append(Diagnostic(where, "profile-placeholder", message, Severity.WARNING))
        if path[-1] not in _READER_TEXT:
            continue
        for mention in find_mentions(text):
            if mention.form == "ordinal":
                continue
            what = "a year" if is_year(mention) else "a number"
            problems.append(
                Diagnostic(
                    where,
                    "number-in-prose",
                    f"{shown} states {what}, '{mention.text}', that no figure checks: the pages add the "
                    "counts and years of the data themselves; write the text without it",
                )
            )
    return problems


def _texts(data: Any, path: Path_) -> Iterator[tuple[Path_, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _texts(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _texts(value, (*path, index))
    elif isinstance(data, str) and path:
        yield path, data
