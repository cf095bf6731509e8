"""vl-convert calls: a chart spec to SVG and PNG, and the Vega bundle for the browser.

Kept to the standard library and vl_convert, so that a chart-rendering worker process starts
in a tenth of a second instead of importing the whole pipeline.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
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
    """One chart to SVG, and the SVG to PNG (rasterised, without running Vega twice)."""
    import vl_convert

    svg = vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])
    return svg, vl_convert.svg_to_png(svg, scale=2)


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


def warm_up() -> None:
    """Start Vega in this process before the first real chart arrives."""
    render_spec(_WARM_UP_SPEC)
