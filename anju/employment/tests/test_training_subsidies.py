"""The two training causes of the subsidy catalogue, over course enrolments:

- 以工代训职业培训补贴 (《榕江县易地扶贫搬迁培训和就业服务体系建设工作方案》第12条): “按照原则上不超过
  每人每月500元给予生产经营主体一定期限的职业培训补贴，一般不超过3个月”;
- 培训期间生活补助: 榕江 “培训期间每天 40 元的生活补助” for 脱产培训; 王益区《关于加强易地扶贫搬迁
  贫困劳动力就业服务的实施方案》三（一）“按照课时分类给予每人每天20元或50元生活交通费补贴”.

Each is paid once per person and course: a second course earns it again."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from anju.employment import selectors, services, subsidies
from anju.employment.models import Enrolment, SubsidyPayment
from anju.policies import services as policies

from .test_subsidies import worker

RONGJIANG = "《榕江县易地扶贫搬迁培训和就业服务体系建设工作方案》第12条"
WANGYI = "王益区《关于加强易地扶贫搬迁贫困劳动力就业服务的实施方案》三（一）"


@pytest.fixture(autouse=True)
def november():
    with time_machine.travel("2026-11-20 10:00 +08:00", tick=False):
        yield


@pytest.fixture
def county(world):
    """The county pays 榕江's figures: 以工代训 500 元/月, 脱产培训 40 元/天."""
    for key, value in (
        ("employment.onjob_training_monthly_cap", "500"),
        ("employment.training_living_allowance_daily", "40"),
    ):
        policies.set_value(
            None,
            key=key,
            unit=world.county,
            valid_from=date(2019, 1, 1),
            value=value,
            source=RONGJIANG,
        )
    return world


def course(world, town="a", *, kind="order", starts, ends, allowance="", title=None):
    place = getattr(world, town)
    return services.save_course(
        None,
        site=place.site,
        kind=kind,
        title=title or f"{place.unit.name}刺绣培训（{starts}）",
        provider=f"{place.unit.name}民族服饰公司",
        starts_on=starts,
        ends_on=ends,
        planned_count=30,
        filed_on=date(2025, 1, 1),
        allowance_class=allowance,
    )


def enrol(c, person, days, completed=False):
    return services.save_enrolment(None, c, person, attended_days=days, completed=completed)


def findings(person, code, user=None, on=None):
    from anju.accounts.models import User

    user = user or User.objects.get(username="a_dept_hrss")
    return [f for f in selectors.subsidy_findings(user, person, on) if f.cause.code == code]


# Twelve days, 2026-10-12 to 2026-10-23.
OCT = {"starts": date(2026, 10, 12), "ends": date(2026, 10, 23)}


def test_living_allowance_condition_by_condition(county):
    c = course(county, **OCT)
    met = worker(county, "甲学员一")
    enrol(c, met, 10)  # not finished: the allowance is per day attended
    (f,) = findings(met, "training_living")
    assert f.explanation == (
        "培训类型：订单式培训（须为脱产培训，以工代训另有补贴） ✓；"
        "培训班 2026-10-12 至 2026-10-23，已结束 ✓；出勤 10 天（需至少 1 天） ✓"
    )
    assert f.eligible and f.amount == Decimal("400.00")
    assert f.amount_text == (
        "400.00 元（当地标准：40.00 元/天 × 10 天 = 400.00 元；清涧县培训期间生活（交通）补贴 40.00 元）"
    )
    absent = worker(county, "甲学员二")
    enrol(c, absent, 0)
    (f,) = findings(absent, "training_living")
    assert "出勤 0 天（需至少 1 天） ✗" in f.explanation and not f.eligible and f.amount is None
    running = course(county, starts=date(2026, 11, 16), ends=date(2026, 11, 27))
    early = worker(county, "甲学员三")
    enrol(running, early, 4)
    (f,) = findings(early, "training_living")
    assert "培训班 2026-11-16 至 2026-11-27，尚未结束（结束后核算） ✗" in f.explanation
    assert not f.eligible
    # On the job, not full-time: 以工代训 has its own subsidy.
    onjob = course(county, kind="work_training", **OCT)
    at_work = worker(county, "甲学员四")
    enrol(onjob, at_work, 10, completed=True)
    (f,) = findings(at_work, "training_living")
    assert "培训类型：以工代训（须为脱产培训，以工代训另有补贴） ✗" in f.explanation
    assert not f.eligible
    nobody = worker(county, "甲未参训")
    (f,) = findings(nobody, "training_living")
    assert f.explanation == "没有参训记录 ✗" and f.cause.policy == f"{RONGJIANG}；{WANGYI}"


