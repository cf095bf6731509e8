"""The golden site: the sample dataset built and normalised, committed under tests/golden/.

Regenerate after an intended change with:  python tests/golden.py
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GOLDEN = HERE / "golden"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

# Renders depend on vl-convert's version and fonts; their specs and the pages around them do not.
# build-info.json names the Python of the machine that built; the golden test prints it on failure.
# The search index is read in a browser test; the share cards' bytes are compared build to build.
SKIPPED = re.compile(r"^(pagefind/.*|cards/.*|charts/.*\.(svg|png)|data/build-info\.json)$")
BUILD_INFO = GOLDEN / "build-info.json"  # the versions the golden copy was made with
INLINE_SVG = re.compile(r"<svg\b.*?</svg>", re.DOTALL)


def build_sample_site(workdir: Path) -> Path:
    from beijing_econ_site.build.run import build_site
    from beijing_econ_site.site.pages import SiteConfig
    from tests.helpers import dataset_files, write_tree

    write_tree(workdir, dataset_files())
    out = workdir / "_site"
    build_site(workdir / "data", out, ROOT / "templates", cache_dir=workdir / ".cache", config=SiteConfig(base_url=""))
    return out


def normalised_files(site: Path) -> dict[str, bytes]:
    files = {}
    for path in sorted(site.rglob("*")):
        name = path.relative_to(site).as_posix()
        if not path.is_file() or SKIPPED.match(name):
            continue
        content = path.read_bytes()
        if name.endswith(".html"):
            content = INLINE_SVG.sub("<svg><!-- chart --></svg>", content.decode("utf-8")).encode("utf-8")
        files[name] = content
    return files


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site = build_sample_site(Path(tmp))
        files = normalised_files(site)
        build_info = (site / "data" / "build-info.json").read_bytes()
    shutil.rmtree(GOLDEN, ignore_errors=True)
    GOLDEN.mkdir(parents=True)
    BUILD_INFO.write_bytes(build_info)
    for name, content in files.items():
        target = GOLDEN / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    print(f"wrote {len(files)} files to {GOLDEN.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
