"""A story's references as readers read them: the value as the article states it, with its
period, or the computed change between two figures."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from beijing_econ_site.data.formatting import QUALIFIER_WORDS, format_value
from beijing_econ_site.data.models import Qualifier, Unit
from beijing_econ_site.data.stories import Reference
from beijing_econ_site.site.views import FigureView, stating_mentions_of


def stated_text(view: FigureView) -> str:
    """The value as the article states it: a fraction in its words ('nearly half', 'one third'),
    a multiple as the article words it ('doubled'); otherwise the value with its unit."""
    if view.worded is not None:
        return view.display
    figure = view.figure
    mentions = stating_mentions_of(figure)
    multiple = next((m for m in mentions if m.form == "multiple"), None)
    if multiple is not None and not any(m.form == "digits" for m in mentions):
        return f"{QUALIFIER_WORDS[figure.qualifier]} {multiple.text.lower()}".strip()
    return view.display


def period_phrase(view: FigureView) -> str:
    """'in 2021', 'in H1 2020', 'as of 30 Jun 2020': the period as a sentence says it."""
    label = view.period_label
    return label if label.startswith("as of") else f"in {label}"


def reference_text(reference: Reference, views: Mapping[str, FigureView]) -> str:
    if reference.kind == "allow":
        return reference.text
    if reference.kind == "change":
        return change_text(views[reference.figure_ids[0]], views[reference.figure_ids[1]])
    view = views[reference.figure_ids[0]]
    text = format_value(view.figure.value, view.figure.unit) if reference.variant == "value" else stated_text(view)
    # a count names what it counts before the period, so no date falls between a number and its
    # noun ('22,500 5G base stations as of 30 Jun 2020'); a doubt follows the noun
    counted = view.indicator.counts if view.figure.unit == Unit.COUNT and reference.variant == "period" else None
    doubt = "(a number the site doubts)" if view.figure.doubt else None
    period = period_phrase(view) if reference.variant == "period" else None
    return " ".join(part for part in (text, counted, doubt, period) if part)


def _exact(value: int | float) -> Decimal:
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def change_text(first: FigureView, second: FigureView) -> str:
    """second minus first, in the unit a reader expects: percentages change by percentage points."""
    difference = _exact(second.figure.value) - _exact(first.figure.value)
    unit = Unit.PERCENTAGE_POINTS if first.figure.unit == Unit.PERCENT else first.figure.unit
    number = float(difference) if difference != difference.to_integral() else int(difference)
    text = format_value(number, unit, signed=True)
    if unit == Unit.PERCENTAGE_POINTS:
        text = text.replace(" pp", " percentage points")
    if any(view.figure.qualifier is not Qualifier.EXACT for view in (first, second)):
        text = f"about {text}"
    return text
