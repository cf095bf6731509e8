"""Share cards: the picture a link to a page shows when it is shared (Open Graph, Twitter).

Each card is 1200 x 630 pixels: the site's name, the page's title, its headline number with
what it measures, and that number's source. It is drawn by Vega-Lite like the charts, so it is
rendered at build time by the same renderer, cached like them, and byte for byte the same for
the same words.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import unicodedata
import zlib
from dataclasses import dataclass
from typing import Any

from beijing_econ_site.site.charts import CJK_FONTS, FONT, Chart
from beijing_econ_site.site.views import FigureView

WIDTH, HEIGHT = 600, 315  # drawn at twice this size: 1200 x 630 pixels
PIXELS = (WIDTH * 2, HEIGHT * 2)
ACCENT, INK, MUTED = "#0072B2", "#1d1d1b", "#5a5a55"


@dataclass(frozen=True)
class Card:
    site: str
    title: str
    number: str = ""  # the headline figure as the page shows it, "40.4%"
    measures: str = ""  # what it measures, "Housing, share of spending, 2021"
    source: str = ""

    @functools.cached_property
    def key(self) -> str:
        words = {item.name: getattr(self, item.name) for item in dataclasses.fields(self)}
        return hashlib.sha256(json.dumps(words, sort_keys=True).encode()).hexdigest()[:16]

    @property
    def path(self) -> str:
        return f"cards/{self.key}.png"

    @property
    def alt(self) -> str:
        number = f" {self.number}: {self.measures}." if self.number else ""
        return f"{self.title}.{number} {self.source}".strip()


def card_of(site: str, title: str, figure: FigureView | None, caveat: str = "") -> Card:
    """A page's card: its figure as the page states it; `caveat` is what the page warns of beside
    it (a chart's change of measure), which a card travelling without the page must say too."""
    if figure is None:
        return Card(site, title)
    where = figure.scope_note
    measures = f"{figure.indicator.label}{where}, {figure.period_label}"
    return Card(
        site,
        title,
        figure.display,
        f"{measures}. {caveat}" if caveat else measures,
        f"Source: {figure.sources_text}",
    )


MARGIN = 32
ROOM = WIDTH - 2 * MARGIN  # the width a line may take
CARD_FONT = f"{FONT.rsplit(', sans-serif', 1)[0]}, {', '.join(CJK_FONTS)}, sans-serif"  # CJK where the text needs it


def text_width(text: str, size: float) -> float:
    """A generous estimate of a line's width in bold Liberation Sans (a CJK character is a full
    em): lines are wrapped to it, so nothing is clipped at the card's edge."""
    return sum(_em(ch) for ch in text) * size


def _em(ch: str) -> float:
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    if ch in " il.,:;'|!ftrjI()[]-":
        return 0.36
    if ch in "MWmw%@&…":
        return 1.0
    if ch.isupper():
        return 0.76
    return 0.62


def _pieces(word: str, size: float, room: float) -> list[str]:
    """A word too wide for a line, in pieces that fit (a long name, or CJK text without spaces)."""
    pieces, piece = [], ""
    for ch in word:
        if piece and text_width(piece + ch, size) > room:
            pieces.append(piece)
            piece = ""
        piece += ch
    return [*pieces, piece] if piece else pieces


def _lines(text: str, size: float, most: int, room: float = ROOM) -> list[str]:
    """The text in at most `most` lines that fit the card at this size, the last ending in '…'
    when the text is longer."""
    words = [piece for word in text.split() for piece in _pieces(word, size, room)]
    lines: list[str] = []
    for word in words:
        joined = f"{lines[-1]} {word}" if lines else word
        if lines and text_width(joined, size) <= room and not _is_cjk(word):
            lines[-1] = joined
        elif lines and _is_cjk(word) and text_width(lines[-1] + word, size) <= room:
            lines[-1] += word
        else:
            lines.append(word)
    if len(lines) > most:
        lines = lines[:most]
        last = lines[-1].rstrip(" ,.;:")
        while last and text_width(last + "…", size) > room:
            last = last[:-1].rstrip(" ,.;:")
        lines[-1] = last + "…"
    return lines or [""]


def _is_cjk(text: str) -> bool:
    return bool(text) and unicodedata.east_asian_width(text[0]) in ("W", "F")


def _fitted_size(text: str, size: int, smallest: int) -> int:
    """The largest size from size down to smallest at which the text fits one line."""
    while size > smallest and text_width(text, size) > ROOM:
        size -= 2
    return size


def _text_layer(lines: list[dict[str, Any]], weight: str) -> dict[str, Any]:
    return {
        "data": {"values": lines},
        "mark": {"type": "text", "align": "left", "baseline": "top", "fontWeight": weight},
        "encoding": {
            "x": {"field": "x", "type": "quantitative", "scale": None},
            "y": {"field": "y", "type": "quantitative", "scale": None},
            "text": {"field": "text"},
            "size": {"field": "size", "type": "quantitative", "scale": None},
            "color": {"field": "color", "type": "nominal", "scale": None},
        },
    }


def card_spec(card: Card) -> dict[str, Any]:
    """The card as a Vega-Lite spec: one text mark per line, at a fixed place."""
    bold: list[dict[str, Any]] = []
    normal: list[dict[str, Any]] = []

    def put(into: list[dict[str, Any]], lines: list[str], y: float, size: int, color: str) -> float:
        for line in lines:
            into.append({"x": MARGIN, "y": y, "text": line, "size": size, "color": color})
            y += size * 1.25
        return y

    y = put(bold, _lines(card.site.upper(), 13, 1), 28, 13, ACCENT) + 10
    y = put(bold, _lines(card.title, 24, 2), y, 24, INK) + 14
    footer = _lines(card.source or "Every number quoted from its archived source and checked by machine.", 13, 2)
    footer_top = HEIGHT - 24 - 16.25 * len(footer)
    if card.number:
        size = _fitted_size(card.number, 56, 32)
        y = put(bold, _lines(card.number, size, 1), y, size, INK)
        room = int((footer_top - 13 - y) // 20) + 1  # lines of 20 whose baselines stay above the footer
        put(normal, _lines(card.measures, 16, max(2, min(3, room))), y, 16, INK)
    put(normal, footer, footer_top, 13, MUTED)
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": WIDTH,
        "height": HEIGHT,
        "padding": 0,
        "autosize": {"type": "none"},
        "background": "#ffffff",
        "config": {"view": {"stroke": None}, "font": CARD_FONT},
        "layer": [
            {
                "data": {"values": [{"x": 0, "x2": WIDTH, "y": 0, "y2": 8}]},
                "mark": {"type": "rect", "color": ACCENT},
                "encoding": {
                    "x": {"field": "x", "type": "quantitative", "scale": None},
                    "x2": {"field": "x2"},
                    "y": {"field": "y", "type": "quantitative", "scale": None},
                    "y2": {"field": "y2"},
                },
            },
            _text_layer(bold, "bold"),
            _text_layer(normal, "normal"),
        ],
    }


def card_chart(card: Card) -> Chart:
    """The card as the renderer takes it (its SVG is not published: only the PNG)."""
    return Chart(f"card-{card.key}", card.title, card.alt, card_spec(card), [])


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_KEY_WORD = b"Comment\x00card "


def with_key(png: bytes, key: str) -> bytes:
    """The PNG with its card's key in a text chunk right after the header, where key_of_png
    reads it back."""
    if not png.startswith(_PNG_SIGNATURE) or png[12:16] != b"IHDR":
        raise ValueError("not a PNG with a header chunk")
    header_end = 8 + 12 + int.from_bytes(png[8:12], "big")
    data = _KEY_WORD + key.encode("ascii")
    chunk = len(data).to_bytes(4, "big") + b"tEXt" + data + zlib.crc32(b"tEXt" + data).to_bytes(4, "big")
    return png[:header_end] + chunk + png[header_end:]


def key_of_png(head: bytes) -> str | None:
    """The card key a PNG's first text chunk holds (the first bytes of the file suffice)."""
    if not head.startswith(_PNG_SIGNATURE) or head[12:16] != b"IHDR":
        return None
    at = 8 + 12 + int.from_bytes(head[8:12], "big")
    length = int.from_bytes(head[at : at + 4], "big")
    if head[at + 4 : at + 8] != b"tEXt" or length > 200:
        return None
    data = head[at + 8 : at + 8 + length]
    crc = head[at + 8 + length : at + 12 + length]
    if not data.startswith(_KEY_WORD) or crc != zlib.crc32(b"tEXt" + data).to_bytes(4, "big"):
        return None
    return data[len(_KEY_WORD) :].decode("ascii", "replace")
