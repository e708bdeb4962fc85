"""Registry pages, exports and API as a user meets them."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anju.audit.models import AuditLog
from anju.registry import services
from anju.registry.models import Household, Person, PersonMove
from anju.registry.quality import check_now

from .sheets import family, make_id, write_xlsx


def _book(response):
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_household_list_search_and_filters(world, client_for):
    client = client_for(world.users["town_staff"])
    assert "甲001" in client.get("/registry/?q=甲户主").content.decode()
    assert (
        "甲001"
        in client.get(
            f"/registry/?q={world.a.household.members.first().id_number}"
        ).content.decode()
    )
    assert "甲001" not in client.get("/registry/?category=co_relocated").content.decode()
    assert "甲001" in client.get(f"/registry/?site={world.a.site.pk}").content.decode()


def test_ledger_export_masks_ids_and_reveal_is_logged(world, client_for):
    client = client_for(world.users["town_staff"])
    sheet = _book(client.get("/registry/?export=xlsx")).active
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["户编号", "姓名", "身份证号", "与户主关系"]
    ids = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(ids) == 2 and all("*" in i for i in ids)
    full = _book(client.get("/registry/?export=xlsx&reveal=1")).active
    assert not any("*" in row[2] for row in full.iter_rows(min_row=2, values_only=True))
    assert AuditLog.objects.filter(action="reveal", object_repr="后续扶持台账").exists()
    assert AuditLog.objects.filter(action="export", object_repr="后续扶持台账").count() == 2


def test_roles_without_reveal_get_masked_exports(world, client_for):
    client = client_for(world.users["county_leader"])  # 县级领导 may read, not reveal
    sheet = _book(client.get("/registry/?export=xlsx&reveal=1")).active
    assert all("*" in row[2] for row in sheet.iter_rows(min_row=2, values_only=True))


def test_exported_formulas_are_neutralised(world, client_for):
    person = world.a.household.members.first()
    services.update_person(None, person, name="=HYPERLINK(1)")
    client = client_for(world.users["town_staff"])
    names = [
        row[1]
        for row in _book(client.get("/registry/?export=xlsx")).active.iter_rows(
            min_row=2, values_only=True
        )
    ]
    assert "'=HYPERLINK(1)" in names


def test_exported_ledger_imports_back_unchanged(world, client_for, tmp_path):
    client = client_for(world.users["town_staff"])
    response = client.get("/registry/?export=xlsx&reveal=1")
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    outcome = services.import_registry(world.users["town_staff"], path)
    assert outcome.ok, outcome.errors
    assert (outcome.persons_new, outcome.persons_changed, outcome.households_changed) == (0, 0, 0)


def test_template_has_drop_downs(world, client_for, tmp_path):
    client = client_for(world.users["town_staff"])
    response = client.get("/registry/template.xlsx")
    path = tmp_path / "t.xlsx"
    path.write_bytes(response.content)
    book = openpyxl.load_workbook(path)
    sheet = book["台账"]
    assert sheet.cell(2, 1).value == "户编号"
    sources = {dv.formula1 for dv in sheet.data_validations.dataValidation}
    assert any("选项" in f for f in sources) and len(sources) >= 10
    assert book["选项"].sheet_state == "hidden"


def test_household_and_person_forms(world, client_for):
    client = client_for(world.users["site_staff"])
    response = client.post(
        "/registry/households/new/",
        {
            "number": "甲002",
            "category": "co_relocated",
            "settlement": "centralized",
            "site": world.a.site.pk,
            "building": world.a.building.pk,
            "room_no": "202",
            "safety_net": "",
            "phone": "138 0000 1111",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    household = Household.objects.get(number="甲002")
    assert household.phone == "13800001111" and household.path == world.a.building.path
    bad = client.post(
        f"/registry/households/{household.pk}/persons/new/",
        {"name": "新人", "id_number": "123", "relation": "户主"},
    )
    assert "身份证号应为 18 位" in bad.content.decode()
    ok = client.post(
        f"/registry/households/{household.pk}/persons/new/",
        {
            "name": "新人",
            "id_number": make_id("19900202", 41),
            "relation": "户主",
            "health": ["健康"],
        },
    )
    assert ok.status_code == 302
    person = Person.objects.get(name="新人")
    assert person.sex == "M" and person.path == household.path
    twice = client.post(
        f"/registry/households/{household.pk}/persons/new/",
        {"name": "另一户主", "id_number": make_id("19910303", 43), "relation": "户主"},
    )
    assert "该户已有户主" in twice.content.decode()

    son = world.a.household.members.get(relation="之子")
    moved = client.post(
        f"/registry/persons/{son.pk}/move/",
        {"household": household.pk, "relation": "之子", "note": "分户"},
    )
    assert moved.status_code == 302
    move = PersonMove.objects.get(person=son)
    assert move.from_household == world.a.household and move.note == "分户"
    page = client.get(f"/registry/persons/{son.pk}/").content.decode()
    assert "由户 甲001 迁入户 甲002" in page

    client.post(
        f"/registry/households/{household.pk}/edit/",
        {
            "number": "甲002",
            "category": "co_relocated",
            "settlement": "centralized",
            "site": world.a.site.pk,
            "building": world.a.building.pk,
            "room_no": "303",
        },
    )
    move = household.moves.get()
    assert move.before.endswith("202") and move.after.endswith("303")
    assert "→" in client.get(f"/registry/households/{household.pk}/").content.decode()


def test_reveal_id_on_the_person_page(world, client_for):
    person = world.a.household.members.first()
    staff = client_for(world.users["site_staff"])
    assert (
        staff.post(f"/registry/persons/{person.pk}/reveal-id/").content.decode() == person.id_number
    )
    assert AuditLog.objects.filter(action="reveal", object_id=str(person.pk)).count() == 1
    worker = client_for(world.users["grid_worker"])
    assert worker.post(f"/api/persons/{person.pk}/reveal-id/").status_code == 403


def test_summary_page_api_and_export(world, client_for):
    client = client_for(world.users["town_staff"])
    page = client.get(f"/registry/summary/{world.a.unit.key}/?on=2026-01-01")
    assert page.status_code == 200 and "summary-data" in page.content.decode()
    data = client.get(f"/api/registry/summary/?node={world.a.site.key}&on=2026-01-01").json()
    assert (data["households"], data["persons"], data["labour_persons"]) == (1, 2, 1)
    assert data["education_labour"]["three"] == {"文盲": 0, "小学至高中": 1, "中专以上": 0}
    sheet = _book(client.get(f"/registry/summary/{world.a.unit.key}/?export=xlsx")).active
    assert ["户数", "合计", 1] in [list(r) for r in sheet.iter_rows(values_only=True)]
    assert client.get("/api/registry/summary/?node=s999999").status_code == 404
    assert client.get(f"/api/registry/summary/?node={world.a.site.key}&on=x").status_code == 400


def test_quality_checks_find_missing_heads_and_skills(world, client_for):
    head = world.a.household.members.get(relation="户主")
    services.update_person(None, head, relation="配偶", labour_skill="")
    check_now()  # the page reads what the background checks stored
    client = client_for(world.users["town_staff"])
    body = client.get("/registry/quality/").content.decode()
    assert "没有户主" in body and "未填劳动技能" in body and "检查时间：" in body
    rows = client.get("/api/registry/quality/").json()["results"]
    assert {r["check"] for r in rows} >= {"head", "skill"}


def test_import_page_runs_in_the_background_and_shows_errors(world, client_for, tmp_path, settings):
    settings.VAR_DIR = tmp_path
    client = client_for(world.users["town_staff"])
    rows = family("甲009")
    rows[1]["身份证号"] = "bad"
    path = write_xlsx(tmp_path / "up.xlsx", rows)
    with open(path, "rb") as handle:
        response = client.post("/registry/import/", {"file": handle})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "有错误，未导入" in page and "第 5 行" in page and "身份证号应为 18 位" in page
    errors = client.get(response.url + "errors.xlsx")
    assert errors.status_code == 200
    other = client_for(world.users["b_town_staff"])
    assert other.get(response.url).status_code == 404


def test_cli_import(world, tmp_path, capsys):
    path = write_xlsx(tmp_path / "cli.xlsx", family("甲010"))
    call_command("import", "registry", str(path), "--dry-run", "--user", "a_town_staff")
    assert "试导入" in capsys.readouterr().out
    assert not Household.objects.filter(number="甲010").exists()
    call_command("import", "registry", str(path), "--user", "a_town_staff")
    assert Household.objects.get(number="甲010").members.count() == 3


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/registry/",
        "/registry/?export=xlsx",
        "/registry/sites/",
        "/registry/sites/?export=xlsx",
        "/api/registry/sites/",
        "/api/households/",
        "/api/persons/",
        "/api/site-profiles/",
    ],
)
def test_registry_lists_run_a_fixed_number_of_queries(world, client_for, url):
    client = client_for(world.users["town_staff"])
    before = _count(client, url)
    for i in range(5):
        household = services.create_household(
            None,
            number=f"甲1{i:02d}",
            category="lifted",
            site=world.a.site,
            building=world.a.building,
        )
        services.add_person(
            None,
            household,
            name=f"成员{i}",
            relation="户主",
            id_number=make_id("19850101", 100 + i * 2),
        )
    assert _count(client, url) == before


@pytest.mark.parametrize(
    "url", ["/registry/quality/", "/registry/quality/?export=xlsx", "/api/registry/quality/"]
)
def test_quality_checks_run_a_fixed_number_of_queries(world, client_for, url):
    from anju.orgs import services as org_services

    services.save_profile(
        None,
        world.a.site,
        declared_households=3,
        declared_persons=9,
        declared_breakdowns={"labour_persons": 4},
    )
    check_now()
    client = client_for(world.users["town_staff"])
    before = _count(client, url)
    for i in range(4):
        site = org_services.create_site(None, admin_unit=world.a.community, name=f"新点{i}")
        services.save_profile(
            None,
            site,
            declared_households=2,
            declared_persons=5,
            declared_breakdowns={
                "age": {
                    "bounds": [19, 36, 60],
                    "labels": ["a", "b", "c", "d"],
                    "counts": [1, 1, 1, 1],
                },
                "labour_persons": 1,
            },
            declared_conflicts=["某行与某行不一致"],
        )
        household = services.create_household(None, number=f"甲Q{i}", category="lifted", site=site)
        services.add_person(
            None,
            household,
            name=f"质检{i}",
            relation="户主",
            id_number=make_id("19750101", 200 + i * 2),
        )
        services.update_person(None, household.members.get(), labour_skill="")
    run = check_now()
    assert run.counts["conflict"] == 4 and run.counts["skill"] >= 4
    assert _count(client, url) == before


def test_editing_a_household_keeps_its_move_in_date(world, client_for):
    """The date picker needs an ISO value; a zh-hans one (2026/11/20) showed empty and the save
    then cleared the date."""
    from datetime import date

    household = world.a.household
    services.update_household(None, household, move_in_date=date(2019, 8, 20))
    client = client_for(world.users["town_staff"])
    form = client.get(f"/registry/households/{household.pk}/edit/").content.decode()
    assert 'type="date"' in form and 'value="2019-08-20"' in form
