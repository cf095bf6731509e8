"""The text a reader sees on a page: its title and body, one line per block, without scripts,
styles, drawings (charts are compared by their data) or tooltips (they repeat the quote).

Pages are parsed as browsers parse them (lexbor, through selectolax): implied end tags and
misnested markup end where a browser ends them.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

_NOT_SHOWN = "script, style, svg, template, noscript, [hidden], [role=tooltip]"
_BLOCKS = ", ".join(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "caption",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    ]
)
_BREAK = "\x1e"  # a character no page holds: where a block begins or ends


def visible_lines(html: str) -> list[str]:
    """The page's title, then its body's text, a line per block."""
    tree = LexborHTMLParser(html)
    title = tree.css_first("title")
    lines = [" ".join(title.text().split())] if title is not None else []
    body = _shown_body(tree)
    if body is None:
        return lines
    for node in body.css(_BLOCKS):
        node.insert_before(_BREAK)
        node.insert_after(_BREAK)
    text = body.text(deep=True, separator="")
    return lines + [words for part in text.split(_BREAK) if (words := " ".join(part.split()))]


def visible_text(html: str) -> str:
    """An HTML fragment's text on one line (a sentence of a story, a note)."""
    body = _shown_body(LexborHTMLParser(f"<body>{html}</body>"))
    return " ".join(body.text(deep=True, separator="").split()) if body is not None else ""


def _shown_body(tree: LexborHTMLParser) -> LexborNode | None:
    """The body without what a reader does not see as text."""
    body = tree.body
    if body is not None:
        for node in body.css(_NOT_SHOWN):
            node.decompose()
    return body
