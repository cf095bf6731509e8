"""The text a reader sees on a page: its title and body, one line per block, without scripts,
styles, drawings (charts are compared by their data) or tooltips (they repeat the quote)."""

from __future__ import annotations

import html as html_module
import re
from html.parser import HTMLParser

_SKIPPED = {"script", "style", "svg", "template", "head"}
_BLOCKS = {
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
    "main", "nav", "ol", "p", "pre", "section", "summary", "table", "td", "th", "tr", "ul", "title",
}  # fmt: skip
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_SPACE = re.compile(r"\s+")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._line: list[str] = []
        self._hidden: list[str] = []  # the open elements whose text is not shown, innermost last

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            if tag == "br":
                self._break()
            return
        named = dict(attrs)
        if self._hidden or (tag in _SKIPPED) or named.get("role") == "tooltip" or "hidden" in named:
            self._hidden.append(tag)
            return
        if tag in _BLOCKS:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if self._hidden:
            if self._hidden[-1] == tag:
                self._hidden.pop()
            return
        if tag in _BLOCKS:
            self._break()

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._line.append(data)

    def _break(self) -> None:
        line = _SPACE.sub(" ", "".join(self._line)).strip()
        if line:
            self.lines.append(line)
        self._line = []


def visible_lines(html: str) -> list[str]:
    """The page's title, then its body's text, a line per block."""
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    parser = _Text()
    parser.feed(html)
    parser.close()
    parser._break()
    lines = parser.lines
    if title:
        lines = [_SPACE.sub(" ", html_module.unescape(title.group(1))).strip(), *lines]
    return lines


def visible_text(html: str) -> str:
    """An HTML fragment's text on one line (a sentence of a story, a note)."""
    return " ".join(visible_lines(html))
