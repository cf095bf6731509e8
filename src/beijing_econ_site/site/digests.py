"""Digests of what pages and charts are made from (build.graph keys outputs by them).

The digest walks the objects themselves and refuses any kind of object it cannot digest whole,
so an output can never depend on something its key leaves out. A figure's digest covers every
figure of its fact, since a page shows a figure with the sources that confirm it and the values
that conflict with it.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
from typing import Any

from pydantic import BaseModel

from beijing_econ_site.site.charts import Chart
from beijing_econ_site.site.views import FigureView


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

    @property
    def size(self) -> int:
        """How many objects the digests keep alive."""
        return len(self._kept)

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

    def _tuple(self, obj: tuple[Any, ...]) -> bytes:
        found = self._objects.get(id(obj))
        if found is None:
            digest = hashlib.sha256(f"[{len(obj)}\0".encode())
            for item in obj:
                self._feed(digest, item)
            self._kept.append(obj)
            found = self._objects[id(obj)] = digest.digest()
        return found

    def _feed(self, digest: Any, obj: Any) -> None:
        kind = _KINDS.get(type(obj)) or _kind_of(type(obj))
        if kind == "atom":
            digest.update(f"{type(obj).__name__}:{obj!r}\0".encode())
        elif kind == "str":  # Markup too: its text is what the page shows
            digest.update(b"s" + len(obj).to_bytes(8, "big") + obj.encode("utf-8", "surrogatepass"))
        elif kind == "list" and isinstance(obj, tuple):  # immutable: handed to many pages, digested once
            digest.update(b"t" + self._tuple(obj))
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
