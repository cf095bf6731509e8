"""Nothing lost: a build replaces only what an earlier build wrote, survives being killed, runs
one at a time per output, and never publishes a damaged cache entry."""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from beijing_econ_site.build import fingerprint
from beijing_econ_site.build.output import stamp_name
from tests.helpers import dataset_files, write_tree
from tests.test_hostile import snapshot

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"


def cli(project: Path, *args: str, user_cache: Path | None = None) -> subprocess.Popen[str]:
    temporary = project.parent / "tmp"  # the build's temporary folders, so a test sees what it leaves
    temporary.mkdir(exist_ok=True)
    env = {**os.environ, "NO_COLOR": "1", "XDG_CACHE_HOME": str(user_cache or project.parent / "user-cache")}
    env["TMPDIR"] = str(temporary)
    env.pop("GITHUB_ACTIONS", None)
    command = [sys.executable, "-m", "beijing_econ_site", *args]
    return subprocess.Popen(command, cwd=project, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def run(project: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    process = cli(project, *args)
    stdout, stderr = process.communicate(timeout=timeout)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def build(project: Path, out: str = "_site", *more: str) -> subprocess.CompletedProcess[str]:
    return run(project, "build", "--out", out, "--templates", str(TEMPLATES), *more)


@pytest.fixture(scope="session")
def warm_caches(tmp_path_factory) -> Path:
    """A project built once: its chart cache seeds every workspace, so that each test pays for no
    render it does not test. The user's cache folder stays empty: a build keeps nothing there."""
    seed = tmp_path_factory.mktemp("seed")
    project = write_tree(seed / "project", dataset_files())
    assert build(project).returncode == 0
    (seed / "user-cache").mkdir(exist_ok=True)
    assert not any((seed / "user-cache").iterdir())
    return seed


@pytest.fixture
def workspace(tmp_path, warm_caches) -> Path:
    """A folder holding a project (a git repository with the sample data) and a user's documents."""
    shutil.copytree(warm_caches / "user-cache", tmp_path / "user-cache")
    shutil.copytree(warm_caches / "project" / ".cache", tmp_path / "project" / ".cache")
    project = write_tree(tmp_path / "project", dataset_files())
    subprocess.run(["git", "init", "--quiet", str(project)], check=True)
    write_tree(project / "docs", {"notes.md": "An editor's notes, written by hand.\n"})
    write_tree(tmp_path / "documents", {"thesis.txt": "A user's document.\n"})
    (project / "linked-documents").symlink_to(tmp_path / "documents")
    return tmp_path


UNSAFE_OUTPUTS = {
    "the project root": (".", "contains the data"),
    "the data folder": ("data", "is the data"),
    "a folder inside the data": ("data/preview", "lies inside the data"),
    "the templates": (str(TEMPLATES), "is the templates"),
    "the folder above the project": ("..", "contains the data"),
    "the repository's .git": (".git", "is the repository's .git"),
    "a folder inside .git": (".git/site", "lies inside the repository's .git"),
    "a folder of the editor's own files": ("docs", "holds files that no build of this tool wrote"),
    "a symlink to a user's folder": ("linked-documents", "holds files that no build of this tool wrote"),
    "a file": ("docs/notes.md", "exists and is not a folder"),
}


@pytest.mark.parametrize(("out", "why"), UNSAFE_OUTPUTS.values(), ids=UNSAFE_OUTPUTS.keys())
def test_build_refuses_an_output_that_is_not_its_own_and_every_byte_survives(workspace, out, why):
    project = workspace / "project"
    before = _without_cache(snapshot(workspace, outside=("user-cache", "tmp")))
    result = build(project, out)
    assert result.returncode == 1, result.stderr
    assert "error[unsafe-output]" in result.stderr and why in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert _without_cache(snapshot(workspace, outside=("user-cache", "tmp"))) == before


def _without_cache(listing: dict[str, str]) -> dict[str, str]:
    """The workspace's files but the build's cache, which a refused build may still have read."""
    return {k: v for k, v in listing.items() if k != "project/.cache" and not k.startswith("project/.cache/")}


def test_serve_refuses_an_output_inside_the_folders_it_watches(workspace):
    result = run(workspace / "project", "serve", "--out", "data/preview", "--templates", str(TEMPLATES), timeout=30)
    assert result.returncode == 1
    assert "error[unsafe-output]" in result.stderr and "lies inside the data" in result.stderr
    assert not (workspace / "project" / "data" / "preview").exists()


def test_a_previous_build_is_replaced_and_marked_as_a_build(workspace):
    project = workspace / "project"
    assert build(project).returncode == 0
    assert (project / "_site" / stamp_name("sample-site")).is_file()  # the sample profile's id
    assert build(project, "_site", "--force").returncode == 0
    assert (project / "_site" / "index.html").is_file()
    assert sorted(p.name for p in project.iterdir() if p.name.startswith("._site")) == []


def test_a_second_build_of_the_same_output_is_told_to_wait(workspace):
    project = workspace / "project"
    lock = open(project / "._site.lock", "a+")  # noqa: SIM115 - held while the second build tries
    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    lock.write("pid 12345\n")
    lock.flush()
    try:
        result = build(project)
    finally:
        lock.close()
    assert result.returncode == 1, result.stderr
    assert "another build is writing" in result.stderr and "pid 12345" in result.stderr
    assert "Traceback" not in result.stderr and not (project / "_site").exists()


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["kill -9", "SIGTERM"])
def test_a_killed_build_leaves_no_process_and_the_next_build_clears_its_folders(workspace, how):
    project = workspace / "project"
    shutil.rmtree(project / ".cache")  # a cold build: the chart renders go to worker processes
    process = cli(project, "build", "--out", "_site", "--templates", str(TEMPLATES))
    search_work = workspace / "tmp"  # where the build hands the records to the search indexer

    def started() -> bool:
        return bool(list(project.glob("._site.new-*")) and _children(process.pid) and any(search_work.iterdir()))

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not started():
        time.sleep(0.02)
    assert started(), "the build did not get as far as the search index"
    workers = _children(process.pid)
    assert workers, "the build started no worker process to kill it with"
    process.send_signal(how)
    process.communicate(timeout=30)
    if how == signal.SIGTERM:  # ended as on Ctrl-C: it cleaned up after itself
        assert process.returncode == 128 + signal.SIGTERM
        assert not list(project.glob("._site.*")) and not any(search_work.iterdir())
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.1)
    assert not [pid for pid in workers if _alive(pid)], "worker processes outlived the build"
    if how == signal.SIGKILL:
        assert any(search_work.iterdir()), "kill -9 lets nothing clean up: the test killed too late"
    long_ago = time.time() - 3600  # a folder is removed once older than any indexing could last
    for left in search_work.iterdir():
        os.utime(left, (long_ago, long_ago))
    result = build(project)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in project.iterdir() if p.name.startswith("._site")] == []
    assert list(search_work.iterdir()) == []


