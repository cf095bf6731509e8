"""What makes builds fast must not change what they make: the render pool, the early start,
and templates compiled once."""

from __future__ import annotations

import itertools
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from beijing_econ_site.build import renderer as chart_renderer
from beijing_econ_site.build.write import SiteWriter
from beijing_econ_site.checks.run import check_data
from beijing_econ_site.data.models import Qualifier
from beijing_econ_site.site import charts
from beijing_econ_site.site.charts import iter_charts
from beijing_econ_site.site.pages import PageRenderer, SiteConfig
from beijing_econ_site.site.views import derive
from tests.helpers import dataset_files, write_tree

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sample_charts(tmp_path_factory) -> list[charts.Chart]:
    root = write_tree(tmp_path_factory.mktemp("charts"), dataset_files())
    checked = check_data(root / "data")
    assert not checked.errors
    return [chart for _, chart in iter_charts(derive(checked.dataset), chart_renderer.ChartTemplates())]


def fresh(sample: list[charts.Chart]) -> list[charts.Chart]:
    return [charts.Chart(c.id, c.title, c.description, c.spec, c.rows) for c in sample]


def test_worker_processes_render_exactly_what_the_build_process_renders(sample_charts, monkeypatch):
    in_process, in_workers = fresh(sample_charts), fresh(sample_charts)
    with chart_renderer.Renderer(None, workers=1) as renderer:
        renderer.render_all(in_process)
        assert not renderer.parallel
    monkeypatch.setattr(chart_renderer, "PARALLEL_FROM", 1)
    with chart_renderer.Renderer(None, workers=2) as renderer:
        renderer.render_all(in_workers)
        assert renderer.parallel and renderer.rendered == len(sample_charts)
    assert [c.svg for c in in_workers] == [c.svg for c in in_process]
    assert [c.png for c in in_workers] == [c.png for c in in_process]


def test_workers_start_early_only_when_the_render_cache_is_empty(sample_charts, tmp_path):
    cache = tmp_path / "charts"
    with chart_renderer.Renderer(cache, workers=2) as renderer:
        renderer.start_early()
        assert renderer.parallel
        renderer.render_all(fresh(sample_charts))
    with chart_renderer.Renderer(cache, workers=2) as renderer:
        renderer.start_early()
        assert not renderer.parallel and renderer.standing_by
        renderer.render_all(fresh(sample_charts))
        assert renderer.cached == len(sample_charts) and renderer.rendered == 0
    with chart_renderer.Renderer(None, workers=2) as renderer:
        renderer.start_early()
        assert not renderer.parallel, "without a cache, a build cannot tell it is cold"
    with chart_renderer.Renderer(cache, workers=1) as renderer:
        renderer.start_early()
        assert not renderer.parallel and not renderer.standing_by, "one core: the build renders itself"


def test_an_edit_renders_its_new_charts_in_the_standby_process_with_the_same_bytes(
    sample_charts, tmp_path, monkeypatch
):
    assert len(sample_charts) < chart_renderer.PARALLEL_FROM, "a few charts: the standby, not the pool, renders them"
    in_process = fresh(sample_charts)
    with chart_renderer.Renderer(None, workers=1) as renderer:
        renderer.render_all(in_process)
    cache = tmp_path / "charts"
    with chart_renderer.Renderer(cache, workers=1) as renderer:
        renderer.render_all(fresh(sample_charts)[:1])  # a warm cache: one chart was rendered before

    def not_here(spec: object) -> None:
        raise AssertionError("a chart was rendered in the build's own process")

    monkeypatch.setattr(chart_renderer.vega, "render_or_error", not_here)
    in_standby = fresh(sample_charts)
    with chart_renderer.Renderer(cache, workers=2) as renderer:
        renderer.start_early()
        renderer.render_all(in_standby)
        assert renderer.cached == 1 and renderer.rendered == len(sample_charts) - 1
        standby = renderer._standby._process  # type: ignore[union-attr]
    assert not standby.is_alive(), "closing the renderer ends its standby process"
    assert [c.svg for c in in_standby] == [c.svg for c in in_process]
    assert [c.png for c in in_standby] == [c.png for c in in_process]


def test_a_standby_process_that_died_leaves_the_renders_to_the_build(sample_charts, tmp_path):
    in_process = fresh(sample_charts)[:2]
    with chart_renderer.Renderer(None, workers=1) as renderer:
        renderer.render_all(in_process)
    cache = tmp_path / "charts"
    cache.mkdir()
    (cache / "rendered-before.svg").write_text("<svg/>")
    after_the_death = fresh(sample_charts)[:2]
    with chart_renderer.Renderer(cache, workers=2) as renderer:
        renderer.start_early()
        standby = renderer._standby._process  # type: ignore[union-attr]
        standby.kill()
        standby.join()
        renderer.render_all(after_the_death)
        assert renderer.rendered == 2
    assert [c.svg for c in after_the_death] == [c.svg for c in in_process]