def test_living_allowance_by_course_class_and_by_place(county):
    # 乙镇 follows 王益区: 20 or 50 元/天 by course class, the parameter its higher rate.
    policies.set_value(
        None,
        key="employment.training_living_allowance_daily",
        unit=county.b.unit,
        valid_from=date(2019, 1, 1),
        value="50",
        source=WANGYI,
    )
    leader = county.users["whole_county"]
    amounts = {}
    for town, allowance, days in (("b", "20", 5), ("b", "50", 5), ("a", "", 5), ("a", "50", 5)):
        c = course(county, town, allowance=allowance, title=f"{town}{allowance}班", **OCT)
        person = worker(county, f"学员{town}{allowance}", town=town)
        enrol(c, person, days)
        (f,) = findings(person, "training_living", leader)
        amounts[(town, allowance)] = (f.amount, f.amount_text)
    assert amounts[("b", "20")][0] == Decimal("100.00")
    assert "培训班按课时分类 20 元/天：20.00 元/天 × 5 天" in amounts[("b", "20")][1]
    assert amounts[("b", "50")][0] == Decimal("250.00")
    # 榕江's 40 元/天 for a course without class.
    assert amounts[("a", "")][0] == Decimal("200.00")
    # A class above the place's standard is paid the standard.
    assert amounts[("a", "50")][0] == Decimal("200.00")
    assert "培训班分类 50 元/天高于当地标准，按 40.00 元/天" in amounts[("a", "50")][1]


def test_onjob_training_months_capped_at_three(county):
    onjob = {"kind": "work_training"}
    cases = [
        # (first day, last day, finished) → months counted, amount
        (date(2026, 3, 1), date(2026, 5, 31), True, "以工代训 3 个月", Decimal("1500.00")),
        (
            date(2026, 1, 1),
            date(2026, 8, 31),
            True,
            "以工代训 8 个月，按 3 个月补贴",
            Decimal("1500.00"),
        ),
        (date(2026, 9, 1), date(2026, 10, 15), True, "以工代训 1 个月", Decimal("500.00")),
        (date(2026, 9, 10), date(2026, 10, 8), True, "以工代训 0 个月", None),
        (date(2026, 3, 1), date(2026, 5, 31), False, "未结业（须结业） ✗", None),
    ]
    for i, (starts, ends, done, said, amount) in enumerate(cases):
        c = course(county, starts=starts, ends=ends, title=f"以工代训{i}", **onjob)
        person = worker(county, f"甲徒工{i}")
        enrol(c, person, 20, completed=done)
        (f,) = findings(person, "onjob_training")
        assert said in f.explanation, (i, f.explanation)
        assert f.amount == amount, (i, f.amount_text)
        assert f.eligible is (amount is not None)
        if amount is not None:
            assert "500.00 元/月 ×" in f.amount_text
    (f,) = findings(person, "onjob_training")
    assert f.explanation.startswith("培训类型：以工代训（须为以工代训） ✓")
    # Paid to the business that trains on the job.
    payee = subsidies.CATALOGUE["onjob_training"].payee(f.record)
    assert payee == "甲镇民族服饰公司"
    # A full-time course is not 以工代训.
    classroom = worker(county, "甲学员")
    enrol(course(county, **OCT), classroom, 10, completed=True)
    (f,) = findings(classroom, "onjob_training")
    assert "培训类型：订单式培训（须为以工代训） ✗" in f.explanation


def test_once_per_person_and_course_a_second_course_paid(county, client_for):
    hrss = county.users["dept_hrss"]
    first = course(county, **OCT)
    one, two = worker(county, "甲学员一"), worker(county, "甲学员二")
    enrol(first, one, 10)
    enrol(first, two, 12, completed=True)
    batch = services.create_batch(hrss, county.a.unit, cause="training_living")
    rows = SubsidyPayment.objects.filter(batch=batch)
    assert {(p.person.name, p.amount) for p in rows} == {
        ("甲学员一", Decimal("400.00")),
        ("甲学员二", Decimal("480.00")),
    }
    assert all(p.enrolment.course == first and p.record is None for p in rows)
    assert rows.get(person=one).qualified_on == date(2026, 10, 23)
    with pytest.raises(ValidationError, match="没有符合培训期间生活补助条件且未发放的人员"):
        services.create_batch(hrss, county.a.unit, cause="training_living")
    with pytest.raises(ValidationError) as refused:
        services.add_payment(hrss, batch, one)
    assert refused.value.messages == [
        f"甲学员一 已列入批次 {batch.number}（草稿）领取培训班「{first.title}」的培训期间生活补助 "
        "400.00 元，同一人同一培训班同一补贴事由只发放一次。"
    ]
    (f,) = findings(one, "training_living")
    assert (
        f"已列入批次 {batch.number}（待发放，400.00 元），同一人同一培训班同一补贴事由只发放一次 ✗"
        in (f.explanation)
    )
    # Past the service, the database refuses the same course twice.
    with pytest.raises(IntegrityError), transaction.atomic():
        SubsidyPayment.objects.create(
            batch=batch,
            person=one,
            household=one.household,
            enrolment=Enrolment.objects.get(person=one),
            cause="training_living",
            amount=Decimal("400"),
            qualified_on=date(2026, 10, 23),
            payee="x",
            explanation="",
            path=one.path,
        )
    # A second course is another allowance: added to the draft, then listed in a new batch.
    second = course(county, starts=date(2026, 11, 2), ends=date(2026, 11, 6), title="甲镇电商培训")
    enrol(second, one, 5)
    added = services.add_payment(hrss, batch, one)
    assert added.enrolment.course == second and added.amount == Decimal("200.00")
    enrol(second, two, 3)
    later = services.create_batch(hrss, county.a.unit, cause="training_living")
    (row,) = SubsidyPayment.objects.filter(batch=later)
    assert (row.person, row.enrolment.course, row.amount) == (two, second, Decimal("120.00"))
    # A person whose only course does not qualify is told why, course by course.
    absent = worker(county, "甲缺勤")
    enrol(second, absent, 0)
    with pytest.raises(
        ValidationError, match="甲缺勤 不符合培训期间生活补助条件：培训班「甲镇电商培训」"
    ):
        services.add_payment(hrss, batch, absent)
    # Through the page: the refusal is shown with the batch.
    response = client_for(hrss).post(
        f"/employment/subsidies/batches/{later.pk}/add/", {"id_number": two.id_number}, follow=True
    )
    # Both of the person's courses are listed: each batch is named.
    said = response.content.decode()
    assert f"甲学员二 已列入批次 {batch.number}（草稿）领取培训班「{first.title}」" in said
    assert f"甲学员二 已列入批次 {later.number}（草稿）领取培训班「甲镇电商培训」" in said
    # Withdrawn frees the course.
    services.withdraw_payment(hrss, row, reason="核实出勤有误")
    assert services.add_payment(hrss, later, two).amount == Decimal("120.00")


