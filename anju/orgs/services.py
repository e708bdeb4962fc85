"""Every write to the organisation tree: validate, check scope, write, audit, in one transaction."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.http import Http404

from anju.accounts import access
from anju.audit import services as audit
from anju.core import paths
from anju.core.scope import covers

from .models import AdminUnit, Building, Grid, Node, Position, Site

AUDITED_FIELDS = {
    AdminUnit: ["name", "code", "level", "is_community", "parent"],
    Site: ["name", "admin_unit", "kind", "address", "note"],
    Grid: ["name", "site", "community", "kind"],
    Building: ["name", "site", "grid", "floors", "unit_count"],
    Position: [
        "title",
        "admin_unit",
        "site",
        "grid",
        "building",
        "user",
        "holder_name",
        "phone",
        "start_date",
        "end_date",
    ],
}


def _require_write(actor, path: str | None) -> None:
    """The actor may write orgs, and the place written to lies in their scope."""
    if actor is None:  # system jobs (demo data, loaders)
        return
    access.require(actor, "orgs", "write")
    if path is None:
        if not actor.is_superuser:
            raise PermissionDenied("只有平台管理员可以新增省级单位。")
        return
    if not covers(actor, path):
        raise Http404("单位不存在或不在您的管辖范围内。")


def _save_with_path(node: Node | Position) -> None:
    node.save()
    new_path = _path_of(node)
    if node.path != new_path:
        old = node.path
        if old:
            paths.rewrite_prefix(old, new_path)
        type(node).objects.filter(pk=node.pk).update(path=new_path)
        node.path = new_path


def _path_of(obj) -> str:
    if isinstance(obj, Position):
        return obj.node.path
    return obj.computed_path()


@transaction.atomic
def create_node(actor, model: type[Node], **fields) -> Node:
    node = model(**fields)
    if model is Building and node.grid_id and not node.site_id:
        node.site = node.grid.site
    parent = node.parent_node() if _has_parent(node) else None
    _require_write(actor, parent.path if parent else None)
    node.full_clean(exclude=["path"])
    _save_with_path(node)
    audit.record_create(actor, node, AUDITED_FIELDS[model])
    return node


def _has_parent(node) -> bool:
    try:
        return node.parent_node() is not None
    except (AdminUnit.DoesNotExist, Site.DoesNotExist, Grid.DoesNotExist):
        return False


def create_admin_unit(
    actor,
    *,
    parent: AdminUnit | None,
    name: str,
    level: str,
    code: str = "",
    is_community: bool = False,
) -> AdminUnit:
    return create_node(
        actor,
        AdminUnit,
        parent=parent,
        name=name,
        level=level,
        code=code,
        is_community=is_community,
    )


def create_site(
    actor,
    *,
    admin_unit: AdminUnit,
    name: str,
    kind: str = Site.Kind.CENTRALIZED,
    address: str = "",
    note: str = "",
) -> Site:
    return create_node(
        actor, Site, admin_unit=admin_unit, name=name, kind=kind, address=address, note=note
    )


def create_grid(
    actor,
    *,
    name: str,
    site: Site | None = None,
    community: AdminUnit | None = None,
    kind: str = Grid.Kind.SERVICE,
) -> Grid:
    return create_node(actor, Grid, name=name, site=site, community=community, kind=kind)


def create_building(
    actor,
    *,
    name: str,
    site: Site | None = None,
    grid: Grid | None = None,
    floors: int | None = None,
    unit_count: int | None = None,
) -> Building:
    return create_node(
        actor, Building, name=name, site=site, grid=grid, floors=floors, unit_count=unit_count
    )


@transaction.atomic
def update_node(actor, node: Node | Position, **changes):
    """Change fields of a node; changing its parent moves its whole subtree."""
    model = type(node)
    fields = AUDITED_FIELDS[model]
    unknown = set(changes) - set(fields)
    if unknown:
        raise ValidationError(f"不能修改字段：{'、'.join(sorted(unknown))}")
    _require_write(actor, node.path)
    before = audit.snapshot(node, fields)
    for name, value in changes.items():
        setattr(node, name, value)
    if model is Building and "grid" in changes and node.grid_id:
        node.site = node.grid.site
    new_parent = node.node if isinstance(node, Position) else node.parent_node()
    # A node without a parent is a new root: only the platform administrator makes those.
    _require_write(actor, new_parent.path if new_parent is not None else None)
    inside_itself = new_parent is not None and new_parent.path.startswith(node.path)
    if inside_itself and not isinstance(node, Position):
        raise ValidationError("不能把单位移动到它自己的下级单位之下。")
    node.full_clean(exclude=["path"])
    old_path = node.path
    if new_parent is not None and old_path and not isinstance(node, Position):
        _check_county_unchanged(node, old_path, new_parent.path)
    _save_with_path(node)
    _follow_site(node)
    audit.record_update(actor, node, before, fields)
    return node


def _county_key(path: str) -> str | None:
    keys = [int(k[1:]) for k in path.split("/") if k.startswith("u")]
    county = AdminUnit.objects.filter(pk__in=keys, level=AdminUnit.Level.COUNTY).first()
    return county.key if county else None


def _check_county_unchanged(node, old_path: str, new_parent_path: str) -> None:
    """Household numbers are unique per county: a node with households stays in its county."""
    if _households_under_path(old_path) and _county_key(old_path) != _county_key(new_parent_path):
        raise ValidationError(f"「{node}」下有搬迁户，不能移到其他县（区）；请先迁出搬迁户。")


def _follow_site(node) -> None:
    """A grid moved to another site takes its buildings and their households along."""
    if isinstance(node, Grid):
        from anju.registry.models import Household

        Building.objects.filter(grid=node).update(site=node.site)
        Household.objects.filter(building__grid=node).update(site=node.site)


@transaction.atomic
def delete_node(actor, node: Node | Position) -> None:
    model = type(node)
    _require_write(actor, node.path)
    if not isinstance(node, Position):
        if actor is not None and node.path in (actor.served_paths() if actor else []):
            raise ValidationError("不能删除您本人服务的单位。")
        households = _households_under(node)
        if households:
            raise ValidationError(f"「{node}」下还有 {households} 户搬迁户，请先迁出或删除。")
        blockers = _children_count(node)
        if blockers:
            raise ValidationError(
                f"「{node}」下还有 {blockers} 个下级单位、安置点、网格或楼栋，请先处理。"
            )
    before = audit.snapshot(node, AUDITED_FIELDS[model])
    pk, path = node.pk, node.path
    try:
        node.delete()
    except ProtectedError:
        raise ValidationError(
            f"「{node}」仍被其他记录（如政策参数、搬迁户）引用，不能删除。"
        ) from None
    audit.record_delete(actor, node, before, object_id=pk, unit_path=path)


def _households_under_path(path: str) -> int:
    from anju.registry.models import Household

    return Household.objects.filter(path__startswith=path).count()


def _households_under(node: Node) -> int:
    from anju.registry.models import Household

    return _households_under_path(node.path) + (
        Household.objects.filter(destination=node).count() if isinstance(node, AdminUnit) else 0
    )


def _children_count(node: Node) -> int:
    total = 0
    for model in (AdminUnit, Site, Grid, Building):
        total += (
            model.objects.filter(path__startswith=node.path)
            .exclude(pk=node.pk if isinstance(node, model) else None)
            .count()
        )
    return total


@transaction.atomic
def create_position(actor, **fields) -> Position:
    position = Position(**fields)
    node = position.node
    if node is None:
        raise ValidationError("岗位须挂在一个单位、安置点、网格或楼栋上。")
    _require_write(actor, node.path)
    position.full_clean(exclude=["path"])
    _save_with_path(position)
    audit.record_create(actor, position, AUDITED_FIELDS[Position])
    return position


def reveal_phone(actor, position: Position) -> str:
    """The full phone number of a position holder; the look is logged."""
    audit.record_reveal(actor, position, "phone", unit_path=position.path)
    return position.phone
