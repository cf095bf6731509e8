"""Incremental builds: after any edit, a rebuild that reuses what it can makes exactly the site a
cold build of the same inputs makes, byte for byte, and makes again only what the edit touches."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from beijing_econ_site.build.run import BuildResult, build_site
from beijing_econ_site.site.pages import SiteConfig
from beijing_econ_site.site.theme import DEFAULT_THEME
from tests.test_chart_readback import data_with_fixtures

ROOT = Path(__file__).resolve().parent.parent
FIGURES = "data/figures/beijing-fao-2024-02-04.yaml"
HUAIROU = """  - id: huairou-facilities-in-use-2023
    indicator: huairou-facilities-in-use
    value: 16
    unit: count
    qualifier: exact
    period: 2023
    scope: beijing
    source: beijing-fao-2024-02-04
    quote: "Huairou Science City intensified efforts to develop the Comprehensive National Science Center, with 16 facilities and platforms in active use for research."
"""


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def assert_same_site(incremental: Path, cold: Path) -> None:
    made, expected = tree(incremental), tree(cold)
    assert sorted(made) == sorted(expected), "the incremental build has other files than the cold build"
    differing = [path for path in expected if made[path] != expected[path]]
    assert differing == [], f"the incremental build differs from the cold build in {differing[:5]}"


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def edit(work: Path, step: str) -> None:
    """The edits an editor makes, applied one after another to the same working copy."""
    figures = work / FIGURES
    if step == "a figure's note":  # the figure as this test knows it, with a note of the test's own
        text = figures.read_text(encoding="utf-8")
        start = text.index("  - id: huairou-facilities-in-use-2023")
        end = text.index("  - id: ", start + 10)
        noted = HUAIROU + "    note: The article does not name the facilities.\n"
        figures.write_text(text[:start] + noted + text[end:], encoding="utf-8")
    elif step == "a figure's period":
        replace(figures, "    period: 2023\n", "    period: 2023-H2\n")  # the file's first figure of 2023
    elif step == "a figure deleted":
        text = figures.read_text(encoding="utf-8")
        start = text.index("  - id: huairou-facilities-in-use-2023")
        end = text.index("  - id: ", start + 10)
        figures.write_text(text[:start] + text[end:], encoding="utf-8")
    elif step == "a figure added":
        append(figures, HUAIROU.replace("huairou-facilities-in-use-2023", "huairou-facilities-again-2023"))
    elif step == "a source's title":
        replace(work / "data/sources/beijing-fao-2024-02-04.yaml", 'title: "', 'title: "Revised, ')
    elif step == "an indicator's label":
        label = "research facilities and platforms in use"  # renamed at its end: the order stays
        replace(work / "data/indicators/innovation.yaml", label, label + " (science facilities)")
    elif step == "a story edited":
        append(work / "data/stories/2023.md", "\nThe science cities are named in the work report.\n")
    elif step == "a story deleted":
        (work / "data/stories/2022.md").unlink()
    elif step == "a story added":
        (work / "data/stories/2022.md").write_text("A year with few figures.\n", encoding="utf-8")
    elif step == "a page template":
        replace(work / "templates/year.html", "<h2>Topics</h2>", "<h2>Topics this year</h2>")
    elif step == "a partial template":
        replace(work / "templates/partials/source_line.html", "Source page", "The source page")
    elif step == "a static file":
        append(work / "templates/static/site.css", "\n.kicker { letter-spacing: 0.02em; }\n")
    elif step == "a confirming source's publisher":  # shown with the figure it confirms, in another source
        replace(
            work / "data/sources/fixture-wire-2024-01-20.yaml", "publisher: Fixture Wire", "publisher: Fixture Wires"
        )
    elif step == "a conflicting figure's period":  # the 2023 figures no longer conflict with it
        replace(work / "data/figures/fixture-review-2024-03-01.yaml", 'period: "2023"', 'period: "2024"')
    elif step == "a figures file deleted":
        # a fixture article's figures, which no story or other text cites: its archive stays, uncurated
        (work / "data/figures/fixture-daily-2023-08-01.yaml").unlink()
    else:
        raise AssertionError(step)


STEPS = [
    "a figure's note",
    "a figure's period",
    "a figure deleted",
    "a figure added",
    "a source's title",
    "an indicator's label",
    "a story edited",
    "a story deleted",
    "a story added",
    "a page template",
    "a partial template",
    "a static file",
    "a confirming source's publisher",
    "a conflicting figure's period",
    "a figures file deleted",
]


@pytest.fixture(scope="module")
def working_copy(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("incremental")
    data_with_fixtures(work / "data")  # the real data, with a confirmed fact and a conflict
    shutil.copytree(DEFAULT_THEME, work / "templates")  # every template overridden, each edit an override's
    return work


def build(work: Path, out: Path, cache: Path | None) -> BuildResult:
    return build_site(work / "data", out, work / "templates", cache_dir=cache, config=SiteConfig())


def test_every_kind_of_edit_rebuilds_to_the_cold_build_s_bytes(working_copy: Path, tmp_path: Path) -> None:
    incremental, cache = tmp_path / "incremental", tmp_path / "cache"
    first = build(working_copy, incremental, cache)
    again = build(working_copy, incremental, cache)
    assert (again.pages_made, again.charts_made, again.changed) == (0, 0, []), "nothing changed, nothing made"
    made: dict[str, BuildResult] = {}
    for number, step in enumerate(STEPS):
        edit(working_copy, step)
        made[step] = build(working_copy, incremental, cache)
        cold = tmp_path / f"cold-{number}"
        build(working_copy, cold, None)
        assert_same_site(incremental, cold)
    assert first.pages_made == first.pages
    # and each edit made again only what it touches
    note = made["a figure's note"]
    assert note.charts_made == 0 and 0 < note.pages_made < note.pages / 4
    assert made["a source's title"].charts_made > 0, "a chart's rows name the source"
    assert made["a story edited"].charts_made == 0 and made["a story edited"].pages_made == 1
    assert made["a static file"].pages_made == 0 and made["a static file"].changed == ["assets/site.css"]
    year_pages = sum(1 for path in made["a page template"].changed if path[:4].isdigit())
    assert made["a page template"].pages_made == year_pages > 0


def test_a_site_changed_by_hand_is_built_whole_again(working_copy: Path, tmp_path: Path) -> None:
    out, cache = tmp_path / "site", tmp_path / "cache"
    build(working_copy, out, cache)
    page = next(out.glob("2*/index.html"))
    page.write_bytes(page.read_bytes().replace(b"<main", b"<main data-tampered", 1))
    rebuilt = build(working_copy, out, cache)
    assert rebuilt.pages_made == rebuilt.pages
    assert b"data-tampered" not in page.read_bytes()


def serve_build(work: Path, out: Path, cache: Path, shown: dict[str, bytes]) -> BuildResult:
    """A build as serve makes it: the new pages shown before the swap, the last state from memory."""
    return build_site(
        work / "data", out, work / "templates", cache_dir=cache, config=SiteConfig(), preview=shown.update
    )


def test_serve_s_builds_show_the_pages_they_publish_and_end_as_the_cold_build(tmp_path_factory, tmp_path: Path) -> None:
    work = tmp_path_factory.mktemp("serve-incremental")
    data_with_fixtures(work / "data")
    shutil.copytree(DEFAULT_THEME, work / "templates")
    served, cache = tmp_path / "served", tmp_path / "cache"
    serve_build(work, served, cache, {})
    for number, step in enumerate(STEPS):
        edit(work, step)
        shown: dict[str, bytes] = {}
        made = serve_build(work, served, cache, shown)
        cold = tmp_path / f"cold-{number}"
        build(work, cold, None)
        assert_same_site(served, cold)
        pages = {path for path in made.changed if path.endswith(".html")}
        assert set(shown) == pages, step
        assert all((served / path).read_bytes() == html for path, html in shown.items()), step


def test_a_site_changed_by_hand_while_serve_runs_is_built_whole_again(working_copy: Path, tmp_path: Path) -> None:
    out, cache = tmp_path / "site", tmp_path / "cache"
    serve_build(working_copy, out, cache, {})
    page = next(out.glob("2*/index.html"))
    page.write_bytes(page.read_bytes().replace(b"<main", b"<main data-tampered", 1))
    (out / "sources" / "index.html").unlink()
    append(working_copy / "data" / "stories" / "overview.md", "\nA sentence the editor added.\n")
    rebuilt = serve_build(working_copy, out, cache, {})
    assert rebuilt.pages_made == rebuilt.pages, "the remembered state is not trusted past a changed output"
    assert b"data-tampered" not in page.read_bytes() and (out / "sources" / "index.html").is_file()
    cold = tmp_path / "cold"
    build(working_copy, cold, None)
    assert_same_site(out, cold)


def test_the_graph_refuses_what_it_cannot_digest() -> None:
    from beijing_econ_site.site.digests import Digests, Undigestable

    digests = Digests()
    assert digests.of({"a": [1, "x", None]}) == digests.of({"a": [1, "x", None]})
    assert digests.of({"a": [1, "x"]}) != digests.of({"a": ["1", "x"]})
    unknown: Callable[[], None] = lambda: None  # noqa: E731 - a page given a function could show anything
    with pytest.raises(Undigestable):
        digests.of({"a": unknown})


def test_unchanged_files_are_the_previous_site_s_files(working_copy: Path, tmp_path: Path) -> None:
    out, cache = tmp_path / "site", tmp_path / "cache"
    build(working_copy, out, cache)
    before = {p: p.stat().st_ino for p in out.rglob("*.html")}
    build(working_copy, out, cache)
    assert {p: p.stat().st_ino for p in out.rglob("*.html")} == before


def test_a_damaged_build_graph_is_reported_and_the_site_built_whole(working_copy: Path, tmp_path: Path, caplog) -> None:
    out, cache = tmp_path / "site", tmp_path / "cache"
    first = build(working_copy, out, cache)
    [graph] = (cache / "builds").glob("*.graph")
    graph.write_bytes(graph.read_bytes()[:100])
    rebuilt = build(working_copy, out, cache)
    assert "is damaged (" in caplog.text
    assert rebuilt.pages_made == rebuilt.pages == first.pages
    assert build(working_copy, out, cache).pages_made == 0, "the graph was written again"


def test_check_s_memo_never_names_another_file_holding_the_same_bytes(tmp_path: Path, monkeypatch) -> None:
    from beijing_econ_site.checks.run import check_data
    from beijing_econ_site.memo import Memo
    from tests.helpers import FIGURES, dataset_files, write_tree

    wrong = FIGURES.replace("value: 40.4", "value: 41")
    assert wrong != FIGURES
    for name in ("first", "second"):
        write_tree(tmp_path / name, dataset_files(**{"data/figures/sample-news.yaml": wrong}))
    monkeypatch.chdir(tmp_path)
    memo = Memo(tmp_path / "memo")
    for name in ("first", "second"):
        [error] = [d for d in check_data(Path(name) / "data", memo=memo).errors if d.rule == "value-not-in-quote"]
        assert error.location.path == f"{name}/data/figures/sample-news.yaml"
