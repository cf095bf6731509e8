"""The command line: compiler-style errors, JSON, GitHub annotations, exit codes, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from beijing_econ_site import cli
from tests.helpers import FIGURES
from tests.test_verify import FIGURES_FILE

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, env_extra: dict | None = None, cwd=None) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "NO_COLOR": "1", **(env_extra or {})}
    env.pop("GITHUB_ACTIONS", None) if not env_extra or "GITHUB_ACTIONS" not in env_extra else None
    return subprocess.run(
        [sys.executable, "-m", "beijing_econ_site", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def broken(make_project):
    return make_project(**{FIGURES_FILE: FIGURES.replace("value: 40.4", "value: 40.5")})


def test_check_passes_on_good_data(project):
    result = run("check", cwd=project)
    assert result.returncode == 0
    assert result.stderr.strip().endswith("8 figures, 7 indicators, 1 sources: 0 error(s), 0 warning(s)")


def test_check_prints_one_problem_per_line_and_exits_1(make_project):
    root = broken(make_project)
    result = run("check", cwd=root)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if "error[" in line]
    assert len(lines) == 1
    assert lines[0].startswith("data/figures/sample-news.yaml:")
    assert "error[value-not-in-quote]" in lines[0]
    assert "Traceback" not in result.stderr


def test_check_json_is_for_machines(make_project):
    root = broken(make_project)
    result = run("check", "--json", cwd=root)
    assert result.returncode == 1
    [problem] = json.loads(result.stdout)
    assert problem["rule"] == "value-not-in-quote"
    assert problem["severity"] == "error"
    assert problem["location"]["path"] == "data/figures/sample-news.yaml"
    assert problem["location"]["line"] > 1


def test_github_annotations_when_running_under_actions(make_project):
    root = broken(make_project)
    result = run("check", cwd=root, env_extra={"GITHUB_ACTIONS": "true"})
    annotations = [line for line in result.stderr.splitlines() if line.startswith("::error ")]
    assert len(annotations) == 1
    assert annotations[0].startswith("::error file=data/figures/sample-news.yaml,line=")
    assert ",title=value-not-in-quote::value 40.5 percent is not stated in the quote" in annotations[0]


def test_bad_usage_exits_2(project):
    result = run("check", "--no-such-option", cwd=project)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_a_missing_data_directory_is_bad_data_not_a_crash(tmp_path):
    result = run("check", "--data", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert result.returncode == 1
    assert "error[data-missing]: data directory not found" in result.stderr


def test_an_internal_error_is_reported_as_a_bug_with_its_own_exit_code(project, monkeypatch, capsys):
    def explode(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("beijing_econ_site.checks.run.check_data", explode)
    monkeypatch.delenv("BEIJING_ECON_SITE_DEBUG", raising=False)
    assert cli.main(["check"]) == cli.EXIT_BUG
    err = capsys.readouterr().err
    assert "internal error (RuntimeError): this is a bug, please report it" in err
    assert "Traceback" not in err


def test_every_command_has_help_with_examples():
    for command in ("check", "build", "serve", "schema"):
        result = run(command, "--help")
        assert result.returncode == 0
        assert "example" in result.stdout


def test_version():
    result = run("--version")
    assert result.returncode == 0 and result.stdout.startswith("beijing-econ-site ")


def test_a_build_with_nothing_changed_does_nothing_and_a_change_rebuilds(project):
    first = run("build", "--templates", str(ROOT / "templates"), cwd=project)
    assert first.returncode == 0, first.stderr
    page = project / "_site" / "2021" / "index.html"
    inode = page.stat().st_ino
    again = run("build", "--templates", str(ROOT / "templates"), cwd=project)
    assert again.returncode == 0 and "nothing changed since the last build" in again.stderr
    assert page.stat().st_ino == inode
    figures = project / "data" / "figures" / "sample-news.yaml"
    figures.write_text(figures.read_text().replace("Percentage points, though", "Percentage points (pp), though"))
    changed = run("build", "--templates", str(ROOT / "templates"), cwd=project)
    assert changed.returncode == 0 and "nothing changed" not in changed.stderr
    assert "Percentage points (pp)" in (project / "_site" / "2020" / "index.html").read_text()
    assert "kept" in changed.stderr  # unchanged files are linked from the previous site, not rewritten


class _Terminal:
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert cli._paint("x", "31", _Terminal()) == "\033[31mx\033[0m"
    assert cli._paint("x", "31", __import__("io").StringIO()) == "x"
    monkeypatch.setenv("NO_COLOR", "1")
    assert cli._paint("x", "31", _Terminal()) == "x"
