"""Defects found in review, each pinned by the behaviour a user would see."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from anju.accounts import services as account_services
from anju.accounts.models import Role
from anju.conftest import PASSWORD
from anju.orgs import services as org_services
from anju.orgs.models import AdminUnit
from anju.registry import services as registry_services
from anju.registry.models import Household, ImportBatch, Person
from anju.registry.tests.sheets import family, make_id, person, write_xlsx


def test_a_town_cannot_detach_itself_from_its_county(world, client_for):
    client = client_for(world.users["town_staff"])
    response = client.patch(
        f"/api/admin-units/{world.a.unit.pk}/",
        {"parent": None, "level": "province"},
        content_type="application/json",
    )
    assert response.status_code in (400, 403)
    world.a.unit.refresh_from_db()
    assert world.a.unit.parent == world.county


def test_admins_cannot_take_over_accounts_beyond_their_scope(world):
    admin = world.users["admin"]  # serves town 甲 only
    shared = account_services.create_user(
        None,
        username="shared_clerk",
        password=PASSWORD,
        nodes=[world.a.unit, world.b.unit],
        role=Role.objects.get(code="town_staff", unit=None),
    )
    with pytest.raises(PermissionDenied, match="管辖范围以外"):
        account_services.update_user(admin, shared, password=PASSWORD)
    with pytest.raises(PermissionDenied, match="本人的角色"):
        account_services.update_user(admin, admin, role=Role.objects.get(code="auditor", unit=None))


def test_no_one_hands_out_a_role_stronger_than_their_own(world):
    site_admin = account_services.create_user(
        None,
        username="limited_admin",
        password=PASSWORD,
        nodes=[world.a.site],
        role=account_services.adapt_role(
            None, Role.objects.get(code="site_staff", unit=None), world.a.unit
        ),
    )
    site_admin.role.modules = {**site_admin.role.modules, "accounts": "write"}
    site_admin.role.save()
    with pytest.raises(ValidationError, match="权限高于您本人"):
        account_services.create_user(
            site_admin,
            username="promoted",
            password=PASSWORD,
            nodes=[world.a.site],
            role=Role.objects.get(code="admin", unit=None),
        )


def test_deleting_a_site_with_households_says_why(world, client_for):
    client = client_for(world.users["town_staff"])
    org_services.delete_node(None, world.a.position)
    response = client.delete(f"/api/buildings/{world.a.building.pk}/")
    assert response.status_code == 400 and "搬迁户" in response.json()["non_field_errors"][0]


def test_policy_api_rejects_malformed_json_values(world, client_for):
    client = client_for(world.users["dept_rural"])
    response = client.post(
        "/api/policy-values/",
        {
            "key": "employment.min_employed_per_household",
            "unit": world.a.unit.pk,
            "valid_from": "2024-01-01",
            "value": [[3, 1800, 1]],
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and "格式不正确" in str(response.json())


def test_person_api_checks_enumerations(world, client_for):
    client = client_for(world.users["town_staff"])
    response = client.post(
        "/api/persons/",
        {
            "household": world.a.household.pk,
            "name": "新成员",
            "relation": "邻居",
            "id_number": make_id("19950505", 61),
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and "不是有效的与户主关系" in str(response.json())


@pytest.fixture
def clean_registry(world):
    Person.objects.all().delete()
    Household.objects.all().delete()
    return world


def test_members_left_out_of_a_sheet_follow_their_household(clean_registry, tmp_path):
    world = clean_registry
    staff = world.users["town_staff"]
    rows = family()
    assert registry_services.import_registry(staff, write_xlsx(tmp_path / "a.xlsx", rows)).ok
    other = org_services.create_building(None, site=world.a.site, name="新楼")
    moved = [dict(r, 楼栋="新楼") for r in rows[:2]]  # the son is not in the second sheet
    assert registry_services.import_registry(staff, write_xlsx(tmp_path / "b.xlsx", moved)).ok
    son = Person.objects.get(name="王小明")
    assert son.path == other.path == Household.objects.get(number="QJ0001").path


def test_sheet_limits_and_database_checks(clean_registry, tmp_path):
    world = clean_registry
    staff = world.users["town_staff"]
    assert registry_services.import_registry(staff, write_xlsx(tmp_path / "a.xlsx", family())).ok
    org_services.create_admin_unit(None, parent=world.a.unit, name="甲社区2", level="village")
    rows = [
        person("QJ0005", "长房号", make_id("19670707", 73), 房号="1" * 21),
        person("QJ0006", "大面积", make_id("19680808", 75), 住房面积="1e30"),
    ]
    from anju.registry.tests.sheets import HEADER

    outcome = registry_services.import_registry(
        staff, write_xlsx(tmp_path / "b.xlsx", rows, header=HEADER + ["住房面积"])
    )
    messages = {(e.row, e.column): e.message for e in outcome.errors}
    assert "不能超过 20 个字" in messages[(4, "房号")]
    assert "数值过大" in messages[(5, "住房面积")]
    # A second head for a household whose head is already in the registry, not in this sheet.
    second = [person("QJ0001", "新户主", make_id("19660606", 71))]
    outcome = registry_services.import_registry(staff, write_xlsx(tmp_path / "c.xlsx", second))
    assert "已有户主（王大山）" in outcome.errors[0].message


def test_duplicate_village_names_are_refused(clean_registry, tmp_path):
    world = clean_registry
    org_services.create_admin_unit(None, parent=world.a.unit, name="同名村", level="village")
    org_services.create_admin_unit(None, parent=world.b.unit, name="同名村", level="village")
    rows = [
        person(
            "QJ0007",
            "分散户",
            make_id("19690909", 77),
            安置点="",
            安置方式="分散",
            楼栋="",
            **{"迁入村（社区）": "同名村"},
        )
    ]
    from anju.registry.tests.sheets import HEADER

    outcome = registry_services.import_registry(
        None,  # the system imports for the whole platform: both villages are in scope
        write_xlsx(tmp_path / "v.xlsx", rows, header=HEADER + ["迁入村（社区）"]),
    )
    assert "多个同名村" in outcome.errors[0].message


def test_a_crashing_import_ends_rejected_not_running(world, tmp_path, settings, monkeypatch):
    settings.VAR_DIR = tmp_path
    path = write_xlsx(tmp_path / "x.xlsx", family("甲099"))
    batch = ImportBatch.objects.create(
        created_by=world.users["town_staff"], file_name="x.xlsx", stored_file=str(path)
    )

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(registry_services, "import_registry", boom)
    batch = registry_services.run_batch(batch.pk)
    assert batch.status == "rejected" and "内部错误" in batch.errors[0]["message"]


def test_error_values_are_hidden_from_others(world, client_for, tmp_path, settings):
    settings.VAR_DIR = tmp_path
    rows = family("甲098")
    rows[0]["身份证号"] = "61083019700312001"
    uploader = client_for(world.users["town_staff"])
    with open(write_xlsx(tmp_path / "e.xlsx", rows), "rb") as handle:
        url = uploader.post("/registry/import/", {"file": handle}).url
    assert "61083019700312001" in uploader.get(url).content.decode()
    leader = client_for(world.users["whole_county"])
    assert "61083019700312001" not in leader.get(url).content.decode()
    assert leader.get(url + "errors.xlsx").status_code == 403


def test_county_roles_without_orgs_rights_get_a_row_error_for_new_buildings(
    clean_registry, tmp_path
):
    world = clean_registry
    role = account_services.adapt_role(
        None, Role.objects.get(code="dept_rural", unit=None), world.county
    )
    role.modules = {**role.modules, "orgs": "read"}
    role.save()
    clerk = account_services.create_user(
        None, username="county_clerk", password=PASSWORD, nodes=[world.county], role=role
    )
    outcome = registry_services.import_registry(
        clerk, write_xlsx(tmp_path / "n.xlsx", family(楼栋="99号楼"))
    )
    assert "无权新建楼栋" in outcome.errors[0].message
    assert not AdminUnit.objects.filter(name="99号楼").exists()


def test_moving_a_grid_to_another_site_moves_its_buildings_and_households(world):
    other_site = org_services.create_site(None, admin_unit=world.a.community, name="甲二期")
    org_services.update_node(None, world.a.grid, site=other_site)
    world.a.building.refresh_from_db()
    household = Household.objects.get(pk=world.a.household.pk)
    assert world.a.building.site == other_site and household.site == other_site
    assert household.path.startswith(other_site.path)


def test_nodes_with_households_stay_in_their_county(world):
    other_county = org_services.create_admin_unit(
        None, parent=world.county.parent, name="绥德县", level="county", code="610826"
    )
    other_town = org_services.create_admin_unit(
        None, parent=other_county, name="名州镇", level="town"
    )
    village = org_services.create_admin_unit(
        None, parent=other_town, name="名州社区", level="village"
    )
    with pytest.raises(ValidationError, match="不能移到其他县"):
        org_services.update_node(None, world.a.site, admin_unit=village)
