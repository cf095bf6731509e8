"""Broken and hostile input: a clear error at the right place, nothing lost, nothing executed.

Every case in tests/hostile/cases.yaml changes one file of the sample dataset and names the
diagnostic it must produce. Each runs through the command line as an editor or CI would:
`check` and `build` exit 1 with `file:line:col: error[rule]: message`, print no traceback,
finish within seconds, leave the site built before byte for byte as it was, write nothing
outside the output and the cache, and change no data file.

Markup in text fields is valid data (tests/hostile/markup.yaml): the site builds, and every
page shows the markup as text, never as elements, attributes or links.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from selectolax.lexbor import LexborHTMLParser

from beijing_econ_site.data.formatting import quoted
from beijing_econ_site.data.load import MAX_FILE_BYTES, load_file
from tests.helpers import ARTICLE, FIGURES, INDICATORS, dataset_files, source_yaml, write_tree

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
CORPUS = Path(__file__).resolve().parent / "hostile"
SECONDS = 20  # a hang guard, not a speed measure: a failing check or build takes about a second alone
BUILD_SECONDS = 30  # a successful build renders its charts
KEPT_OUT = ("_site", ".cache")  # where a build may write
DIAGNOSTIC_LINE = re.compile(r"^\S[^:]*(:\d+:\d+)?: (error|warning)\[[a-z0-9-]+\]: \S.*$")
CHECK_SUMMARY = re.compile(r"^\d+ figures, \d+ indicators, \d+ sources: \d+ error\(s\), \d+ warning\(s\)$")


# ---- the corpus ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    file: str
    line: int
    column: int
    rule: str
    message: str

    @property
    def prefix(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        return f"{where}: error[{self.rule}]: "


@dataclass(frozen=True)
class Case:
    name: str
    kind: str
    file: str
    expect: Expected
    replace: dict[str, str] | None = None
    append: str | None = None
    content: str | None = None
    deleted: bool = False
    generate: str | None = None

    def files(self) -> dict[str, bytes | None]:
        """The files to write over the sample dataset (None: delete the file)."""
        if self.generate:
            return GENERATORS[self.generate]()
        if self.deleted:
            return {self.file: None}
        if self.content is not None:
            return {self.file: self.content.encode("utf-8")}
        text = SAMPLE[self.file]
        for old, new in (self.replace or {}).items():
            assert old in text, f"case {self.name!r}: {old!r} is not in {self.file}"
            text = text.replace(old, new, 1)
        return {self.file: (text + (self.append or "")).encode("utf-8")}


SAMPLE: dict[str, str] = dataset_files()  # type: ignore[assignment]


def load_cases() -> list[Case]:
    cases = []
    for entry in yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8")):
        entry = dict(entry)
        deleted = "content" in entry and entry["content"] is None
        cases.append(Case(expect=Expected(**entry.pop("expect")), deleted=deleted, **entry))
    return cases


CASES = load_cases()


def _replaced(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def _latin_1() -> dict[str, bytes]:
    return {"data/figures/sample-news.yaml": FIGURES.encode().replace(b"Percentage points", b"Caf\xe9 points", 1)}


def _windows_1252() -> dict[str, bytes]:
    return {"data/figures/sample-news.yaml": FIGURES.encode().replace("’".encode(), b"\x92", 1)}


def _byte_order_mark() -> dict[str, bytes]:
    return {"data/figures/sample-news.yaml": b"\xef\xbb\xbf" + FIGURES.encode()}


def _utf_16() -> dict[str, bytes]:
    return {"data/figures/sample-news.yaml": FIGURES.encode("utf-16")}


def _surrogate() -> dict[str, bytes]:
    # U+D800 encoded as if it were a character: Python's "surrogatepass", never valid UTF-8
    label = "GDP \ud800growth".encode("utf-8", "surrogatepass")
    return {"data/indicators/all.yaml": INDICATORS.encode().replace(b"GDP growth", label, 1)}


def _oversized() -> dict[str, bytes]:
    head = FIGURES.encode() + b"# "
    return {"data/figures/sample-news.yaml": head + b"x" * (MAX_FILE_BYTES - len(head)) + b"\n"}


def _too_many_values() -> dict[str, bytes]:
    return {"data/figures/many.yaml": b"figures: [" + b"0, " * 200_001 + b"]\n"}


def _long_number() -> dict[str, bytes]:
    return {"data/figures/sample-news.yaml": _replaced(FIGURES, "value: -3.2", "value: " + "7" * 5000).encode()}


def _archive_latin_1() -> dict[str, bytes]:
    archive = ARTICLE.encode("utf-8").replace(b"Sample News", b"Sample N\xe9ws", 1)
    checksum = hashlib.sha256(archive).hexdigest()
    source = source_yaml(sha256=checksum).encode()
    return {"data/sources/sample-news.txt": archive, "data/sources/sample-news.yaml": source}


GENERATORS = {
    "latin-1": _latin_1,
    "windows-1252": _windows_1252,
    "byte-order-mark": _byte_order_mark,
    "utf-16": _utf_16,
    "surrogate": _surrogate,
    "oversized": _oversized,
    "too-many-values": _too_many_values,
    "long-number": _long_number,
    "archive-latin-1": _archive_latin_1,
}


# ---- projects and the command line ---------------------------------------------------------


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def start(project: Path, *args: str) -> tuple[subprocess.Popen, float]:
    env = {**os.environ, "NO_COLOR": "1", "BEIJING_ECON_SITE_DEBUG": "1"}  # a crash would print its traceback
    env.pop("GITHUB_ACTIONS", None)
    command = [sys.executable, "-m", "beijing_econ_site", *args]
    process = subprocess.Popen(command, cwd=project, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return process, time.perf_counter()


def finish(started: tuple[subprocess.Popen, float], timeout: float) -> Run:
    process, at = started
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail(f"{' '.join(process.args[3:])} did not finish within {timeout} s")
    return Run(process.returncode, stdout, stderr, time.perf_counter() - at)


CHECK = ("check",)
BUILD = ("build", "--out", "_site", "--templates", str(TEMPLATES))


def check_and_build(project: Path, timeout: float = SECONDS) -> tuple[Run, Run]:
    """`check` and `build`, run side by side (check only reads) to keep the corpus quick."""
    checking, building = start(project, *CHECK), start(project, *BUILD)
    return finish(checking, timeout), finish(building, timeout)


def snapshot(root: Path, *, outside: tuple[str, ...] = ()) -> dict[str, str]:
    """Every file and folder under root with its content's hash, leaving out the top-level names given."""
    listing = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if relative.parts[0] in outside:
            continue
        listing[relative.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "folder"
    return listing


def data_files(listing: dict[str, str]) -> dict[str, str]:
    return {name: digest for name, digest in listing.items() if name.endswith(".yaml")}


def apply(project: Path, files: dict[str, bytes | None]) -> None:
    for name, content in files.items():
        path = project / name
        if content is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


@pytest.fixture(scope="module")
def built_project(tmp_path_factory) -> Path:
    """The sample dataset with its site built by the command line: the good state each case starts from."""
    project = write_tree(tmp_path_factory.mktemp("good"), dataset_files())
    first = finish(start(project, *BUILD), BUILD_SECONDS)
    assert first.returncode == 0, first.stderr
    return project


@pytest.fixture
def good_project(built_project, tmp_path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(built_project, project, symlinks=True)
    return project


# ---- every broken or hostile input gets its diagnostic, and nothing else happens ----------------


def assert_reports(run: Run, expected: Expected, command: str) -> None:
    assert "Traceback" not in run.stderr + run.stdout, f"{command} crashed:\n{run.stderr}"
    assert run.returncode == 1, f"{command} exited {run.returncode}, not 1 (bad data):\n{run.stderr}"
    assert run.seconds < SECONDS, f"{command} took {run.seconds:.1f} s"
    lines = [line for line in run.stderr.splitlines() if line.startswith(expected.prefix)]
    assert any(expected.message in line for line in lines), (
        f"{command} did not print\n  {expected.prefix}...{expected.message}...\nbut:\n{run.stderr}"
    )


@pytest.mark.parametrize("case", CASES, ids=[f"{c.kind}: {c.name}" for c in CASES])
def test_broken_input_is_reported_at_its_place_and_changes_nothing(case: Case, good_project: Path):
    site_before = snapshot(good_project / "_site")
    apply(good_project, case.files())
    project_before = snapshot(good_project, outside=KEPT_OUT)

    checked, built = check_and_build(good_project)

    assert_reports(checked, case.expect, "check")
    for line in checked.stderr.splitlines():  # one problem per line: no message spills onto another
        assert DIAGNOSTIC_LINE.match(line) or CHECK_SUMMARY.match(line), f"not a diagnostic: {line!r}"
    assert_reports(built, case.expect, "build")
    assert snapshot(good_project / "_site") == site_before, "the failed build changed the site built before"

    project_after = snapshot(good_project, outside=KEPT_OUT)
    assert data_files(project_after) == data_files(project_before), "a data file was changed"
    assert project_after == project_before, "something was written outside _site and .cache"


def test_the_corpus_covers_every_kind_of_broken_input():
    kinds = {case.kind for case in CASES}
    assert kinds == {
        "syntax",
        "yaml-feature",
        "encoding",
        "size",
        "structure",
        "type",
        "range",
        "date",
        "field",
        "reference",
        "id",
        "citation",
        "archive",
        "markup",
    }
    assert len({case.name for case in CASES}) == len(CASES), "two cases share a name"
    for case in CASES:
        assert case.file in case.files(), f"case {case.name!r} does not change {case.file}"


def test_a_file_of_exactly_the_size_limit_is_read(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    head = FIGURES.encode() + b"# "
    (tmp_path / "limit.yaml").write_bytes(head + b"x" * (MAX_FILE_BYTES - len(head) - 1) + b"\n")
    document, problems = load_file(tmp_path / "limit.yaml")
    assert problems == [] and len(document.data["figures"]) == 8


# ---- markup in text fields is valid data, and readers see it as text ---------------------------


@dataclass(frozen=True)
class Payload:
    name: str
    text: str
    markdown_inert: bool


PAYLOADS = [Payload(**entry) for entry in yaml.safe_load((CORPUS / "markup.yaml").read_text(encoding="utf-8"))]
MARKDOWN = "**Markdown still works.** "
CHARTED_LABELS = (
    "Digital economy, share of GDP",
    "Digital economy, value added",
    "Digital economy core industries, value added",
)
QUOTED = "The added value of core industries was more than 890 billion yuan."
MARKDOWN_TAGS = {"p", "a", "strong", "em", "code", "pre", "br", "hr", "ul", "ol", "li", "blockquote"} | {
    f"h{level}" for level in range(1, 7)
}


def with_markup(text: str) -> dict[str, bytes]:
    """The sample dataset with text in every free-text field (see tests/hostile/markup.yaml)."""

    def quoted(value: str) -> str:
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar

    article = _replaced(ARTICLE, QUOTED, f"{QUOTED} {text}")
    source = source_yaml(
        article,
        title=quoted(f"Sample article {text}"),
        publisher=quoted(f"Sample News {text}"),
        url=quoted(f"https://example.org/?q={text}"),
        notes=quoted(MARKDOWN + text),
        collected_as=quoted(text),
    )
    source += f"  omitted:\n    - quote: {quoted(text)}\n      reason: {quoted(f'Not a number. {text}')}\n"
    indicators = INDICATORS
    for label in CHARTED_LABELS:
        indicators = _replaced(indicators, f"label: {label}\n", f"label: {quoted(f'{label} {text}')}\n")
    markdown = quoted(MARKDOWN + text)
    indicators = _replaced(
        indicators, "description: Value added of the digital economy over GDP.", f"description: {markdown}"
    )
    figures = _replaced(FIGURES, "note: Percentage points, though the article writes %.", f"note: {markdown}")
    figures = _replaced(
        figures, "comparability: The 2019 figure used **another measure**.", f"comparability: {markdown}"
    )
    figures = _replaced(figures, f'quote: "{QUOTED}"', f"quote: {quoted(f'{QUOTED} {text}')}")
    story = "Beijing's digital economy added {{fig:digital-value-added-2021}}. " + MARKDOWN + text + "\n"
    files = {
        "data/sources/sample-news.txt": article,
        "data/sources/sample-news.yaml": source,
        "data/indicators/all.yaml": indicators,
        "data/figures/sample-news.yaml": figures,
        "data/stories/overview.md": story,
        "data/stories/2021.md": story,
        "data/stories/compare.md": story,
    }
    return {name: content.encode("utf-8") for name, content in files.items()}


@dataclass
class MarkupSite:
    payload: Payload
    project: Path
    checked: Run
    built: Run
    before: dict[str, str]
    after: dict[str, str]

    @property
    def text(self) -> str:
        return self.payload.text

    @property
    def site(self) -> Path:
        return self.project / "_site"

    def page(self, name: str) -> LexborHTMLParser:
        return LexborHTMLParser((self.site / name).read_text(encoding="utf-8"))

    def pages(self) -> dict[str, LexborHTMLParser]:
        return html_pages(self.site)


def html_pages(site: Path) -> dict[str, LexborHTMLParser]:
    return {
        path.relative_to(site).as_posix(): LexborHTMLParser(path.read_text(encoding="utf-8"))
        for path in sorted(site.rglob("*.html"))
    }


@pytest.fixture(scope="module", params=PAYLOADS, ids=[p.name for p in PAYLOADS])
def markup_site(request, built_project, tmp_path_factory) -> MarkupSite:
    project = tmp_path_factory.mktemp("markup") / "project"
    shutil.copytree(built_project, project, symlinks=True)
    # the markup goes into the archived text too: a new article, not an edit of the published one
    (project / "_site" / "data" / "archives.json").unlink()
    (project / "_site" / "data" / "figures.json").unlink()
    apply(project, with_markup(request.param.text))
    before = snapshot(project, outside=KEPT_OUT)
    checked = finish(start(project, *CHECK), SECONDS)
    built = finish(start(project, *BUILD), BUILD_SECONDS)
    return MarkupSite(request.param, project, checked, built, before, snapshot(project, outside=KEPT_OUT))


@pytest.fixture(scope="module")
def clean_site_vocabulary(built_project) -> tuple[set[str], set[str]]:
    """Every element and attribute name the sample site uses."""
    tags, attributes = set(), set()
    for tree in html_pages(built_project / "_site").values():
        for node in tree.root.traverse():
            if node.tag.startswith(("-", "_")):
                continue  # text, comments
            tags.add(node.tag)
            attributes.update(node.attributes)
    return tags, attributes


def test_markup_in_text_fields_is_valid_data_and_builds(markup_site: MarkupSite):
    for command, run in (("check", markup_site.checked), ("build", markup_site.built)):
        assert "Traceback" not in run.stderr, f"{command} crashed:\n{run.stderr}"
        assert run.returncode == 0, f"{command} exited {run.returncode}:\n{run.stderr}"
    assert markup_site.checked.stderr.strip().endswith("0 error(s), 0 warning(s)")
    assert markup_site.after == markup_site.before, "the build wrote outside _site and .cache, or ran a command"


def test_no_element_or_attribute_is_injected_into_any_page(markup_site: MarkupSite, clean_site_vocabulary):
    site_tags, site_attributes = clean_site_vocabulary
    for name, tree in markup_site.pages().items():
        for node in tree.root.traverse():
            if node.tag.startswith(("-", "_")):
                continue
            assert node.tag in site_tags | MARKDOWN_TAGS, f"{name}: injected <{node.tag}>"
            for attribute in node.attributes:
                assert attribute in site_attributes, f"{name}: <{node.tag}> has an injected attribute {attribute!r}"
                assert not attribute.lower().startswith("on"), f"{name}: event handler {attribute!r}"
        for script in tree.css("script"):  # only the site's own
            src, kind = script.attributes.get("src") or "", script.attributes.get("type")
            own = src.endswith("assets/enhance.js") or (
                name == "search/index.html" and src.endswith("assets/search.js")
            )
            assert own or kind == "application/ld+json", f"{name}: {script.html}"
        for form in tree.css("form"):  # only the site's search box, which goes to the search page
            assert form.attributes.get("role") == "search", f"{name}: {form.html}"
            assert (form.attributes.get("action") or "").endswith("search/"), f"{name}: {form.html}"
            assert not form.attributes.get("method"), f"{name}: {form.html}"
        assert tree.css("img, iframe, object, embed, style, base, textarea") == [], name
        assert all(svg.parent.css_matches(".chart-canvas") for svg in tree.css("svg")), (
            f"{name}: an svg outside a chart"
        )


def test_plain_text_fields_show_the_markup_literally(markup_site: MarkupSite):
    text = markup_site.text
    source_page = markup_site.page("sources/sample-news/index.html")
    assert source_page.css_first("h1").text() == f"Sample article {text}"
    assert source_page.css_first("title").text().startswith(f"Sample article {text} · ")
    assert f"Sample News {text}" in [dd.text() for dd in source_page.css("dl.meta dd")]
    assert source_page.css_first("ul.omitted li").text() == f"{quoted(text)}: Not a number. {text}"
    sources_page = markup_site.page("sources/index.html")
    assert sources_page.css_first(".source-list h2 a").text() == f"Sample article {text}"
    year_page = markup_site.page("2021/index.html")
    row = year_page.css_first("tr#digital-core-value-added-2021")
    assert row.css_first("th").text().startswith(f"Digital economy core industries, value added {text}")
    assert row.css_first("blockquote").text() == quoted(f"{QUOTED} {text}")
    assert row.css_first("cite").text() == f"Sample article {text}"


def test_attribute_values_hold_the_markup_whole(markup_site: MarkupSite):
    text = markup_site.text
    source_page = markup_site.page("sources/sample-news/index.html")
    description = source_page.css_first('meta[name="description"]').attributes["content"]
    assert description.startswith(f"Source: Sample article {text}, published by Sample News {text}, ")
    assert source_page.css_first('meta[property="og:title"]').attributes["content"] == f"Sample article {text}"
    links = [a.attributes.get("href") for a in source_page.css("dl.meta dd a")]
    assert f"https://example.org/?q={text}" in links


def test_the_json_ld_parses_and_holds_the_markup_literally(markup_site: MarkupSite):
    data_page = markup_site.page("data/index.html")
    [block] = data_page.css('script[type="application/ld+json"]')
    jsonld = json.loads(block.text())
    text = markup_site.text
    assert jsonld["citation"] == [f"Sample News {text}, Sample article {text} (2022-11-11)"]


def test_the_csv_and_json_exports_hold_the_markup_as_text(markup_site: MarkupSite):
    text = markup_site.text
    exported = markup_site.site / "data"
    table = csv.DictReader(io.StringIO((exported / "figures.csv").read_text(encoding="utf-8")))
    from_csv = {row["id"]: row for row in table}
    from_json = {row["id"]: row for row in json.loads((exported / "figures.json").read_text(encoding="utf-8"))}
    for rows in (from_csv, from_json):
        assert rows["digital-core-value-added-2021"]["quote"] == f"{QUOTED} {text}"
        assert rows["digital-core-value-added-2021"]["label"] == f"Digital economy core industries, value added {text}"
        assert rows["gdp-growth-change-2020-h1"]["note"] == MARKDOWN + text
        assert rows["gdp-growth-2020-h1"]["source_title"] == f"Sample article {text}"


def markdown_blocks(markup_site: MarkupSite) -> list[tuple[str, object]]:
    """Where each Markdown field is shown: source notes, a figure's note, a definition, comparability, stories."""
    places = [
        ("sources/sample-news/index.html", "div.notes"),
        ("2020/index.html", "tr#gdp-growth-change-2020-h1 div.note"),
        ("compare/index.html", "div.definition"),
        ("compare/index.html", "div.note-break"),
        ("2021/index.html", "div.note-break"),
        ("index.html", "div.story"),
        ("2021/index.html", "div.story"),
        ("compare/index.html", "div.story"),
    ]
    blocks = []
    for page, selector in places:
        block = markup_site.page(page).css_first(selector)
        assert block is not None, f"{page}: no {selector}"
        blocks.append((f"{page} {selector}", block))
    return blocks


def test_markdown_fields_render_markdown_but_never_raw_html(markup_site: MarkupSite):
    for where, block in markdown_blocks(markup_site):
        assert "Markdown still works." in [strong.text() for strong in block.css("strong")], where
        for node in list(block.traverse(include_text=False))[1:]:  # the block's descendants
            # span: a story's figure reference, made by the site, not by the text
            assert node.tag in MARKDOWN_TAGS | {"span"}, f"{where}: raw HTML <{node.tag}>"
        if markup_site.payload.markdown_inert:
            assert markup_site.text in block.text(), where


def url_scheme(url: str) -> str | None:
    """The scheme a browser would use: whitespace and control characters inside it are ignored."""
    compact = "".join(ch for ch in url if ch > " ")
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", compact)
    return match[1].lower() if match else None


def test_links_are_only_http_mailto_or_relative(markup_site: MarkupSite):
    for name, tree in markup_site.pages().items():
        for node in tree.css("[href], [src], [action], [formaction], [xlink\\:href]"):
            for attribute in ("href", "src", "action", "formaction", "xlink:href"):
                url = node.attributes.get(attribute)
                if url is None or (node.tag == "link" and node.attributes.get("rel") == "icon" and url == "data:,"):
                    continue  # the site's own empty favicon
                assert url_scheme(url) in (None, "http", "https", "mailto"), f"{name}: <{node.tag} {attribute}={url!r}>"
    if "[web](https://example.org/)" in markup_site.text:  # safe links still work
        notes = markup_site.page("sources/sample-news/index.html").css_first("div.notes")
        hrefs = [a.attributes["href"] for a in notes.css("a")]
        assert hrefs == ["https://example.org/", "mailto:editor@example.org", "../sources/"]


def content_security_policy(tree: LexborHTMLParser) -> dict[str, list[str]]:
    meta = tree.css_first('meta[http-equiv="Content-Security-Policy"]')
    assert meta is not None, "no Content-Security-Policy"
    directives = [part.split() for part in meta.attributes["content"].split(";") if part.strip()]
    return {name: sources for name, *sources in directives}


def test_every_page_allows_scripts_and_styles_only_from_the_site_itself(markup_site: MarkupSite, built_project):
    for site in (built_project / "_site", markup_site.site):
        for name, tree in html_pages(site).items():
            policy = content_security_policy(tree)
            # the search page alone may compile Pagefind's WebAssembly, which allows no JavaScript eval
            wasm = ["'wasm-unsafe-eval'"] if name == "search/index.html" else []
            assert policy["script-src"] == ["'self'", *wasm], name
            assert policy["form-action"] == ["'self'"], name
            assert policy["style-src"] == ["'self'"], name
            assert policy["default-src"] == ["'self'"], name
            assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"], name


def test_chart_files_hold_the_markup_as_text(markup_site: MarkupSite):
    text = markup_site.text
    for svg_file in sorted((markup_site.site / "charts").glob("*.svg")):
        root = ElementTree.fromstring(svg_file.read_bytes())  # well-formed XML: nothing broke out of its text
        for element in root.iter():
            local = element.tag.rsplit("}", 1)[-1]
            assert local not in ("script", "foreignObject", "image", "a"), f"{svg_file.name}: <{local}>"
            assert not any(name.rsplit("}", 1)[-1].lower().startswith("on") for name in element.attrib), svg_file.name
        written = "".join(root.itertext())
        assert "".join(text.split()) in "".join(written.split()), f"{svg_file.name} does not show the label as text"
    for spec_file in sorted((markup_site.site / "charts").glob("*.vl.json")):
        spec = json.loads(spec_file.read_text(encoding="utf-8"))
        assert any(text in value for value in strings_in(spec)), f"{spec_file.name} does not hold the label as text"


def strings_in(data) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        data = list(data.values())
    return [text for item in data for text in strings_in(item)] if isinstance(data, list) else []


# ---- exit codes: 0 success, 1 bad data, 2 bad usage, 3 a bug --------------------------------------
# (3 through the command line: tests/test_cli.py, test_an_internal_error_is_reported_as_a_bug_with_its_own_exit_code)


def test_the_exit_codes_are_the_documented_ones():
    from beijing_econ_site import cli

    assert (cli.EXIT_OK, cli.EXIT_DATA, cli.EXIT_USAGE, cli.EXIT_BUG) == (0, 1, 2, 3)


def test_good_data_exits_0(good_project):
    checked, built = check_and_build(good_project)
    assert (checked.returncode, built.returncode) == (0, 0), checked.stderr + built.stderr


def test_bad_data_exits_1(good_project):
    apply(good_project, {"data/figures/sample-news.yaml": FIGURES.replace("value: 40.4", "value: 40.5").encode()})
    checked, built = check_and_build(good_project)
    assert (checked.returncode, built.returncode) == (1, 1)
    assert "error[value-not-in-quote]" in checked.stderr and "error[value-not-in-quote]" in built.stderr


BAD_USAGE = {
    "an unknown option": ("check", "--no-such-option"),
    "an unknown build option": ("build", "--fast"),
    "an unknown command": ("publish",),
    "no command": (),
    "an option without its value": ("check", "--data"),
    "a port that is not a number": ("serve", "--port", "eighty"),
    "two options that exclude each other": ("build", "--quiet", "--verbose"),
}


@pytest.mark.parametrize("arguments", BAD_USAGE.values(), ids=BAD_USAGE.keys())
def test_bad_usage_exits_2_with_the_usage_and_no_traceback(arguments, good_project):
    before = snapshot(good_project)
    run = finish(start(good_project, *arguments), SECONDS)
    assert run.returncode == 2, run.stderr
    assert "usage: beijing-econ-site" in run.stderr and "error:" in run.stderr
    assert "Traceback" not in run.stderr
    assert snapshot(good_project) == before, "a command with bad usage did something"


# ---- gaps found outside the loader and the validator, now closed ---------------------------------


@pytest.mark.parametrize(
    "files",
    [
        {
            "data/figures/sample-news.yaml": None,
            "data/indicators/all.yaml": None,
            "data/sources/sample-news.yaml": None,
        },
        {"data/figures/sample-news.yaml": FIGURES.replace("scope: beijing", "scope: china").encode()},
    ],
    ids=["an empty data folder", "figures only about China"],
)
def test_data_with_no_figure_about_beijing_is_reported_or_built_never_a_crash(files, good_project):
    apply(good_project, files)
    built = finish(start(good_project, *BUILD, "--force"), BUILD_SECONDS)
    assert built.returncode in (0, 1), built.stderr


def test_control_characters_in_an_archive_or_a_story_never_reach_the_terminal(tmp_path):
    article = ARTICLE + "Injected \x1b[2J\x1b]0;pwned\x07 with 77 in it.\n"
    write_tree(
        tmp_path,
        dataset_files(
            **{
                "data/sources/sample-news.txt": article,
                "data/sources/sample-news.yaml": source_yaml(article),
                "data/stories/2021.md": "See {{fig:\x1b[31mred}}.\n",
            }
        ),
    )
    from beijing_econ_site.checks.run import check_data

    lines = [d.format() for d in check_data(tmp_path / "data").diagnostics]
    assert lines and not any(ch in line for line in lines for ch in "\x1b\x07"), lines


def test_the_nearest_passage_to_a_hostile_quote_is_found_in_bounded_time(tmp_path):
    article = ARTICLE + "a" * 8_000 + "\n"
    figures = FIGURES.replace('quote: "Beijing’s GDP fell by 3.2% in H1"', f"quote: {'a' * 1_999}b")
    files = {"data/sources/sample-news.txt": article, "data/sources/sample-news.yaml": source_yaml(article)}
    write_tree(tmp_path, dataset_files(**files, **{"data/figures/sample-news.yaml": figures}))
    from beijing_econ_site.checks.run import check_data

    started = time.perf_counter()
    checked = check_data(tmp_path / "data")
    assert "quote-not-in-source" in {d.rule for d in checked.errors}
    assert time.perf_counter() - started < 1.0


def test_an_archive_linked_from_outside_the_data_folder_is_refused(tmp_path):
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text(ARTICLE, encoding="utf-8")  # any file the build machine can read, with its checksum
    project = write_tree(tmp_path / "project", dataset_files(**{"data/sources/sample-news.txt": None}))
    (project / "data/sources/sample-news.txt").symlink_to(secret)
    from beijing_econ_site.checks.run import check_data

    checked = check_data(project / "data")
    assert any(d.location.path.endswith("sample-news.yaml") and "archive" in d.rule for d in checked.errors)


# ---- the newer surfaces: review, serve, caches, feeds, exports ----------------------------------------


def test_a_number_of_thousands_of_digits_is_refused_with_its_length_never_quoted_whole(tmp_path, capsys, monkeypatch):
    article = ARTICLE + "A code 1" + "0" * 100_000 + " closes it.\n"
    write_tree(
        tmp_path,
        dataset_files(
            **{"data/sources/sample-news.txt": article, "data/sources/sample-news.yaml": source_yaml(article)}
        ),
    )
    from beijing_econ_site.checks.run import check_data
    from beijing_econ_site.cli import main

    checked = check_data(tmp_path / "data")
    [error] = [d for d in checked.errors if d.rule == "number-too-long"]
    assert "1000…0000 (100,001 digits)" in error.message
    assert all(len(d.format()) < 1_000 for d in checked.diagnostics)
    monkeypatch.chdir(tmp_path)
    assert main(["cite", "sample-news", "A code 1" + "0" * 100_000 + " closes it."]) == 1
    err = capsys.readouterr().err
    assert "(100,001 digits) is longer than 30 digits" in err and len(err) < 1_000


def test_cite_reads_each_number_of_a_quote_against_its_neighbours_alone(tmp_path, monkeypatch):
    """Reading every other number for each number made a quote of 2,000 numbers take 27 s."""
    from beijing_econ_site import cite
    from beijing_econ_site.checks.run import check_data

    quote = "Counts were " + ", ".join(str(3000 + n) for n in range(2_000)) + "."
    article = ARTICLE + quote + "\n"
    write_tree(
        tmp_path,
        dataset_files(
            **{"data/sources/sample-news.txt": article, "data/sources/sample-news.yaml": source_yaml(article)}
        ),
    )
    checked = check_data(tmp_path / "data")
    looked_at: list[int] = []
    real = cite.number_context

    def counting(quote_text, mention, others, offset):
        looked_at.append(len(others))
        return real(quote_text, mention, others, offset)

    monkeypatch.setattr(cite, "number_context", counting)
    drafts = cite.draft_figures(
        quote, checked.archives["sample-news"].text, checked.dataset.sources["sample-news"], checked.dataset
    )
    assert len(drafts) == 2_000 and max(looked_at) <= 3


def test_cite_shows_an_archive_s_control_characters_as_escapes(tmp_path, capsys, monkeypatch):
    article = ARTICLE + "Hidden \x1b[2J\x1b]0;pwned\x07 words near 77 things.\n"
    write_tree(
        tmp_path,
        dataset_files(
            **{"data/sources/sample-news.txt": article, "data/sources/sample-news.yaml": source_yaml(article)}
        ),
    )
    from beijing_econ_site.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["cite", "sample-news", "Hidden words near 77 things"]) == 1
    err = capsys.readouterr().err
    assert "nearest passage" in err and "\x1b" not in err and "\x07" not in err and "\\u001b" in err


def test_annotation_properties_are_escaped_so_a_file_name_cannot_rewrite_the_annotation():
    from beijing_econ_site.diagnostics import Diagnostic, Location

    diagnostic = Diagnostic(Location("data/figures/a,title=x::b\n.yaml", 3, 5), "value-sign", "50% off\nnext")
    annotation = diagnostic.github_annotation()
    head, message = annotation.split("::", 2)[1:]
    assert head == "error file=data/figures/a%2Ctitle=x%3A%3Ab\\u000a.yaml,line=3,col=5,title=value-sign"
    assert message == "50%25 off\\u000anext"


def test_a_cache_entry_moved_or_copied_under_another_key_is_a_miss(tmp_path):
    from beijing_econ_site.build.write import load_verified, store_verified

    first, second = tmp_path / "aa.pickle", tmp_path / "bb.pickle"
    store_verified(first, b"the answer to aa")
    store_verified(second, b"the answer to bb")
    assert load_verified(first) == b"the answer to aa"
    for name in ("aa.pickle", "aa.pickle.sha256"):  # swapped, entry and checksum alike
        a, b = tmp_path / name, tmp_path / name.replace("aa", "bb")
        a_bytes, b_bytes = a.read_bytes(), b.read_bytes()
        a.write_bytes(b_bytes)
        b.write_bytes(a_bytes)
    assert load_verified(first) is None and load_verified(second) is None
    store_verified(first, b"the answer to aa")
    third = tmp_path / "cc.pickle"
    third.write_bytes(first.read_bytes())  # a copy under another key
    (tmp_path / "cc.pickle.sha256").write_bytes((tmp_path / "aa.pickle.sha256").read_bytes())
    assert load_verified(third) is None


def _swap(a: Path, b: Path) -> None:
    """Exchange two files' bytes, keeping each name's times: the output's fingerprint cannot tell."""
    times = [(p.stat().st_atime_ns, p.stat().st_mtime_ns) for p in (a, b)]
    a_bytes, b_bytes = a.read_bytes(), b.read_bytes()
    a.write_bytes(b_bytes)
    b.write_bytes(a_bytes)
    for path, (atime, mtime) in zip((a, b), times, strict=True):
        os.utime(path, ns=(atime, mtime))


def test_swapped_chart_renders_and_share_cards_are_made_again_never_published(tmp_path):
    from beijing_econ_site.build.run import build_site
    from beijing_econ_site.site.cards import key_of_png
    from beijing_econ_site.site.pages import SiteConfig

    project = write_tree(tmp_path / "project", dataset_files())
    out, cache = project / "_site", project / ".cache"
    build_site(project / "data", out, project / "templates", cache_dir=cache, config=SiteConfig())
    renders = sorted((cache / "charts").glob("*.svg"))
    assert len(renders) >= 2
    for suffix in ("", ".sha256"):  # a swap that once failed every build until the cache was cleared
        _swap(Path(f"{renders[0]}{suffix}"), Path(f"{renders[1]}{suffix}"))
    cards = sorted((out / "cards").glob("*.png"))
    assert len(cards) >= 2
    _swap(cards[0], cards[1])  # once published on each other's pages
    build_site(project / "data", out, project / "templates", cache_dir=cache, config=SiteConfig())
    fresh = tmp_path / "fresh"
    build_site(project / "data", fresh, project / "templates", cache_dir=None, config=SiteConfig())
    for made in sorted(fresh.rglob("*")):
        if made.is_file() and made.suffix in (".svg", ".png", ".html"):
            assert (out / made.relative_to(fresh)).read_bytes() == made.read_bytes(), made.relative_to(fresh)
    for card in sorted((out / "cards").glob("*.png")):
        assert key_of_png(card.read_bytes()[:256]) == card.stem


@pytest.mark.parametrize("escape", ["\\uFFFE", "\\x01", "\\uFFFF", "\\x0b"])
def test_a_character_xml_forbids_is_refused_at_its_line_and_never_reaches_the_feed(tmp_path, escape):
    from xml.etree import ElementTree

    from beijing_econ_site.build.run import build_site
    from beijing_econ_site.checks.run import check_data
    from beijing_econ_site.site.crawl import escape as xml_escape
    from beijing_econ_site.site.pages import SiteConfig

    source = source_yaml().replace("title: Sample article", f'title: "Sample{escape} article"')
    project = write_tree(tmp_path, dataset_files(**{"data/sources/sample-news.yaml": source}))
    errors = check_data(project / "data").errors
    [error] = [d for d in errors if d.rule in ("forbidden-character", "yaml-syntax")]  # controls: the loader's
    assert error.location.path.endswith("sample-news.yaml") and error.location.line == 3
    assert "U+" in error.message and "remove it" in error.message
    # and should such text reach the feed some other way, the feed stays well-formed
    assert xml_escape("a\ufffeb\x01c") == "abc"
    good = write_tree(tmp_path / "good", dataset_files())
    build_site(good / "data", good / "_site", good / "templates", config=SiteConfig(base_url="https://example.org/"))
    ElementTree.fromstring((good / "_site" / "feed.xml").read_bytes())


@pytest.mark.parametrize(
    "value",
    [
        "https://example.org/\nDisallow: /",
        "javascript:alert(1)",
        "example.org",
        "https://exa mple.org/",
        "ftp://x.org/",
    ],
)
def test_site_url_must_be_an_absolute_http_address_of_printable_characters(value, good_project, capsys, monkeypatch):
    from beijing_econ_site.cli import main

    monkeypatch.setenv("SITE_URL", value)
    monkeypatch.chdir(good_project)
    robots = good_project / "_site" / "robots.txt"
    before = robots.read_bytes() if robots.exists() else None
    assert main(["build", "--out", "_site", "--quiet"]) == 2
    assert "is not an absolute http or https address" in capsys.readouterr().err
    assert (robots.read_bytes() if robots.exists() else None) == before


def test_bare_addresses_in_the_data_are_no_links_in_the_pull_request_summary():
    from beijing_econ_site.review.report import escape

    shown = escape("Visit https://evil.example, www.evil.example or write to boss@evil.example: 3:2")
    assert "https://" not in shown and "www." not in shown and "@" not in shown
    assert shown.replace("&#58;", ":").replace("&#46;", ".").replace("&#64;", "@") == (
        "Visit https://evil.example, www.evil.example or write to boss@evil.example: 3:2"
    )


def _rgba_rows(png: bytes) -> list[bytes]:
    """The rows of an 8-bit RGBA PNG's pixels (the renderer's), unfiltered."""
    import struct
    import zlib

    at, width, data = 8, 0, b""
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, body = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        if kind == b"IHDR":
            width, _, depth, colour = struct.unpack(">IIBB", body[:10])
            assert (depth, colour) == (8, 6), "an 8-bit RGBA image"
        elif kind == b"IDAT":
            data += body
        at += 12 + length
    raw, stride, rows, previous = zlib.decompress(data), width * 4, [], bytes(width * 4)
    for start in range(0, len(raw), stride + 1):
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - 4] if i >= 4 else 0
            up, corner = previous[i], previous[i - 4] if i >= 4 else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                guess = left + up - corner
                near = min((abs(guess - left), 0, left), (abs(guess - up), 1, up), (abs(guess - corner), 2, corner))
                line[i] = (line[i] + near[2]) & 255
        rows.append(bytes(line))
        previous = bytes(line)
    return rows


@pytest.mark.parametrize(
    ("title", "number"),
    [
        ("WWWW MMMM " * 12 + "the end", "1,880,000,000,000 trillion yuan"),
        ("Supercalifragilisticexpialidocious" * 4, "42.9%"),  # one word wider than the card
        ("北京数字经济增加值占地区生产总值比重达到百分之四十二点九，创历史新高，继续领跑全国", "42.9%"),
    ],
    ids=["wide letters", "one long word", "Chinese"],
)
def test_a_share_card_keeps_any_title_inside_its_margins(title, number):
    import vl_convert

    from beijing_econ_site.site.cards import MARGIN, Card, card_spec

    card = Card("A site", title, number, "What it measures, 2023", "Source: a wire, 22 January 2024")
    rows = _rgba_rows(vl_convert.vegalite_to_png(card_spec(card), scale=2))
    margin = 2 * MARGIN - 8  # pixels, less a little for antialiasing
    for y, row in enumerate(rows[20:], start=20):  # below the accent bar
        assert row[-margin * 4 :] == b"\xff" * (margin * 4), f"ink in the right margin at row {y}"


def test_a_chinese_title_is_drawn_in_a_font_that_has_its_characters():
    """Without a CJK font every character is the same empty box: two titles of the same
    characters in another order would draw alike."""
    import vl_convert

    from beijing_econ_site.site.cards import Card, card_spec

    def drawn(title: str) -> bytes:
        return bytes(vl_convert.vegalite_to_png(card_spec(Card("A site", title)), scale=2))

    assert drawn("北京经济") != drawn("经济北京"), "no CJK font: tasks.py test installs fonts-wqy-microhei"
