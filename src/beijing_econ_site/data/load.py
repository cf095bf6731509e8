"""Load: YAML files into plain Python data, keeping a line and column for every node.

PyYAML's event stream is composed by hand so that every value keeps its position, and so
that the features an editor never needs and an attacker likes are refused outright: tags,
anchors and aliases (alias bombs), merge keys, duplicate keys, several documents per file,
deep nesting, numbers too long to convert, control characters written as escapes, and the
line separators on which YAML and editors disagree.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from beijing_econ_site.diagnostics import Diagnostic, Location, relative_path
from beijing_econ_site.memo import Memo, key_of

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 200_000
MAX_DEPTH = 32  # the data model nests 4 deep; each level costs a copy of the path to it
MAX_NUMBER_CHARS = 100  # longer integers are out of range anyway, and slow or impossible to convert

Path_ = tuple[str | int, ...]

_PARSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: same events, faster
_RESOLVER = Resolver()
_CONSTRUCTOR = SafeConstructor()
# What YAML refuses written raw (C0 and C1 controls but tab and line ends, DEL), refused as escapes too
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")
# Line ends for YAML, not for editors: hidden lines in a comment would become data
_LINE_SEPARATORS = re.compile("[\x85\u2028\u2029]")
_TYPED_SCALARS = {
    "tag:yaml.org,2002:int": _CONSTRUCTOR.construct_yaml_int,
    "tag:yaml.org,2002:float": _CONSTRUCTOR.construct_yaml_float,
    "tag:yaml.org,2002:bool": _CONSTRUCTOR.construct_yaml_bool,
    "tag:yaml.org,2002:null": _CONSTRUCTOR.construct_yaml_null,
}


@dataclass
class Document:
    """One YAML file's data and the position of each node, keyed by its path in the data."""

    path: str
    data: Any
    marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    digest: str = ""  # sha256 of the file's bytes

    def location(self, node_path: Path_ = ()) -> Location:
        """The position of the deepest node on node_path that exists."""
        for end in range(len(node_path), -1, -1):
            mark = self.marks.get(tuple(node_path[:end]))
            if mark:
                return Location(self.path, *mark)
        return Location(self.path)


class _Refused(Exception):
    def __init__(self, rule: str, message: str, mark: Any):
        super().__init__(message)
        self.rule, self.message, self.mark = rule, message, mark


PROFILE_NAME = "site.yaml"  # the site profile, at the root of the data folder


def find_data_files(data_dir: Path) -> list[Path]:
    """The data files: every YAML file under data_dir but the site profile."""
    profile = data_dir / PROFILE_NAME
    return sorted(p for p in data_dir.rglob("*.yaml") if p.is_file() and p != profile)


def load_file(path: Path, memo: Memo | None = None) -> tuple[Document | None, list[Diagnostic]]:
    """A YAML file's document, or the problems that stop it loading; with a memo, a file whose
    bytes were loaded before is not parsed again."""
    shown = relative_path(path)
    where = Location(shown)
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)  # never more: the file may be huge
            size = len(raw) if len(raw) <= MAX_FILE_BYTES else os.fstat(stream.fileno()).st_size
    except OSError as exc:
        return None, [Diagnostic(where, "file-unreadable", f"cannot read file: {exc.strerror}")]
    if len(raw) > MAX_FILE_BYTES:
        return None, [
            Diagnostic(
                where,
                "yaml-too-large",
                f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}: split it into several files",
            )
        ]
    return load_bytes(raw, shown, memo)


def load_bytes(raw: bytes, shown: str, memo: Memo | None = None) -> tuple[Document | None, list[Diagnostic]]:
    """A YAML file's document from its bytes (a file's, or a git blob's), shown as the path given;
    with a memo, bytes loaded before under that path are not parsed again."""
    if memo is None:
        return _load_bytes(raw, shown)
    key = key_of("load", shown, raw)
    found = memo.get(key)
    if found is None:
        found = _load_bytes(raw, shown)
        memo.put(key, found)
    document, problems = found
    return document, list(problems)


