"""帮扶 and 风险消除, as the seeds and the national procedure speak: a member in hospital gets
health and safety-net measures and cannot be eliminated before half a year; a household whose
only worker lost his job gets an employment measure; elderly people with no labour on the
safety net are never marked eliminated."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from anju.monitoring import assistance, identification
from anju.monitoring.feeds import import_feed
from anju.monitoring.services import record_income
from anju.monitoring.tests.test_feeds import _xlsx
from anju.monitoring.tests.test_identification import _door, _on
from anju.monitoring.tests.test_identification import warned as warned  # the fixture
from anju.policies import services as policies
from anju.registry import services as registry_services
from anju.registry.tests.sheets import make_id


def _identify(world, warning, **door):
    """The household through the four steps of identification, decided on 2 December 2026."""
    with _on("2026-11-20"):
        _door(world.users["grid_worker"], warning, **door)
    with _on("2026-11-23"):
        identification.take_step(
            world.users["site_staff"],
            warning,
            "village_review",
            acted_on=date(2026, 11, 23),
            passed=True,
            notice_from=date(2026, 11, 23),
            notice_to=date(2026, 11, 27),
        )
    with _on("2026-11-30"):
        identification.take_step(
            world.users["town_staff"],
            warning,
            "town_review",
            acted_on=date(2026, 11, 30),
            passed=True,
        )
    with _on("2026-12-02"):
        identification.take_step(
            world.users["county_rural"],
            warning,
            "county_decision",
            acted_on=date(2026, 12, 2),
            passed=True,
        )
    warning.refresh_from_db()
    assert warning.status == "monitored"


def _eliminate(world, warning, day: date, **more):
    fields = dict(
        acted_on=day, passed=True, method="by_assistance", housing_safe=True, water_safe=True
    )
    fields.update(more)
    return assistance.take_step(world.users["grid_worker"], warning, "door_check", **fields)


def test_a_member_in_hospital_gets_health_and_safety_net_measures_and_waits_half_a_year(warned):
    world, warning = warned
    policies.set_value(
        None,
        key="monitoring.income_line",
        unit=world.county,
        valid_from=date(2026, 1, 1),
        value="7000",
    )
    _identify(world, warning)
    assert warning.category == "hardship"
    suggested = assistance.suggestions(warning)
    assert ("illness", "health") in suggested and ("illness", "safety_net") in suggested
    rural = world.users["county_rural"]
    with _on("2026-12-03"):
        assistance.set_cadres(
            rural, warning, destination_cadre="安置点 王干部", origin_cadre="原村 李书记"
        )
        health = assistance.add_measure(
            rural,
            warning,
            kind="health",
            risk_type="illness",
            content="落实基本医保、大病保险和医疗救助“一站式”结算",
            planned_on=date(2026, 12, 31),
        )
        assistance.add_measure(
            rural,
            warning,
            kind="safety_net",
            risk_type="illness",
            content="申请临时救助",
            planned_on=date(2026, 12, 20),
        )
        with pytest.raises(ValidationError, match="针对该户的风险"):
            assistance.add_measure(
                rural,
                warning,
                kind="housing",
                risk_type="disaster",
                content="x",
                planned_on=date(2026, 12, 20),
            )
    with _on("2026-12-28"):
        assistance.complete_measure(
            rural, health, done_on=date(2026, 12, 28), outcome="报销后自付 6000 元"
        )
    # Two months on, everything else in order: refused, naming the half year.
    with _on("2027-02-01"):
        record_income(None, warning.household, year=2027, wage=Decimal("30000"))
        with pytest.raises(ValidationError) as refused:
            _eliminate(world, warning, date(2027, 2, 1))
        assert "不满半年" in str(refused.value) and "2027-06-02 以后" in str(refused.value)
    with _on("2027-06-03"):
        _eliminate(world, warning, date(2027, 6, 3))
    with _on("2027-06-04"):
        identification_step = assistance.take_step(
            world.users["site_staff"],
            warning,
            "village_review",
            acted_on=date(2027, 6, 4),
            passed=True,
            notice_from=date(2027, 6, 4),
            notice_to=date(2027, 6, 8),
        )
        assert identification_step.procedure == "eliminate"
    with _on("2027-06-09"):
        assistance.take_step(
            world.users["town_staff"],
            warning,
            "town_review",
            acted_on=date(2027, 6, 9),
            passed=True,
        )
    with _on("2027-06-10"):
        assistance.take_step(
            world.users["county_rural"],
            warning,
            "county_decision",
            acted_on=date(2027, 6, 10),
            passed=True,
        )
    warning.refresh_from_db()
    assert (warning.status, warning.elimination_method, warning.eliminated_on) == (
        "eliminated",
        "by_assistance",
        date(2027, 6, 10),
    )


def test_the_only_worker_lost_his_job_and_gets_an_employment_measure(world, tmp_path):
    world.users["county_rural"] = _county_rural(world)
    head = world.a.household.members.get(relation="户主")
    with _on("2026-11-20"):
        sheet = _xlsx(
            tmp_path / "人社.xlsx",
            [[head.id_number, head.name, "失业", "", "2026-11-06", "厂子停产"]],
        )
        assert import_feed(None, sheet, department="hrss", period="2026-11").ok
    warning = world.a.household.warnings.get()
    assert warning.signals.get(rule="department").ref == "hrss:job_loss"
    _identify(world, warning, category="unstable", risk_types=["employment"])
    assert assistance.suggestions(warning) == [
        ("employment", "employment"),
        ("employment", "public_post"),
    ]
    with _on("2026-12-03"):
        measure = assistance.add_measure(
            world.users["county_rural"],
            warning,
            kind="employment",
            risk_type="employment",
            content="推荐到园区帮扶车间就业",
            planned_on=date(2026, 12, 15),
        )
    assert measure.get_kind_display() == "就业帮扶"


def test_elderly_people_with_no_labour_on_the_safety_net_are_never_eliminated(world):
    world.users["county_rural"] = _county_rural(world)
    household = registry_services.create_household(
        None,
        number="甲009",
        category="lifted",
        site=world.a.site,
        building=world.a.building,
        safety_net="dibao",
    )
    for n, birth in enumerate(("19420305", "19450711")):
        registry_services.add_person(
            None,
            household,
            name=f"甲老人{n}",
            id_number=make_id(birth, 60 + n),
            relation="户主" if n == 0 else "配偶",
            labour_skill="丧失劳动力",
            medical_insurance=["城乡居民基本医疗保险"],
        )
    with _on("2026-11-20"):
        from anju.monitoring import scan
        from anju.monitoring.models import Lead

        Lead.objects.create(
            household=household, source="visit", hardships=["labour"], path=household.path
        )
        scan.scan("2026-11", households=[household.pk])
    warning = household.warnings.get()
    _identify(world, warning, category="unstable", risk_types=["labour"])
    assert assistance.suggestions(warning) == [("labour", "safety_net")]
    with _on("2026-12-03"):
        measure = assistance.add_measure(
            world.users["county_rural"],
            warning,
            kind="safety_net",
            risk_type="labour",
            content="纳入低保，按月发放",
            planned_on=date(2026, 12, 10),
        )
        assistance.complete_measure(
            world.users["county_rural"], measure, done_on=date(2026, 12, 3), outcome="已发放"
        )
    with _on("2027-12-01"):
        record_income(None, household, year=2027, transfer=Decimal("30000"))
        unmet = assistance.blockers(warning, "by_assistance", date(2027, 12, 1))
        assert unmet == [
            "家庭无劳动能力且已纳入低保或特困供养兜底保障：不标注风险消除，继续监测帮扶。"
        ]
        with pytest.raises(ValidationError, match="继续监测帮扶"):
            _eliminate(world, warning, date(2027, 12, 1))
    warning.refresh_from_db()
    assert warning.status == "monitored"


def _county_rural(world):
    from anju.accounts import services as account_services
    from anju.accounts.models import Role

    return account_services.create_user(
        None,
        username="county_rural",
        password="Qingjian-2026!",
        role=Role.objects.get(unit=None, code="dept_rural"),
        nodes=[world.county],
        full_name="县乡村振兴局",
    )


def test_the_plan_and_the_elimination_check_on_the_page(warned, client_for):
    world, warning = warned
    _identify(world, warning)
    with _on("2026-12-03"):
        client = client_for(world.users["county_rural"])
        page = client.get(warning.get_absolute_url()).content.decode()
        assert "帮扶计划" in page and "因病→健康帮扶" in page and "不满半年" in page
        assert "风险消除 · 入户核实" in page
        bad = client.post(f"/monitoring/warnings/{warning.pk}/cadres/", {"destination_cadre": "王"})
        assert bad.status_code == 200 and "该字段是必填项" in bad.content.decode()
        client.post(
            f"/monitoring/warnings/{warning.pk}/cadres/",
            {"destination_cadre": "安置点 王干部", "origin_cadre": "原村 李书记"},
        )
        wrong = client.post(
            f"/monitoring/warnings/{warning.pk}/measures/",
            {
                "kind": "housing",
                "risk_type": "disaster",
                "content": "x",
                "planned_on": "2026-12-20",
            },
        )
        assert wrong.status_code == 200 and not warning.measures.exists()
        client.post(
            f"/monitoring/warnings/{warning.pk}/measures/",
            {
                "kind": "health",
                "risk_type": "illness",
                "content": "医疗救助",
                "responsible": "王干部",
                "planned_on": "2026-12-20",
            },
        )
        measure = warning.measures.get()
        client.post(
            f"/monitoring/measures/{measure.pk}/done/",
            {"done_on": "2026-12-03", "outcome": "已报销"},
        )
        page = client.get(warning.get_absolute_url()).content.decode()
        assert "安置点 王干部" in page and "原村 李书记" in page and "已报销" in page
        assert (
            client_for(world.users["b_town_staff"]).get(warning.get_absolute_url()).status_code
            == 404
        )
