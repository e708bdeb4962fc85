"""Pages of the organisation tree. Reads go through selectors, writes through services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from anju.accounts import access
from anju.accounts.services import visible_users
from anju.core.breadcrumbs import trail
from anju.core.masking import mask_phone
from anju.core.pages import ledger_page, service_form

from . import filters, forms, ledgers, selectors, services
from .models import AdminUnit, Building, Grid, Position, Site, node_ref


def _section(title, ledger, rows, add_url=None, list_url=None):
    rows = list(rows)
    return {
        "title": title,
        "ledger": ledger,
        "cells": list(ledger.cells(rows)),
        "count": len(rows),
        "add_url": add_url,
        "list_url": list_url,
    }


def _staff(user, **membership):
    return visible_users(user).filter(**{f"memberships__{k}": v for k, v in membership.items()})


def index(request):
    access.require(request.user, "orgs", "read")
    nodes = selectors.served_nodes(request.user)
    if len(nodes) == 1:
        return redirect(nodes[0])
    return render(request, "orgs/index.html", {"nodes": nodes})


def _detail(request, node, facts, sections, *, kind_label, staff):
    writable = access.allows(request.user, "orgs", "write")
    return render(
        request,
        "orgs/node_detail.html",
        {
            "node": node,
            "facts": facts,
            "sections": sections,
            "kind_label": kind_label,
            "crumbs": trail(request.user, node.path),
            "writable": writable,
            "staff": staff,
            "can_accounts": access.allows(request.user, "accounts", "write"),
        },
    )


def unit_detail(request, pk):
    access.require(request.user, "orgs", "read")
    user = request.user
    unit = get_object_or_404(selectors.units(user), pk=pk)
    writable = access.allows(user, "orgs", "write")
    sections = []
    if unit.level != AdminUnit.Level.VILLAGE:
        sections.append(
            _section(
                "下级单位",
                ledgers.UNITS,
                selectors.units(user).filter(parent=unit),
                add_url=f"/orgs/units/{unit.pk}/new/" if writable else None,
                list_url=f"/orgs/units/?parent={unit.pk}",
            )
        )
    if unit.level in (AdminUnit.Level.TOWN, AdminUnit.Level.VILLAGE):
        sections.append(
            _section(
                "安置点",
                ledgers.SITES,
                selectors.sites(user).filter(admin_unit=unit),
                add_url=f"/orgs/units/{unit.pk}/sites/new/" if writable else None,
            )
        )
    if unit.level == AdminUnit.Level.VILLAGE:
        sections.append(
            _section(
                "网格",
                ledgers.GRIDS,
                selectors.grids(user).filter(community=unit),
                add_url=f"/orgs/nodes/{unit.key}/grids/new/" if writable else None,
            )
        )
    sections.append(
        _section(
            "岗位人员",
            ledgers.POSITIONS,
            selectors.positions(user).filter(admin_unit=unit),
            add_url=f"/orgs/nodes/{unit.key}/positions/new/" if writable else None,
        )
    )
    facts = [("层级", unit.level_label), ("区划代码", unit.code or "—")]
    return _detail(
        request,
        unit,
        facts,
        sections,
        kind_label=unit.level_label,
        staff=_staff(user, admin_unit=unit),
    )


def site_detail(request, pk):
    access.require(request.user, "orgs", "read")
    user = request.user
    site = get_object_or_404(selectors.sites(user), pk=pk)
    writable = access.allows(user, "orgs", "write")
    sections = [
        _section(
            "网格",
            ledgers.GRIDS,
            selectors.grids(user).filter(site=site),
            add_url=f"/orgs/nodes/{site.key}/grids/new/" if writable else None,
        ),
        _section(
            "楼栋",
            ledgers.BUILDINGS,
            selectors.buildings(user).filter(site=site),
            add_url=f"/orgs/nodes/{site.key}/buildings/new/" if writable else None,
        ),
        _section(
            "岗位人员",
            ledgers.POSITIONS,
            selectors.positions(user).filter(site=site),
            add_url=f"/orgs/nodes/{site.key}/positions/new/" if writable else None,
        ),
    ]
    facts = [
        ("安置方式", site.get_kind_display()),
        ("所属", site.admin_unit.name),
        ("地址", site.address or "—"),
        ("备注", site.note or "—"),
    ]
    return _detail(
        request, site, facts, sections, kind_label="安置点", staff=_staff(user, site=site)
    )


def grid_detail(request, pk):
    access.require(request.user, "orgs", "read")
    user = request.user
    grid = get_object_or_404(selectors.grids(user), pk=pk)
    writable = access.allows(user, "orgs", "write")
    sections = [
        _section(
            "楼栋",
            ledgers.BUILDINGS,
            selectors.buildings(user).filter(grid=grid),
            add_url=f"/orgs/nodes/{grid.key}/buildings/new/" if writable else None,
        ),
        _section(
            "岗位人员",
            ledgers.POSITIONS,
            selectors.positions(user).filter(grid=grid),
            add_url=f"/orgs/nodes/{grid.key}/positions/new/" if writable else None,
        ),
    ]
    facts = [("网格类型", grid.get_kind_display()), ("所属", (grid.site or grid.community).name)]
    return _detail(request, grid, facts, sections, kind_label="网格", staff=_staff(user, grid=grid))


def building_detail(request, pk):
    access.require(request.user, "orgs", "read")
    user = request.user
    building = get_object_or_404(selectors.buildings(user), pk=pk)
    writable = access.allows(user, "orgs", "write")
    sections = [
        _section(
            "岗位人员",
            ledgers.POSITIONS,
            selectors.positions(user).filter(building=building),
            add_url=f"/orgs/nodes/{building.key}/positions/new/" if writable else None,
        ),
    ]
    facts = [
        ("安置点", building.site.name if building.site else "—"),
        ("网格", building.grid.name if building.grid else "—"),
        ("层数", building.floors or "—"),
        ("单元数", building.unit_count or "—"),
    ]
    return _detail(
        request, building, facts, sections, kind_label="楼栋", staff=_staff(user, building=building)
    )


# Ledgers -----------------------------------------------------------------------------------


def _list(request, ledger, filterset_class, queryset, title):
    access.require(request.user, "orgs", "read")
    fs = filterset_class(request.GET, queryset=queryset, request=request)
    return ledger_page(request, ledger=ledger, filterset=fs, extra={"title": title})


def unit_list(request):
    return _list(
        request,
        ledgers.UNITS,
        filters.AdminUnitFilter,
        selectors.units(request.user).order_by("path"),
        "行政区划",
    )


def site_list(request):
    return _list(
        request, ledgers.SITES, filters.SiteFilter, selectors.sites(request.user), "安置点"
    )


def grid_list(request):
    return _list(request, ledgers.GRIDS, filters.GridFilter, selectors.grids(request.user), "网格")


def building_list(request):
    return _list(
        request,
        ledgers.BUILDINGS,
        filters.BuildingFilter,
        selectors.buildings(request.user),
        "楼栋",
    )


def position_list(request):
    return _list(
        request,
        ledgers.POSITIONS,
        filters.PositionFilter,
        selectors.positions(request.user),
        "岗位人员",
    )


# Writes ------------------------------------------------------------------------------------


def _node_or_404(request, key):
    node = selectors.node_by_key(request.user, key)
    if node is None:
        raise Http404("单位不存在或不在您的管辖范围内。")
    return node


def unit_create(request, parent_pk):
    access.require(request.user, "orgs", "write")
    parent = get_object_or_404(selectors.units(request.user), pk=parent_pk)
    form = forms.AdminUnitForm(
        request.POST or None, parent=parent, instance=AdminUnit(parent=parent)
    )
    return service_form(
        request,
        form=form,
        title=f"在「{parent.name}」下新增单位",
        cancel_url=parent.get_absolute_url(),
        success_message="单位已新增。",
        save=lambda d: services.create_admin_unit(request.user, parent=parent, **d),
    )


def site_create(request, unit_pk):
    access.require(request.user, "orgs", "write")
    unit = get_object_or_404(selectors.units(request.user), pk=unit_pk)
    form = forms.SiteForm(request.POST or None, instance=Site(admin_unit=unit))
    return service_form(
        request,
        form=form,
        title=f"在「{unit.name}」下新增安置点",
        cancel_url=unit.get_absolute_url(),
        success_message="安置点已新增。",
        save=lambda d: services.create_site(request.user, admin_unit=unit, **d),
    )


def grid_create(request, key):
    access.require(request.user, "orgs", "write")
    parent = _node_or_404(request, key)
    if not isinstance(parent, Site | AdminUnit):
        raise Http404
    where = {"site": parent} if isinstance(parent, Site) else {"community": parent}
    form = forms.GridForm(request.POST or None, instance=Grid(**where))
    return service_form(
        request,
        form=form,
        title=f"在「{parent.name}」下新增网格",
        cancel_url=parent.get_absolute_url(),
        success_message="网格已新增。",
        save=lambda d: services.create_grid(request.user, **where, **d),
    )


def building_create(request, key):
    access.require(request.user, "orgs", "write")
    parent = _node_or_404(request, key)
    if not isinstance(parent, Site | Grid):
        raise Http404
    site = parent if isinstance(parent, Site) else None
    fixed = {"site": parent} if site else {"grid": parent, "site": parent.site}
    form = forms.BuildingForm(request.POST or None, site=site, instance=Building(**fixed))

    def save(data):
        return services.create_building(request.user, **{**data, **fixed})

    return service_form(
        request,
        form=form,
        title=f"在「{parent.name}」下新增楼栋",
        cancel_url=parent.get_absolute_url(),
        success_message="楼栋已新增。",
        save=save,
    )


def position_create(request, key):
    access.require(request.user, "orgs", "write")
    node = _node_or_404(request, key)
    form = forms.PositionForm(
        request.POST or None, actor=request.user, instance=Position(**node_ref(node))
    )
    return service_form(
        request,
        form=form,
        title=f"为「{node.name}」设置岗位",
        cancel_url=node.get_absolute_url(),
        success_message="岗位已保存。",
        save=lambda d: services.create_position(request.user, **node_ref(node), **d),
    )


_EDIT_FORMS = {
    AdminUnit: forms.AdminUnitForm,
    Site: forms.SiteForm,
    Grid: forms.GridForm,
    Building: forms.BuildingForm,
}


def node_edit(request, key):
    access.require(request.user, "orgs", "write")
    node = _node_or_404(request, key)
    form_class = _EDIT_FORMS[type(node)]
    kwargs = {}
    if isinstance(node, AdminUnit) and node.parent:
        kwargs["parent"] = node.parent
    if isinstance(node, Building):
        kwargs["site"] = node.site
    form = form_class(request.POST or None, instance=type(node).objects.get(pk=node.pk), **kwargs)
    return service_form(
        request,
        form=form,
        title=f"编辑「{node.name}」",
        cancel_url=node.get_absolute_url(),
        success_message="已保存。",
        save=lambda d: services.update_node(request.user, node, **d),
    )


def node_delete(request, key):
    access.require(request.user, "orgs", "write")
    node = _node_or_404(request, key)
    parent = node.parent_node()
    if request.method == "POST":
        try:
            services.delete_node(request.user, node)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect(node)
        messages.success(request, f"「{node.name}」已删除。")
        return redirect(parent) if parent else redirect("orgs:index")
    return render(
        request, "core/confirm_delete.html", {"object": node, "cancel_url": node.get_absolute_url()}
    )


def position_edit(request, pk):
    access.require(request.user, "orgs", "write")
    position = get_object_or_404(selectors.positions(request.user), pk=pk)
    form = forms.PositionForm(
        request.POST or None,
        instance=selectors.positions(request.user).get(pk=pk),
        actor=request.user,
    )
    return service_form(
        request,
        form=form,
        title=f"编辑岗位「{position}」",
        cancel_url=position.get_absolute_url(),
        success_message="岗位已保存。",
        save=lambda d: services.update_node(request.user, position, **d),
    )


@require_POST
def position_delete(request, pk):
    access.require(request.user, "orgs", "write")
    position = get_object_or_404(selectors.positions(request.user), pk=pk)
    back = position.get_absolute_url()
    services.delete_node(request.user, position)
    messages.success(request, "岗位已删除。")
    return redirect(back)


@require_POST
def position_reveal_phone(request, pk):
    """Shows one full phone number in place (htmx); every reveal lands in the audit log."""
    position = get_object_or_404(selectors.positions(request.user), pk=pk)
    if not access.can_reveal_identity(request.user):
        return HttpResponse(mask_phone(position.phone), status=403)
    return HttpResponse(services.reveal_phone(request.user, position))


def requested_node(request):
    """The node a page is about: ``?unit=u12`` if the user sees it, else the first they serve."""
    node = selectors.node_for(request.user, request.GET.get("unit"))
    if node is None:
        raise Http404("单位不存在或不在您的管辖范围内。")
    return node
