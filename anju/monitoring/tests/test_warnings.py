"""监测预警 pages and API: every signal with its source, overdue deadlines in red and counted,
departments see the warnings of their own indicators, a fixed number of queries per page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anju.monitoring import reports, scan
from anju.monitoring.feeds import import_feed
from anju.monitoring.models import Warning
from anju.monitoring.services import record_income
from anju.monitoring.tests.test_feeds import _xlsx
from anju.policies import services as policies
from anju.registry import services as registry_services


@pytest.fixture
def loop(world):
    with time_machine.travel("2026-11-20 10:00 +08:00", tick=False):
        for key, value in [("monitoring.income_line", "7000"), ("monitoring.door_check_days", "5")]:
            policies.set_value(
                None, key=key, unit=world.county, valid_from=date(2026, 1, 1), value=value
            )
        yield world


def test_a_self_report_becomes_a_warning_at_once(loop, client_for, client):
    household = loop.a.household
    card = reports.cards_for(None, [household])[household.pk]
    client.post(f"/r/{card.token}/", {"hardships": ["illness"], "description": "住院"})
    warning = Warning.objects.get(household=household)
    assert warning.status == "open" and warning.door_check_due == date(2026, 11, 27)
    page = client_for(loop.users["dept_rural"]).get(warning.get_absolute_url()).content.decode()
    assert "农户自主申报" in page and "生病或受伤" in page and "2026-11-27" in page


def test_overdue_deadlines_show_red_and_are_counted(loop, client_for):
    record_income(None, loop.a.household, year=2026, wage=Decimal("10000"))
    scan.scan("2026-11")
    client = client_for(loop.users["dept_rural"])
    on_time = client.get("/monitoring/warnings/").content.decode()
    assert "收入低于监测标准" in on_time and "（已超期）" not in on_time
    with time_machine.travel("2026-11-30 09:00 +08:00", tick=False):
        client = client_for(loop.users["dept_rural"])  # a new day, a new login
        late = client.get("/monitoring/warnings/").content.decode()
        assert "2026-11-27（已超期）" in late and "text-danger" in late
        counted = client.get("/monitoring/warnings/?overdue=true").content.decode()
        assert loop.a.household.number in counted
        api = client.get("/api/warnings/?overdue=true").json()
        assert api["count"] == 1 and api["results"][0]["overdue"] == ["入户核实"]
        signals = api["results"][0]["signals"]
        signal = next(s for s in signals if s["rule"] == "income_below_line")
        assert signal["source"] == "数据比对（家庭收支）"
        assert signal["text"] == "2026年家庭人均纯收入 5000.00 元，低于监测标准 7000.00 元"
    with time_machine.travel("2026-12-07 09:00 +08:00", tick=False):
        client = client_for(loop.users["dept_rural"])
        api = client.get("/api/warnings/").json()
        assert api["results"][0]["overdue"] == ["入户核实", "认定"]


def test_departments_see_the_warnings_of_their_own_indicators(loop, client_for, tmp_path):
    head = loop.a.household.members.get(relation="户主")
    path = _xlsx(
        tmp_path / "人社.xlsx", [[head.id_number, head.name, "失业", "", "2026-11-03", ""]]
    )
    assert import_feed(None, path, department="hrss", period="2026-11").ok
    record_income(None, loop.a.household, year=2026, wage=Decimal("10000"))
    scan.scan("2026-11")
    assert {s.rule for s in loop.a.household.warnings.get().signals.all()} >= {
        "department",
        "income_below_line",
    }
    number = loop.a.household.number
    assert (
        number in client_for(loop.users["dept_hrss"]).get("/monitoring/warnings/").content.decode()
    )
    assert client_for(loop.users["dept_hrss"]).get("/api/warnings/").json()["count"] == 1
    for role in ("dept_education", "dept_housing", "dept_land"):
        assert client_for(loop.users[role]).get("/api/warnings/").json()["count"] == 0, role
    detail = client_for(loop.users["dept_rural"]).get("/api/warnings/").json()["results"][0]
    assert {s["source"] for s in detail["signals"]} >= {
        "部门筛查预警（人社）",
        "数据比对（家庭收支）",
    }


def test_the_list_runs_a_fixed_number_of_queries(loop, client_for):
    client = client_for(loop.users["whole_county"])
    record_income(None, loop.a.household, year=2026, wage=Decimal("10000"))
    scan.scan("2026-11")
    with CaptureQueriesContext(connection) as one:
        client.get("/monitoring/warnings/")
    for n in range(12):
        household = registry_services.create_household(
            None, number=f"甲1{n:02d}", category="lifted", site=loop.a.site
        )
        registry_services.add_person(
            None,
            household,
            name=f"甲户主{n}",
            id_number=_id(n),
            relation="户主",
        )
        record_income(None, household, year=2026, wage=Decimal("5000"))
    scan.scan("2026-11")
    with CaptureQueriesContext(connection) as many:
        page = client.get("/monitoring/warnings/").content.decode()
    assert page.count("收入低于监测标准") >= 13
    assert len(many.captured_queries) == len(one.captured_queries)


def _id(n: int) -> str:
    from anju.registry.tests.sheets import make_id

    return make_id("19850101", 400 + n)
