"""The build's dependency graph: what each output was made from, so a rebuild makes again only
the outputs whose inputs changed.

Every page and chart has an input key: a digest of everything it is made from (the objects
handed to its template, or the figures a chart draws, with the code, the libraries, the
settings and, for a page, the templates it reads). The digest walks the objects themselves
and refuses any kind of object it cannot digest whole, so an output can never depend on
something its key leaves out. A figure's digest covers every figure of its fact, since a page
shows a figure with the sources that confirm it and the values that conflict with it.

The keys of the last build of an output folder are kept beside the chart cache, with a
fingerprint of the folder as that build left it: if anyone changed the folder since, the
keys are not trusted and everything is made again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta

from beijing_econ_site.build.fingerprint import output_fingerprint
from beijing_econ_site.build.write import load_verified, store_verified
from beijing_econ_site.memo import code_digest
from beijing_econ_site.site.charts import Chart

log = logging.getLogger(__name__)

STATE_VERSION = 3


# the references found in each template source text, for the life of the process: serve and diff
# rebuild with the same templates, and parsing them all again took a third of a rebuild
_PARSED: dict[str, set[str] | None] = {}


def template_digests(env: jinja2.Environment, parsed: dict[str, set[str] | None] | None = None) -> dict[str, str]:
    """For each template, a digest of its source and of every template it extends, includes or
    imports (all templates, if it names one by a variable). parsed keeps the references found in
    each source text, for environments that share most templates (diff's two sides)."""
    loader = env.loader
    assert loader is not None
    parsed = _PARSED if parsed is None else parsed
    names = sorted(env.list_templates(filter_func=lambda name: name.endswith((".html", ".xml", ".j2"))))
    sources: dict[str, str] = {}
    references: dict[str, set[str] | None] = {}
    for name in names:
        source = loader.get_source(env, name)[0]
        sources[name] = source
        if source not in parsed:
            parsed[source] = _references(env, source)
        references[name] = parsed[source]
    digests = {}
    for name in names:
        closure = _closure(name, references, set(names))
        digest = hashlib.sha256()
        for member in sorted(closure):
            digest.update(member.encode() + b"\0" + sources.get(member, "<missing>").encode() + b"\0")
        digests[name] = digest.hexdigest()
    return digests


def _references(env: jinja2.Environment, source: str) -> set[str] | None:
    """The templates a source names; None when it names one by a variable, or cannot be parsed
    (rendering reports that; until then, it depends on everything)."""
    try:
        found = set(meta.find_referenced_templates(env.parse(source)))
    except jinja2.TemplateSyntaxError:
        return None
    return None if None in found else {str(n) for n in found}


def _closure(name: str, references: dict[str, set[str] | None], every: set[str]) -> set[str]:
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        named = references.get(current, set())
        if named is None:
            return every | seen
        todo.extend(named)
    return seen


@dataclass
class ChartRecord:
    """What a page needs of a chart made by an earlier build, whose files are in its output."""

    inputs: str
    id: str
    title: str
    description: str
    rows: list[dict[str, Any]]
    tips: list[str]
    spec_hash: str
    schema: str
    caveat: str = ""

    @classmethod
    def of(cls, chart: Chart) -> ChartRecord:
        return cls(
            chart.inputs,
            chart.id,
            chart.title,
            chart.description,
            chart.rows,
            chart.tips,
            chart.spec_hash,
            chart.schema,
            chart.caveat,
        )

    def chart(self) -> Chart:
        made = Chart(self.id, self.title, self.description, {}, self.rows, self.tips, inputs=self.inputs)
        made.schema = self.schema
        made.caveat = self.caveat
        made.__dict__["spec_hash"] = self.spec_hash
        return made


@dataclass
class BuildState:
    """The keys of one output folder's last build."""

    settings: str = ""  # code, libraries and settings: any change makes everything again
    output: str = ""  # the folder's fingerprint as that build left it
    pages: dict[str, str] = field(default_factory=dict)  # page path -> input key
    charts: dict[str, ChartRecord] = field(default_factory=dict)  # chart key -> record
    rows: dict[str, tuple[str, str]] = field(default_factory=dict)  # export rows, encoded (site.export)
    search: tuple[str, list[str]] = ("", [])  # the search records' key, and the index's files
    cards: set[str] = field(default_factory=set)  # the share cards made


def _state_path(cache_dir: Path, out_dir: Path) -> Path:
    key = hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()[:16]
    return cache_dir / "builds" / f"{key}.graph"


# the state each output folder's last build in this process saved: serve's next build takes it
# from here, unread, and checks the folder's fingerprint once it has shown the new pages
_SAVED: dict[Path, BuildState] = {}


def remembered_state(cache_dir: Path | None, out_dir: Path, settings: str) -> BuildState | None:
    """The state this process saved for out_dir, if made with these settings; its output is not
    checked here (output_fingerprint(out_dir) == state.output says whether it still holds)."""
    if cache_dir is None:
        return None
    state = _SAVED.get(_state_path(cache_dir, out_dir))
    return state if state is not None and state.settings == settings else None


def forget_remembered_state() -> None:
    _SAVED.clear()


def load_state(cache_dir: Path | None, out_dir: Path, settings: str) -> BuildState:
    """The last build's keys, if it was made with these settings and its output is as it left it."""
    empty = BuildState(settings)
    if cache_dir is None or not out_dir.is_dir():
        return empty
    path = _state_path(cache_dir, out_dir)
    if not path.exists():
        return empty
    stored = load_verified(path)  # a damaged file is reported there
    if stored is None:
        return empty
    try:
        state = pickle.loads(stored)
    except Exception as exc:  # written by another version of the code
        log.warning("build graph %s is damaged (%s): building everything", path, exc)
        return empty
    if not isinstance(state, BuildState) or state.settings != settings:
        return empty
    if state.output != output_fingerprint(out_dir):
        log.info("%s changed since the last build: building everything", out_dir)
        return empty
    return state


def save_state(cache_dir: Path | None, out_dir: Path, state: BuildState) -> None:
    if cache_dir is None:
        return
    path = _state_path(cache_dir, out_dir)
    state.output = output_fingerprint(out_dir)
    _SAVED.clear()
    _SAVED[path] = state
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        store_verified(path, pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError as exc:
        log.warning("could not record the build graph in %s (%s): the next build makes everything", path, exc)


def settings_key(*parts: str) -> str:
    digest = hashlib.sha256(f"{code_digest()} graph {STATE_VERSION}".encode())
    for part in parts:
        digest.update(part.encode() + b"\0")
    digest.update(os.environ.get("SITE_URL", "").encode())
    return digest.hexdigest()
