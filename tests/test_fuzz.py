"""Fuzzing the front of the pipeline: whatever the input, diagnostics come back, never an exception or a hang.

Documents are generated valid and broken: random structures of mappings, lists and scalars with
the right keys and wrong ones, random text and bytes, and truncations and mutations of the sample
dataset's own files. They go through load.parse_text / load.load_file, validate.validate_documents,
and pipeline.check_data on a temporary data tree.

Example counts are bounded and each example has a deadline, so the module runs in seconds.
"""

from __future__ import annotations

import re
import string
import tempfile
import unicodedata
from datetime import timedelta
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beijing_econ_site.checks.run import check_data
from beijing_econ_site.data.load import Document, load_file, parse_text
from beijing_econ_site.data.models import DataFile, Figure, Indicator, Omission, Source
from beijing_econ_site.data.validate import validate_documents
from beijing_econ_site.diagnostics import Diagnostic
from tests.helpers import FIGURES, INDICATORS, dataset_files, source_yaml, write_tree

LOAD_RULES = {
    "yaml-syntax",
    "yaml-duplicate-key",
    "yaml-tag",
    "yaml-alias",
    "yaml-merge-key",
    "yaml-encoding",
    "yaml-too-large",
    "yaml-empty",
    "yaml-structure",
}
VALIDATE_RULES = {"missing-field", "unknown-field", "invalid-value", "duplicate-id"}
FUZZ = settings(
    max_examples=60,
    deadline=timedelta(seconds=2),  # a typical example takes milliseconds; a hang fails it
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SAMPLE_FILES = {
    "data/figures/sample-news.yaml": FIGURES,
    "data/indicators/all.yaml": INDICATORS,
    "data/sources/sample-news.yaml": source_yaml(),
}


def assert_well_formed(diagnostics: list[Diagnostic], rules: set[str] | None = None) -> None:
    """Each diagnostic is one printable line, naming a known rule and a place in its file."""
    for diagnostic in diagnostics:
        assert isinstance(diagnostic, Diagnostic)
        line = diagnostic.format()
        assert "\n" not in line and "\r" not in line, line
        assert not any(unicodedata.category(ch) == "Cc" for ch in line), repr(line)
        assert diagnostic.message.strip()
        assert diagnostic.location.line >= 0 and diagnostic.location.column >= 0
        if rules is not None:
            assert diagnostic.rule in rules, line


def parsed(text: str) -> tuple[Document | None, list[Diagnostic]]:
    document, problems = parse_text(text, "x.yaml")
    assert (document is None) == bool(problems), "a document, or the reason there is none"
    assert len(problems) <= 1, "the loader stops at the first problem"
    assert_well_formed(problems, LOAD_RULES)
    if document is not None:
        assert isinstance(document.data, dict)
        lines = len(re.split(r"\r\n|\r|\n", text))  # the line ends YAML and editors agree on
        assert all(1 <= line <= lines + 1 for line, _ in document.marks.values())  # +1: the end of a last line
    return document, problems


def validated(document: Document) -> list[Diagnostic]:
    dataset, _, problems = validate_documents([document])
    assert_well_formed(problems, VALIDATE_RULES)
    assert all(problem.location.path == document.path for problem in problems)
    if not problems:  # a file without problems is read whole
        assert len(dataset.figures) == len(document.data.get("figures", []))
        assert len(dataset.indicators) == len(document.data.get("indicators", []))
        assert len(dataset.sources) == (document.data.get("source") is not None)
    return problems


# ---- strategies ------------------------------------------------------------------------------

FIELD_NAMES = sorted(
    {name for model in (DataFile, Source, Indicator, Figure, Omission) for name in model.model_fields}
    | {"figure", "qoute", "Value", "<<", "v\u0430lue", "", "id ", "a\nb"}
)
SCALAR_TEXTS = [
    "sample-news",
    "gdp-growth",
    "percent",
    "CNY",
    "exact",
    "at-least",
    "beijing",
    "china",
    "2020",
    "2020-H1",
    "2021-01..2021-02",
    "2021-03..2021-01",
    "2022-02-30",
    "2022-11-11",
    "2022-13",
    "２０２０",
    "..",
    "../etc/passwd",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "javascript:alert(1)",
    "https://example.org/",
    "0x_",
    "0b_",
    "._",
    ".nan",
    ".inf",
    "1e999",
    "1:30",
    "017",
    "~",
    "null",
    "yes",
    "No",
    "=SUM(A1)",
    "\u2028",
    "\ufeff",
    "\t",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(SCALAR_TEXTS),
    st.text(max_size=30),
)
keys = st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=12))
structures = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=6)),
    max_leaves=30,
)


