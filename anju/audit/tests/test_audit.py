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
    assert "地址：空 → 滨河北路" in body and "</span>安置点</td>" in body
    assert "orgs.site" not in body.split("<tbody>")[1]


def test_changes_read_as_chinese_sentences(world, client_for):
    """Booleans as 是/否, None and empty as 空, codes as their labels, dicts by their names —
    never a Python repr or an internal key; the column wraps instead of widening the table."""
    from anju.accounts import services as account_services
    from anju.accounts.models import Role
    from anju.audit.selectors import format_changes
    from anju.orgs import services
    from anju.registry import services as registry_services

    services.update_node(None, world.a.site, kind="dispersed")
    role = account_services.adapt_role(None, Role.objects.get(code="town_staff"), world.a.unit)
    account_services.update_role(
        None, role, can_reveal_identity=False, modules={"registry": "write", "orgs": "read"}
    )
    registry_services.save_profile(
        None,
        world.a.site,
        declared_breakdowns={"age": {"labels": ["0–17岁", "18岁及以上"], "counts": [3, 9]}},
    )
    registry_services.update_household(None, world.a.household, safety_net="dibao")
    client = client_for(world.users["auditor"])
    body = client.get("/audit/").content.decode()
    rows = body.split("<tbody>")[1].split("</tbody>")[0]
    for python in ("True", "False", "None", "{", "[", "'", "dibao", "centralized"):
        assert python not in rows, python
    assert "可查看完整身份证号：是 → 否" in rows
    assert "安置方式：集中安置 → 分散安置" in rows
    assert "搬迁户台账读写" in rows and "组织架构只读" in rows
    assert format_changes("accounts.user", {"is_active": [True, False], "phone": [None, ""]}) == (
        "启用：是 → 否；联系电话：空 → 空"
    )
    assert "年龄（0–17岁 3、18岁及以上 9）" in rows
    assert "兜底保障：空 → " in rows
    assert '<td class="wrap">' in rows


def test_created_objects_list_their_values(world, client_for):
    client = client_for(world.users["auditor"])
    body = client.get("/audit/?object_type=registry.person&action=create").content.decode()
    rows = body.split("<tbody>")[1]
    assert "姓名：甲户主" in rows and "空 →" not in rows


def test_api_changes_stay_json_with_a_readable_text_beside(world, client_for):
    from anju.orgs import services

    services.update_node(None, world.a.site, address="滨河北路")
    client = client_for(world.users["auditor"])
    rows = client.get("/api/audit-logs/?object_type=orgs.site&action=update").json()["results"]
    assert rows[0]["changes"] == {"address": ["", "滨河北路"]}
    assert rows[0]["changes_text"] == "地址：空 → 滨河北路"
    assert rows[0]["object_type_label"] == "安置点"
