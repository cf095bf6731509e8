"""Diagnostics: the one shape every stage uses to report a problem with the data."""

from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    ACCEPTED = "accepted"  # a warning an editor reviewed and accepted with a reason


@dataclass(frozen=True, order=True)
class Location:
    """A place in a data file; line and column are 1-based, 0 when unknown."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.column or 1}"
        return self.path


@dataclass(frozen=True, order=True)
class Diagnostic:
    location: Location
    rule: str
    message: str
    severity: Severity = field(default=Severity.ERROR, compare=False)

    @classmethod
    def simple(cls, path: str, rule: str, message: str) -> Diagnostic:
        return cls(Location(path), rule, message)

    def format(self) -> str:
        return f"{_printable(str(self.location))}: {self.severity.value}[{self.rule}]: {_printable(self.message)}"

    def github_annotation(self) -> str:
        level = {Severity.ERROR: "error", Severity.WARNING: "warning"}.get(self.severity, "notice")
        props = [f"file={_escape_property(_printable(self.location.path))}"]
        if self.location.line:
            props += [f"line={self.location.line}", f"col={self.location.column or 1}"]
        props.append(f"title={_escape_property(self.rule)}")
        return f"::{level} {','.join(props)}::{_escape_annotation(_printable(self.message))}"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


def _printable(text: str) -> str:
    """Control and invisible characters (quoted from an archive or a story) shown as escapes, never sent raw."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in text)


def _escape_annotation(text: str) -> str:
    """A workflow command's message, escaped as the runner reads it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """A workflow command's property value: ',' and ':' would end it or start another."""
    return _escape_annotation(text).replace(":", "%3A").replace(",", "%2C")


printable = _printable  # for the commands that print text from the data


def relative_path(path: Path, base: Path | None = None) -> str:
    """The path as people see it: relative to the working directory when possible."""
    return _relative(str(path), str(base or Path.cwd()))


@functools.lru_cache(maxsize=65536)  # a check names each of thousands of files; resolving them is slow
def _relative(path: str, base: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path(base).resolve()))
    except ValueError:
        return path


def render_report(diagnostics: list[Diagnostic], *, as_json: bool = False, github: bool = False) -> str:
    ordered = sorted(diagnostics)
    if as_json:
        return json.dumps([d.to_json() for d in ordered], indent=2, ensure_ascii=False)
    lines = [d.format() for d in ordered]
    if github:
        lines += [d.github_annotation() for d in ordered]
    return "\n".join(lines)


class DataError(Exception):
    """Raised by a stage that cannot go on because the data has errors."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__(f"{len(diagnostics)} problem(s) in the data")
        self.diagnostics = diagnostics
