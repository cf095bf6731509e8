"""What shaped the site's bytes: the versions of Python, the project and the libraries that
write its pages and charts, recorded beside the data as data/build-info.json.

A changed chart or page can then be traced to its cause: a new Vega in vl-convert, a new
Altair, a new Python. uv.lock pins the libraries; Python is the machine's own.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from typing import Any

BUILD_INFO_PATH = "data/build-info.json"
# the libraries whose output is in the site's bytes
SHAPING_PACKAGES = ("altair", "jinja2", "markdown-it-py", "pydantic", "pyyaml", "vl-convert-python")


def _version_of(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def _vega_versions() -> dict[str, str]:
    """The Vega that vl-convert renders the charts with, at build time (it ships its own copy)."""
    import vl_convert

    return {"vega": vl_convert.get_vega_version()}


def build_info(chart_schemas: Iterable[str]) -> dict[str, Any]:
    """The versions behind this build; chart_schemas are the charts' Vega-Lite $schema URLs."""
    return {
        # the generator's version, not its name: a site's files name the site alone
        "generator-version": _version_of("beijing-econ-site"),
        "python": platform.python_version(),
        "packages": {name: _version_of(name) for name in SHAPING_PACKAGES},
        **_vega_versions(),
        "vega-lite-schemas": sorted(set(chart_schemas)),
    }


def build_info_bytes(chart_schemas: Iterable[str]) -> bytes:
    return (json.dumps(build_info(chart_schemas), indent=2, sort_keys=True) + "\n").encode("utf-8")


def describe(info_json: bytes | None) -> str:
    """One line naming the versions in a build-info file, for a test's failure message."""
    if info_json is None:
        return "no build-info.json"
    info = json.loads(info_json)
    packages = ", ".join(f"{name} {v}" for name, v in sorted(info.get("packages", {}).items()))
    return (
        f"Python {info.get('python')}, vega {info.get('vega')}, "
        f"{packages}, Vega-Lite schemas {info.get('vega-lite-schemas')}"
    )
