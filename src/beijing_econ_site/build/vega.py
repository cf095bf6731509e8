"""vl-convert calls: a chart spec to SVG and PNG, and the Vega bundle for the browser.

Kept to the standard library and vl_convert, so that a chart-rendering worker process starts
in a tenth of a second instead of importing the whole pipeline.
"""

from __future__ import annotations

import ctypes
import html
import os
import re
import signal
import sys
import textwrap
import threading
import time
from typing import Any

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>

# A minimal chart: the first render in a process starts Vega and loads the fonts (about 0.6 s).
_WARM_UP_SPEC = {
    "data": {"values": [{"a": "x", "b": 1}]},
    "mark": "bar",
    "encoding": {"x": {"field": "a", "type": "nominal"}, "y": {"field": "b", "type": "quantitative"}},
}


def render_spec(spec: dict[str, Any]) -> tuple[str, bytes]:
    """One chart to SVG, and the SVG to PNG (rasterised, without running Vega twice). A chart
    downloaded travels without its page: its PNG, like its SVG file, carries the title and the
    sources the page gives beside it (usermeta.download), drawn around the chart."""
    import vl_convert

    svg = vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])
    download = spec.get("usermeta", {}).get("download")
    picture = framed(svg, download["title"], download["source"]) if download else svg
    return svg, vl_convert.svg_to_png(picture, scale=2)


FRAME_FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
FRAME_OPENING = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" width='
)
_PLACED = re.compile(r' x="0" y="[\d.]+" width="[\d.]+" height="[\d.]+"(?=>)')


def _placed(top: float, width: float, height: float) -> str:
    return f' x="0" y="{top:g}" width="{width:g}" height="{height:g}"'


def unframed(svg: str) -> str:
    """The chart's own SVG out of a framed one (a page inlines the chart without the frame; an
    unchanged chart's is read back from the previous site's download). An SVG framed() did not
    make is returned as it is."""
    if not svg.startswith(FRAME_OPENING):
        return svg
    start = svg.find("<svg", 1)
    end = svg.rfind("</svg>", 0, len(svg) - len("</svg>"))
    if start < 0 or end < start:
        return svg
    inner = svg[start : end + len("</svg>")]
    opening_end = inner.index(">") + 1
    return _PLACED.sub("", inner[:opening_end], count=1) + inner[opening_end:]


def framed(svg: str, title: str, source: str) -> str:
    """The chart's SVG inside a larger one, with its title above and its source below, as a
    downloaded picture must say them (the page says them in HTML around the inline chart)."""
    size = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg[:4000])
    if size is None:
        return svg
    width, height = float(size[1]), float(size[2])
    titles = textwrap.wrap(title, width=max(20, int(width / 8.5))) or [title]
    sources = textwrap.wrap(source, width=max(30, int(width / 6.2))) or [source]
    top = 14 + 19 * len(titles)
    bottom = 10 + 15 * len(sources)
    total = height + top + bottom

    def lines(texts: list[str], first: float, step: float, style: str) -> str:
        return "".join(
            f'<text x="8" y="{first + step * n:g}" font-family="{FRAME_FONT}" {style}>{html.escape(text)}</text>'
            for n, text in enumerate(texts)
        )

    root = re.match(r"<svg\b[^>]*>", svg)
    if root is None:
        return svg
    opening = re.sub(r'\s(?:width|height|x|y)="[^"]*"', "", root[0])
    inner = f"{opening[:-1]}{_placed(top, width, height)}>" + svg[root.end() :]
    return (
        f'{FRAME_OPENING}"{width:g}" height="{total:g}" viewBox="0 0 {width:g} {total:g}">'
        f'<rect width="{width:g}" height="{total:g}" fill="#ffffff"/>'
        + lines(titles, 22, 19, 'font-size="15" font-weight="bold" fill="#222222"')
        + inner
        + lines(sources, top + height + 16, 15, 'font-size="11" fill="#4d4d4d"')
        + "</svg>"
    )


RenderResult = tuple[str, bytes, str | None]  # SVG, PNG, and the error's text when rendering failed


def render_or_error(spec: dict[str, Any]) -> RenderResult:
    """render_spec for a worker: errors come back as text, since vl-convert's may not pickle."""
    try:
        svg, png = render_spec(spec)
    except Exception as exc:  # vl-convert raises ValueError or its own errors
        lines = [line.strip() for line in str(exc).splitlines() if line.strip() and not line.strip().startswith("at ")]
        return "", b"", " ".join(lines[:2]) or type(exc).__name__
    return svg, png, None


def die_with_parent(parent: int) -> None:
    """End this worker process when the build that started it ends, even by kill -9.

    Linux sends the signal itself (PR_SET_PDEATHSIG); elsewhere a thread notices that the
    process has a new parent. Either way no worker is left blocked on a queue nobody feeds.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the build died before the signal was asked for
        os._exit(1)
    threading.Thread(target=_exit_when_orphaned, args=(parent,), name="parent-watch", daemon=True).start()


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


def start_worker(parent: int) -> None:
    """A render worker's initializer: tie its life to the build's (process parent), then start Vega."""
    die_with_parent(parent)
    warm_up()


def serve_renders(connection: Any, parent: int) -> None:
    """A standby worker's life: tied to the build's, Vega started, then a render per spec received
    until the build closes its end of the pipe (or kills it, unused). It starts at a lower
    priority: it may never be used, and should not slow the build it stands by for."""
    os.nice(10)
    die_with_parent(parent)
    warm_up()
    while True:
        try:
            spec = connection.recv()
        except EOFError:
            return
        connection.send(render_or_error(spec))


def warm_up() -> None:
    """Start Vega in this process before the first real chart arrives."""
    render_spec(_WARM_UP_SPEC)
