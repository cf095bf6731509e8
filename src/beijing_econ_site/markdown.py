"""Markdown for notes and descriptions: CommonMark, raw HTML off, only safe link schemes."""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup

SAFE_SCHEMES = ("http:", "https:", "mailto:")


def is_safe_link(url: str) -> bool:
    """http(s), mailto and relative links; javascript:, data:, vbscript: and the rest are refused."""
    target = "".join(url.split()).lower()  # browsers ignore whitespace inside schemes
    if ":" not in target.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]:
        return True  # relative: no scheme before the first /, ? or #
    return target.startswith(SAFE_SCHEMES)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.validateLink = is_safe_link
    return md


def render_markdown(text: str | None) -> Markup:
    if not text:
        return Markup("")
    return Markup(_parser().render(text))


def render_markdown_inline(text: str | None) -> Markup:
    if not text:
        return Markup("")
    return Markup(_parser().renderInline(text))
