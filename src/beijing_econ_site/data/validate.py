"""Validate: loaded documents into a Dataset, pydantic errors mapped back to line:column."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from beijing_econ_site.data.load import Document, Path_
from beijing_econ_site.data.models import (
    Acceptance,
    DataFile,
    Dataset,
    Figure,
    Indicator,
    Omission,
    Source,
    is_currency,
)
from beijing_econ_site.data.profile import Currency, DatasetInfo, Place, SiteProfile, Topic
from beijing_econ_site.diagnostics import Diagnostic, Location

_KNOWN_FIELDS = sorted(
    {name for model in (DataFile, Source, Indicator, Figure, Omission) for name in model.model_fields}
)
_FIELDS_BY_CONTAINER: dict[str, type[BaseModel]] = {
    "source": Source,
    "indicators": Indicator,
    "figures": Figure,
    "omitted": Omission,
    "accept": Acceptance,
}
_PROFILE_FIELDS: dict[str, type[BaseModel]] = {
    "place": Place,
    "scopes": Place,
    "topics": Topic,
    "currencies": Currency,
    "dataset": DatasetInfo,
}


def validate_profile(document: Document | None) -> tuple[SiteProfile | None, list[Diagnostic]]:
    """The site profile, or its problems at file:line:col."""
    if document is None:
        return None, []
    try:
        return SiteProfile.model_validate(document.data), []
    except ValidationError as exc:
        return None, [
            _diagnostic(document, error, SiteProfile, _PROFILE_FIELDS) for error in exc.errors(include_url=False)
        ]


def stand_in_profile(documents: list[Document]) -> SiteProfile:
    """A profile for data whose own profile is missing or invalid, so the other files are still checked
    (their errors are reported beside the profile's; nothing is built). It declares what the files use."""
    scopes: set[str] = set()
    topics: set[str] = set()
    for document in documents:
        data = document.data if isinstance(document.data, dict) else {}
        for key, found, field in (("figures", scopes, "scope"), ("indicators", topics, "topic")):
            items = data.get(key)
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict) and isinstance(item.get(field), str):
                    found.add(item[field])
    return SiteProfile.model_construct(
        id="site",
        title="Site",
        subject="Site",
        description="",
        language="en",
        url=None,
        place=Place.model_construct(id="", label=""),
        scopes=[Place.model_construct(id=s, label=s) for s in sorted(scopes - {""})],  # "" is the stand-in place
        context_heading=None,
        topics=[Topic.model_construct(id=t, label=t) for t in sorted(topics)],
        currencies=[],
        dataset=DatasetInfo.model_construct(name="site", licence=None, keywords=[]),
    )


ERRORS_PER_DOCUMENT = 200


# the last result, for the life of the process: serve validates the same files after every save
_LAST: dict[tuple[object, ...], tuple[Dataset, Locator, list[Diagnostic]]] = {}


def validate_documents(
    documents: list[Document], profile: SiteProfile | None = None
) -> tuple[Dataset, Locator, list[Diagnostic]]:
    """Validate every document against the site profile (a stand-in checks none of the profile's
    names when there is none); the Dataset holds the items of the files that passed. The same
    files, by path and bytes, with the same profile give the last result again."""
    if not documents or not all(document.digest for document in documents):
        return _validate_documents(documents, profile)
    key = (tuple((d.path, d.digest) for d in documents), profile.model_dump_json() if profile else None)
    found = _LAST.get(key)
    if found is None:
        _LAST.clear()
        found = _LAST[key] = _validate_documents(documents, profile)
    dataset, locator, diagnostics = found
    # the caller adds the profile's document to the locator: each call has a copy of its own
    return dataset, Locator(dict(locator.documents), dict(locator.origins)), list(diagnostics)


def _validate_documents(
    documents: list[Document], profile: SiteProfile | None
) -> tuple[Dataset, Locator, list[Diagnostic]]:
    checked_names = profile is not None
    profile = profile or stand_in_profile(documents)
    diagnostics: list[Diagnostic] = []
    sources: dict[str, Source] = {}
    indicators: dict[str, Indicator] = {}
    figures: dict[str, Figure] = {}
    origins: dict[tuple[str, str], tuple[str, Path_]] = {}
    first_use: dict[str, tuple[str, Document, Path_]] = {}

    for document in documents:
        try:
            data_file = _validated(document)
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
            diagnostics += [
                _diagnostic(document, error, DataFile, _FIELDS_BY_CONTAINER) for error in errors[:ERRORS_PER_DOCUMENT]
            ]
            if len(errors) > ERRORS_PER_DOCUMENT:  # a file of 10,000 broken entries is told in a screenful
                more = len(errors) - ERRORS_PER_DOCUMENT
                diagnostics.append(
                    Diagnostic(
                        Location(document.path),
                        "invalid-file",
                        f"and {more:,} more errors in this file, not listed: fix these first",
                    )
                )
            continue
        if checked_names:
            diagnostics += profile_names(document, data_file, profile)
        items: list[tuple[str, Any, Path_, dict[str, Any]]] = []
        if data_file.source is not None:
            items.append(("source", data_file.source, ("source",), sources))
        items += [("indicator", item, ("indicators", i), indicators) for i, item in enumerate(data_file.indicators)]
        items += [("figure", item, ("figures", i), figures) for i, item in enumerate(data_file.figures)]
        for kind, item, path, registry in items:
            if item.id in first_use:
                other_kind, other_doc, other_path = first_use[item.id]
                diagnostics.append(
                    Diagnostic(
                        document.location((*path, "id")),
                        "duplicate-id",
                        f"id '{item.id}' is already used by the {other_kind} "
                        f"at {other_doc.location((*other_path, 'id'))}",
                    )
                )
                continue
            first_use[item.id] = (kind, document, path)
            registry[item.id] = item
            origins[(kind, item.id)] = (document.path, path)

    dataset = Dataset(site=profile, sources=sources, indicators=indicators, figures=figures)
    return dataset, Locator({d.path: d for d in documents}, origins), diagnostics


