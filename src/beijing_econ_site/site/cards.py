"""Share cards: the picture a link to a page shows when it is shared (Open Graph, Twitter).

Each card is 1200 x 630 pixels: the site's name, the page's title, its headline number with
what it measures, and that number's source. It is drawn by Vega-Lite like the charts, so it is
rendered at build time by the same renderer, cached like them, and byte for byte the same for
the same words.
"""

from __future__ import annotations

import hashlib
import json
import textwrap
import zlib
from dataclasses import dataclass
from typing import Any

from beijing_econ_site.site.charts import FONT, Chart
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

    @property
    def key(self) -> str:
        return hashlib.sha256(json.dumps(self.__dict__, sort_keys=True).encode()).hexdigest()[:16]

    @property
    def path(self) -> str:
        return f"cards/{self.key}.png"

    @property
    def alt(self) -> str:
        number = f" {self.number}: {self.measures}." if self.number else ""
        return f"{self.title}.{number} {self.source}".strip()


def card_of(site: str, title: str, figure: FigureView | None) -> Card:
    if figure is None:
        return Card(site, title)
    where = figure.scope_note
    return Card(
        site,
        title,
        figure.display,
        f"{figure.indicator.label}{where}, {figure.period_label}",
        f"Source: {figure.sources_text}",
    )


def _lines(text: str, width: int, most: int) -> list[str]:
    lines = textwrap.wrap(text, width=width, break_long_words=True) or [""]
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = lines[-1].rstrip(" ,.;:") + "…"
    return lines


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
            into.append({"x": 32, "y": y, "text": line, "size": size, "color": color})
            y += size * 1.25
        return y

    y = put(bold, [card.site.upper()], 28, 13, ACCENT) + 10
    y = put(bold, _lines(card.title, 44, 2), y, 24, INK) + 14
    if card.number:
        y = put(bold, _lines(card.number, 20, 1), y, 56, INK)
        put(normal, _lines(card.measures, 60, 2), y, 16, INK)
    footer = _lines(card.source or "Every number quoted from its archived source and checked by machine.", 80, 2)
    put(normal, footer, HEIGHT - 24 - 16.25 * len(footer), 13, MUTED)
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": WIDTH,
        "height": HEIGHT,
        "padding": 0,
        "autosize": {"type": "none"},
        "background": "#ffffff",
        "config": {"view": {"stroke": None}, "font": FONT},
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
