"""就业补贴 as 《榕江县易地扶贫搬迁培训和就业服务体系建设工作方案》 sets them: 吸纳就业一次性补贴 500 元
(稳定就业 3 个月以上、1 年以上劳动合同、缴纳社会保险, 第4条), 一次性跟踪服务补贴 400 元 (有组织输出、
稳定就业 6 个月以上, 第5条), 一次性求职创业补贴 500 元 省内县外 / 1000 元 省外 (有组织输出, 第5条),
一次性创业补贴 5000 元 (正常运营 6 个月以上, 第6条): each condition met and failed, explained; the
amount of the person's place and day; never paid twice; the payment batch, its total and its
Excel list."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.core.exceptions import ValidationError

from anju.audit.models import AuditLog
from anju.employment import selectors, services, subsidies
from anju.employment.models import EmploymentRecord, SubsidyPayment
from anju.policies import services as policies
from anju.registry import services as registry_services
from anju.registry.tests.sheets import make_id


@pytest.fixture(autouse=True)
def november():
    with time_machine.travel("2026-11-20 10:00 +08:00", tick=False):
        yield


AMOUNTS = {
    "employment.hiring_subsidy": "500",
    "employment.tracking_service_subsidy": "400",
    "employment.job_search_subsidy_in_province": "500",
    "employment.job_search_subsidy_out_of_province": "1000",
    "employment.startup_subsidy": "5000",
}


@pytest.fixture
def county(world):
    for key, value in AMOUNTS.items():
        policies.set_value(
            None,
            key=key,
            unit=world.county,
            valid_from=date(2019, 1, 1),
            value=value,
            source="《榕江县易地扶贫搬迁培训和就业服务体系建设工作方案》",
        )
    return world


_seq = iter(range(100, 999))


def worker(world, name: str, *, town="a", **job):
    """A person of a new household in town 甲 (or 乙) with one job recorded through the service."""
    place = getattr(world, town)
    n = next(_seq)
    household = registry_services.create_household(
        None, number=f"{place.unit.name[0]}{n}", category="lifted", site=place.site
    )
    person = registry_services.add_person(
        None,
        household,
        name=name,
        id_number=make_id("19900101", n),
        relation="户主",
        labour_skill="普通劳动力",
    )
    if job:
        services.record_job(None, person, **job)
    return person


def finding(person, code, user=None, on=None):
    from anju.accounts.models import User

    user = user or User.objects.get(username="a_dept_hrss")
    return next(f for f in selectors.subsidy_findings(user, person, on) if f.cause.code == code)


HIRED = {"kind": "local_enterprise", "employer": "榕江某服装厂", "contract_months": 12}


def test_hiring_subsidy_condition_by_condition(county):
    # The issue's own example: four months, a one-year contract, no social insurance.
    no_insurance = worker(county, "甲一", started_on=date(2026, 7, 1), **HIRED)
    f = finding(no_insurance, "hiring")
    assert f.explanation == (
        "就业类型：本地企业就业（须为县内就地就近就业） ✓；已就业 4 个月（需满 3 个月） ✓；"
        "劳动合同 12 个月（需 1 年以上） ✓；未缴纳社会保险 ✗"
    )
    assert not f.eligible and f.amount is None
    met = worker(county, "甲二", started_on=date(2026, 8, 20), social_insurance=True, **HIRED)
    f = finding(met, "hiring")
    assert f.eligible and f.amount == Decimal("500.00")
    assert "已就业 3 个月（需满 3 个月） ✓" in f.explanation
    # One day short of three months.
    short = worker(county, "甲三", started_on=date(2026, 8, 21), social_insurance=True, **HIRED)
    assert "已就业 2 个月（需满 3 个月） ✗" in finding(short, "hiring").explanation
    half_year = worker(
        county,
        "甲四",
        started_on=date(2026, 1, 5),
        social_insurance=True,
        **{**HIRED, "contract_months": 6},
    )
    f = finding(half_year, "hiring")
    assert "劳动合同 6 个月（需 1 年以上） ✗" in f.explanation and not f.eligible
    no_contract = worker(
        county,
        "甲五",
        started_on=date(2026, 1, 5),
        social_insurance=True,
        **{**HIRED, "contract_months": None},
    )
    assert "未登记劳动合同（需 1 年以上） ✗" in finding(no_contract, "hiring").explanation
    away = worker(
        county,
        "甲六",
        started_on=date(2026, 1, 5),
        social_insurance=True,
        **{**HIRED, "kind": "outside_province"},
    )
    f = finding(away, "hiring")
    assert "就业类型：省外转移就业（须为县内就地就近就业） ✗" in f.explanation
    # A job that ended before three months were up never reaches them.
    ended = worker(county, "甲七", started_on=date(2026, 3, 1), social_insurance=True, **HIRED)
    services.end_job(None, ended.jobs.get(), ended_on=date(2026, 5, 15), reason="quit")
    f = finding(ended, "hiring")
    assert "已就业 2 个月，2026-05-15 已结束（需满 3 个月） ✗" in f.explanation
    assert not f.eligible


def test_tracking_job_search_and_startup_conditions(county):
    out = {
        "kind": "outside_province",
        "employer": "苏州某电子厂",
        "organised_by": "榕江县人力资源公司",
    }
    away_long = worker(county, "输出一", started_on=date(2026, 5, 20), **out)
    f = finding(away_long, "tracking")
    assert f.explanation == "由 榕江县人力资源公司 有组织输出 ✓；已就业 6 个月（需满 6 个月） ✓"
    assert f.eligible and f.amount == Decimal("400.00")
    assert f.cause.payee(f.record) == "榕江县人力资源公司"  # paid to the agency
    assert (
        "已就业 5 个月（需满 6 个月） ✗"
        in finding(
            worker(county, "输出二", started_on=date(2026, 5, 21), **out), "tracking"
        ).explanation
    )
    # Job search: the destination sets the amount, 省外 1000, 省内县外 500.
    f = finding(away_long, "job_search")
    assert f.eligible and f.amount == Decimal("1000.00")
    in_province = worker(
        county, "输出三", started_on=date(2026, 11, 1), **{**out, "kind": "in_province"}
    )
    f = finding(in_province, "job_search")
    assert f.eligible and f.amount == Decimal("500.00")
    assert "就业类型：省内县外转移就业（须输出到户籍所在县以外） ✓" in f.explanation
    at_home = worker(county, "输出四", started_on=date(2026, 1, 1), **{**out, "kind": "in_county"})
    assert (
        "就业类型：县内就业（须输出到户籍所在县以外） ✗"
        in finding(at_home, "job_search").explanation
    )
    on_own = worker(county, "自己去", started_on=date(2026, 1, 1), kind="outside_province")
    f = finding(on_own, "job_search")
    assert "未登记组织输出的机构（须有组织输出） ✗" in f.explanation and not f.eligible
    # Start-up: six months of business since registration.
    shop = worker(county, "创业一", started_on=date(2026, 5, 20), kind="self_employed")
    f = finding(shop, "startup")
    assert f.eligible and f.amount == Decimal("5000.00")
    assert "自登记注册起正常运营 6 个月（需满 6 个月） ✓" in f.explanation
    young = worker(county, "创业二", started_on=date(2026, 6, 1), kind="self_employed")
    assert "自登记注册起正常运营 5 个月（需满 6 个月） ✗" in finding(young, "startup").explanation
    assert (
        "就业类型：本地企业就业（须为自主创业） ✗"
        in finding(
            worker(county, "打工", started_on=date(2026, 1, 1), **HIRED), "startup"
        ).explanation
    )
    assert finding(worker(county, "无业"), "startup").explanation == "没有就业记录 ✗"


def test_amount_of_the_persons_place_on_the_day_the_conditions_were_met(county):
    # Town 乙 raises its hiring subsidy to 600 元 from 2026; the county's 500 stays elsewhere.
    policies.set_value(
        None,
        key="employment.hiring_subsidy",
        unit=county.b.unit,
        valid_from=date(2026, 1, 1),
        value="600",
    )
    insured = {**HIRED, "social_insurance": True}
    a = worker(county, "甲工", started_on=date(2026, 3, 1), **insured)
    b_new = worker(county, "乙工新", town="b", started_on=date(2026, 3, 1), **insured)
    b_old = worker(county, "乙工旧", town="b", started_on=date(2025, 9, 1), **insured)
    leader = county.users["whole_county"]
    assert finding(a, "hiring", leader).amount == Decimal("500.00")
    assert finding(b_new, "hiring", leader).amount == Decimal("600.00")
    assert "600.00 元（乙镇吸纳就业补贴）" in finding(b_new, "hiring", leader).amount_text
    # Qualified on 2025-12-01, before 乙镇's 600 took effect: the county's 500.
    assert finding(b_old, "hiring", leader).amount == Decimal("500.00")


def test_no_amount_set_is_said_and_keeps_the_person_out(world):
    person = worker(world, "甲工", started_on=date(2026, 3, 1), social_insurance=True, **HIRED)
    f = finding(person, "hiring")
    assert "2026-06-01 当地未设定政策参数「吸纳就业补贴」，无法确定金额 ✗" in f.explanation
    assert not f.eligible
    with pytest.raises(ValidationError, match="未设定吸纳就业一次性补贴的金额"):
        services.create_batch(world.users["dept_hrss"], world.a.unit, cause="hiring")


def test_a_batch_pays_each_person_once_and_refuses_a_second_payment(county, client_for):
    hrss = county.users["dept_hrss"]
    insured = {**HIRED, "social_insurance": True}
    first = worker(county, "甲工一", started_on=date(2026, 1, 10), **insured)
    second = worker(county, "甲工二", started_on=date(2026, 2, 10), **insured)
    # Two qualifying jobs, one after the other: still one subsidy.
    twice = worker(county, "甲工三", started_on=date(2025, 1, 10), **insured)
    services.end_job(None, twice.jobs.get(), ended_on=date(2025, 12, 31), reason="changed")
    services.record_job(None, twice, started_on=date(2026, 1, 2), **insured)
    worker(county, "甲未保", started_on=date(2026, 1, 10), **HIRED)  # no insurance
    worker(county, "乙工", town="b", started_on=date(2026, 1, 10), **insured)  # not 甲镇
    batch = services.create_batch(hrss, county.a.unit, cause="hiring")
    rows = SubsidyPayment.objects.filter(batch=batch)
    assert {p.person.name for p in rows} == {"甲工一", "甲工二", "甲工三"}
    assert sum(p.amount for p in rows) == Decimal("1500.00")
    assert selectors.batches(hrss).get(pk=batch.pk).total == Decimal("1500.00")
    assert batch.number == "610830101-2026-001" and batch.status == "draft"
    assert rows.get(person=twice).record.started_on == date(2025, 1, 10)  # the first that met it
    assert AuditLog.objects.filter(object_type="employment.paymentbatch", object_id=batch.pk)
    # Listed persons are no longer on the eligible list; a second batch has no one.
    assert not selectors.eligible(hrss, county.a.unit, subsidies.CATALOGUE["hiring"]).exists()
    with pytest.raises(ValidationError, match="没有符合吸纳就业一次性补贴条件且未发放的人员"):
        services.create_batch(hrss, county.a.unit, cause="hiring")
    # A second attempt for the same person and cause is refused, naming the earlier batch.
    with pytest.raises(ValidationError) as refused:
        services.add_payment(hrss, batch, first)
    assert refused.value.messages == [
        f"甲工一 已列入批次 {batch.number}（草稿）领取吸纳就业一次性补贴 500.00 元，"
        "同一人同一补贴事由只发放一次。"
    ]
    # Even past the service, the database refuses a second row.
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        SubsidyPayment.objects.create(
            batch=batch,
            person=first,
            household=first.household,
            record=first.jobs.get(),
            cause="hiring",
            amount=Decimal("500"),
            qualified_on=date(2026, 4, 10),
            payee="x",
            explanation="",
            path=first.path,
        )
    # The person's file says why, with the batch.
    page = client_for(hrss).get(f"/employment/persons/{first.pk}/").content.decode()
    assert f"已列入批次 {batch.number}" in page and "同一人同一补贴事由只发放一次" in page
    # Through the page: the refusal shows with the batch named.
    client = client_for(hrss)
    response = client.post(
        f"/employment/subsidies/batches/{batch.pk}/add/",
        {"id_number": second.id_number},
        follow=True,
    )
    assert f"甲工二 已列入批次 {batch.number}" in response.content.decode()
    # Another cause is another subsidy: not refused for being paid the hiring one.
    assert finding(first, "tracking").paid is None


def test_withdraw_submit_and_pay(county, client_for):
    hrss = county.users["dept_hrss"]
    insured = {**HIRED, "social_insurance": True}
    kept = worker(county, "甲工一", started_on=date(2026, 1, 10), **insured)
    out = worker(county, "甲工二", started_on=date(2026, 2, 10), **insured)
    batch = services.create_batch(hrss, county.a.unit, cause="hiring")
    payment = SubsidyPayment.objects.get(batch=batch, person=out)
    with pytest.raises(ValidationError, match="撤出须写明原因"):
        services.withdraw_payment(hrss, payment, reason=" ")
    services.withdraw_payment(hrss, payment, reason="本人已在外县领取")
    assert selectors.batches(hrss).get(pk=batch.pk).total == Decimal("500.00")
    # Withdrawn frees the person: added again to the draft.
    again = services.add_payment(hrss, batch, out)
    assert again.amount == Decimal("500.00")
    client = client_for(hrss)
    refused = client.post(
        f"/employment/subsidies/batches/{batch.pk}/advance/", {"to": "paid"}, follow=True
    )
    assert "目前为“草稿”，不能这样变更" in refused.content.decode()
    batch.refresh_from_db()
    assert batch.status == "draft"  # paid before submitted: refused
    client.post(f"/employment/subsidies/batches/{batch.pk}/advance/", {"to": "submitted"})
    batch.refresh_from_db()
    assert batch.status == "submitted" and batch.submitted_on == date(2026, 11, 20)
    with pytest.raises(ValidationError, match="已提交财政，不能再增减人员"):
        services.withdraw_payment(hrss, again, reason="错")
    services.advance_batch(hrss, batch, to="paid")
    statuses = dict(SubsidyPayment.objects.filter(batch=batch).values_list("person", "status"))
    assert statuses[kept.pk] == "paid"
    assert sorted(SubsidyPayment.objects.filter(person=out).values_list("status", flat=True)) == [
        "paid",
        "withdrawn",
    ]


def _sheet(response):
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(book.active.iter_rows(values_only=True))


def test_the_payment_list_for_finance(county, client_for):
    insured = {**HIRED, "social_insurance": True}
    one = worker(county, "甲工一", started_on=date(2026, 1, 10), **insured)
    worker(county, "甲工二", started_on=date(2026, 2, 10), **insured)
    batch = services.create_batch(county.users["dept_hrss"], county.a.unit, cause="hiring")
    # 人社局's role may not see full identity numbers: masked, even when asked.
    rows = _sheet(
        client_for(county.users["dept_hrss"]).get(
            f"/employment/subsidies/batches/{batch.pk}/?export=xlsx&reveal=1"
        )
    )
    assert rows[0] == (
        "姓名",
        "身份证号",
        "户编号",
        "补贴事由",
        "领取对象",
        "达到条件日期",
        "金额（元）",
        "状态",
        "资格说明",
    )
    assert len(rows) == 4  # header, two persons, total
    first = next(r for r in rows if r[0] == "甲工一")
    assert first[1] != one.id_number and first[1].startswith(one.id_number[:6]) and "*" in first[1]
    assert first[3:7] == ("吸纳就业一次性补贴", "榕江某服装厂", "2026-04-10", 500)
    assert rows[-1][0] == "合计" and rows[-1][4] == "2 人" and rows[-1][6] == 1000
    assert not AuditLog.objects.filter(action="reveal", object_type="employment.paymentbatch")
    # 乡村振兴局 may: full numbers, and the reveal is logged.
    rows = _sheet(
        client_for(county.users["dept_rural"]).get(
            f"/employment/subsidies/batches/{batch.pk}/?export=xlsx&reveal=1"
        )
    )
    assert one.id_number in [r[1] for r in rows]
    assert (
        AuditLog.objects.filter(action="reveal", object_type="employment.paymentbatch").count() == 1
    )
    assert AuditLog.objects.filter(action="export", object_repr__contains=batch.number).count() == 2
    page = client_for(county.users["dept_rural"]).get(batch.get_absolute_url()).content.decode()
    assert "1000.00 元" in page and "2 人" in page


def test_pages_and_api(county, client_for, django_assert_max_num_queries):
    insured = {**HIRED, "social_insurance": True}
    for i in range(8):
        worker(county, f"甲工{i}", started_on=date(2026, 1, 10), **insured)
    hrss = county.users["dept_hrss"]
    client = client_for(hrss)
    url = f"/employment/subsidies/?cause=hiring&unit={county.a.unit.key}"
    client.get(url)
    with django_assert_max_num_queries(16):
        page = client.get(url)
    text = page.content.decode()
    assert "共 8 条" in text and "甲工7" in text and "500.00" in text
    assert "生成发放批次" in text
    export = _sheet(client.get(url + "&export=xlsx"))
    assert len(export) == 9 and export[1][-1] == 500
    made = client.post(
        "/api/employment/subsidies/batches/",
        {"cause": "hiring", "unit": county.a.unit.key},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["persons"] == 8 and Decimal(body["total"]) == Decimal("4000.00")
    detail = client.get(f"/api/employment/subsidies/batches/{body['id']}/").json()
    assert len(detail["payments"]) == 8 and "*" in detail["payments"][0]["id_number"]
    again = client.post(
        f"/api/employment/subsidies/batches/{body['id']}/add/",
        {"id_number": EmploymentRecord.objects.first().person.id_number},
        content_type="application/json",
    )
    assert again.status_code == 400 and body["number"] in again.content.decode()
    bad = client.get("/api/employment/subsidies/eligible/?cause=nothing")
    assert bad.status_code == 400 and "请选择补贴事由" in bad.content.decode()
    person = EmploymentRecord.objects.first().person
    explained = client.get(f"/api/employment/subsidies/persons/{person.pk}/").json()
    hiring = next(c for c in explained["causes"] if c["cause"] == "hiring")
    assert hiring["paid_in"] == body["number"] and hiring["eligible"] is False
    for list_url in (
        "/employment/subsidies/batches/",
        batch_url := f"/employment/subsidies/batches/{body['id']}/",
    ):
        client.get(list_url)
        with django_assert_max_num_queries(14):
            assert client.get(list_url).status_code == 200, list_url
    assert batch_url
    # Only a unit makes a batch; a county leader reads but does not write.
    site = client.post(
        "/api/employment/subsidies/batches/",
        {"cause": "hiring", "unit": county.a.site.key},
        content_type="application/json",
    )
    assert site.status_code in (400, 404)
    leader = client_for(county.users["county_leader"])
    assert leader.get("/employment/subsidies/batches/").status_code == 200
    assert (
        leader.post(
            "/api/employment/subsidies/batches/",
            {"cause": "hiring", "unit": county.a.unit.key},
            content_type="application/json",
        ).status_code
        == 403
    )


ON_DAYS = [date(2026, 11, 19), date(2026, 11, 20), date(2026, 8, 31), date(2026, 2, 28)]


def test_the_database_filter_and_the_explanation_agree(county):
    """Each cause says its conditions twice (SQL for the unit's list, Python for the person's
    explanation): over jobs at month ends and edges, both pick the same persons."""
    variants = [
        {
            "kind": kind,
            "started_on": start,
            "contract_months": months,
            "social_insurance": ins,
            "organised_by": org,
        }
        for kind in ("local_enterprise", "outside_province", "in_province", "self_employed")
        for start in (date(2025, 11, 30), date(2026, 5, 31), date(2026, 8, 31), date(2026, 2, 28))
        for months, ins in ((12, True), (6, True), (24, False))
        for org in ("", "某劳务公司")
    ]
    persons = [worker(county, f"人{i}", **v) for i, v in enumerate(variants)]
    ended = persons[0].jobs.get()
    services.end_job(None, ended, ended_on=date(2026, 2, 27), reason="quit")
    user = county.users["whole_county"]
    everyone = EmploymentRecord.objects.all()
    for cause in subsidies.CATALOGUE.values():
        if cause.per_course:  # over enrolments: test_training_subsidies.py
            continue
        for on in ON_DAYS:
            by_sql = {r.person_id for r in subsidies.eligible_records(everyone, cause, on)}
            by_python = {p.pk for p in persons if finding(p, cause.code, user, on).eligible}
            assert by_sql == by_python, (cause.code, on)
            assert by_sql or on == date(2026, 2, 28), (cause.code, on)
