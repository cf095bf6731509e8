"""vl-convert calls: a chart spec to SVG and PNG, and the Vega bundle for the browser.

Kept to the standard library and vl_convert, so that a chart-rendering worker process starts
in a tenth of a second instead of importing the whole pipeline.
"""

from __future__ import annotations

from typing import Any

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


def warm_up() -> None:
    """Start Vega in this process before the first real chart arrives."""
    render_spec(_WARM_UP_SPEC)


def javascript_bundle() -> bytes:
    """Vega, Vega-Lite and Vega-Embed as one script, from vl-convert's own copies (no CDN)."""
    import vl_convert

    # the stub marks snippet as required; without it the bundle defines vegaEmbed, vegaLite and vega
    return vl_convert.javascript_bundle().encode("utf-8")  # type: ignore[call-arg]


def version() -> str:
    import vl_convert

    return getattr(vl_convert, "__version__", "unknown")