@st.composite
def data_files(draw) -> dict:
    """A data file's shape: source, indicators and figures, each item with some right and some wrong keys."""

    def item(model) -> dict:
        names = draw(st.lists(st.sampled_from(sorted(model.model_fields)), unique=True))
        extra = draw(st.dictionaries(keys, structures, max_size=2))
        return {name: draw(scalars) for name in names} | extra

    document = {}
    if draw(st.booleans()):
        document["source"] = item(Source)
    if draw(st.booleans()):
        document["indicators"] = [item(Indicator) for _ in range(draw(st.integers(min_value=0, max_value=3)))]
    if draw(st.booleans()):
        document["figures"] = [item(Figure) for _ in range(draw(st.integers(min_value=0, max_value=3)))]
    document.update(draw(st.dictionaries(keys, structures, max_size=2)))
    return document


def dumped(data, draw) -> str:
    return yaml.safe_dump(
        data,
        allow_unicode=draw(st.booleans()),
        default_flow_style=draw(st.sampled_from([False, True, None])),
        sort_keys=False,
        width=draw(st.sampled_from([40, 80, 10_000])),
    )


PLAIN_TOKENS = [
    *SCALAR_TEXTS,
    "0x_",
    "0b_",
    "0x1F",
    "0b101",
    "1_000",
    "0o17",
    "+.inf",
    "-.NaN",
    "1:30:00",
    "-3.2",
    "1600000000000",
    "true",
    "off",
    "!!python/object/apply:os.system ['true']",
    "&anchor 1",
    "*alias",
    "<<",
    "'quoted'",
    '"double \\e escaped"',
    "[1, 2",
    "{a: 1}",
    "|",
    ">-",
    "- item",
    "# comment",
    "a: b",
    "'unclosed",
    "%TAG",
    "@",
    "`",
]
PLAIN_KEYS = [name for name in FIELD_NAMES if name and name.strip() == name and "\n" not in name]


@st.composite
def hand_written(draw) -> str:
    """Block YAML as an editor types it, with values written bare: numbers, dates, tags, flow syntax."""
    lines: list[str] = []

    def block(indent: int, depth: int) -> None:
        for _ in range(draw(st.integers(min_value=1, max_value=4))):
            key = draw(st.sampled_from(PLAIN_KEYS))
            shape = draw(st.sampled_from(["scalar", "scalar", "mapping", "list"])) if depth < 3 else "scalar"
            if shape == "scalar":
                lines.append(f"{' ' * indent}{key}: {draw(st.sampled_from(PLAIN_TOKENS))}")
                continue
            lines.append(f"{' ' * indent}{key}:")
            if shape == "mapping":
                block(indent + 2, depth + 1)
                continue
            for _ in range(draw(st.integers(min_value=1, max_value=3))):
                first = len(lines)
                block(indent + 4, depth + 1)
                lines[first] = " " * (indent + 2) + "- " + lines[first].lstrip()

    block(0, 0)
    return "\n".join(lines) + "\n"


YAML_NOISE = string.ascii_letters + string.digits + "_ :-[]{},&*!|>'\"#%@`?\t\n\\.<=~" + "’–\u00a0\u2028\x85\x00\x1b"


@st.composite
def mutated_sample(draw) -> tuple[str, str]:
    """One of the sample files, truncated or mutated a few times over."""
    name = draw(st.sampled_from(sorted(SAMPLE_FILES)))
    text = SAMPLE_FILES[name]
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        at = draw(st.integers(min_value=0, max_value=len(text)))
        operation = draw(st.sampled_from(["truncate", "delete", "insert", "replace", "duplicate-line", "indent"]))
        if operation == "truncate":
            text = text[:at]
        elif operation == "delete":
            text = text[:at] + text[at + draw(st.integers(min_value=1, max_value=20)) :]
        elif operation == "insert":
            text = text[:at] + draw(st.text(alphabet=YAML_NOISE, min_size=1, max_size=8)) + text[at:]
        elif operation == "replace":
            text = text[:at] + draw(st.sampled_from(YAML_NOISE)) + text[at + 1 :]
        else:
            lines = text.splitlines(keepends=True) or [""]
            index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            if operation == "duplicate-line":
                lines.insert(index, lines[index])
            else:
                lines[index] = draw(st.sampled_from(["", " ", "  ", "\t"])) + lines[index]
            text = "".join(lines)
    return name, text


