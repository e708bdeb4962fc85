"""培训档案: courses and who attended them, the filing rule of 王益区《关于加强易地扶贫搬迁贫困劳动力
就业服务的实施方案》三（一）（培训机构开班前10个工作日将培训方案报人力资源和社会保障部门备案）on the
Chinese working-day calendar, work found after a course, and the sites without a training in a
year (《石城县2022年强化易地扶贫搬迁后续扶持工作的实施方案》第11条: 所有安置点年内至少组织开展1次技能培训)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.core.exceptions import ValidationError

from anju.audit.models import AuditLog
from anju.employment import services
from anju.employment.models import Course, Enrolment
from anju.orgs import services as org_services
from anju.policies import services as policy_services

SOURCE = "王益区《关于加强易地扶贫搬迁贫困劳动力就业服务的实施方案》三（一）"


@pytest.fixture(autouse=True)
def winter():
    with time_machine.travel("2025-01-10 10:00 +08:00", tick=False):
        yield


@pytest.fixture
def rule(world):
    """The county files 10 working days ahead, as 王益区 does."""
    return policy_services.set_value(
        None,
        key="employment.training_filing_workdays",
        unit=world.county,
        valid_from=date(2019, 1, 1),
        value="10",
        source=SOURCE,
    )


def _form(site, **over) -> dict:
    data = {
        "kind": "order",
        "title": "电子装配订单式培训",
        "provider": "清涧县职业技术培训学校",
        "site": site.pk,
        "starts_on": "2024-10-09",
        "ends_on": "2024-10-18",
        "planned_count": "30",
        "filed_on": "2024-09-27",
        "allowance_class": "50",
    }
    data.update(over)
    return data


def test_a_filing_across_national_day_is_late(world, rule, client_for):
    """Filed on Friday 2024-09-27 for a course starting 2024-10-09: 12 calendar days ahead, but
    国庆 (10-01 to 10-07) is no working day and Saturday 09-28 is a weekend, while Sunday 09-29 is
    a 调休 working day: only 09-27, 09-29, 09-30 and 10-08 count — 4 working days, not 10."""
    client = client_for(world.users["dept_hrss"])
    response = client.post("/employment/training/new/", _form(world.a.site))
    assert response.status_code == 302
    course = Course.objects.get()
    assert (course.workdays_ahead, course.workdays_required, course.filing_late) == (4, 10, True)
    said = "备案日 2024-09-27，开课 2024-10-09，只提前 4 个工作日，应至少提前 10 个工作日"
    assert course.filing_note == said
    page = client.get("/employment/training/?late=true").content.decode()
    assert said in page and "电子装配订单式培训" in page
    assert (
        "电子装配订单式培训" not in client.get("/employment/training/?late=false").content.decode()
    )
    export = client.get("/employment/training/?export=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][-1] == "备案情况" and rows[1][-1] == said
    api = client.get("/api/employment/courses/").json()["results"][0]
    assert api["filing_late"] is True and api["filing_note"] == said
    assert AuditLog.objects.filter(object_type="employment.course", action="create").exists()


def test_an_adjusted_working_saturday_counts(world, rule):
    """Saturday 2024-10-12 was a 调休 working day after 国庆: filed that day for a course on
    Friday 2024-10-25, the filing is exactly 10 working days ahead (10-12, 10-14…10-18,
    10-21…10-24). Filed on Sunday 10-13, a rest day, it is 9 and late."""
    on_saturday = services.save_course(
        world.users["dept_hrss"],
        site=world.a.site,
        kind="work_training",
        title="缝纫以工代训",
        provider="园区服装厂",
        starts_on=date(2024, 10, 25),
        ends_on=date(2024, 11, 22),
        planned_count=20,
        filed_on=date(2024, 10, 12),
    )
    assert (on_saturday.workdays_ahead, on_saturday.filing_late) == (10, False)
    assert on_saturday.filing_note == "提前 10 个工作日备案"
    on_sunday = services.save_course(
        world.users["dept_hrss"],
        on_saturday,
        site=world.a.site,
        kind="work_training",
        title="缝纫以工代训",
        provider="园区服装厂",
        starts_on=date(2024, 10, 25),
        ends_on=date(2024, 11, 22),
        planned_count=20,
        filed_on=date(2024, 10, 13),
    )
    assert (on_sunday.workdays_ahead, on_sunday.filing_late) == (9, True)
    assert AuditLog.objects.filter(object_type="employment.course", action="update").exists()


def test_without_a_rule_nothing_is_flagged_and_the_page_says_so(world):
    course = services.save_course(
        None,
        site=world.a.site,
        kind="farming",
        title="苹果栽培实用技术",
        provider="区农技中心",
        starts_on=date(2024, 10, 9),
        ends_on=date(2024, 10, 11),
        planned_count=40,
        filed_on=date(2024, 9, 27),
    )
    assert course.filing_late is False and course.workdays_required is None
    assert course.filing_note == "提前 4 个工作日备案（本地未设定备案时限）"


def test_bad_courses_are_refused_field_by_field(world, rule, client_for):
    client = client_for(world.users["dept_hrss"])
    page = client.post("/employment/training/new/", _form(world.a.site, title="")).content.decode()
    assert "该字段是必填项" in page
    page = client.post(
        "/employment/training/new/",
        _form(world.a.site, ends_on="2024-10-01", filed_on="2025-02-01"),
    ).content.decode()
    assert "结业日期早于开班日期 2024-10-09" in page and "备案日期不能晚于今天" in page
    with pytest.raises(ValidationError) as caught:
        services.save_course(
            None,
            site=world.a.site,
            kind="order",
            title="电工",
            provider="职校",
            starts_on=date(2024, 10, 9),
            ends_on=date(2024, 10, 1),
            planned_count=0,
            filed_on=date(2025, 2, 1),
            allowance_class="30",
        )
    errors = caught.value.message_dict
    assert errors["ends_on"] == ["结业日期早于开班日期 2024-10-09。"]
    assert errors["planned_count"] == ["计划培训人数至少 1 人。"]
    assert errors["filed_on"] == ["备案日期不能晚于今天。"]
    assert "20 元、50 元" in errors["allowance_class"][0]
    assert not Course.objects.exists()
    # Town 甲's staff cannot register a course at town 乙's site.
    other = client.post("/employment/training/new/", _form(world.b.site))
    assert other.status_code == 200 and not Course.objects.exists()


def _course(world, site=None, **over):
    values = {
        "kind": "order",
        "title": "电子装配订单式培训",
        "provider": "清涧县职业技术培训学校",
        "starts_on": date(2024, 10, 9),
        "ends_on": date(2024, 10, 18),
        "planned_count": 30,
        "filed_on": date(2024, 9, 20),
        "allowance_class": "50",
    }
    values.update(over)
    return services.save_course(None, site=site or world.a.site, **values)


def test_enrolment_attendance_and_work_after_the_course(world, client_for):
    course = _course(world)
    head = world.a.household.members.get(relation="户主")
    client = client_for(world.users["dept_hrss"])
    # Attended more days than the course lasted (10 days): refused, nothing written.
    too_many = client.post(
        f"/employment/training/{course.pk}/enrol/",
        {"id_number": head.id_number, "attended_days": "11", "completed": "on"},
    )
    assert "超过培训班的 10 天" in too_many.content.decode()
    assert not Enrolment.objects.exists()
    b_head = world.b.household.members.get(relation="户主")
    outsider = client.post(
        f"/employment/training/{course.pk}/enrol/",
        {"id_number": b_head.id_number, "attended_days": "3"},
    )
    assert "管辖范围内的搬迁人口中没有这个身份证号" in outsider.content.decode()
    ok = client.post(
        f"/employment/training/{course.pk}/enrol/",
        {"id_number": head.id_number, "attended_days": "8", "completed": "on"},
    )
    assert ok.status_code == 302
    enrolment = Enrolment.objects.get()
    assert (enrolment.attended_days, enrolment.completed) == (8, True)

    # A job held before the course ended is not work found after it.
    job = services.record_job(
        None, head, kind="farming", employer="自家果园", started_on=date(2024, 3, 1)
    )
    services.end_job(None, job, ended_on=date(2024, 10, 8), reason="changed", scan=False)
    row = client.get("/api/employment/trainees/").json()["results"][0]
    assert row["培训后就业"] == "未就业"
    assert Decimal(str(row["生活交通费补贴（元）"])) == Decimal("400")  # 8 days × 50 元
    services.record_job(
        None, head, kind="in_county", employer="园区电子厂", started_on=date(2024, 10, 21)
    )
    row = client.get("/api/employment/trainees/?employed=true").json()["results"][0]
    assert row["姓名"] == "甲户主" and row["培训后就业"] == "县内就业（2024-10-21 起）"
    assert row["培训时间"] == "2024-10-09至2024-10-18" and row["结业"] == "是"
    course_row = client.get(f"/api/employment/courses/{course.pk}/").json()
    assert (course_row["enrolled"], course_row["completed_count"]) == (1, 1)
    assert course_row["employed_after"] == 1
    detail = client.get(course.get_absolute_url()).content.decode()
    assert "甲户主" in detail and "县内就业（2024-10-21 起）" in detail
    # Enrolling again corrects the attendance instead of a second row.
    services.save_enrolment(None, course, head, attended_days=10, completed=True)
    assert Enrolment.objects.get().attended_days == 10
    assert Decimal(course.allowance_daily) == Decimal("50")


def test_sites_without_a_training_in_the_year(world, client_for, django_assert_max_num_queries):
    _course(world, starts_on=date(2024, 10, 9))
    county = client_for(world.users["whole_county"])
    body = county.get("/employment/training/sites/?year=2024").content.decode()
    assert "乙安置点" in body and "甲安置点" not in body
    later = county.get("/api/employment/untrained-sites/?year=2025").json()["results"]
    assert {r["安置点"]: r["此前最近一次培训开班"] for r in later} == {
        "甲安置点": "2024-10-09",
        "乙安置点": "从未开展",
    }
    assert county.get("/api/employment/untrained-sites/?year=abc").status_code == 400
    # One query for the sites whatever their number.
    for n in range(6):
        org_services.create_site(None, admin_unit=world.a.community, name=f"新建安置点{n}")
    with django_assert_max_num_queries(12):
        page = county.get("/employment/training/sites/?year=2024")
    assert page.content.decode().count("新建安置点") == 6
    town = client_for(world.users["town_staff"])
    assert "乙安置点" not in town.get("/employment/training/sites/?year=2024").content.decode()


def test_training_lists_run_a_fixed_number_of_queries(
    world, client_for, django_assert_max_num_queries
):
    head = world.a.household.members.get(relation="户主")
    for n in range(8):
        course = _course(world, title=f"培训班{n}")
        services.save_enrolment(None, course, head, attended_days=3)
    client = client_for(world.users["dept_hrss"])
    for url in (
        "/employment/training/",
        "/employment/training/people/",
        "/api/employment/courses/",
        "/api/employment/trainees/",
        "/api/employment/enrolments/",
    ):
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200, url


def test_the_filing_rule_is_a_preset_of_wangyi(db):
    from anju.policies.presets import PRESETS

    found = [p for p in PRESETS if p[1] == "employment.training_filing_workdays"]
    assert [(p[0], p[2]) for p in found] == [("610202", "10")]
    assert "开班前 10 个工作日" in found[0][5] and "王益区" in found[0][5]