def test_a_site_left_aside_by_a_build_killed_mid_swap_is_put_back(workspace):
    project = workspace / "project"
    assert build(project).returncode == 0
    before = snapshot(project / "_site")
    (project / "_site").rename(project / "._site.old-abc123")  # killed between the two renames
    result = build(project, "_site", "--force")
    assert result.returncode == 0, result.stderr
    assert snapshot(project / "_site") == before
    assert not (project / "._site.old-abc123").exists()


def test_an_edit_saved_during_a_build_is_built_by_the_next(workspace, monkeypatch):
    from beijing_econ_site import cli as command_line
    from beijing_econ_site.build import run as build_run

    project = workspace / "project"
    monkeypatch.chdir(project)
    monkeypatch.setenv("XDG_CACHE_HOME", str(workspace / "user-cache"))
    real_build = build_run.build_site

    def build_then_edit(*args, **kwargs):
        result = real_build(*args, **kwargs)
        story = project / "data" / "stories" / "overview.md"
        story.parent.mkdir(parents=True, exist_ok=True)
        story.write_text("Saved while the build ran.\n")
        return result

    monkeypatch.setattr(build_run, "build_site", build_then_edit)
    assert command_line.main(["build", "--templates", str(TEMPLATES), "--quiet"]) == 0
    inputs = fingerprint.inputs_fingerprint(Path("data"), TEMPLATES)
    assert not fingerprint.is_up_to_date(fingerprint.site_cache(Path("data")), inputs, Path("_site"))


