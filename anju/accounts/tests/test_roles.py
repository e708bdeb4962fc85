"""Roles are data a county adjusts for itself, without touching other counties."""

import pytest
from django.core.exceptions import ValidationError

from anju.accounts import access, services
from anju.accounts.models import Role
from anju.audit.models import AuditLog
from anju.orgs import services as org_services


@pytest.fixture
def two_counties(world):
    other = org_services.create_admin_unit(
        None, parent=world.county.parent, name="绥德县", level="county", code="610826"
    )
    grid_role = Role.objects.get(code="grid_worker", unit=None)
    town = org_services.create_admin_unit(None, parent=other, name="名州镇", level="town")
    other_worker = services.create_user(
        None, username="suide_grid", password="Mingzhou-Town-77", role=grid_role, nodes=[town]
    )
    county_admin = services.create_user(
        None,
        username="qj_admin",
        password="Xiuyan-River-88",
        role=Role.objects.get(code="admin", unit=None),
        nodes=[world.county],
    )
    return world, county_admin, other_worker


def test_county_adapts_a_role_for_its_own_users_only(two_counties, client_for):
    world, county_admin, other_worker = two_counties
    client = client_for(county_admin)
    template = Role.objects.get(code="grid_worker", unit=None)

    assert client.get(f"/accounts/roles/{template.pk}/edit/").status_code == 403
    response = client.post(f"/accounts/roles/{template.pk}/adapt/")
    own = Role.objects.get(code="grid_worker", unit=world.county)
    assert response.status_code == 302 and response.url == f"/accounts/roles/{own.pk}/edit/"

    form = {
        "name": "网格员",
        "description": "清涧县网格员",
        "module_orgs": "read",
        "module_registry": "write",
        "module_monitoring": "write",
        "module_cases": "write",
    }
    assert client.post(f"/accounts/roles/{own.pk}/edit/", form).status_code == 302

    grid_worker = world.users["grid_worker"]
    grid_worker.refresh_from_db()
    assert grid_worker.role == own
    assert access.level(grid_worker, "registry") == "write"
    other_worker.refresh_from_db()
    assert other_worker.role == template and access.level(other_worker, "registry") == "read"
    template.refresh_from_db()
    assert template.modules["registry"] == "read"

    log = AuditLog.objects.get(object_type="accounts.role", action="create")
    assert "个账号改用本单位角色" in log.note
    assert AuditLog.objects.get(object_type="accounts.role", action="update").changes["modules"]


def test_a_county_role_is_invisible_elsewhere(two_counties, client_for):
    world, county_admin, other_worker = two_counties
    own = services.adapt_role(
        county_admin, Role.objects.get(code="site_staff", unit=None), world.county
    )
    b_admin = world.users["b_town_staff"]
    assert not Role.objects.visible_to(other_worker).filter(pk=own.pk).exists()
    assert Role.objects.visible_to(b_admin).filter(pk=own.pk).exists()  # same county
    suide_admin = services.create_user(
        None,
        username="suide_admin",
        password="Mingzhou-Admin-99",
        role=Role.objects.get(code="admin", unit=None),
        nodes=[other_worker.memberships.get().node],
    )
    with pytest.raises(ValidationError, match="不在您的管辖范围内"):
        services.update_user(suide_admin, other_worker, role=own)


def test_bad_module_levels_are_refused(two_counties):
    world, county_admin, _ = two_counties
    own = services.adapt_role(
        county_admin, Role.objects.get(code="auditor", unit=None), world.county
    )
    with pytest.raises(ValidationError, match="无效"):
        services.update_role(county_admin, own, modules={"orgs": "admin"})
    with pytest.raises(ValidationError, match="未知模块"):
        services.update_role(county_admin, own, modules={"payroll": "read"})


def test_role_api_lists_platform_and_own_roles(two_counties, client_for):
    world, county_admin, _ = two_counties
    services.adapt_role(county_admin, Role.objects.get(code="auditor", unit=None), world.county)
    client = client_for(county_admin)
    scopes = {r["scope"] for r in client.get("/api/roles/?page_size=100").json()["results"]}
    assert scopes == {"全平台", "清涧县"}
