"""Reading policy parameters: the scoped list, and resolution for (node, date)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.db.models.functions import Length

from anju.core.paths import prefixes
from anju.core.scope import covers, home_path

from . import registry
from .models import ParameterValue


def values_visible_to(user):
    return ParameterValue.objects.visible_to(user).select_related("unit")


@dataclass(frozen=True)
class Resolution:
    key: registry.ParameterKey
    value: object
    source: ParameterValue | None

    @property
    def display(self) -> str:
        return "未设置" if self.source is None else registry.display(self.key, self.value)


def _covering(on: date):
    return Q(valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gte=on))


def resolve(key: str, node, on: date) -> Resolution:
    """The value in force for a node on a date: the nearest unit up the tree whose period covers
    the date wins. ``node`` is any organisation node (unit, site, grid, building)."""
    definition = registry.get_key(key)
    found = (
        ParameterValue.objects.filter(key=key, path__in=prefixes(node.path))
        .filter(_covering(on))
        .select_related("unit")
        .order_by(Length("path").desc(), "-valid_from")
        .first()
    )
    return Resolution(definition, found.value if found else None, found)


def resolve_all(node, on: date) -> list[Resolution]:
    """Every registered key for a node on a date, in one query."""
    rows = (
        ParameterValue.objects.filter(path__in=prefixes(node.path))
        .filter(_covering(on))
        .select_related("unit")
        .order_by("key", Length("path").desc(), "-valid_from")
    )
    nearest: dict[str, ParameterValue] = {}
    for row in rows:
        nearest.setdefault(row.key, row)
    return [
        Resolution(k, nearest[k.key].value if k.key in nearest else None, nearest.get(k.key))
        for k in registry.KEYS.values()
    ]


@dataclass(frozen=True)
class _Place:
    path: str


def inherited(user, on: date) -> list[Resolution]:
    """The values in force where the user works that a unit above them set (上级设定): a town
    sets none of its own and still works under the county's."""
    path = home_path(user)
    if not path:
        return []
    return [
        r
        for r in resolve_all(_Place(path), on)
        if r.source is not None and not covers(user, r.source.path)
    ]
