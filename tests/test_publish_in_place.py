"""Publishing an edit in place: a small edit updates the previous site file by file instead of
swapping in a whole new copy of it; the result is the cold build's, byte for byte; a build
stopped while it publishes is finished, by itself or by the next build; anything odd in the
previous site (a link, a file gone) sends the build back to the whole swap."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from beijing_econ_site.build import write
from beijing_econ_site.build.run import build_site
from beijing_econ_site.build.write import JOURNAL, OutputChanged, SiteWriter
from tests.helpers import dataset_files, write_tree
from tests.test_hostile import snapshot

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
NOTE_EDIT = ("    quote:", "    note: The article gives no date for it.\n    quote:")


def build(project: Path, out: str = "_site"):
    return build_site(project / "data", project / out, TEMPLATES, cache_dir=project / ".cache")


def edit_a_note(project: Path) -> None:
    figures = project / "data" / "figures" / "sample-news.yaml"
    figures.write_text(figures.read_text(encoding="utf-8").replace(*NOTE_EDIT, 1), encoding="utf-8")


def cold_build_of(project: Path, tmp_path: Path) -> dict[str, str]:
    """The site a cold build of the project's inputs makes, with no cache and no previous site."""
    out = tmp_path / "cold" / "_site"
    build_site(project / "data", out, TEMPLATES, cache_dir=None)
    return snapshot(out)


def leftovers(project: Path) -> list[str]:
    return sorted(p.name for p in project.iterdir() if p.name.startswith("._site") and not p.name.endswith(".lock"))


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    monkeypatch.setattr(write, "IN_PLACE_SHARE", 1)  # the sample site is small: any edit counts as small
    project = write_tree(tmp_path / "project", dataset_files())
    build(project)
    return project


def test_an_edit_updates_the_previous_site_in_place_to_the_cold_build_s_bytes(project, tmp_path):
    site = project / "_site"
    folder, inodes = site.stat().st_ino, {p: p.stat().st_ino for p in site.rglob("*") if p.is_file()}
    edit_a_note(project)
    result = build(project)
    assert 0 < len(result.changed) < len(inodes)
    assert site.stat().st_ino == folder, "the site's folder was swapped, not updated"
    unchanged = {p: i for p, i in inodes.items() if p.exists() and p.relative_to(site).as_posix() not in result.changed}
    assert unchanged and all(p.stat().st_ino == i for p, i in unchanged.items())
    assert all(inodes[site / path] != (site / path).stat().st_ino for path in result.changed if site / path in inodes)
    assert snapshot(site) == cold_build_of(project, tmp_path)
    assert leftovers(project) == []


def test_a_file_put_in_the_site_by_hand_is_gone_after_an_edit_published_in_place(project, tmp_path):
    site = project / "_site"
    (site / "2021").mkdir(exist_ok=True)
    (site / "2021" / "stray.html").write_text("not the build's")
    (site / "stray-folder" / "deep").mkdir(parents=True)
    (site / "stray-folder" / "deep" / "file.txt").write_text("not the build's")
    edit_a_note(project)
    build(project)
    assert snapshot(site) == cold_build_of(project, tmp_path)


def test_a_large_change_is_swapped_in_whole(project, monkeypatch):
    monkeypatch.setattr(write, "IN_PLACE_SHARE", 10**9)  # no edit is small enough
    site = project / "_site"
    folder = site.stat().st_ino
    edit_a_note(project)
    build(project)
    assert site.stat().st_ino != folder
    assert leftovers(project) == []


def test_a_previous_site_holding_a_link_is_swapped_in_whole_and_nothing_is_written_through_it(project, tmp_path):
    site = project / "_site"
    outside = tmp_path / "outside"
    outside.mkdir()
    page = next(p for p in site.rglob("index.html") if p.parent != site)
    relinked = page.parent
    moved = tmp_path / "moved"
    relinked.rename(moved)
    relinked.symlink_to(outside, target_is_directory=True)  # a folder of the site now leads outside it
    edit_a_note(project)
    build(project)
    assert list(outside.iterdir()) == []
    assert not relinked.is_symlink()
    assert snapshot(site) == cold_build_of(project, tmp_path)


