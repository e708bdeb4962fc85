"""每月回访 as the seed asks (《石城县2022年强化易地扶贫搬迁后续扶持工作的实施方案》第3条): every
household visited every month, the five changes and five situations checked, coverage per grid,
site, town and county read from roll-ups."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anju.audit.models import AuditLog
from anju.monitoring import selectors, services
from anju.monitoring.models import Visit, VisitCoverage
from anju.orgs import services as org_services
from anju.registry import services as registry_services

NOV = "2026-11"


@pytest.fixture(autouse=True)
def november():
    with time_machine.travel(date(2026, 11, 20), tick=False):
        yield


def _raw(node_path: str, period: str) -> int:
    return Visit.objects.filter(path__startswith=node_path, period=period).count()


def _assert_coverage_is_exact():
    for row in VisitCoverage.objects.all():
        assert row.visited == _raw(row.node_path, row.period), row
    built = {(r.node_path, r.period): r.visited for r in VisitCoverage.objects.exclude(visited=0)}
    call_command("monitoring", "rebuild", stdout=io.StringIO())
    assert {(r.node_path, r.period): r.visited for r in VisitCoverage.objects.all()} == built


def test_a_grid_worker_records_the_months_visit_on_the_page(world, client_for):
    household = world.a.household
    client = client_for(world.users["grid_worker"])
    todo = client.get("/monitoring/unvisited/").content.decode()
    assert household.number in todo and "回访" in todo
    form = client.get(f"/monitoring/households/{household.pk}/visit/").content.decode()
    assert (
        "家庭成员数量" in form
        and "突发困难问题" in form
        and "饮水安全" in form
        and 'value="2026-11-20"' in form
    )
    response = client.post(
        f"/monitoring/households/{household.pk}/visit/?period={NOV}",
        {
            "period": NOV,
            "visited_on": "2026-11-18",
            "changes": ["employment", "income"],
            "situations": ["hardship"],
            "note": "户主本月失业，收入下降",
        },
    )
    assert response.status_code == 302
    visit = Visit.objects.get(household=household, period=NOV)
    assert (visit.changes, visit.situations, visit.needs_unmet) == (
        ["employment", "income"],
        ["hardship"],
        [],
    )
    assert visit.visitor == world.users["grid_worker"] and visit.visitor_name == "甲grid_worker"
    assert AuditLog.objects.filter(object_type="monitoring.visit", action="create").exists()
    assert "本月应回访的户都已回访" in client.get("/monitoring/unvisited/").content.decode()
    detail = client.get(visit.get_absolute_url()).content.decode()
    assert "就业务工、人均收入" in detail and "突发困难问题" in detail and "均有保障" in detail
    _assert_coverage_is_exact()


def test_coverage_per_unit_from_the_rollups(world, client_for):
    a, b = world.a, world.b
    extra = registry_services.create_household(None, number="甲002", category="lifted", site=a.site)
    services.record_visit(
        None, a.household, period=NOV, visited_on=date(2026, 11, 3), visitor_name="驻村工作队"
    )
    services.record_visit(
        None, b.household, period=NOV, visited_on=date(2026, 11, 4), visitor_name="驻村工作队"
    )
    client = client_for(world.users["whole_county"])
    page = client.get(f"/monitoring/?unit={world.county.key}&period={NOV}")
    figures = page.context["figures"]
    assert (figures["households"], figures["visited"], figures["missing"]) == (3, 2, 1)
    towns = {r["node"].name: (r["households"], r["visited"], r["missing"]) for r in figures["rows"]}
    assert towns == {"甲镇": (2, 1, 1), "乙镇": (1, 1, 0)}
    api = client.get(f"/api/monitoring/coverage/?unit={world.county.key}&period={NOV}").json()
    assert (api["households"], api["visited"], api["missing"], api["share"]) == (3, 2, 1, 66.7)
    assert {p["name"]: p["missing"] for p in api["parts"]} == {"甲镇": 1, "乙镇": 0}
    # The town's staff: their own town only, and the door still to knock on.
    town = client_for(world.users["town_staff"])
    assert town.get(f"/monitoring/?unit={b.unit.key}").status_code == 404
    todo = town.get("/monitoring/unvisited/").content.decode()
    assert extra.number in todo and a.household.number not in todo
    # A month with no visits yet (client_for logs the one test client in again).
    client = client_for(world.users["whole_county"])
    october = client.get(f"/api/monitoring/coverage/?unit={world.county.key}&period=2026-10")
    assert october.json()["visited"] == 0
    # The counts were read from the roll-up, not from the visits.
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/api/monitoring/coverage/?unit={world.county.key}&period={NOV}")
    assert not any('FROM "monitoring_visit"' in q["sql"] for q in queries.captured_queries)
    # More towns, the same number of queries: the parts are read in one grouped query each.
    for name in ("丙镇", "丁镇"):
        org_services.create_admin_unit(None, parent=world.county, name=name, level="town")
    with CaptureQueriesContext(connection) as more:
        figures = client.get(f"/api/monitoring/coverage/?unit={world.county.key}&period={NOV}")
    assert len(more.captured_queries) == len(queries.captured_queries)
    assert {p["name"]: p["households"] for p in figures.json()["parts"]} == {
        "甲镇": 2,
        "乙镇": 1,
        "丙镇": 0,
        "丁镇": 0,
    }


def test_one_visit_a_month_corrected_not_doubled(world):
    first = services.record_visit(
        world.users["grid_worker"], world.a.household, period=NOV, visited_on=date(2026, 11, 2)
    )
    again = services.record_visit(
        world.users["grid_worker"],
        world.a.household,
        period=NOV,
        visited_on=date(2026, 11, 9),
        needs_unmet=["water"],
    )
    assert again.pk == first.pk and again.needs_unmet == ["water"]
    assert Visit.objects.count() == 1
    assert AuditLog.objects.filter(object_type="monitoring.visit", action="update").exists()
    _assert_coverage_is_exact()
    services.delete_visit(world.users["grid_worker"], again, reason="记错了户")
    assert not Visit.objects.exists()
    _assert_coverage_is_exact()


@pytest.mark.parametrize(
    "values, field, message",
    [
        ({"period": "2026-13", "visited_on": date(2026, 11, 2)}, "period", "2026-11 这样的格式"),
        ({"period": NOV, "visited_on": date(2026, 10, 31)}, "visited_on", "不在 2026年11月 之内"),
        ({"period": NOV, "visited_on": date(2026, 11, 25)}, "visited_on", "不能晚于今天"),
        (
            {"period": NOV, "visited_on": date(2026, 11, 2), "changes": ["weather"]},
            "changes",
            "「五个变化」没有这些选项：weather",
        ),
    ],
)
def test_bad_visits_are_refused_with_the_field_named(world, values, field, message):
    with pytest.raises(ValidationError) as caught:
        services.record_visit(world.users["grid_worker"], world.a.household, **values)
    assert message in " ".join(caught.value.message_dict[field])
    assert not Visit.objects.exists() and not VisitCoverage.objects.exclude(visited=0).exists()


def test_the_page_shows_errors_on_the_form(world, client_for):
    client = client_for(world.users["grid_worker"])
    response = client.post(
        f"/monitoring/households/{world.a.household.pk}/visit/",
        {"period": NOV, "visited_on": "2026-12-01"},
    )
    assert response.status_code == 200
    assert "不在 2026年11月 之内" in response.content.decode()


def test_roles_and_scope(world, client_for):
    # A building head may not visit; town B's household is out of town A's reach.
    with pytest.raises(Exception) as caught:
        services.record_visit(
            world.users["building_head"],
            world.a.household,
            period=NOV,
            visited_on=date(2026, 11, 2),
        )
    assert "无权修改「" in str(caught.value)
    client = client_for(world.users["grid_worker"])
    assert client.get(f"/monitoring/households/{world.b.household.pk}/visit/").status_code == 404
    api = client.post(
        "/api/visits/",
        {"household": world.b.household.pk, "period": NOV, "visited_on": "2026-11-02"},
        content_type="application/json",
    )
    assert api.status_code == 400 and not Visit.objects.exists()


def test_api_records_and_lists_visits(world, client_for):
    client = client_for(world.users["grid_worker"])
    created = client.post(
        "/api/visits/",
        {
            "household": world.a.household.pk,
            "period": NOV,
            "visited_on": "2026-11-05",
            "needs_unmet": ["water", "food"],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["needs_unmet"] == ["food", "water"]
    bad = client.post(
        "/api/visits/",
        {"household": world.a.household.pk, "period": NOV, "visited_on": "2026-12-05"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "visited_on" in bad.json()
    listed = client.get(f"/api/visits/?period={NOV}").json()
    assert listed["count"] == 1 and listed["results"][0]["household_number"] == "甲001"


def test_visit_ledger_exports(world, client_for):
    services.record_visit(
        None,
        world.a.household,
        period=NOV,
        visited_on=date(2026, 11, 5),
        visitor_name="帮扶干部",
        changes=["health"],
    )
    client = client_for(world.users["town_staff"])
    response = client.get(f"/monitoring/visits/?period={NOV}&export=xlsx")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    assert rows[0][:5] == ("回访月份", "户编号", "安置点", "回访日期", "回访人")
    assert rows[1][:2] == (NOV, "甲001") and rows[1][5] == "身体状况"


def test_coverage_follows_a_grid_moved_to_another_site(world):
    a, b = world.a, world.b
    services.record_visit(
        None, a.household, period=NOV, visited_on=date(2026, 11, 5), visitor_name="网格员"
    )
    services.record_visit(
        None, a.household, period="2026-10", visited_on=date(2026, 10, 5), visitor_name="网格员"
    )
    org_services.update_node(None, a.grid, site=b.site)
    visit = Visit.objects.get(period=NOV)
    assert visit.path.startswith(b.site.path)
    assert selectors.coverage_of(world.users["whole_county"], b.unit, NOV)["visited"] == 1
    _assert_coverage_is_exact()


def test_unvisited_list_runs_a_fixed_number_of_queries(world, client_for):
    client = client_for(world.users["town_staff"])
    client.get("/monitoring/unvisited/")
    with CaptureQueriesContext(connection) as few:
        client.get("/monitoring/unvisited/")
    for n in range(6):
        registry_services.create_household(
            None, number=f"甲1{n:02d}", category="lifted", site=world.a.site
        )
    with CaptureQueriesContext(connection) as more:
        client.get("/monitoring/unvisited/")
    assert len(more.captured_queries) == len(few.captured_queries)


def test_a_visit_that_finds_hardship_raises_one_lead(world, client_for):
    from anju.monitoring.models import Lead

    worker = world.users["grid_worker"]
    services.record_visit(worker, world.a.household, period="2026-10", visited_on=date(2026, 10, 5))
    assert not Lead.objects.exists()  # nothing found, nothing to check
    visit = services.record_visit(
        worker,
        world.a.household,
        period=NOV,
        visited_on=date(2026, 11, 5),
        situations=["hardship"],
        needs_unmet=["water"],
        note="水管冻裂，家中断水",
    )
    lead = Lead.objects.get()
    assert (lead.source, lead.visit, lead.hardships) == ("visit", visit, ["water"])
    assert lead.description == "水管冻裂，家中断水" and lead.path == visit.path
    # Corrected: the same lead follows; no second one.
    services.record_visit(
        worker,
        world.a.household,
        period=NOV,
        visited_on=date(2026, 11, 6),
        situations=["hardship"],
        needs_unmet=["medical", "water"],
        note="户主住院",
    )
    lead.refresh_from_db()
    assert Lead.objects.count() == 1 and lead.hardships == ["illness", "water"]
    listing = client_for(world.users["town_staff"]).get("/monitoring/leads/").content.decode()
    assert "干部入户排查" in listing and "户主住院" in listing


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def test_photos_taken_on_a_visit(world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    household = world.a.household
    client = client_for(world.users["grid_worker"])
    url = f"/monitoring/households/{household.pk}/visit/?period={NOV}"
    bad = client.post(
        url,
        {
            "period": NOV,
            "visited_on": "2026-11-02",
            "photos": [SimpleUploadedFile("病历.pdf", b"%PDF-1.4 not a photo")],
        },
    )
    assert bad.status_code == 200 and "不是照片" in bad.content.decode()
    assert not household.visits.exists()  # nothing half-written
    done = client.post(
        url,
        {
            "period": NOV,
            "visited_on": "2026-11-02",
            "note": "水管破损",
            "photos": [
                SimpleUploadedFile("水管.jpg", JPEG, content_type="image/jpeg"),
                SimpleUploadedFile("门口.jpg", JPEG, content_type="image/jpeg"),
            ],
        },
    )
    assert done.status_code == 302
    visit = household.visits.get()
    assert visit.photos.count() == 2
    page = client.get(f"/monitoring/visits/{visit.pk}/").content.decode()
    assert "回访照片 1" in page and "回访照片 2" in page
    photo = visit.photos.first()
    response = client.get(f"/monitoring/visit-photos/{photo.pk}/")
    assert response["Content-Type"] == "image/jpeg" and b"".join(response.streaming_content) == JPEG
    assert client.get("/api/visits/").json()["results"][0]["photos"] == [
        f"/monitoring/visit-photos/{p.pk}/" for p in visit.photos.all()
    ]
    other = client_for(world.users["b_town_staff"])
    assert other.get(f"/monitoring/visit-photos/{photo.pk}/").status_code == 404
    # At most six a visit.
    client = client_for(world.users["grid_worker"])
    too_many = client.post(
        url,
        {
            "period": NOV,
            "visited_on": "2026-11-02",
            "photos": [SimpleUploadedFile(f"{n}.jpg", JPEG) for n in range(5)],
        },
    )
    assert "最多 6 张" in too_many.content.decode() and visit.photos.count() == 2
