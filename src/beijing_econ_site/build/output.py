"""The output directory is the tool's alone: refuse any that would put an editor's files at risk.

A build replaces its output whole, so the output must never be, contain or lie inside the
project's inputs (data, templates), the repository (its root, .git), and must be new, empty,
or a previous build, which a stamp file marks. Symlinks are resolved before any comparison.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from beijing_econ_site.diagnostics import DataError, Diagnostic

STAMP_NAME = re.compile(r"^\.[a-z0-9][a-z0-9-]{0,79}-build$")  # '.{site id}-build' in every build's root


def stamp_name(site_id: str) -> str:
    """The stamp a build of the site writes in its root: this folder is the site's to replace."""
    return f".{site_id}-build"


def stamp_of(out_dir: Path) -> Path | None:
    """The build stamp in out_dir, of whichever site, if there is one."""
    try:
        names = [entry.name for entry in os.scandir(out_dir) if entry.is_file(follow_symlinks=False)]
    except OSError:
        return None
    found = sorted(name for name in names if STAMP_NAME.match(name))
    return out_dir / found[0] if found else None


def stamp_content(site_id: str) -> str:
    """The stamp names the site the folder was built for: another site's build does not replace it."""
    note = "built output; replaced by each build of this site"
    return json.dumps({"site": site_id, "note": note}) + "\n"


def stamped_site(out_dir: Path) -> str | None:
    """The site a previous build's stamp names (by its name, or its content for a stamp of a build
    made before profiles); None when there is no stamp."""
    stamp = stamp_of(out_dir)
    if stamp is None:
        return None
    try:
        data = json.loads(stamp.read_text(encoding="utf-8")[:10_000])
    except (OSError, ValueError):
        data = None
    site = data.get("site") if isinstance(data, dict) else None
    return site if isinstance(site, str) else stamp.name[1:].removesuffix("-build")


def check_same_site(out_dir: Path, site_id: str) -> None:
    """Nothing, or a DataError when out_dir holds another site's build."""
    found = stamped_site(out_dir.resolve())
    if found is not None and found != site_id:
        raise _refuse(
            out_dir,
            f"{out_dir} holds a build of the site '{found}', and this is '{site_id}' (data/site.yaml id): "
            "build each site into a folder of its own",
        )


def repository_root(start: Path) -> Path | None:
    """The nearest folder at or above start that holds .git, if any."""
    for folder in [start, *start.parents]:
        if (folder / ".git").exists():
            return folder
    return None


def _refuse(out_dir: Path, why: str) -> DataError:
    return DataError([Diagnostic.simple(str(out_dir), "unsafe-output", why)])


def check_output_dir(out_dir: Path, inputs: dict[str, Path]) -> None:
    """Nothing, or a DataError (exit 1) naming why it may not be replaced.

    inputs names the folders the build reads ('data', 'templates'); the repository around the
    working directory and around the data is protected too.
    """
    out = out_dir.resolve()
    protected = [(name, path.resolve()) for name, path in inputs.items()]
    for start in {Path.cwd().resolve(), *(path for _, path in protected)}:
        root = repository_root(start)
        if root is not None:
            protected += [("the repository", root), ("the repository's .git", root / ".git")]
    for name, path in protected:
        if out == path:
            raise _refuse(
                out_dir, f"the output directory is {name} ({path}); choose a folder of its own, such as _site"
            )
        if path.is_relative_to(out) and name != "the repository's .git":
            raise _refuse(out_dir, f"the output directory contains {name} ({path}): a build would replace it")
        if out.is_relative_to(path) and name != "the repository":
            raise _refuse(out_dir, f"the output directory lies inside {name} ({path}); build outside it, e.g. _site")
    if out.exists() or out_dir.is_symlink():
        if not out.is_dir():
            raise _refuse(out_dir, f"{out} exists and is not a folder")
        if any(out.iterdir()) and stamp_of(out) is None:
            raise _refuse(
                out_dir,
                f"{out} holds files that no build of this tool wrote (no .SITE-build stamp): "
                "choose a new or empty folder, or move its files away first",
            )
