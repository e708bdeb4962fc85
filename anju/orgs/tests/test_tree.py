import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anju.orgs import services
from anju.orgs.models import AdminUnit, Building, Grid, Position, Site
from anju.policies.models import ParameterValue


def test_paths_follow_the_tree(world):
    a = world.a
    assert a.building.path == f"{a.grid.path}b{a.building.pk}/"
    assert a.grid.path.startswith(a.site.path)
    assert a.site.path.startswith(a.community.path)
    assert a.position.path == a.building.path
    assert a.building.site == a.site  # a building created in a grid belongs to the grid's site


def test_moving_a_site_moves_its_subtree(world):
    site, b = world.a.site, world.b
    services.update_node(None, site, admin_unit=b.community)
    site.refresh_from_db()
    assert site.path == f"{b.community.path}s{site.pk}/"
    # Each model by its own row's pk: a mixed pk list can match town 乙's rows by coincidence.
    for model, pk in ((Grid, world.a.grid.pk), (Building, world.a.building.pk)):
        assert model.objects.get(pk=pk).path.startswith(site.path)
    assert Position.objects.get(pk=world.a.position.pk).path.startswith(site.path)
    assert Building.objects.get(pk=world.a.building.pk).path.startswith(b.unit.path)
    # The policy value of town 甲 stays where it was.
    assert ParameterValue.objects.get(pk=world.a.policy_value.pk).path == world.a.unit.path


def test_a_unit_cannot_move_under_itself(world):
    with pytest.raises(ValidationError):
        services.update_node(None, world.a.unit, parent=world.a.community)


@pytest.mark.parametrize(
    "level, parent_attr, message",
    [
        ("town", "community", "下不能建"),
        ("county", "unit", "下不能建"),
    ],
)
def test_levels_must_descend(world, level, parent_attr, message):
    parent = getattr(world.a, parent_attr)
    with pytest.raises(ValidationError) as exc:
        services.create_admin_unit(None, parent=parent, name="错层", level=level)
    assert message in str(exc.value)


def test_duplicate_names_are_refused_in_chinese(world):
    with pytest.raises(ValidationError) as exc:
        services.create_site(None, admin_unit=world.a.community, name="甲安置点")
    assert "已有同名安置点" in str(exc.value)


def test_site_must_hang_under_town_or_village(world):
    with pytest.raises(ValidationError) as exc:
        services.create_site(None, admin_unit=world.county, name="县级安置点")
    assert "乡镇" in str(exc.value)


def test_grid_in_a_community_and_building_checks(world):
    grid = services.create_grid(None, community=world.a.community, name="分散户网格")
    assert grid.path.startswith(world.a.community.path)
    with pytest.raises(ValidationError):
        services.create_building(None, name="无处楼")
    with pytest.raises(ValidationError):
        services.create_building(None, name="错网格楼", site=world.b.site, grid=world.a.grid)


def test_position_needs_a_holder(world):
    with pytest.raises(ValidationError) as exc:
        services.create_position(None, title="grid_worker", grid=world.a.grid)
    assert "姓名" in str(exc.value)


def test_delete_refuses_nodes_with_children(world, client_for):
    client = client_for(world.users["town_staff"])
    response = client.post(f"/orgs/nodes/{world.a.site.key}/delete/", follow=True)
    assert "还有" in response.content.decode()
    assert Site.objects.filter(pk=world.a.site.pk).exists()


def test_forms_show_service_errors(world, client_for):
    client = client_for(world.users["town_staff"])
    response = client.post(
        f"/orgs/units/{world.a.community.pk}/sites/new/",
        {"name": "甲安置点", "kind": "centralized"},
    )
    assert response.status_code == 200
    assert "已有同名安置点" in response.content.decode()


def test_read_only_roles_cannot_open_write_pages(world, client_for):
    client = client_for(world.users["grid_worker"])
    response = client.get(f"/orgs/nodes/{world.a.grid.key}/buildings/new/")
    assert response.status_code == 403
    assert "无权修改「组织架构」" in response.content.decode()


def test_site_staff_add_grid_and_building_through_pages(world, client_for):
    client = client_for(world.users["site_staff"])
    site = world.a.site
    assert (
        client.post(
            f"/orgs/nodes/{site.key}/grids/new/", {"name": "第二网格", "kind": "service"}
        ).status_code
        == 302
    )
    grid = Grid.objects.get(name="第二网格")
    assert (
        client.post(
            f"/orgs/nodes/{grid.key}/buildings/new/", {"name": "2号楼", "floors": "11"}
        ).status_code
        == 302
    )
    building = Building.objects.get(name="2号楼")
    assert building.site == site and building.grid == grid and building.floors == 11


def test_api_creates_through_services(world, client_for):
    client = client_for(world.users["town_staff"])
    response = client.post(
        "/api/admin-units/",
        {"name": "新村", "level": "village", "parent": world.a.unit.pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    unit = AdminUnit.objects.get(name="新村")
    assert response.json()["path"] == unit.path == f"{world.a.unit.path}u{unit.pk}/"
    bad = client.post(
        "/api/sites/", {"name": "x", "admin_unit": world.county.pk}, content_type="application/json"
    )
    assert bad.status_code == 400  # the county is outside a town user's scope


def test_tree_browse_from_county_to_building(world, client_for):
    client = client_for(world.users["whole_county"])
    county = client.get("/orgs/", follow=True).content.decode()
    assert "甲镇" in county and "乙镇" in county
    town = client.get(f"/orgs/units/{world.a.unit.pk}/").content.decode()
    assert "甲社区" in town and 'aria-label="单位层级"' in town
    building = client.get(f"/orgs/buildings/{world.a.building.pk}/").content.decode()
    for name in ("清涧县", "甲镇", "甲社区", "甲安置点", "甲网格"):
        assert name in building
    assert "陕西省" in building  # ancestors above the scope show as plain text


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


LIST_URLS = [
    "/orgs/units/",
    "/orgs/sites/",
    "/orgs/grids/",
    "/orgs/buildings/",
    "/orgs/positions/",
    "/api/admin-units/",
    "/api/sites/",
    "/api/grids/",
    "/api/buildings/",
    "/api/positions/",
    "/orgs/buildings/?export=xlsx",
    "/orgs/positions/?export=xlsx",
    "/policies/",
    "/api/policy-values/",
    "/audit/",
    "/api/audit-logs/",
    "/accounts/users/",
    "/api/users/",
]


def _grow(world, n):
    for i in range(n):
        community = services.create_admin_unit(
            None, parent=world.a.unit, name=f"新社区{i}", level="village", is_community=True
        )
        site = services.create_site(None, admin_unit=community, name=f"新安置点{i}")
        grid = services.create_grid(None, site=site, name=f"新网格{i}")
        building = services.create_building(None, grid=grid, name=f"新楼{i}")
        services.create_position(
            None,
            title="building_head",
            building=building,
            holder_name=f"楼长{i}",
            phone="13800000001",
        )


@pytest.mark.parametrize("url", LIST_URLS)
def test_lists_run_a_fixed_number_of_queries(world, client_for, url):
    client = client_for(world.users["admin"])
    before = _count(client, url)
    _grow(world, 6)
    assert _count(client, url) == before
