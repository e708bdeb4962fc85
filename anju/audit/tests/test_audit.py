from anju.audit.models import AuditLog
from anju.orgs.models import Site


def _last(object_type, action):
    return AuditLog.objects.filter(object_type=object_type, action=action).latest("id")


def test_create_update_delete_through_the_pages_are_audited(world, client_for):
    user = world.users["town_staff"]
    client = client_for(user)
    response = client.post(
        f"/orgs/units/{world.a.community.pk}/sites/new/",
        {"name": "新区安置点", "kind": "centralized", "address": "滨河路"},
    )
    assert response.status_code == 302
    site = Site.objects.get(name="新区安置点")

    created = _last("orgs.site", "create")
    assert created.actor == user and created.actor_name == "甲town_staff"
    assert created.object_id == str(site.pk)
    assert created.unit_path == site.path
    assert created.changes["name"] == [None, "新区安置点"]
    assert created.changes["admin_unit"] == [None, "甲社区"]

    client.post(
        f"/orgs/nodes/{site.key}/edit/",
        {"name": "新区安置点", "kind": "dispersed", "address": "滨河北路"},
    )
    updated = _last("orgs.site", "update")
    assert updated.changes == {
        "address": ["滨河路", "滨河北路"],
        "kind": ["centralized", "dispersed"],
    }

    client.post(f"/orgs/nodes/{site.key}/delete/")
    assert not Site.objects.filter(pk=site.pk).exists()
    deleted = _last("orgs.site", "delete")
    assert deleted.object_id == str(site.pk) and deleted.changes["name"] == ["新区安置点", None]


def test_phone_changes_are_masked_in_the_log(world, client_for):
    client = client_for(world.users["site_staff"])
    position = world.a.position
    client.post(
        f"/orgs/positions/{position.pk}/edit/",
        {"title": "building_head", "holder_name": "甲楼长", "phone": "13912345678"},
    )
    row = _last("orgs.position", "update")
    assert row.changes["phone"] == ["138****0000", "139****5678"]
    assert "13912345678" not in str(row.changes)


def test_revealing_a_phone_is_logged(world, client_for):
    client = client_for(world.users["site_staff"])
    response = client.post(f"/orgs/positions/{world.a.position.pk}/reveal-phone/")
    assert response.content.decode() == "13800000000"
    row = _last("orgs.position", "reveal")
    assert row.actor == world.users["site_staff"] and row.note == "查看完整联系电话"


def test_roles_without_the_right_cannot_reveal(world, client_for):
    client = client_for(world.users["grid_worker"])
    response = client.post(f"/api/positions/{world.a.position.pk}/reveal-phone/")
    assert response.status_code == 403
    assert not AuditLog.objects.filter(action="reveal").exists()


def test_api_lists_mask_phones(world, client_for):
    client = client_for(world.users["town_staff"])
    row = client.get("/api/positions/").json()["results"][0]
    assert row["phone"] == "138****0000"


def test_exports_are_logged(world, client_for):
    client = client_for(world.users["town_staff"])
    client.get("/orgs/sites/?export=xlsx&kind=centralized")
    row = _last("export", "export")
    assert row.object_repr == "安置点" and "1 行" in row.note and "安置方式" in row.note
    assert row.unit_path == world.a.unit.path


def test_auditor_browses_and_filters_the_log(world, client_for):
    client = client_for(world.users["auditor"])
    body = client.get("/audit/?action=create&object_type=orgs.site").content.decode()
    assert "甲安置点" in body and "新增" in body
    api = client.get("/api/audit-logs/?action=create&object_type=orgs.site").json()
    assert [r["object_repr"] for r in api["results"]] == ["甲安置点"]


def test_roles_without_audit_cannot_read_it(world, client_for):
    client = client_for(world.users["town_staff"])
    assert client.get("/audit/").status_code == 403
    assert client.get("/api/audit-logs/").status_code == 403


def test_the_log_page_speaks_chinese(world, client_for):
    from anju.orgs import services

    services.update_node(None, world.a.site, address="滨河北路")
    client = client_for(world.users["auditor"])
    body = client.get("/audit/?object_type=orgs.site&action=update").content.decode()
    assert "地址：空 → 滨河北路" in body and "<td>安置点</td>" in body
    assert "orgs.site" not in body.split("<tbody>")[1]