def test_an_unused_standby_process_is_ended_at_once(tmp_path):
    cache = tmp_path / "charts"
    cache.mkdir()
    (cache / "rendered-before.svg").write_text("<svg/>")
    with chart_renderer.Renderer(cache, workers=2) as renderer:
        renderer.start_early()
        standby = renderer._standby._process  # type: ignore[union-attr]
        assert standby.is_alive()
    assert not standby.is_alive() and standby.exitcode is not None


def test_the_render_cache_leaves_no_partial_files(sample_charts, tmp_path):
    with chart_renderer.Renderer(tmp_path, workers=1) as renderer:
        renderer.render_all(fresh(sample_charts)[:2])
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 8 and all(n.endswith((".svg", ".png", ".svg.sha256", ".png.sha256")) for n in names)


def test_templates_are_compiled_once_per_process_and_again_when_edited(tmp_path):
    templates = tmp_path / "templates"
    write_tree(templates, {"page.html": "first {{ title }}"})
    first = PageRenderer(templates, SiteConfig(), tmp_path / "bytecode")
    second = PageRenderer(templates, SiteConfig(), tmp_path / "bytecode")
    assert first.env is second.env
    assert first.page("", "page.html", title="A")[1] == b"first A"
    (templates / "page.html").write_text("edited {{ title }}")
    later = os.stat(templates / "page.html").st_mtime + 2
    os.utime(templates / "page.html", (later, later))
    assert second.page("", "page.html", title="B")[1] == b"edited B"
    assert list((tmp_path / "bytecode").iterdir()), "compiled templates are kept for the next process"


def test_build_py_does_not_build_when_a_worker_process_imports_it(tmp_path, monkeypatch):
    ran = []
    monkeypatch.setattr("beijing_econ_site.cli.main", lambda argv=None: ran.append(argv) or 0)
    runpy.run_path(str(ROOT / "build.py"), run_name="__mp_main__")
    assert ran == []
    with pytest.raises(SystemExit) as finished:
        runpy.run_path(str(ROOT / "build.py"), run_name="__main__")
    assert finished.value.code == 0 and ran and ran[0][0] == "build"


def every_series_shape() -> list[tuple[bool, tuple[Qualifier, ...], bool]]:
    qualifier_sets = [
        tuple(q for q in Qualifier if q in chosen)
        for size in range(1, len(Qualifier) + 1)
        for chosen in itertools.combinations(Qualifier, size)
    ]
    return [(rank, present, breaks) for rank in (False, True) for present in qualifier_sets for breaks in (False, True)]


def test_every_chart_template_shape_passes_altairs_schema_validation():
    assert charts.bar_template(validate=True) == charts.bar_template()
    shapes = every_series_shape()
    assert len(shapes) == 60
    for shape in shapes:
        assert charts.series_template(*shape, validate=True) == charts.series_template(*shape), shape


def test_chart_templates_on_disk_are_what_altair_builds_and_spare_a_rebuild_from_building_them(tmp_path, monkeypatch):
    monkeypatch.setattr(chart_renderer, "_packaged", dict)  # as for code whose templates are not shipped yet
    store = tmp_path / "chart-templates"
    first = chart_renderer.ChartTemplates(store)
    assert first.bar() == charts.bar_template()
    assert first.series(True, (Qualifier.EXACT,), True) == charts.series_template(True, (Qualifier.EXACT,), True)
    assert len(list(store.glob("*.json"))) == 2 and not list(store.glob("*.partial"))

    def not_again(*args):
        raise AssertionError("built again although it is on disk")

    monkeypatch.setattr(chart_renderer, "bar_template", not_again)
    monkeypatch.setattr(chart_renderer, "series_template", not_again)
    second = chart_renderer.ChartTemplates(store)
    assert second.bar() == first.bar()
    assert second.series(True, (Qualifier.EXACT,), True) == first.series(True, (Qualifier.EXACT,), True)
    with pytest.raises(AssertionError, match="built again"):
        second.series(False, (Qualifier.EXACT,), True)  # another shape is another file


def test_chart_templates_are_built_again_when_the_chart_code_or_altair_changes(monkeypatch):
    key = chart_renderer._template_key.__wrapped__
    before = key("bar", ())
    monkeypatch.setattr(chart_renderer.importlib.metadata, "version", lambda name: "0.0-other")
    assert key("bar", ()) != before
    monkeypatch.undo()
    monkeypatch.setattr(charts, "__file__", str(ROOT / "src" / "beijing_econ_site" / "site" / "views.py"))
    assert key("bar", ()) != before