DAMAGE = {
    "a chart's SVG": "project/.cache/sample-site/charts/*.svg",
    "a chart's PNG": "project/.cache/sample-site/charts/*.png",
    "a check result": "project/.cache/sample-site/memo/*/*.pickle",
    "a compiled page template": "project/.cache/sample-site/templates/*",
}


@pytest.fixture(scope="session")
def clean_build(tmp_path_factory, warm_caches) -> tuple[Path, dict[str, str]]:
    """The sample site built with caches, and the same site built with no cache at all."""
    workspace = tmp_path_factory.mktemp("damage")
    shutil.copytree(warm_caches / "user-cache", workspace / "user-cache")
    project = write_tree(workspace / "project", dataset_files())
    assert build(project).returncode == 0
    assert build(project, "fresh", "--no-cache").returncode == 0
    return workspace, snapshot(project / "fresh")


@pytest.mark.parametrize("pattern", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_cache_entry_is_made_again_never_published(clean_build, tmp_path, pattern):
    original, fresh = clean_build
    workspace = tmp_path / "copy"
    shutil.copytree(original, workspace, symlinks=True)
    entries = sorted(workspace.glob(pattern))
    assert entries, f"no cache entry matches {pattern}"
    for entry in entries:
        entry.write_bytes(entry.read_bytes()[: len(entry.read_bytes()) // 2])
    result = build(workspace / "project", "_site", "--force")
    assert result.returncode == 0, result.stderr
    if "templates/" not in pattern:  # Jinja checks its own bytecode and compiles again, silently
        assert "is damaged (" in result.stderr, result.stderr
    built = snapshot(workspace / "project" / "_site")
    assert built == fresh
    again = build(workspace / "project", "_site", "--force")
    assert again.returncode == 0 and "is damaged (" not in again.stderr, "the entry was not made again"


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (errno.ENOSPC, "no space left on the device"),
        (errno.EROFS, "the file system is read-only"),
        (errno.EACCES, "permission denied"),
    ],
    ids=["disk full", "read-only", "permission denied"],
)
def test_a_problem_of_the_machine_is_one_line_naming_the_path_and_exit_1(workspace, monkeypatch, capsys, error, reason):
    from beijing_econ_site import cli as command_line

    project = workspace / "project"
    assert build(project).returncode == 0
    before = snapshot(project / "_site")
    monkeypatch.chdir(project)
    monkeypatch.setenv("XDG_CACHE_HOME", str(workspace / "user-cache"))
    real_write = Path.write_bytes

    def failing_write(self: Path, data: bytes) -> int:
        if "._site.new-" in str(self):
            raise OSError(error, os.strerror(error), str(self))
        return real_write(self, data)

    real_open = Path.open

    def failing_open(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if "w" in mode and "._site.new-" in str(self):  # pages are streamed to disk
            raise OSError(error, os.strerror(error), str(self))
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "write_bytes", failing_write)
    monkeypatch.setattr(Path, "open", failing_open)
    write_tree(project, {"data/stories/overview.md": "A new story, so that pages change.\n"})
    code = command_line.main(["build", "--quiet", "--templates", str(TEMPLATES)])
    message = capsys.readouterr().err.strip()
    assert code == 1
    assert message.startswith(f"beijing-econ-site: {reason}: ") and "._site.new-" in message
    assert len(message.splitlines()) == 1
    assert snapshot(project / "_site") == before
    assert [p.name for p in project.iterdir() if p.name.startswith("._site")] == []


def test_only_a_search_work_folder_left_long_ago_by_a_process_that_is_gone_is_removed(tmp_path, monkeypatch):
    from beijing_econ_site.site import search

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead, alive = int(gone.stdout), os.getpid()
    long_ago = time.time() - 2 * search.LEFT_FOR
    folders = {
        "old-gone": (dead, long_ago),
        "new-gone": (dead, time.time()),  # another container's, perhaps, still indexing
        "old-running": (alive, long_ago),
    }
    for name, (pid, when) in folders.items():
        folder = tmp_path / f"{search.WORK_PREFIX}{pid}-{name}"
        folder.mkdir()
        os.utime(folder, (when, when))
    with search.work_folder() as made:
        left = {p.name for p in tmp_path.iterdir() if p.name != Path(made).name}
    assert left == {f"{search.WORK_PREFIX}{dead}-new-gone", f"{search.WORK_PREFIX}{alive}-old-running"}
