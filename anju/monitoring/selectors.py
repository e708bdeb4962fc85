"""Every read of the monitoring loop, scoped to the user."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from anju.orgs.models import AdminUnit, Building, Grid, Site
from anju.registry import rollups
from anju.registry.models import Household
from anju.registry.summary import roots_for

from . import coverage
from .models import Visit


def visits(user):
    return Visit.objects.visible_to(user).select_related("household", "household__site")


def unvisited(user, node_path: str, period: str):
    """The households under the node the user sees with no visit in the period: a grid worker's
    list of doors still to knock on this month."""
    done = Visit.objects.filter(household=OuterRef("pk"), period=period)
    return (
        Household.objects.visible_to(user)
        .filter(path__startswith=node_path)
        .select_related("site", "building", "destination")
        .filter(~Exists(done))
        .order_by("path", "number")
    )


def _children(node) -> list:
    if isinstance(node, AdminUnit):
        return [
            *AdminUnit.objects.filter(parent=node).order_by("code", "name"),
            *Site.objects.filter(admin_unit=node).order_by("name"),
        ]
    if isinstance(node, Site):
        return list(Grid.objects.filter(site=node).order_by("name"))
    if isinstance(node, Grid):
        return list(Building.objects.filter(grid=node).order_by("name"))
    return []


def _figures(user, path: str, period: str) -> dict:
    roots = roots_for(user, path)
    households, _persons = rollups.totals(roots)
    visited = coverage.visited(roots, period)
    return {
        "households": households,
        "visited": visited,
        "missing": max(households - visited, 0),
        "share": round(100 * visited / households, 1) if households else None,
    }


def coverage_of(user, node, period: str) -> dict:
    """Households and households visited in the period, for the node and each of its children
    the user sees (grids of a site, sites and towns of a county …), read from the roll-ups."""
    rows = []
    for child in _children(node):
        if roots_for(user, child.path):
            rows.append({"node": child, **_figures(user, child.path, period)})
    return {"node": node, "period": period, **_figures(user, node.path, period), "rows": rows}
