"""就业月报: the monthly table holds, per place and month, the figures the household ledger counts
live — households with labour, below the rule, 零就业家庭, labour, employed by kind — so a
county's page and its trend read a few rows, not every person."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.management import call_command

from anju.employment import monthly, selectors, services
from anju.employment.models import EmploymentMonth
from anju.policies import services as policies


@pytest.fixture(autouse=True)
def november():
    with time_machine.travel("2026-11-20 10:00 +08:00", tick=False):
        yield


@pytest.fixture
def county(world):
    for key, value in (
        ("employment.labour_age_min", "16"),
        ("employment.labour_age_max", "60"),
        ("employment.min_employed_per_household", "5:1; *:2"),
    ):
        policies.set_value(
            None, key=key, unit=world.county, valid_from=date(2020, 1, 1), value=value
        )
    return world


def _heads(world):
    return [h.members.get(relation="户主") for h in (world.a.household, world.b.household)]


def test_the_month_agrees_with_the_live_ledger_and_keeps_its_trend(county, client_for):
    a_head, b_head = _heads(county)
    services.record_job(None, a_head, kind="outside_province", started_on=date(2026, 8, 3))
    services.record_job(None, b_head, kind="farming", started_on=date(2026, 3, 1))
    services.end_job(None, b_head.jobs.get(), ended_on=date(2026, 10, 15), reason="lost")
    for period in ("2026-09", "2026-10", "2026-11"):
        monthly.compute(period)
    user = county.users["whole_county"]
    live = selectors.households(user)
    figures = monthly.totals(user, county.county.path, "2026-11")
    assert figures["households"] == live.count() == 2
    assert figures["zero"] == selectors.zero_employment(user).count() == 1
    assert figures["below_rule"] == selectors.below_rule(user).count() == 1
    assert figures["employed"] == 1 and figures["by_kind"] == {"lifted": {"outside_province": 1}}
    # September: both at work; October: 乙's job lost on the 15th, so at the month's end none.
    trend = {row["period"]: (row["employed"], row["zero"]) for row in figures_trend(user, county)}
    assert trend == {"2026-09": (2, 0), "2026-10": (1, 1), "2026-11": (1, 1)}
    # Running it again replaces, never adds.
    monthly.compute("2026-11")
    assert EmploymentMonth.objects.filter(period="2026-11").count() == 2

    client = client_for(user)
    page = client.get("/employment/months/?period=2026-11").content.decode()
    assert "零就业家庭 <a" in page and "2026年10月" in page and "甲镇" in page
    api = client.get("/api/employment/months/?period=2026-10").json()
    assert (api["households"], api["employed"], api["zero"]) == (2, 1, 1)
    assert {p["name"]: p["zero"] for p in api["parts"]} == {"甲镇": 0, "乙镇": 1}
    assert [t["period"] for t in api["trend"]] == ["2026-09", "2026-10"]


def figures_trend(user, county):
    return monthly.trend(user, county.county.path, monthly.last_months("2026-11", 3))


def test_each_place_sees_its_own_rows(county, client_for):
    a_head, b_head = _heads(county)
    services.record_job(None, a_head, kind="outside_province", started_on=date(2026, 8, 3))
    monthly.compute("2026-11")
    town_b = client_for(county.users["b_town_staff"])
    api = town_b.get("/api/employment/months/").json()
    assert api["name"] == "乙镇" and api["employed"] == 0 and api["households"] == 1
    assert town_b.get(f"/api/employment/months/?unit={county.a.unit.key}").status_code == 404
    assert town_b.get(f"/employment/months/?unit={county.a.unit.key}").status_code == 404


def test_the_command_computes_months_and_refuses_bad_input(county, capsys):
    call_command("employment", "rollup", "--period", "2026-11", "--months", "3")
    out = capsys.readouterr().out
    assert "2026年9月就业统计已计算" in out and "2026年11月就业统计已计算" in out
    assert EmploymentMonth.objects.filter(period="2026-09").exists()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="月份应写作"):
        call_command("employment", "rollup", "--period", "2026-13")
    with pytest.raises(CommandError, match="没有区划代码"):
        call_command("employment", "rollup", "--unit", "999999")
