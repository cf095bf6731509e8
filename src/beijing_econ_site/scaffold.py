"""new: a site to start from. A profile whose example values are flagged, the data folders, one
clearly fictional article with an indicator, two figures and a story, and an empty theme
folder; it passes `check` and builds before anyone edits it."""

from __future__ import annotations

import hashlib
from pathlib import Path

from beijing_econ_site.checks.profile import EXAMPLE_MARK
from beijing_econ_site.data.schema import PROFILE_SCHEMA_NAME, data_file_schema, profile_schema


class ScaffoldError(Exception):
    """Why the folder cannot be made a site; the message says what to do."""


ARTICLE = """\
Exampleton Gazette, 14 March 2025

NOTE: this article is fictional. It was written for the scaffold of a new site, so that the
site has something to check and build. Exampleton does not exist. Replace it with a real
article (add-source FILE).

Exampleton's harbour had its busiest year on record. The port authority said the harbour
handled 1.2 million containers in 2024, and the number of ferry passengers grew by 8.5% from
the year before.
"""

PROFILE = f"""\
# yaml-language-server: $schema=../schema/{PROFILE_SCHEMA_NAME}
# The site profile: what this site is about. Every value marked {EXAMPLE_MARK} is the scaffold's:
# `beijing-econ-site check` warns until it is replaced. Pages, cards, the feed and the data's
# metadata take their words from here; counts and years are added from the data.
id: example-site   # your site's own slug: its feed's id and cache folder; keep it once published
title: Exampleton in figures {EXAMPLE_MARK}
subject: Exampleton’s harbour {EXAMPLE_MARK}
description: The harbour of Exampleton, a fictional town, in figures, each quoted from its source {EXAMPLE_MARK}.
language: en
# url: https://example.org/   # where the site is published (SITE_URL overrides it)
place:   # the home place: figures with this scope are the site's own
  id: exampleton
  label: Exampleton {EXAMPLE_MARK}
scopes:   # wider places the articles give figures for, as context (figures' scope)
  - id: region
    label: The region {EXAMPLE_MARK}
    words: [the region's, region-wide]   # phrases that make cite draft this scope
topics:   # in the order pages show them; every indicator has one
  - id: harbour
    label: Harbour {EXAMPLE_MARK}
currencies:   # the units amounts of money are stated in, and how the articles write them
  - code: EUR
    name: euros
    symbol: €
    before: [€, EUR]
    after: [euros, EUR]
dataset:
  name: example-figures
  licence:
    id: CC-BY-4.0
    url: https://creativecommons.org/licenses/by/4.0/
  keywords: [example {EXAMPLE_MARK}]
"""

SOURCE = """\
# yaml-language-server: $schema=../../schema/data-file.schema.json
source:
  id: exampleton-gazette-2025-03-14
  title: Exampleton's harbour had its busiest year (a fictional article)
  publisher: Exampleton Gazette (fictional)
  published: "2025-03-14"
  language: en
  archive: exampleton-gazette-2025-03-14.txt
  sha256: {sha256}
  notes: |
    A **fictional** article, written for the scaffold of a new site. Replace it with a real one.
"""

INDICATORS = """\
# yaml-language-server: $schema=../../schema/data-file.schema.json
indicators:
  - id: harbour-containers
    label: Containers handled by the harbour
    unit: count
    counts: containers
    kind: flow
    topic: harbour
    description: Containers the harbour handled in the year, as the port authority counts them.
  - id: ferry-passengers-growth
    label: Ferry passengers, growth
    unit: percent
    kind: growth
    topic: harbour
    description: Change in the number of ferry passengers from the year before.
"""

FIGURES = """\
# yaml-language-server: $schema=../../schema/data-file.schema.json
figures:
  - id: harbour-containers-2024
    indicator: harbour-containers
    value: 1200000
    unit: count
    qualifier: exact
    period: 2024
    scope: exampleton
    headline: true
    source: exampleton-gazette-2025-03-14
    quote: "the harbour handled 1.2 million containers in 2024"
  - id: ferry-passengers-growth-2024
    indicator: ferry-passengers-growth
    value: 8.5
    unit: percent
    qualifier: exact
    period: 2024
    scope: exampleton
    source: exampleton-gazette-2025-03-14
    quote: "the number of ferry passengers grew by 8.5% from the year before"
"""

STORY = """\
In a fictional article, Exampleton's harbour handled {{fig:harbour-containers-2024:period}}, and
its ferries carried {{fig:ferry-passengers-growth-2024}} more passengers than the year before.
Replace this story, the article and its figures with your own.
"""

THEME_README = """\
# Your theme

Templates and static files here replace the default theme's of the same name (for example
`base.html`, `partials/figure.html` or `static/site.css`), and new ones may be added. An
empty folder builds with the default theme. The default theme's files are in the package,
under `beijing_econ_site/theme/`: copy the one you want to change here, then edit it.
"""


def new_site(folder: Path) -> list[Path]:
    """Write a new site into folder (made if missing; refused unless empty). Returns the files written."""
    if folder.exists() and not folder.is_dir():
        raise ScaffoldError(f"{folder} exists and is not a folder: choose a new folder")
    if folder.is_dir() and any(folder.iterdir()):
        raise ScaffoldError(f"{folder} is not empty: `new` writes a site into a new or empty folder only")
    article = ARTICLE.encode("utf-8")
    files: dict[str, bytes] = {
        "data/site.yaml": PROFILE.encode("utf-8"),
        "data/sources/exampleton-gazette-2025-03-14.txt": article,
        "data/sources/exampleton-gazette-2025-03-14.yaml": SOURCE.format(
            sha256=hashlib.sha256(article).hexdigest()
        ).encode("utf-8"),
        "data/indicators/harbour.yaml": INDICATORS.encode("utf-8"),
        "data/figures/exampleton-gazette-2025-03-14.yaml": FIGURES.encode("utf-8"),
        "data/stories/overview.md": STORY.encode("utf-8"),
        "templates/README.md": THEME_README.encode("utf-8"),
        "schema/data-file.schema.json": data_file_schema().encode("utf-8"),
        f"schema/{PROFILE_SCHEMA_NAME}": profile_schema().encode("utf-8"),
        ".gitignore": b"_site/\n.cache/\n",
    }
    written = []
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("xb") as stream:  # never overwrites, even a file made meanwhile
            stream.write(content)
        written.append(path)
    return written
