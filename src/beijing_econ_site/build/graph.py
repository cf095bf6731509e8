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

import dataclasses
import enum
import hashlib
import logging
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta
from pydantic import BaseModel

from beijing_econ_site.build.fingerprint import output_fingerprint
from beijing_econ_site.build.write import replace_atomically
from beijing_econ_site.memo import code_digest
from beijing_econ_site.site.charts import Chart
from beijing_econ_site.site.views import FigureView

log = logging.getLogger(__name__)

STATE_VERSION = 1


class Undigestable(TypeError):
    """An object of a kind the graph cannot digest whole: handing it to a page would make the
    page's key leave out something the page shows."""


class Digests:
    """Digests of the objects of one build, each computed once."""

    def __init__(self) -> None:
        self._models: dict[int, bytes] = {}
        self._own: dict[str, bytes] = {}
        self._views: dict[str, bytes] = {}
        self._objects: dict[int, bytes] = {}
        self._kept: list[object] = []  # keeps digested models alive, so their ids are not reused

    def of(self, obj: Any) -> str:
        digest = hashlib.sha256()
        self._feed(digest, obj)
        return digest.hexdigest()

    def view(self, view: FigureView) -> bytes:
        """A figure as pages and charts show it: its own data, and that of every figure of its fact."""
        found = self._views.get(view.id)
        if found is None:
            cluster = {v.id: v for v in (view, *view.confirmed_with, *view.conflicts_with)}
            digest = hashlib.sha256(view.id.encode() + b"\0")
            for member_id in sorted(cluster):
                digest.update(self._own_digest(cluster[member_id]))
                digest.update(b"c" if cluster[member_id] in view.confirmed_with else b"x")
            found = self._views[view.id] = digest.digest()
        return found

    def _own_digest(self, view: FigureView) -> bytes:
        found = self._own.get(view.id)
        if found is None:
            digest = hashlib.sha256(view.home.encode() + b"\0")
            for model in (view.figure, view.indicator, view.source):
                digest.update(self._model(model))
            found = self._own[view.id] = digest.digest()
        return found

    def _model(self, model: BaseModel) -> bytes:
        found = self._models.get(id(model))
        if found is None:
            self._kept.append(model)
            text = f"{type(model).__name__}\0{model.model_dump_json()}"
            found = self._models[id(model)] = hashlib.sha256(text.encode()).digest()
        return found

    def _dataclass(self, obj: Any) -> bytes:
        """A year, topic, chart group or series is handed to several pages and charts: digested once."""
        found = self._objects.get(id(obj))
        if found is None:
            digest = hashlib.sha256(f"{type(obj).__qualname__}\0".encode())
            for item in dataclasses.fields(obj):
                self._feed(digest, getattr(obj, item.name))
            self._kept.append(obj)
            found = self._objects[id(obj)] = digest.digest()
        return found

    def _feed(self, digest: Any, obj: Any) -> None:
        kind = _KINDS.get(type(obj)) or _kind_of(type(obj))
        if kind == "atom":
            digest.update(f"{type(obj).__name__}:{obj!r}\0".encode())
        elif kind == "str":  # Markup too: its text is what the page shows
            digest.update(b"s" + len(obj).to_bytes(8, "big") + obj.encode("utf-8", "surrogatepass"))
        elif kind == "list":
            digest.update(f"[{len(obj)}\0".encode())
            for item in obj:
                self._feed(digest, item)
        elif kind == "view":
            digest.update(b"v" + self.view(obj))
        elif kind == "dataclass":
            digest.update(b"d" + self._dataclass(obj))
        elif kind == "dict":
            digest.update(f"{{{len(obj)}\0".encode())
            for key, value in obj.items():  # in order: a template iterates it in this order
                self._feed(digest, key)
                self._feed(digest, value)
        elif kind == "enum":
            digest.update(f"e:{type(obj).__name__}.{obj.value}\0".encode())
        elif kind == "chart":
            if not obj.inputs:
                raise Undigestable(f"chart {obj.id} has no input key")
            digest.update(f"chart:{obj.id}:{obj.inputs}\0".encode())
        elif kind == "model":
            digest.update(b"m" + self._model(obj))
        else:
            raise Undigestable(f"cannot digest a {type(obj).__name__} for a page's key")


_KINDS: dict[type, str] = {}


def _kind_of(cls: type) -> str:
    """How the digest reads objects of a class (each class is looked at once)."""
    if cls is type(None) or issubclass(cls, bool | int | float):
        kind = "atom"
    elif issubclass(cls, str):
        kind = "str"
    elif issubclass(cls, enum.Enum):
        kind = "enum"
    elif issubclass(cls, FigureView):
        kind = "view"
    elif issubclass(cls, Chart):
        kind = "chart"
    elif issubclass(cls, BaseModel):
        kind = "model"
    elif issubclass(cls, list | tuple):
        kind = "list"
    elif issubclass(cls, dict):
        kind = "dict"
    elif dataclasses.is_dataclass(cls):
        kind = "dataclass"
    else:
        kind = "none"
    _KINDS[cls] = kind
    return kind


def template_digests(env: jinja2.Environment) -> dict[str, str]:
    """For each template, a digest of its source and of every template it extends, includes or
    imports (all templates, if it names one by a variable)."""
    loader = env.loader
    assert loader is not None
    names = sorted(env.list_templates(filter_func=lambda name: name.endswith((".html", ".xml", ".j2"))))
    sources: dict[str, str] = {}
    references: dict[str, set[str] | None] = {}
    for name in names:
        source = loader.get_source(env, name)[0]
        sources[name] = source
        try:
            found = set(meta.find_referenced_templates(env.parse(source)))
        except jinja2.TemplateSyntaxError:
            found = None  # rendering reports it; until then, it depends on everything
        references[name] = None if found is None or None in found else {str(n) for n in found}
    digests = {}
    for name in names:
        closure = _closure(name, references, set(names))
        digest = hashlib.sha256()
        for member in sorted(closure):
            digest.update(member.encode() + b"\0" + sources.get(member, "<missing>").encode() + b"\0")
        digests[name] = digest.hexdigest()
    return digests


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
        )

    def chart(self) -> Chart:
        made = Chart(self.id, self.title, self.description, {}, self.rows, self.tips, inputs=self.inputs)
        made.schema = self.schema
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


def _state_path(cache_dir: Path, out_dir: Path) -> Path:
    key = hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()[:16]
    return cache_dir / "builds" / f"{key}.graph"


def load_state(cache_dir: Path | None, out_dir: Path, settings: str) -> BuildState:
    """The last build's keys, if it was made with these settings and its output is as it left it."""
    empty = BuildState(settings)
    if cache_dir is None or not out_dir.is_dir():
        return empty
    try:
        state = pickle.loads(_state_path(cache_dir, out_dir).read_bytes())
    except FileNotFoundError:
        return empty
    except Exception as exc:  # a damaged or foreign file: build everything
        log.warning("build graph of %s is unreadable (%s): building everything", out_dir, exc)
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
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_atomically(path, pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError as exc:
        log.warning("could not record the build graph in %s (%s): the next build makes everything", path, exc)


def settings_key(*parts: str) -> str:
    digest = hashlib.sha256(f"{code_digest()} graph {STATE_VERSION}".encode())
    for part in parts:
        digest.update(part.encode() + b"\0")
    digest.update(os.environ.get("SITE_URL", "").encode())
    return digest.hexdigest()