def profile_names(document: Document, data_file: DataFile, profile: SiteProfile) -> list[Diagnostic]:
    """Scopes, topics and currencies a file uses must be the profile's: each unknown one is named,
    with the profile's list."""
    found: list[Diagnostic] = []

    def unknown(path: Path_, what: str, value: str, known: list[str]) -> None:
        listed = ", ".join(known) or "none"
        message = f"{path[-1]}: unknown {what} {value!r}; data/site.yaml declares: {listed}"
        suggestion = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
        if suggestion:
            message += f"; did you mean '{suggestion[0]}'?"
        found.append(Diagnostic(document.location(path), f"unknown-{what}", message))

    currencies = [c.code for c in profile.currencies]
    topics = [t.id for t in profile.topics]
    for i, indicator in enumerate(data_file.indicators):
        if indicator.topic not in topics:
            unknown(("indicators", i, "topic"), "topic", indicator.topic, topics)
        if is_currency(indicator.unit) and indicator.unit not in currencies:
            unknown(("indicators", i, "unit"), "currency", indicator.unit, currencies)
    for i, figure in enumerate(data_file.figures):
        if figure.scope not in profile.scope_ids:
            unknown(("figures", i, "scope"), "scope", figure.scope, profile.scope_ids)
        if is_currency(figure.unit) and figure.unit not in currencies:
            unknown(("figures", i, "unit"), "currency", figure.unit, currencies)
    return found


_VALIDATED: dict[str, DataFile] = {}  # by the file's sha256; models are frozen, so they can be shared
_VALIDATED_FILES = 4096


def _validated(document: Document) -> DataFile:
    """A file's models: a file of the same bytes validated before in this process (serve's last
    build, or diff's other side) is not validated again."""
    if not document.digest:
        return DataFile.model_validate(document.data)
    found = _VALIDATED.get(document.digest)
    if found is None:
        found = DataFile.model_validate(document.data)
        if len(_VALIDATED) >= _VALIDATED_FILES:
            _VALIDATED.clear()
        _VALIDATED[document.digest] = found
    return found


@dataclass(frozen=True)
class Locator:
    """Finds where in the data files an item, or one of its fields, was written."""

    documents: dict[str, Document]
    origins: dict[tuple[str, str], tuple[str, Path_]]

    def __call__(self, kind: str, item_id: str, *fields: str | int) -> Location:
        origin = self.origins.get((kind, item_id))
        if origin is None:
            return Location("data")
        file, path = origin
        return self.documents[file].location(path + fields)

    def file_of(self, kind: str, item_id: str) -> str | None:
        origin = self.origins.get((kind, item_id))
        return origin[0] if origin else None


def _diagnostic(
    document: Document, error: ErrorDetails, root: type[BaseModel], containers: dict[str, type[BaseModel]]
) -> Diagnostic:
    path = _data_path(document.data, error["loc"])
    where = document.location(path)
    shown = _dotted(path) or "file"
    kind = error["type"]
    if kind == "missing":
        return Diagnostic(where, "missing-field", f"{shown}: required field is missing")
    if kind == "extra_forbidden":
        name = str(path[-1]) if path else ""
        message = f"{shown}: unknown field {name!r}"  # repr: a key may hold a newline
        allowed = _allowed_fields(path, root, containers)
        suggestion = difflib.get_close_matches(name, allowed or _KNOWN_FIELDS, n=1, cutoff=0.6)
        if suggestion:
            message += f"; did you mean '{suggestion[0]}'?"
        elif allowed:
            message += f"; expected one of: {', '.join(allowed)}"
        return Diagnostic(where, "unknown-field", message)
    message = error["msg"].removeprefix("Value error, ")
    if kind == "enum" and error.get("ctx", {}).get("expected"):
        message = f"must be one of {error['ctx']['expected']}"
    if kind == "string_pattern_mismatch" and path and path[-1] in ("id", "indicator", "source", "topic"):
        message = "must be a slug: lower-case letters a-z, digits and hyphens, starting with a letter or digit"
    got = error.get("input")
    if isinstance(got, (str, int, float)) and not isinstance(got, bool) and kind not in ("extra_forbidden",):
        message += f" (got {_short(got)})"
    return Diagnostic(where, "invalid-value", f"{shown}: {message}")


def _allowed_fields(path: Path_, root: type[BaseModel], containers: dict[str, type[BaseModel]]) -> list[str]:
    container = next((part for part in reversed(path[:-1]) if isinstance(part, str)), None)
    model = containers.get(container) if container else root
    return sorted(model.model_fields) if model else []


def _data_path(data: Any, loc: tuple[str | int, ...]) -> Path_:
    """pydantic's loc, keeping only the steps that exist in the data (drops union-member names)."""
    path: list[Any] = []
    node = data
    for step in loc:
        in_dict = isinstance(node, dict) and step in node
        in_list = isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)
        if in_dict or in_list:
            node = node[step]
            path.append(step)
        elif isinstance(node, dict) and isinstance(step, str) and step.isidentifier():
            path.append(step)  # a missing or unknown key: name it, point at its parent
            break
    return tuple(path)


def _dotted(path: Path_) -> str:
    text = ""
    for step in path:
        if isinstance(step, int) or not step.isprintable():
            text += f"[{step!r}]"  # a key with a newline or an invisible character is shown escaped
        else:
            text += f".{step}" if text else step
    return text


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
