"""帮扶车间 and 公益岗位 as the seeds ask them:

- 《关于做好易地扶贫搬迁后续扶持工作巩固拓展脱贫攻坚成果的行动方案》三（二）: 脱贫人口 800 人以下的安置点配套建设
  车间工坊, 至少 50% 的就业岗位优先用于搬迁劳动力;
- 《石城县2022年强化易地扶贫搬迁后续扶持工作的实施方案》第15条 (生态护林、保洁保安、村务管理、乡村水管、社区管理、
  宣传员、信息员等公益岗位) and 责任清单第17项 (帮扶车间每季度进行一次监测);
- 《榕江县易地扶贫搬迁培训和就业服务体系建设工作方案》: 保洁员、保安员等非全日制公益性岗位 180 个.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.core.exceptions import ValidationError

from anju.employment import selectors, services
from anju.employment.models import EmploymentRecord, Workshop, WorkshopQuarter
from anju.policies import services as policies
from anju.registry import services as registry_services
from anju.registry.tests.sheets import make_id


@pytest.fixture(autouse=True)
def november():
    with time_machine.travel("2026-11-20 10:00 +08:00", tick=False):
        yield


def _set(unit, key, value):
    return policies.set_value(None, key=key, unit=unit, valid_from=date(2021, 1, 1), value=value)


@pytest.fixture
def county(world):
    # The figures of the 行动方案 三（二）, set for the test county as a county would set them.
    _set(world.county, "employment.workshop_site_lifted_persons", 800)
    _set(world.county, "employment.workshop_local_share", "50")
    return world


def _workshop(world, town=None, name="甲镇扶贫车间", **more):
    town = town or world.a
    values = {"kind": "workshop", "jobs": 30, "opened_on": date(2026, 1, 1), **more}
    return services.create_workshop(None, name=name, sites=[town.site], **values)


def _head(town):
    return town.household.members.get(relation="户主")


# -- the share of relocated workers ----------------------------------------------------------


def test_share_below_fifty_percent_is_flagged_and_explained(county, client_for):
    staff = county.users["dept_hrss"]
    low = services.create_workshop(
        staff, name="甲镇服装车间", sites=[county.a.site], jobs=30, opened_on=date(2026, 1, 1)
    )
    even = services.create_workshop(
        staff, name="甲镇竹编车间", sites=[county.a.site], jobs=24, opened_on=date(2026, 1, 1)
    )
    services.record_quarter(
        staff, low, period="2026-Q4", total_workers=30, relocated_workers=12, wages_paid="90000"
    )
    # Exactly 50% meets “至少 50%”.
    services.record_quarter(
        staff, even, period="2026-Q4", total_workers=24, relocated_workers=12, wages_paid="72000.50"
    )
    flagged = list(selectors.share_below(staff))
    assert [q.workshop.name for q in flagged] == ["甲镇服装车间"]
    page = client_for(staff).get("/employment/workshops/checks/share/").content.decode()
    assert "搬迁劳动力 12 人（据季度填报）/ 用工 30 人 = 40%，低于 50%" in page
    assert "甲镇竹编车间" not in page
    assert WorkshopQuarter.objects.get(workshop=even).wages_paid == Decimal("72000.50")


def test_relocated_workers_are_counted_from_the_records(county):
    staff = county.users["dept_hrss"]
    workshop = services.create_workshop(
        staff, name="甲镇扶贫车间", sites=[county.a.site], jobs=2, opened_on=date(2026, 1, 1)
    )
    services.record_job(
        staff, _head(county.a), kind="workshop", workshop=workshop, started_on=date(2026, 10, 8)
    )
    # The workshop reported none of its 3 workers as relocated; the records know one.
    services.record_quarter(
        staff, workshop, period="2026-Q4", total_workers=3, relocated_workers=0, wages_paid=0
    )
    row = selectors.share_below(staff).get()
    assert (row.counted, row.relocated) == (1, 1)
    from anju.employment.ledgers import share_text

    assert share_text(row) == "搬迁劳动力 1 人（据就业记录）/ 用工 3 人 = 33.3%，低于 50%"
    listed = selectors.workshops(staff).get()
    assert listed.on_record == 1 and listed.last_total == 3
    # A worker of a workshop is a job like any other: the household rule counts it.
    assert selectors.households(staff).get().employed == 1


def test_share_check_without_the_parameter_says_so(world, client_for):
    page = client_for(world.users["dept_hrss"]).get("/employment/workshops/checks/share/")
    assert "未设定政策参数“帮扶车间吸纳搬迁劳动力最低比例”" in page.content.decode()


# -- sites under 800 lifted persons ----------------------------------------------------------


def test_a_site_under_800_without_a_workshop_is_listed_and_one_with_a_workshop_not(
    county, client_for
):
    staff = county.users["whole_county"]
    rows = {s.name: s.lifted for s in selectors.sites_without_workshop(staff)}
    # Each town's site has one lifted household of 2 persons (conftest).
    assert rows == {"甲安置点": 2, "乙安置点": 2}
    # A town that sets the limit at 2 asks nothing of its site of 2 lifted persons.
    town = county.users["town_staff"]
    assert [s.name for s in selectors.sites_without_workshop(town)] == ["甲安置点"]
    _set(county.a.unit, "employment.workshop_site_lifted_persons", 2)
    assert not selectors.sites_without_workshop(town).exists()
    _workshop(county, town=county.a)
    rows = {s.name for s in selectors.sites_without_workshop(staff)}
    assert rows == {"乙安置点"}
    page = client_for(staff).get("/employment/workshops/checks/sites/").content.decode()
    assert "脱贫人口 2 人，少于 800 人，20 分钟生活圈内无帮扶车间" in page
    assert "甲安置点" not in page


def test_a_workshop_not_yet_open_does_not_serve_the_site(county):
    _workshop(county, opened_on=date(2026, 11, 20))
    staff = county.users["whole_county"]
    assert {s.name for s in selectors.sites_without_workshop(staff, on=date(2026, 11, 1))} == {
        "甲安置点",
        "乙安置点",
    }


# -- quarterly monitoring --------------------------------------------------------------------


def test_workshops_without_this_quarters_record(county, client_for):
    staff = county.users["dept_hrss"]
    done = _workshop(county, name="甲镇已填报车间")
    _workshop(county, name="甲镇未填报车间")
    services.record_quarter(
        staff, done, period="2026年第四季度", total_workers=10, relocated_workers=6, wages_paid=0
    )
    page = client_for(staff).get("/employment/workshops/checks/quarter/").content.decode()
    assert "甲镇未填报车间" in page and "甲镇已填报车间" not in page
    assert "2026年第四季度" in page and "2026-12-01 前" in page
    earlier = client_for(staff).get("/employment/workshops/checks/quarter/?period=2026-Q3")
    assert "甲镇已填报车间" in earlier.content.decode()


def test_a_quarter_is_recorded_once_with_clear_messages(county, client_for):
    staff = county.users["dept_hrss"]
    workshop = _workshop(county)
    services.record_quarter(
        staff, workshop, period="2026-Q4", total_workers=30, relocated_workers=20, wages_paid=1
    )
    with pytest.raises(ValidationError) as twice:
        services.record_quarter(
            staff, workshop, period="2026Q4", total_workers=31, relocated_workers=20, wages_paid=1
        )
    assert twice.value.message_dict == {
        "period": ["「甲镇扶贫车间」2026年第四季度已填报监测记录。"]
    }
    for bad, field, text in [
        ({"period": "2026-Q5"}, "period", "季度应写作 2026-Q4"),
        ({"period": "2027-Q1"}, "period", "尚未开始"),
        ({"period": "2025-Q4"}, "period", "尚未开办"),
        ({"relocated_workers": 31}, "relocated_workers", "多于用工人数 30 人"),
        ({"wages_paid": "很多"}, "wages_paid", "金额"),
    ]:
        values = {
            "period": "2026-Q3",
            "total_workers": 30,
            "relocated_workers": 12,
            "wages_paid": "100",
            **bad,
        }
        with pytest.raises(ValidationError) as error:
            services.record_quarter(staff, workshop, **values)
        assert text in " ".join(error.value.message_dict[field]), bad
    assert WorkshopQuarter.objects.count() == 1
    # Through the page: the form shows the service's message, nothing is written.
    client = client_for(staff)
    response = client.post(
        f"/employment/workshops/{workshop.pk}/quarter/",
        {"period": "2026-Q4", "total_workers": 5, "relocated_workers": 3, "wages_paid": "0"},
    )
    assert "已填报监测记录" in response.content.decode()
    ok = client.post(
        f"/employment/workshops/{workshop.pk}/quarter/",
        {"period": "2026-Q3", "total_workers": 5, "relocated_workers": 3, "wages_paid": "1.5"},
    )
    assert ok.status_code == 302 and WorkshopQuarter.objects.count() == 2


# -- jobs in workshops: bad input --------------------------------------------------------------


def test_a_workshop_job_names_a_workshop_of_the_persons_county_in_scope(county):
    staff = county.users["dept_hrss"]
    head = _head(county.a)
    with pytest.raises(ValidationError) as missing:
        services.record_job(staff, head, kind="workshop", started_on=date(2026, 10, 1))
    assert missing.value.message_dict == {"workshop": ["帮扶车间就业须选择所在的帮扶车间。"]}
    theirs = _workshop(county, town=county.b, name="乙镇扶贫车间")
    with pytest.raises(ValidationError) as outside:
        services.record_job(
            staff, head, kind="workshop", workshop=theirs, started_on=date(2026, 10, 1)
        )
    assert "不在此人所在县或不在您的管辖范围内" in outside.value.message_dict["workshop"][0]
    ours = _workshop(county)
    with pytest.raises(ValidationError) as wrong_kind:
        services.record_job(
            staff, head, kind="in_county", workshop=ours, started_on=date(2026, 10, 1)
        )
    assert "workshop" in wrong_kind.value.message_dict
    with pytest.raises(ValidationError) as before_opening:
        services.record_job(
            staff, head, kind="workshop", workshop=ours, started_on=date(2025, 12, 1)
        )
    assert "开办日期 2026-01-01" in before_opening.value.message_dict["started_on"][0]
    assert not EmploymentRecord.objects.exists()


def test_a_workshop_in_another_county_is_refused_even_to_the_system(county):
    from anju.orgs import services as org_services

    other = org_services.create_admin_unit(
        None, parent=county.county.parent_node(), name="绥德县", level="county", code="610826"
    )
    far = services.create_workshop(
        None, name="绥德车间", jobs=5, opened_on=date(2026, 1, 1), sites=[]
    )
    far.path = other.path
    far.save(update_fields=["path"])
    with pytest.raises(ValidationError):
        services.record_job(
            None, _head(county.a), kind="workshop", workshop=far, started_on=date(2026, 10, 1)
        )


def test_a_workshop_outside_the_actors_scope_cannot_be_registered(county):
    with pytest.raises(ValidationError) as error:
        services.create_workshop(
            county.users["dept_hrss"],
            name="越界车间",
            sites=[county.b.site],
            jobs=5,
            opened_on=date(2026, 1, 1),
        )
    assert error.value.message_dict == {"sites": ["安置点「乙安置点」不在您的管辖范围内。"]}
    assert not Workshop.objects.exists()


def test_a_workshop_is_kept_where_its_sites_meet(county):
    one = _workshop(county)
    assert one.path == county.a.site.path
    both = services.create_workshop(
        None,
        name="县就业帮扶基地",
        kind="base",
        sites=[county.a.site, county.b.site],
        jobs=200,
        opened_on=date(2019, 6, 1),
    )
    assert both.path == county.county.path
    # A town's staff see their site's workshop and the county's base, never town 乙's.
    _workshop(county, town=county.b, name="乙镇扶贫车间")
    names = {w.name for w in selectors.workshops(county.users["town_staff"])}
    assert names == {"甲镇扶贫车间", "县就业帮扶基地"}


def test_workshop_pages_and_api(county, client_for):
    staff = county.users["dept_hrss"]
    client = client_for(staff)
    created = client.post(
        "/employment/workshops/new/",
        {
            "name": "甲镇扶贫车间",
            "kind": "workshop",
            "sites": [county.a.site.pk],
            "jobs": "30",
            "opened_on": "2026-03-01",
            "home_based": "on",
        },
    )
    assert created.status_code == 302, created.content.decode()
    workshop = Workshop.objects.get()
    assert workshop.home_based and list(workshop.sites.all()) == [county.a.site]
    page = client.get(f"/employment/workshops/{workshop.pk}/").content.decode()
    assert "甲安置点" in page and "填报季度监测" in page
    job = client.post(
        "/api/employment/records/",
        {
            "person": _head(county.a).pk,
            "kind": "workshop",
            "workshop": workshop.pk,
            "started_on": "2026-04-01",
        },
        content_type="application/json",
    )
    assert job.status_code == 201, job.content.decode()
    quarter = client.post(
        "/api/employment/workshop-quarters/",
        {
            "workshop": workshop.pk,
            "period": "2026-Q4",
            "total_workers": 4,
            "relocated_workers": 2,
            "wages_paid": "36000.00",
        },
        content_type="application/json",
    )
    assert quarter.status_code == 201, quarter.content.decode()
    assert quarter.json()["counted"] == 1
    again = client.post(
        "/api/employment/workshop-quarters/",
        {
            "workshop": workshop.pk,
            "period": "2026-Q4",
            "total_workers": 4,
            "relocated_workers": 2,
            "wages_paid": "1",
        },
        content_type="application/json",
    )
    assert again.status_code == 400 and "已填报监测记录" in again.json()["period"][0]
    ledger = client.get("/api/employment/workshop-ledger/").json()["results"]
    assert ledger[0]["名称"] == "甲镇扶贫车间"
    assert ledger[0]["在岗搬迁劳动力（据就业记录）"] == 1
    assert "2026年第四季度：用工 4 人，其中搬迁劳动力 2 人" in ledger[0]["最近一次季度监测"]
    export = client.get("/employment/workshops/?export=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "名称" and rows[1][0] == "甲镇扶贫车间"
    # The workshop reported 2 relocated of 4; the records know 1, and the records count.
    checks = client.get("/api/employment/workshop-checks/?check=share").json()["results"]
    assert [r["搬迁劳动力占比"] for r in checks] == [
        "搬迁劳动力 1 人（据就业记录）/ 用工 4 人 = 25%，低于 50%"
    ]


# -- public-welfare posts ----------------------------------------------------------------------


def test_public_post_types_follow_the_seed(county):
    staff = county.users["dept_hrss"]
    head = _head(county.a)
    with pytest.raises(ValidationError) as missing:
        services.record_job(staff, head, kind="public_post", started_on=date(2026, 3, 1))
    assert missing.value.message_dict == {"post_type": ["公益岗位须选择岗位类型。"]}
    with pytest.raises(ValidationError) as unknown:
        services.record_job(
            staff, head, kind="public_post", post_type="厨师", started_on=date(2026, 3, 1)
        )
    assert (
        "生态护林、保洁保安、村务管理、乡村水管、社区管理、宣传员、信息员"
        in (unknown.value.message_dict["post_type"][0])
    )
    with pytest.raises(ValidationError) as not_a_post:
        services.record_job(
            staff, head, kind="in_county", post_type="forest", started_on=date(2026, 3, 1)
        )
    assert "post_type" in not_a_post.value.message_dict
    # 榕江's 保洁员 is the seed's 保洁保安.
    record = services.record_job(
        staff,
        head,
        kind="public_post",
        post_type="保洁员",
        employer="甲社区",
        monthly_income="800",
        started_on=date(2026, 3, 15),
    )
    assert record.post_type == "cleaning_security"
    assert record.get_post_type_display() == "保洁保安"


def _holder(town, n, post_type, started_on, monthly, ended_on=None):
    household = registry_services.create_household(
        None, number=f"{town.unit.name[0]}3{n:02d}", category="lifted", site=town.site
    )
    person = registry_services.add_person(
        None,
        household,
        name=f"{town.unit.name[0]}岗{n}",
        id_number=make_id("19700101", 300 + n + (50 if town.unit.name == "乙镇" else 0)),
        relation="户主",
        labour_skill="弱劳动力或半劳动力",
    )
    record = services.record_job(
        None,
        person,
        kind="public_post",
        post_type=post_type,
        employer=f"{town.unit.name}社区",
        monthly_income=monthly,
        started_on=started_on,
    )
    if ended_on:
        services.end_job(None, record, ended_on=ended_on, reason="quit")
    return record


def test_public_post_ledger_months_and_pay(county, client_for):
    _holder(county.a, 1, "forest", date(2026, 3, 15), "800")  # Mar–Nov: 9 months
    _holder(county.a, 2, "保洁员", date(2025, 6, 1), "400", ended_on=date(2026, 2, 10))  # Jan–Feb
    _holder(county.a, 3, "保安员", date(2026, 1, 1), "1200.50")  # Jan–Nov: 11 months
    _holder(county.a, 4, "信息员", date(2024, 1, 1), "600", ended_on=date(2025, 12, 31))  # not 2026
    staff = county.users["dept_hrss"]
    rows = {r.person.name: r for r in selectors.public_posts(staff, 2026)}
    assert {n: (r.months_held, r.total_paid) for n, r in rows.items()} == {
        "甲岗1": (9, Decimal("7200.00")),
        "甲岗2": (2, Decimal("800.00")),
        "甲岗3": (11, Decimal("13205.50")),
    }
    by_type = {
        r["post_type"]: (r["holders"], r["months"], r["paid"])
        for r in selectors.public_posts_by_type(selectors.public_posts(staff, 2026))
    }
    assert by_type == {
        "forest": (1, 9, Decimal("7200.00")),
        "cleaning_security": (2, 13, Decimal("14005.50")),
    }
    client = client_for(staff)
    page = client.get("/employment/public-posts/").content.decode()
    assert "2026年公益岗位台账" in page and "14005.50" in page and "甲岗4" not in page
    last_year = client.get("/employment/public-posts/?year=2025").content.decode()
    assert "甲岗4" in last_year and "甲岗1" not in last_year
    api = client.get("/api/employment/public-posts/?post_type=forest").json()["results"]
    # Money goes out as the other ledgers' numbers do (JSON numbers); to the fen it is exact.
    assert [(r["姓名"], r["本年在岗月数"], Decimal(str(r["本年发放合计（元）"]))) for r in api] == [
        ("甲岗1", 9, Decimal("7200.00"))
    ]
    types = client.get("/api/employment/public-posts/?by=type").json()["results"]
    assert types[0]["岗位类型"] == "生态护林" and types[0]["在岗人数"] == 1
    assert (types[0]["在岗人月数"], Decimal(str(types[0]["发放合计（元）"]))) == (9, Decimal(7200))
    export = client.get("/employment/public-posts/?by=type&export=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == ("岗位类型", "在岗人数", "在岗人月数", "发放合计（元）")
    assert rows[2][:3] == ("保洁保安", 2, 13)


def test_workshop_and_post_lists_page_with_a_fixed_number_of_queries(
    county, client_for, django_assert_max_num_queries
):
    workshop = _workshop(county)
    for n in range(12):
        _holder(county.a, n, "forest", date(2026, 1, 1), "800")
        extra = _workshop(county, name=f"甲镇车间{n}")
        services.record_quarter(
            None,
            extra,
            period="2026-Q4",
            total_workers=10,
            relocated_workers=n % 6,
            wages_paid=100,
        )
    services.record_quarter(
        None, workshop, period="2026-Q3", total_workers=10, relocated_workers=1, wages_paid=1
    )
    client = client_for(county.users["whole_county"])
    for url in (
        "/employment/workshops/",
        "/employment/workshops/checks/share/",
        "/employment/workshops/checks/sites/",
        "/employment/workshops/checks/quarter/",
        "/employment/public-posts/",
        "/api/employment/workshop-ledger/",
        "/api/employment/public-posts/",
        f"/employment/workshops/{workshop.pk}/",
    ):
        client.get(url)
        with django_assert_max_num_queries(16):
            assert client.get(url).status_code == 200, url