def _load_bytes(raw: bytes, shown: str) -> tuple[Document | None, list[Diagnostic]]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return None, [
            Diagnostic(
                Location(shown, 1, 1),
                "yaml-encoding",
                "file starts with a byte-order mark: save it as UTF-8 without BOM",
            )
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [
            Diagnostic(
                Location(shown, line, column),
                "yaml-encoding",
                f"byte 0x{raw[exc.start]:02x} is not valid UTF-8: save the file as UTF-8",
            )
        ]
    document, problems = _parsed(text, shown)
    if document is not None:
        document = dataclasses.replace(document, digest=hashlib.sha256(raw).hexdigest())
        forbidden = list(_forbidden_characters(document))
        if forbidden:
            return None, [*problems, *forbidden]
    return document, list(problems)


# Characters XML 1.0 forbids (the feed, the sitemap and the SVGs are XML): the C0 controls but
# tab and line breaks, lone surrogates and the non-characters U+FFFE and U+FFFF. YAML refuses them
# written raw but lets double-quoted escapes ("\uFFFE", "\x01") through.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _forbidden_characters(document: Document) -> Iterator[Diagnostic]:
    def walk(node: Any, at: Path_) -> Iterator[tuple[Path_, str]]:
        if isinstance(node, str):
            yield at, node
        elif isinstance(node, dict):
            for key, value in node.items():
                yield from walk(key, at)
                yield from walk(value, (*at, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from walk(value, (*at, index))

    for at, text in walk(document.data, ()):
        found = NOT_IN_XML.search(text)
        if found is not None:
            yield Diagnostic(
                document.location(at),
                "forbidden-character",
                f"U+{ord(found[0]):04X} is not a character of text (XML forbids it, and the feed would break): "
                "remove it",
            )


def parse_text(text: str, shown_path: str) -> tuple[Document | None, list[Diagnostic]]:
    if not text.strip() or all(line.lstrip().startswith("#") or not line.strip() for line in text.splitlines()):
        return None, [Diagnostic(Location(shown_path), "yaml-empty", "file has no data: delete it or add content")]
    separator = _LINE_SEPARATORS.search(text)
    if separator:
        return None, [
            Diagnostic(
                _text_location(shown_path, text, separator.start()),
                "yaml-syntax",
                f"character U+{ord(separator.group()):04X} ends a line for YAML but not in editors: "
                "replace it with a newline or a space",
            )
        ]
    document = Document(shown_path, None)
    try:
        try:
            document.data = _compose(yaml.parse(text, Loader=_PARSER), document.marks)
        except yaml.YAMLError:
            # errors are rare: parse again in pure Python, whose messages are clearer
            document.marks.clear()
            document.data = _compose(yaml.parse(text, Loader=yaml.SafeLoader), document.marks)
    except _Refused as exc:
        return None, [Diagnostic(_mark_location(shown_path, exc.mark), exc.rule, exc.message)]
    except yaml.reader.ReaderError as exc:  # a control character: not a MarkedYAMLError, but it has a position
        return None, [
            Diagnostic(_text_location(shown_path, text, exc.position), "yaml-syntax", str(exc).splitlines()[0])
        ]
    except yaml.MarkedYAMLError as exc:
        return None, [
            Diagnostic(
                _mark_location(shown_path, exc.problem_mark or exc.context_mark), "yaml-syntax", _syntax_message(exc)
            )
        ]
    except yaml.YAMLError as exc:
        return None, [Diagnostic(Location(shown_path), "yaml-syntax", str(exc).splitlines()[0])]
    if not isinstance(document.data, dict):
        kind = type(document.data).__name__ if document.data is not None else "nothing"
        return None, [
            Diagnostic(
                document.location(),
                "yaml-structure",
                f"the top level must be a mapping (source:, indicators:, figures:), not {kind}",
            )
        ]
    return document, []


# serve checks every file again on each save: a file whose text has not changed is not parsed again
# (parsing is most of check's time). Documents are never changed once parsed.
_parsed = lru_cache(maxsize=4096)(parse_text)


def _mark_location(shown_path: str, mark: Any) -> Location:
    if mark is None:
        return Location(shown_path)
    return Location(shown_path, mark.line + 1, mark.column + 1)


def _text_location(shown_path: str, text: str, index: int) -> Location:
    line_start = text.rfind("\n", 0, index) + 1
    return Location(shown_path, text.count("\n", 0, index) + 1, index - line_start + 1)


def _syntax_message(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or "invalid YAML"
    if "'\\t'" in problem or "\t" in problem:
        return "tab character: YAML indentation must use spaces"
    if exc.context:
        return f"{problem} ({exc.context})"
    return problem


def _compose(events: Any, marks: dict[Path_, tuple[int, int]]) -> Any:
    """Build plain data from parser events, without recursion."""
    stack: list[list[Any]] = []  # [container, path, pending_key, key_mark, seen_keys]
    root: Any = None
    documents = 0
    node_count = 0

    def attach(value: Any, mark: Any) -> None:
        nonlocal root
        if not stack:
            root = value
            marks[()] = (mark.line + 1, mark.column + 1)
            return
        frame = stack[-1]
        container, path = frame[0], frame[1]
        if isinstance(container, list):
            marks[(*path, len(container))] = (mark.line + 1, mark.column + 1)
            container.append(value)
        else:
            key = frame[2]
            marks[(*path, key)] = (mark.line + 1, mark.column + 1)
            container[key] = value
            frame[2] = None

    for event in events:
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise _Refused("yaml-structure", "one document per file: remove the '---' separator", event.start_mark)
            continue
        if isinstance(event, yaml.AliasEvent):
            raise _Refused("yaml-alias", "aliases (*name) are not allowed: write the value out", event.start_mark)
        if isinstance(event, (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            node_count += 1
            if len(stack) >= MAX_DEPTH and not isinstance(event, yaml.ScalarEvent):
                raise _Refused("yaml-structure", f"values nested more than {MAX_DEPTH} levels deep", event.start_mark)
            if node_count > MAX_NODES:
                raise _Refused("yaml-too-large", f"more than {MAX_NODES:,} values in one file", event.start_mark)
            if event.anchor is not None:
                raise _Refused(
                    "yaml-alias", f"anchors (&{event.anchor}) are not allowed: write the value out", event.start_mark
                )
            if event.tag is not None and event.tag != "!":
                raise _Refused("yaml-tag", f"YAML tags ({event.tag}) are not allowed", event.start_mark)
        in_key_position = bool(stack) and isinstance(stack[-1][0], dict) and stack[-1][2] is None
        if isinstance(event, yaml.ScalarEvent):
            control = _CONTROL.search(event.value)
            if control:
                raise _Refused(
                    "yaml-syntax",
                    f"control character U+{ord(control.group()):04X} (written as an escape) is not allowed: remove it",
                    event.start_mark,
                )
            if in_key_position:
                _take_key(stack[-1], event)
            else:
                attach(_scalar(event), event.start_mark)
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if in_key_position:
                raise _Refused("yaml-structure", "mapping keys must be plain text", event.start_mark)
            container: Any = {} if isinstance(event, yaml.MappingStartEvent) else []
            path = _child_path(stack)
            attach(container, event.start_mark)
            stack.append([container, path, None, None, {}])
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            stack.pop()
    return root


def _child_path(stack: list[list[Any]]) -> Path_:
    if not stack:
        return ()
    container, key = stack[-1][0], stack[-1][2]
    path: Path_ = stack[-1][1]
    return path + ((len(container),) if isinstance(container, list) else (key,))


def _take_key(frame: list[Any], event: yaml.ScalarEvent) -> None:
    key = event.value
    if event.implicit[0] and _implicit_tag(key) == "tag:yaml.org,2002:merge":
        raise _Refused("yaml-merge-key", "merge keys (<<) are not allowed: write the keys out", event.start_mark)
    seen: dict[str, int] = frame[4]
    if key in seen:
        raise _Refused("yaml-duplicate-key", f"duplicate key {key!r} (first on line {seen[key]})", event.start_mark)
    seen[key] = event.start_mark.line + 1 if event.start_mark is not None else 0
    frame[2] = key


def _implicit_tag(value: str) -> str:
    """The tag YAML 1.1 gives a plain scalar ('tag:yaml.org,2002:int', ...)."""
    tag: str = _RESOLVER.resolve(ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]  # untyped in the stubs
    return tag


def _scalar(event: yaml.ScalarEvent) -> Any:
    if not event.implicit[0]:
        return event.value
    tag = _implicit_tag(event.value)
    construct = _TYPED_SCALARS.get(tag)
    if construct is None:
        return event.value  # strings, and timestamps kept as written
    if tag == "tag:yaml.org,2002:int" and len(event.value) > MAX_NUMBER_CHARS:
        message = f"a number of {len(event.value):,} characters; the limit is {MAX_NUMBER_CHARS}"
        raise _Refused("yaml-too-large", message, event.start_mark)
    try:
        return construct(ScalarNode(tag, event.value))
    except ValueError:  # resolved as a number but not one ('0x_', '0b_'): kept as written, for the model to refuse
        return event.value


def load_profile(data_dir: Path, memo: Memo | None = None) -> tuple[Document | None, list[Diagnostic]]:
    """The site profile's document, or why there is none."""
    path = data_dir / PROFILE_NAME
    if not path.is_file() and not path.is_symlink():
        return None, [
            Diagnostic(
                Location(relative_path(path)),
                "profile-missing",
                "no site profile: every site has one (title, place, scopes, topics...); "
                "`beijing-econ-site new DIR` writes a site with one to start from",
            )
        ]
    return load_file(path, memo)


def load_directory(data_dir: Path, memo: Memo | None = None) -> tuple[list[Document], list[Diagnostic]]:
    documents: list[Document] = []
    diagnostics: list[Diagnostic] = []
    for path in find_data_files(data_dir):
        document, problems = load_file(path, memo)
        diagnostics += problems
        if document is not None:
            documents.append(document)
    return documents, diagnostics