def test_a_build_with_its_chart_templates_on_disk_never_imports_altair(tmp_path):
    root = write_tree(tmp_path, dataset_files())
    run = [sys.executable, "-c", BUILD_AND_REPORT_ALTAIR, str(root / "data"), str(tmp_path / "cache")]
    first = subprocess.run([*run, str(tmp_path / "first")], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert first.returncode == 0, first.stderr
    assert first.stdout.split() == ["altair-imported"]
    second = subprocess.run([*run, str(tmp_path / "second")], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert second.returncode == 0, second.stderr
    assert second.stdout.split() == ["altair-not-imported"]
    assert (tmp_path / "first" / "2020" / "index.html").read_bytes() == (
        tmp_path / "second" / "2020" / "index.html"
    ).read_bytes()


BUILD_AND_REPORT_ALTAIR = """
import sys
from pathlib import Path
from beijing_econ_site.build import renderer
from beijing_econ_site.build.run import build_site
renderer._packaged = dict  # as for code whose templates are not shipped yet: the disk cache serves them
if __name__ == "__main__":
    data, cache, out = map(Path, sys.argv[1:])
    build_site(data, out, Path("templates"), cache_dir=cache)
    print("altair-imported" if "altair" in sys.modules else "altair-not-imported")
"""


def test_the_site_writer_refuses_two_files_for_one_path_and_leaves_nothing_behind(tmp_path):
    out = tmp_path / "_site"

    def add_twice() -> None:
        with SiteWriter(out) as writer:
            writer.add("charts/a.svg", b"<svg/>")
            writer.add("charts/a.svg", b"<svg></svg>")

    with pytest.raises(ValueError, match="two files for one output path"):
        add_twice()
    assert list(tmp_path.iterdir()) == []


def test_the_site_writer_publishes_only_on_commit(tmp_path):
    out = tmp_path / "_site"
    with SiteWriter(out) as writer:
        writer.add("index.html", b"new")
        assert not out.exists()
        assert writer.commit() == 3
    assert (out / "index.html").read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["_site"]


def test_the_shipped_chart_templates_are_the_ones_the_code_makes():
    """A build takes its chart templates from the package and never imports Altair for them; after
    a change to the charts module they must be made again (scripts/chart_templates.py)."""
    import json

    shipped = json.loads(chart_renderer.PACKAGED_TEMPLATES.read_text(encoding="utf-8"))
    assert shipped == chart_renderer.packaged_templates(), "run: .venv/bin/python scripts/chart_templates.py"


def test_a_build_with_shipped_templates_does_not_import_altair(tmp_path):
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from beijing_econ_site.build.run import build_site\n"
        "if __name__ == '__main__':\n"
        f"    build_site(Path({str(ROOT / 'data')!r}), Path({str(tmp_path / '_site')!r}), Path({str(ROOT / 'templates')!r}),"
        f" cache_dir=Path({str(tmp_path / 'cache')!r}))\n"
        "    assert 'altair' not in sys.modules, 'altair was imported'\n"
    )
    script = tmp_path / "build_without_altair.py"
    script.write_text(code, encoding="utf-8")
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]


def test_charts_rendered_ahead_are_collected_by_render_all_with_the_same_bytes(sample_charts, tmp_path):
    in_process = fresh(sample_charts)
    with chart_renderer.Renderer(None, workers=1) as renderer:
        renderer.render_all(in_process)
    ahead, later = fresh(sample_charts), fresh(sample_charts)
    with chart_renderer.Renderer(tmp_path / "charts", workers=2) as renderer:
        renderer.start_early()  # a cold cache: the workers run
        renderer.render_ahead(ahead[:3])
        renderer.render_all(later)
        assert renderer.rendered == len(sample_charts)
        renderer.render_ahead(fresh(sample_charts)[:2])  # now in the cache: nothing is asked of the workers
        assert renderer._ahead == {}
        renderer.render_ahead([charts.Chart("never-collected", "x", "", {"mark": "bar"}, [])])
    # leaving the block with a render asked ahead and never collected ends the workers all the same
    assert [c.svg for c in later] == [c.svg for c in in_process]
    assert [c.png for c in later] == [c.png for c in in_process]


def test_a_warm_build_with_many_new_charts_lets_the_standby_go_and_renders_them_in_the_pool(
    sample_charts, tmp_path, monkeypatch
):
    cache = tmp_path / "charts"
    cache.mkdir()
    (cache / "rendered-before.svg").write_text("<svg/>")
    monkeypatch.setattr(chart_renderer, "PARALLEL_FROM", len(sample_charts))
    with chart_renderer.Renderer(cache, workers=2) as renderer:
        renderer.start_early()
        standby = renderer._standby._process  # type: ignore[union-attr]
        renderer.render_all(fresh(sample_charts))
        assert renderer.parallel and not renderer.standing_by and renderer.rendered == len(sample_charts)
        assert not standby.is_alive()