def test_a_build_stopped_while_it_publishes_in_place_finishes_what_it_began(project, tmp_path, monkeypatch):
    real_replace, moves = os.replace, []

    def stopped_after_one_move(source, target):
        if "._site.new-" in str(source) and JOURNAL not in str(target):
            moves.append(target)
            if len(moves) == 2:
                raise KeyboardInterrupt  # as SIGINT or SIGTERM would, half-way through the moves
        real_replace(source, target)

    edit_a_note(project)
    monkeypatch.setattr(write.os, "replace", stopped_after_one_move)
    with pytest.raises(KeyboardInterrupt):
        build(project)
    monkeypatch.setattr(write.os, "replace", real_replace)
    assert len(moves) >= 2, "the build was not stopped while it published"
    assert snapshot(project / "_site") == cold_build_of(project, tmp_path)
    assert leftovers(project) == []


KILLED_WHILE_PUBLISHING = """
import os, sys
from pathlib import Path
from beijing_econ_site.build import write
from beijing_econ_site.build.run import build_site

write.IN_PLACE_SHARE = 1
real_replace, moved = os.replace, []

def killed_after_one_move(source, target):
    if "._site.new-" in str(source) and write.JOURNAL not in str(target):
        moved.append(target)
        if len(moved) == 2:
            os._exit(9)  # as kill -9: no handler, no clean-up
    real_replace(source, target)

write.os.replace = killed_after_one_move
project = Path(sys.argv[1])
build_site(project / "data", project / "_site", Path(sys.argv[2]), cache_dir=project / ".cache")
"""


def test_a_build_killed_while_it_publishes_in_place_is_finished_by_the_next(project, tmp_path):
    edit_a_note(project)
    script = tmp_path / "killed.py"
    script.write_text(KILLED_WHILE_PUBLISHING)
    killed = subprocess.run([sys.executable, str(script), str(project), str(TEMPLATES)], capture_output=True, text=True)
    assert killed.returncode == 9, killed.stderr
    [staging] = leftovers(project)
    assert (project / staging / JOURNAL).is_file()
    assert snapshot(project / "_site") != cold_build_of(project, tmp_path)  # half-published
    build(project)
    assert snapshot(project / "_site") == cold_build_of(project, tmp_path)
    assert leftovers(project) == []


def test_a_kept_file_gone_before_the_site_is_published_publishes_nothing(tmp_path):
    out = tmp_path / "_site"
    with SiteWriter(out, "sample") as writer:
        writer.add("index.html", b"first")
        writer.add("about/index.html", b"about")
        writer.commit()
    with SiteWriter(out, "sample") as writer:
        writer.trust_previous = True
        assert writer.keep_later("about/index.html")
        writer.add("index.html", b"second")
        (out / "about" / "index.html").unlink()  # gone since the build trusted it
        with pytest.raises(OutputChanged, match=r"about/index\.html"):
            writer.commit()
    assert (out / "index.html").read_bytes() == b"first"


@pytest.mark.parametrize("path", ["../outside.html", "/etc/passwd", "a/../../outside.html", "", "./."])
def test_the_writer_refuses_a_path_that_could_leave_the_site_whichever_way_it_is_given(tmp_path, path):
    out = tmp_path / "site" / "_site"
    write_tree(out, {"kept.html": "<p>the previous site</p>\n"})
    with SiteWriter(out) as writer:
        with pytest.raises(ValueError, match="unsafe output path"):
            writer.add(path, b"<p>new</p>")
        with pytest.raises(ValueError, match="unsafe output path"):
            writer.add_stream(path, [b"<p>new</p>"])
        with pytest.raises(ValueError, match="unsafe output path"):
            writer.keep("kept.html", path)
        writer.trust_previous = True
        with pytest.raises(ValueError, match="unsafe output path"):
            writer.keep_later(path)
        assert writer.paths == set()
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["kept.html"]
