"""A ledger is defined once: its columns render the page table and the Excel export alike."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import attrgetter


@dataclass(frozen=True)
class Column:
    label: str
    value: str | Callable
    link: Callable | None = None
    # Long free text (the audit log's changes) wraps instead of widening the table.
    wrap: bool = False
    # A warning colour for the page (``"danger"``: an overdue deadline shows red); the export
    # carries the text only, so the text must say it too.
    tone: Callable | None = None

    def get(self, obj):
        if callable(self.value):
            return self.value(obj)
        try:
            value = attrgetter(self.value)(obj)
        except AttributeError:
            return ""
        return value() if callable(value) else value


@dataclass(frozen=True)
class Ledger:
    title: str
    columns: tuple[Column, ...]

    @property
    def headers(self) -> list[str]:
        return [c.label for c in self.columns]

    def rows(self, objects: Iterable) -> Iterable[list]:
        for obj in objects:
            yield [c.get(obj) for c in self.columns]

    def cells(self, objects: Iterable) -> Iterable[list[dict]]:
        """Rows for the page: each cell with its text, its column's label (a phone shows a card
        per row, label beside value) and, where the column has one, its link."""
        for obj in objects:
            yield [
                {
                    "value": c.get(obj),
                    "url": c.link(obj) if c.link else None,
                    "label": c.label,
                    "wrap": c.wrap,
                    "tone": c.tone(obj) if c.tone else "",
                }
                for c in self.columns
            ]
