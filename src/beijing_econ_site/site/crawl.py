"""What crawlers, feed readers and hosts expect: sitemap.xml, robots.txt and an Atom feed of the
corrections and the sources. Pure functions of the site; dates come from the data, never the clock,
so the bytes are the same on every build of the same data."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape as _escape
from xml.sax.saxutils import quoteattr as _quoteattr

from beijing_econ_site.data.load import NOT_IN_XML
from beijing_econ_site.data.models import Correction
from beijing_econ_site.site.views import FigureView, SiteView


def escape(text: str) -> str:
    """Text as XML holds it; a character XML forbids never reaches the file (check refuses it in
    the data, and this keeps the feed well-formed whatever reaches it)."""
    return _escape(NOT_IN_XML.sub("", text))


def quoteattr(text: str) -> str:
    return _quoteattr(NOT_IN_XML.sub("", text))


def feed_urn(site_id: str, *parts: str) -> str:
    """The feed's and its entries' ids, the site's own: 'urn:{site id}:feed'. Two sites built with the
    engine never share them, and they do not change when the site moves to another address."""
    return ":".join(("urn", site_id, *parts))


@dataclass(frozen=True)
class CorrectionView:
    figure: FigureView
    correction: Correction
    number: int  # 1 for the figure's first correction

    @property
    def anchor(self) -> str:
        return f"{self.figure.id}-corrected-{self.number}"


def corrections_of(site: SiteView) -> list[CorrectionView]:
    """Every correction of every figure, the newest first."""
    found = [
        CorrectionView(view, correction, number)
        for view in site.figures.values()
        for number, correction in enumerate(view.figure.corrections, start=1)
    ]
    return sorted(found, key=lambda c: (c.correction.date, c.figure.id), reverse=True)


def _absolute(base_url: str, path: str) -> str:
    return f"{base_url.rstrip('/')}/{path}" if base_url else path


def sitemap(page_paths: list[str], base_url: str) -> bytes | None:
    """The pages, with absolute URLs: a sitemap needs the site's address, so none without SITE_URL."""
    if not base_url:
        return None
    urls = "".join(f"  <url><loc>{escape(_absolute(base_url, p))}</loc></url>\n" for p in sorted(page_paths))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + urls + "</urlset>\n"
    ).encode("utf-8")


def robots(base_url: str) -> bytes:
    lines = ["User-agent: *", "Allow: /"]
    if base_url:
        lines.append(f"Sitemap: {_absolute(base_url, 'sitemap.xml')}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _entry(entry_id: str, title: str, day: str, link: str, summary: str, dated: str | None = None) -> str:
    """An Atom entry; `dated` is the date as the article gives it (W3CDTF: a month, '2020-09'), for an
    entry whose `updated` must name a day the article does not."""
    return (
        "  <entry>\n"
        f"    <id>{escape(entry_id)}</id>\n"
        f"    <title>{escape(title)}</title>\n"
        f"    <updated>{day}T00:00:00Z</updated>\n"
        + (f"    <dc:date>{escape(dated)}</dc:date>\n" if dated else "")
        + f'    <link rel="alternate" href={quoteattr(link)}/>\n'
        f"    <summary>{escape(summary)}</summary>\n"
        "  </entry>\n"
    )


def _last_day_of(month: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    return date(year, number, calendar.monthrange(year, number)[1]).isoformat()


def atom_feed(site: SiteView, base_url: str) -> bytes:
    """Corrections and sources, the newest first; an entry's date is the correction's or the article's."""
    site_id, site_title = site.site.id, site.site.title
    entries: list[tuple[str, str]] = []
    for item in corrections_of(site):
        view, correction = item.figure, item.correction
        title = f"Corrected: {view.indicator.label}, {view.period_label}"
        link = _absolute(base_url, f"{view.home}#{item.anchor}")
        summary = f"{correction.what}. {correction.why}"
        entries.append(
            (
                correction.date,
                _entry(feed_urn(site_id, "correction", item.anchor), title, correction.date, link, summary),
            )
        )
    for source_view in site.sources:
        source = source_view.source
        # Atom wants a day: an article known to the month is dated to the month's last day, the
        # latest it can be, and dc:date carries the month as the article gives it
        known_to_the_day = len(source.published) == 10
        day = source.published if known_to_the_day else _last_day_of(source.published)
        link = _absolute(base_url, source_view.path)
        count = len(source_view.figures)
        summary = f"{source.publisher}, {source_view.published_label}: {count} figure{'' if count == 1 else 's'}."
        if not known_to_the_day and not source.dated_by:
            summary += " The article gives no day."
        entry_id = feed_urn(site_id, "source", source.id)
        dated = None if known_to_the_day else source.published
        entries.append((day, _entry(entry_id, f"Source: {source.cited_title}", day, link, summary, dated)))
    entries.sort(key=lambda e: e[0], reverse=True)
    updated = entries[0][0] if entries else "1970-01-01"
    self_link = f'  <link rel="self" href={quoteattr(_absolute(base_url, "feed.xml"))}/>\n'
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        f"  <id>{escape(feed_urn(site_id, 'feed'))}</id>\n"
        f"  <title>{escape(site_title)}: corrections and sources</title>\n"
        f"  <updated>{updated}T00:00:00Z</updated>\n"
        f"  <author><name>{escape(site_title)}</name></author>\n"
        + self_link
        + "".join(e for _, e in entries)
        + "</feed>\n"
    ).encode("utf-8")
