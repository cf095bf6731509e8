"""The project's own gates: lint, format, types, and a lock that matches pyproject.toml."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

from tests.helpers import ROOT


def _tasks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tasks", ROOT / "tasks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def uv() -> Path:
    """The pinned uv that tasks.py installs (hash-checked), not whatever uv is on PATH."""
    return Path(_tasks().ensure_uv())


def run(*command: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_ruff_finds_nothing_with_the_projects_rules():
    result = run(sys.executable, "-m", "ruff", "check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_file_is_formatted_as_ruff_format_writes_it():
    result = run(sys.executable, "-m", "ruff", "format", "--check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_finds_nothing_in_src():
    result = run(sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(ROOT / ".cache" / "mypy"), "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


def test_the_lock_matches_pyproject(uv):
    result = run(uv, "lock", "--check", "--offline")
    assert result.returncode == 0, f"uv.lock is stale: run `python3 tasks.py lock`\n{result.stderr}"


def test_a_dependency_added_to_pyproject_without_locking_fails_the_lock_check(uv, tmp_path):
    for name in ("pyproject.toml", "uv.lock", "README.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__"))
    assert run(uv, "lock", "--check", "--offline", cwd=tmp_path).returncode == 0  # the copy as it is passes
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"pyyaml>=6.0,<7",', '"pyyaml>=6.0,<7",\n    "six>=1.16",'))
    result = run(uv, "lock", "--check", "--offline", cwd=tmp_path)
    assert result.returncode != 0, result.stderr


def test_every_locked_package_from_the_registry_has_hashes():
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    registry = [p for p in lock["package"] if "registry" in p.get("source", {})]
    assert len(registry) > 50
    for package in registry:
        files = package.get("wheels", []) + ([package["sdist"]] if "sdist" in package else [])
        assert files, package["name"]
        assert all(f["hash"].startswith("sha256:") for f in files), package["name"]


def test_uv_itself_is_pinned_with_hashes():
    lines = (ROOT / "scripts" / "uv-requirements.txt").read_text().splitlines()
    pins = [line for line in lines if line.startswith("uv==")]
    assert len(pins) == 1
    assert sum("--hash=sha256:" in line for line in lines) >= 10  # one per platform's wheel
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["tool"]["uv"]["required-version"] == "==" + pins[0].split("==")[1].split()[0]


def _hooks() -> dict[str, dict[str, object]]:
    import yaml

    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    return {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}


def test_the_pre_commit_hooks_are_local_and_run_from_the_locked_venv():
    hooks = _hooks()
    assert set(hooks) == {"yaml-syntax", "beijing-econ-site-check"}
    assert all(str(hook["entry"]).startswith(".venv/bin/") for hook in hooks.values())


def test_the_yaml_hook_passes_the_repositorys_yaml_and_names_the_line_of_a_broken_file(tmp_path):
    entry = str(_hooks()["yaml-syntax"]["entry"]).split()
    ours = sorted(
        str(p.relative_to(ROOT))
        for p in ROOT.glob("**/*.y*ml")
        if ".venv" not in p.parts and "node_modules" not in p.parts
    )
    assert run(*entry, *ours).returncode == 0
    broken = tmp_path / "broken.yaml"
    broken.write_text("figures:\n  - id: a\n    value: [1, 2\n")
    result = run(*entry, broken)
    assert result.returncode == 1
    assert f"{broken}:4:1: error:" in result.stderr


def test_the_check_hook_runs_the_checker_on_the_real_data():
    result = run(*str(_hooks()["beijing-econ-site-check"]["entry"]).split())
    assert result.returncode == 0, result.stderr
    assert "0 error(s)" in result.stderr


def test_the_build_backend_range_admits_the_pinned_uv_so_uv_builds_in_process_and_pip_can_fetch_it():
    from packaging.requirements import Requirement

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    (backend,) = [Requirement(r) for r in pyproject["build-system"]["requires"]]
    pinned = pyproject["tool"]["uv"]["required-version"].removeprefix("==")
    assert backend.name == "uv-build" or backend.name == "uv_build"
    assert backend.specifier.contains(pinned), "uv builds the project itself only inside this range"
    assert backend.specifier.contains("0.13.6"), "the newest uv_build on PyPI when the lock was made"
