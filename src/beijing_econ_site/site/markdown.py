"""Markdown for notes and descriptions: CommonMark, raw HTML off, only safe link schemes."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererProtocol
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup, escape

from beijing_econ_site.data.formatting import quoted
from beijing_econ_site.site.views import FigureView

SAFE_SCHEMES = ("http:", "https:", "mailto:")


def is_safe_link(url: str) -> bool:
    """http(s), mailto and relative links; javascript:, data:, vbscript: and the rest are refused."""
    target = "".join(url.split()).lower()  # browsers ignore whitespace inside schemes
    if ":" not in target.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]:
        return True  # relative: no scheme before the first /, ? or #
    return target.startswith(SAFE_SCHEMES)


class _SafeMarkdown(MarkdownIt):
    """CommonMark with raw HTML off and links only to safe targets."""

    def __init__(self) -> None:
        super().__init__("commonmark", {"html": False, "linkify": False, "typographer": False})

    def validateLink(self, url: str) -> bool:
        return is_safe_link(url)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return _SafeMarkdown()


@lru_cache(maxsize=1)
def _story_parser() -> MarkdownIt:
    return _SafeMarkdown().use(figure_reference_plugin)


def figure_reference_plugin(md: MarkdownIt) -> None:
    """{{fig:ID}}, {{fig:ID:value}}, {{fig:ID:period}}, {{change:A:B}} and {{allow:TEXT}} in stories."""
    from beijing_econ_site.data.stories import REFERENCE

    def rule(state: StateInline, silent: bool) -> bool:
        if not state.src.startswith("{{", state.pos):
            return False
        match = REFERENCE.match(state.src, state.pos)
        if match is None:
            return False
        if not silent:
            token = state.push("figure_reference", "", 0)
            token.meta = {"kind": match["kind"], "body": match["body"]}
        state.pos = match.end()
        return True

    md.inline.ruler.before("emphasis", "figure_reference", rule)
    md.add_render_rule("figure_reference", _render_reference)


def _render_reference(
    self: RendererProtocol, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    from beijing_econ_site.data.stories import parse_reference
    from beijing_econ_site.site.references import reference_text

    meta = tokens[index].meta
    views, root = env["figures"], env["root"]
    reference = parse_reference(meta["kind"], meta["body"])  # the lint has vetted every reference
    text = escape(reference_text(reference, views))
    if reference.kind == "allow":
        return str(text)
    if reference.kind == "change":
        first, second = (views[i] for i in reference.figure_ids)
        label = _computed_from(first, second, root)
        return f'<span class="computed">{text} <span class="computed-label">{label}</span></span>'
    view = views[reference.figure_ids[0]]
    env["count"] = env.get("count", 0) + 1
    tip_id = f"tip-{view.id}-{env['count']}"
    tip = escape(f"{view.source.publisher}, {view.published_label}: {quoted(view.figure.quote)}")
    return (
        f'<span class="fig"><a class="fig-ref" href="{root}{view.permalink}" aria-describedby="{tip_id}">{text}</a>'
        f'<span class="fig-tip" id="{tip_id}" role="tooltip">{tip}</span></span>'
    )


def render_story(text: str, figures: Mapping[str, FigureView], root: str) -> Markup:
    """A story's Markdown with figure references resolved against the site's figure views."""
    return Markup(_story_parser().render(text, {"figures": figures, "root": root}))


@lru_cache(maxsize=8192)  # a figure's note appears on its year page and its source page
def render_markdown(text: str | None) -> Markup:
    if not text:
        return Markup("")
    return Markup(_parser().render(text))


_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)?[^>]*>")
# elements inside a line of text: their edges are no space ('(<a>-3.7%</a>)' reads '(-3.7%)')
_INLINE = frozenset(
    [
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "cite",
        "code",
        "data",
        "dfn",
        "em",
        "i",
        "kbd",
        "mark",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
        "var",
    ]
)


def html_as_text(markup: str) -> str:
    """HTML as a reader reads it: no tags (a block's edge is a space, an inline element's none),
    entities resolved, runs of white space one space."""
    spaced = _TAG.sub(lambda tag: "" if (tag[2] or "").lower() in _INLINE else " ", markup)
    return " ".join(html.unescape(spaced).split())


def is_plain_paragraphs(text: str) -> bool:
    """Whether Markdown is paragraphs of text alone: no list, quote, heading, code block or table."""
    return all(token.type in _PARAGRAPH_TOKENS for token in _parser().parse(text))


_PARAGRAPH_TOKENS = frozenset({"paragraph_open", "inline", "paragraph_close"})


@lru_cache(maxsize=8192)
def markdown_as_text(text: str | None) -> str:
    """Markdown as a reader reads it, for a download or a search record: no markers, no tags,
    the lines of a paragraph joined, paragraphs apart by a space."""
    return html_as_text(str(render_markdown(text)))


@lru_cache(maxsize=8192)
def render_markdown_inline(text: str | None) -> Markup:
    if not text:
        return Markup("")
    return Markup(_parser().renderInline(text))


def _computed_from(first: FigureView, second: FigureView, root: str) -> str:
    """'(computed from the figures for 2019 and for 2021)'; where a period is the site's
    reading, it is said after the parenthesis, never inside it as a second one."""
    links = " and ".join(
        f'<a href="{root}{view.permalink}">{escape(_for_period(view.figure.period_info.label))}</a>'
        for view in (first, second)
    )
    which = READ_PERIODS.get((first.period_is_read, second.period_is_read))
    said = f"; {which} the site's reading" if which else ""
    return f"(computed from the figures {links}{said})"


READ_PERIODS = {
    (True, False): "the first period is",
    (False, True): "the second period is",
    (True, True): "both periods are",
}


def _for_period(label: str) -> str:
    """'for 2021', 'as of 30 Jun 2020': a period after 'the figures'."""
    return label if label.startswith("as of") else f"for {label}"
