"""家庭收支 and 家庭人均纯收入: exact in Decimal, members counted on the reference date, compared
with the monitoring line in force for the household's place (a policy parameter)."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from anju.monitoring import selectors, services
from anju.monitoring.models import Income
from anju.policies import services as policy_services
from anju.registry import services as registry_services
from anju.registry.models import PersonMove
from anju.registry.tests.sheets import make_id


@pytest.fixture(autouse=True)
def late_2026():
    with time_machine.travel(date(2026, 11, 20), tick=False):
        yield


def test_per_capita_net_income_is_exact(world):
    # 甲001: 户主 (1980) and 之子 (2012): two members.
    income = services.record_income(
        world.users["town_staff"],
        world.a.household,
        year=2025,
        wage="18000.50",
        business="3000",
        property_income="120.25",
        transfer="2400",
        business_cost="1000.10",
        medical_cost="5600",
    )
    assert income.reference_date == date(2025, 12, 31)
    assert income.members == 2
    assert income.net_income == Decimal("22520.65")
    assert income.net_per_capita == Decimal("11260.33")  # 11260.325 rounds half up
    assert income.medical_cost == Decimal("5600.00")
    # Three members: a third of a fen is rounded, never a float.
    registry_services.add_person(
        None, world.a.household, name="甲之女", id_number=make_id("20150101", 31), relation="之女"
    )
    again = services.record_income(
        world.users["town_staff"], world.a.household, year=2025, wage="10000", transfer="1"
    )
    assert again.pk == income.pk and again.members == 3
    assert again.net_per_capita == Decimal("3333.67")
    assert Income.objects.count() == 1


def test_members_are_counted_on_the_reference_date(world):
    household = world.a.household
    # A child born in 2026 does not count for 2025.
    registry_services.add_person(
        None, household, name="甲新生儿", id_number=make_id("20260301", 41), relation="之孙子"
    )
    # A member who moved away in 2026 still counts for 2025; one who moved in in 2026 does not.
    son = household.members.get(name="甲之子")
    registry_services.move_person(None, son, world.b.household, relation="其他")
    PersonMove.objects.filter(person=son).update(moved_at=timezone.make_aware(datetime(2026, 2, 1)))
    incomer = world.b.household.members.get(name="乙户主")
    registry_services.move_person(None, incomer, household, relation="其他")
    PersonMove.objects.filter(person=incomer).update(
        moved_at=timezone.make_aware(datetime(2026, 3, 1))
    )
    assert selectors.members_on(household, date(2025, 12, 31)) == 2  # 户主 and 之子
    assert selectors.members_on(household, date(2026, 11, 20)) == 3  # 户主, 新生儿, incomer


@pytest.mark.parametrize(
    "values, field, message",
    [
        ({"year": 2025, "wage": "-5"}, "wage", "「工资性收入」不能为负数"),
        ({"year": 2025, "wage": "一万"}, "wage", "「工资性收入」应为金额（元），收到「一万」"),
        ({"year": 2025, "transfer": "10.005"}, "transfer", "最多两位小数"),
        ({"year": 2025, "business": "200000000"}, "business", "超过 1 亿元"),
        ({"year": 2027}, "year", "2016 年至 2026 年之间"),
        ({"year": 2025, "reference_date": date(2026, 1, 5)}, "reference_date", "应在 2025 年内"),
    ],
)
def test_bad_amounts_are_refused_with_the_field_named(world, values, field, message):
    with pytest.raises(ValidationError) as caught:
        services.record_income(world.users["town_staff"], world.a.household, **values)
    assert message in " ".join(caught.value.message_dict[field])
    assert not Income.objects.exists()


def test_standing_against_the_monitoring_line_of_the_place(world, client_for):
    income = services.record_income(None, world.a.household, year=2025, wage="13000")
    assert selectors.income_standing(income)["label"] == "未设定监测标准"
    for key, value in (("monitoring.income_line", "7000"), ("monitoring.edge_band", "50")):
        policy_services.set_value(
            None,
            key=key,
            unit=world.county,
            valid_from=date(2025, 1, 1),
            value=value,
            source="测试用值",
        )
    income.refresh_from_db()
    assert income.net_per_capita == Decimal("6500.00")
    assert selectors.income_standing(income)["label"] == "低于监测标准"
    income = services.record_income(None, world.a.household, year=2025, wage="20000")
    assert selectors.income_standing(income)["label"] == "高于监测标准不足 50%（边缘）"
    income = services.record_income(None, world.a.household, year=2025, wage="21002")
    assert selectors.income_standing(income)["label"] == "高于监测标准"
    client = client_for(world.users["town_staff"])
    page = client.get(f"/monitoring/households/{world.a.household.pk}/income/?year=2025")
    body = page.content.decode()
    assert "人均纯收入 <strong>10501.00</strong>" in body and "监测标准 7000" in body
    api = client.get(f"/api/incomes/{income.pk}/").json()
    assert api["net_per_capita"] == "10501.00"
    assert api["standing"] == {"label": "高于监测标准", "income_line": "7000.00", "at_risk": False}


def test_the_page_records_income_and_the_ledger_exports_it(world, client_for):
    client = client_for(world.users["town_staff"])
    url = f"/monitoring/households/{world.a.household.pk}/income/?year=2025"
    response = client.post(
        url, {"year": "2025", "wage": "8000", "transfer": "1200.5", "business_cost": ""}
    )
    assert response.status_code == 302
    income = Income.objects.get()
    assert income.net_per_capita == Decimal("4600.25")
    bad = client.post(url, {"year": "2025", "wage": "-1"})
    assert bad.status_code == 200 and "text-danger" in bad.content.decode()
    sheet = client.get("/monitoring/incomes/?year=2025&export=xlsx")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(sheet.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    assert rows[0][:4] == ("年度", "户编号", "安置点", "家庭人数")
    assert rows[1][1] == "甲001" and Decimal(str(rows[1][10])) == Decimal("4600.25")
    # A grid worker may record; a building head may only read, and town B's household is hidden.
    head = client_for(world.users["building_head"])
    assert head.get(url).status_code == 403
    grid = client_for(world.users["grid_worker"])
    assert grid.get(f"/monitoring/households/{world.b.household.pk}/income/").status_code == 404
    created = grid.post(
        "/api/incomes/",
        {"household": world.a.household.pk, "year": 2026, "wage": "100.10"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["members"] == 2 and created.json()["reference_date"] == "2026-11-20"