# ---- the loader ------------------------------------------------------------------------------


@FUZZ
@given(st.text(max_size=300))
def test_any_text_is_data_or_one_diagnostic(text):
    parsed(text)


@FUZZ
@given(st.text(alphabet=YAML_NOISE, max_size=200))
def test_text_made_of_yaml_punctuation_is_data_or_one_diagnostic(text):
    parsed(text)


@FUZZ
@given(st.data())
def test_random_structures_load_and_validate_to_diagnostics(data):
    text = dumped(data.draw(st.dictionaries(keys, structures, min_size=1, max_size=5)), data.draw)
    document, _ = parsed(text)
    if document is not None:  # text that does not parse is one diagnostic, tested above
        validated(document)


@FUZZ
@given(st.data())
def test_data_files_with_right_and_wrong_keys_validate_to_diagnostics(data):
    document, _ = parsed(dumped(data.draw(data_files()), data.draw))
    if document is not None:
        validated(document)


@FUZZ
@given(mutated_sample())
def test_mutated_sample_files_load_and_validate_to_diagnostics(mutation):
    _, text = mutation
    document, _ = parsed(text)
    if document is not None:
        validated(document)


@FUZZ
@given(hand_written())
def test_hand_written_yaml_with_bare_values_loads_and_validates_to_diagnostics(text):
    document, _ = parsed(text)
    if document is not None:
        validated(document)


ENCODING_MARKS = st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b""])


@settings(FUZZ, max_examples=40)
@given(st.binary(max_size=300) | st.builds(lambda mark, rest: mark + rest, ENCODING_MARKS, st.binary(max_size=100)))
def test_any_bytes_in_a_file_are_data_or_one_diagnostic(raw):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.yaml"
        path.write_bytes(raw)
        document, problems = load_file(path)
    assert (document is None) == bool(problems)
    assert_well_formed(problems, LOAD_RULES)


# ---- the whole check ---------------------------------------------------------------------------


@settings(FUZZ, max_examples=40)
@given(mutated_sample())
def test_check_data_on_a_tree_with_a_mutated_file_returns_diagnostics(mutation):
    name, text = mutation
    with tempfile.TemporaryDirectory() as folder:
        root = write_tree(Path(folder), dataset_files(**{name: text}))
        checked = check_data(root / "data")
    assert_well_formed(checked.diagnostics)
    for other, content in SAMPLE_FILES.items():  # nothing lost: the files left alone are all still read
        if other != name:
            assert ids_in(content) <= defined_ids(checked), other


@settings(FUZZ, max_examples=30)
@given(st.data())
def test_check_data_with_a_random_data_file_added_returns_diagnostics(data):
    text = dumped(data.draw(data_files()), data.draw)
    with tempfile.TemporaryDirectory() as folder:
        root = write_tree(Path(folder), dataset_files(**{"data/figures/fuzz.yaml": text}))
        checked = check_data(root / "data")
    assert_well_formed(checked.diagnostics)
    assert set().union(*map(ids_in, SAMPLE_FILES.values())) <= defined_ids(checked), "a broken file lost another's data"


def ids_in(sample_file: str) -> set[str]:
    return set(re.findall(r"^\s*(?:- )?id: (\S+)$", sample_file, re.MULTILINE))


def defined_ids(checked) -> set[str]:
    """Every id in the dataset: an id taken first by another file still counts (with a duplicate-id error)."""
    dataset = checked.dataset
    return set(dataset.sources) | set(dataset.indicators) | set(dataset.figures)


def test_an_empty_scope_with_no_profile_is_a_diagnostic_not_a_crash():
    """Found by the fuzzer: the stand-in profile declared the empty scope twice (as its place too)."""
    document = Document(path="x.yaml", data={"figures": [{"scope": ""}]}, marks={(): (1, 1)})
    _, _, problems = validate_documents([document])
    assert problems and all(p.location.path == "x.yaml" for p in problems)
