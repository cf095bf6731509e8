"""Themes by lookup: the templates and static files that ship with the package are the default
theme; a site's own templates folder overrides any of them by name and may add new ones (as
MkDocs' custom_dir and Hugo's theme lookup do)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import BaseLoader, ChoiceLoader, FileSystemLoader

DEFAULT_THEME = Path(__file__).resolve().parent.parent / "theme"
STATIC = "static"  # under a theme: copied to assets/


def theme_loader(own: BaseLoader | None = None) -> BaseLoader:
    """The site's own templates first (when it has any), then the default theme's."""
    default = FileSystemLoader(str(DEFAULT_THEME))
    return ChoiceLoader([own, default]) if own is not None else default


def folder_loader(templates_dir: Path | None) -> BaseLoader:
    """A site's templates folder over the default theme (a folder made later, while `serve` runs,
    is seen then)."""
    return theme_loader(FileSystemLoader(str(templates_dir)) if templates_dir is not None else None)


def static_files(templates_dir: Path | None) -> dict[str, bytes]:
    """The files under the default theme's static/ and the site's, by their path under assets/; a
    site's file replaces the default theme's of the same name."""
    files: dict[str, bytes] = {}
    for theme in (DEFAULT_THEME, templates_dir):
        folder = theme / STATIC if theme is not None else None
        if folder is None or not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                files[f"assets/{path.relative_to(folder).as_posix()}"] = path.read_bytes()
    return dict(sorted(files.items()))
