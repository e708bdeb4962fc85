"""Every read of the organisation tree, scoped to the user."""

from __future__ import annotations

from anju.accounts.models import Membership
from anju.core.scope import scope_paths

from .models import AdminUnit, Building, Grid, Position, Site


def units(user):
    return AdminUnit.objects.visible_to(user).select_related("parent")


def sites(user):
    return Site.objects.visible_to(user).select_related("admin_unit")


def grids(user):
    return Grid.objects.visible_to(user).select_related("site", "community")


def buildings(user):
    return Building.objects.visible_to(user).select_related("site", "grid")


def positions(user):
    return Position.objects.visible_to(user).select_related(
        "admin_unit", "site", "grid", "building", "user"
    )


def served_nodes(user) -> list:
    """The nodes the user serves: where their browsing starts."""
    if scope_paths(user) is None:
        return list(AdminUnit.objects.filter(parent=None).order_by("code"))
    rows = Membership.objects.filter(user=user).select_related(
        "admin_unit", "site", "grid", "building"
    )
    return [m.node for m in rows]


def counts(user) -> dict[str, int]:
    return {
        "towns": units(user).filter(level=AdminUnit.Level.TOWN).count(),
        "villages": units(user).filter(level=AdminUnit.Level.VILLAGE).count(),
        "sites": sites(user).count(),
        "grids": grids(user).count(),
        "buildings": buildings(user).count(),
    }


def node_by_key(user, key: str):
    """A node named by its key (``u12``, ``s3`` …) if the user sees it, else ``None``."""
    from .models import NODE_MODELS

    if not key or key[0] not in NODE_MODELS or not key[1:].isdigit():
        return None
    return NODE_MODELS[key[0]].objects.visible_to(user).filter(pk=int(key[1:])).first()


def node_for(user, key: str | None = None):
    """The node named by ``key`` if the user sees it (``None`` if not), or with no key the
    first node the user serves: where a page or an API call about "my unit" starts."""
    if key:
        return node_by_key(user, key)
    return next(iter(served_nodes(user)), None)


def children(node) -> list:
    """The parts of a node, in the order pages list them: a unit's units and sites, a site's
    grids, a grid's buildings."""
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