def _sheet(response):
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(book.active.iter_rows(values_only=True))


def test_pages_excel_and_api(county, client_for, django_assert_max_num_queries):
    c = course(county, kind="work_training", starts=date(2026, 3, 1), ends=date(2026, 5, 31))
    for i in range(6):
        enrol(c, worker(county, f"甲徒工{i}"), 60, completed=True)
    client = client_for(county.users["dept_hrss"])
    url = f"/employment/subsidies/?cause=onjob_training&unit={county.a.unit.key}"
    client.get(url)
    with django_assert_max_num_queries(16):
        page = client.get(url)
    text = page.content.decode()
    assert "以工代训职业培训补贴符合条件未发放人员" in text and "共 6 条" in text
    assert c.title in text and "1500.00" in text and "甲镇民族服饰公司" in text
    export = _sheet(client.get(url + "&export=xlsx"))
    assert export[0][3:8] == ("培训项目", "培训类型", "开班日期", "结业日期", "出勤天数")
    assert len(export) == 7 and export[1][-1] == 1500 and export[1][-2] == "甲镇民族服饰公司"
    api = client.get(
        f"/api/employment/subsidies/eligible/?cause=onjob_training&unit={county.a.unit.key}"
    )
    body = api.json()
    assert body["count"] == 6 and body["results"][0]["enrolment"] is not None
    assert body["results"][0]["record"] is None and body["results"][0]["培训项目"] == c.title
    made = client.post(
        "/api/employment/subsidies/batches/",
        {"cause": "onjob_training", "unit": county.a.unit.key},
        content_type="application/json",
    )
    assert made.status_code == 201 and Decimal(made.json()["total"]) == Decimal("9000.00")
    person = Enrolment.objects.first().person
    explained = client.get(f"/api/employment/subsidies/persons/{person.pk}/").json()
    onjob = next(x for x in explained["causes"] if x["cause"] == "onjob_training")
    assert onjob["course"] == c.title and onjob["paid_in"] == made.json()["number"]
    page = client.get(f"/employment/persons/{person.pk}/").content.decode()
    assert f"培训班「{c.title}」" in page and "同一人同一培训班同一补贴事由只发放一次" in page


ON_DAYS = [date(2026, 10, 22), date(2026, 10, 23), date(2026, 11, 20), date(2026, 5, 31)]


def test_the_database_filter_and_the_explanation_agree(county):
    """The training causes say their conditions twice too: over courses of every kind ending on
    and around month ends, attendance and completion, both pick the same enrolments."""
    spans = [
        (date(2026, 3, 1), date(2026, 5, 31)),
        (date(2026, 1, 31), date(2026, 2, 27)),
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2026, 9, 10), date(2026, 10, 9)),
        (date(2026, 9, 10), date(2026, 10, 8)),
        (date(2026, 10, 12), date(2026, 10, 23)),
    ]
    persons = []
    for i, (kind, (starts, ends)) in enumerate(
        (k, s) for k in ("work_training", "order", "farming") for s in spans
    ):
        c = course(county, kind=kind, starts=starts, ends=ends, title=f"班{i}")
        for days, done in ((0, False), (3, False), (3, True)):
            person = worker(county, f"人{i}-{days}{done}")
            enrol(c, person, days, completed=done)
            persons.append(person)
    user = county.users["whole_county"]
    everyone = Enrolment.objects.all()
    for code in ("onjob_training", "training_living"):
        cause = subsidies.CATALOGUE[code]
        for on in ON_DAYS:
            by_sql = {e.pk for e in subsidies.eligible_records(everyone, cause, on)}
            by_python = {
                f.record.pk for p in persons for f in findings(p, code, user, on) if f.eligible
            }
            assert by_sql == by_python, (code, on)
            assert by_sql, (code, on)
