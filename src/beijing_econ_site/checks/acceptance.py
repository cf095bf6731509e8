"""Warnings reviewed, not silenced: a figure or a source may accept a warning of a named rule with
a reason (`accept:`). check then reports it as accepted, with the reason, and the suite requires no
warning that is not; an acceptance that no warning needs is itself a warning, so none outlives
the reason it was written for."""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, replace

from beijing_econ_site.data.models import Acceptance, Dataset
from beijing_econ_site.data.validate import Locator
from beijing_econ_site.diagnostics import Diagnostic, Severity


@dataclass(frozen=True)
class _Item:
    kind: str  # figure | source
    item_id: str
    accept: tuple[Acceptance, ...]


def apply_acceptances(diagnostics: list[Diagnostic], dataset: Dataset, locator: Locator) -> list[Diagnostic]:
    """The diagnostics with each accepted warning marked accepted, and a warning for each unused acceptance.
    A warning belongs to the figure or source whose YAML block holds its line."""
    items = [_Item("figure", f.id, tuple(f.accept)) for f in dataset.figures.values() if f.accept]
    items += [_Item("source", s.id, tuple(s.accept)) for s in dataset.sources.values() if s.accept]
    if not items:  # nothing accepted: every warning stands as it is
        return diagnostics
    # a warning belongs to the block it is in, whether or not that block accepts anything
    every = [_Item("figure", f.id, tuple(f.accept)) for f in dataset.figures.values()]
    every += [_Item("source", s.id, tuple(s.accept)) for s in dataset.sources.values()]
    blocks = _blocks(every, locator)
    used: set[tuple[str, str, int]] = set()
    result = []
    for diagnostic in diagnostics:
        item = _item_at(blocks, diagnostic) if diagnostic.severity is Severity.WARNING else None
        index = next((i for i, a in enumerate(item.accept) if a.rule == diagnostic.rule), None) if item else None
        if item is None or index is None:
            result.append(diagnostic)
            continue
        used.add((item.kind, item.item_id, index))
        reason = item.accept[index].reason
        result.append(
            replace(diagnostic, severity=Severity.ACCEPTED, message=f"{diagnostic.message} (accepted: {reason})")
        )
    for item in items:
        for index, acceptance in enumerate(item.accept):
            if (item.kind, item.item_id, index) not in used:
                result.append(
                    Diagnostic(
                        locator(item.kind, item.item_id, "accept", index, "rule"),
                        "acceptance-unused",
                        f"{item.kind} '{item.item_id}' accepts {acceptance.rule} warnings, and check gives it none: "
                        "remove the acceptance",
                        Severity.WARNING,
                    )
                )
    return result


def _blocks(items: list[_Item], locator: Locator) -> dict[str, tuple[list[int], list[_Item]]]:
    """By file, the first line of each item's YAML block (in order) and the item."""
    starts: dict[str, list[tuple[int, _Item]]] = defaultdict(list)
    for item in items:
        where = locator(item.kind, item.item_id)
        if where.line:
            starts[where.path].append((where.line, item))
    blocks = {}
    for path, found in starts.items():
        found.sort(key=lambda pair: pair[0])
        blocks[path] = ([line for line, _ in found], [item for _, item in found])
    return blocks


def _item_at(blocks: dict[str, tuple[list[int], list[_Item]]], diagnostic: Diagnostic) -> _Item | None:
    found = blocks.get(diagnostic.location.path)
    if found is None or not diagnostic.location.line:
        return None
    lines, items = found
    index = bisect.bisect_right(lines, diagnostic.location.line) - 1
    return items[index] if index >= 0 else None
