"""The monthly scan: rules as policy data per jurisdiction, one open warning per household that
later signals join, a re-run that writes nothing, `anju monitoring scan`."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command

from anju.monitoring import scan
from anju.monitoring.models import Warning, WarningSignal
from anju.monitoring.services import record_income
from anju.policies import services as policies
from anju.registry import services as registry_services
from anju.registry.tests.sheets import make_id

TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-20 10:00 +08:00", tick=False):
        yield


def _set(unit, key, value):
    policies.set_value(None, key=key, unit=unit, valid_from=date(2026, 1, 1), value=value)


@pytest.fixture
def county(world):
    c = world.county
    _set(c, "monitoring.income_line", "7000")
    _set(c, "monitoring.edge_band", "10")
    _set(c, "monitoring.drop_share", "30")
    _set(c, "monitoring.rigid_share", "50")
    _set(c, "monitoring.door_check_days", "5")
    # Everyone insured, every child in school: only what each test sets up raises a signal.
    for town in (world.a, world.b):
        for person in town.household.members.all():
            person.medical_insurance = ["城乡居民基本医疗保险"]
            person.save()
    return world


def _income(household, year, wage, **more):
    return record_income(None, household, year=year, wage=Decimal(wage), **more)


def _signals(household):
    return list(WarningSignal.objects.filter(household=household).values_list("rule", flat=True))


def test_income_rules_open_one_warning_with_every_signal_and_a_rerun_writes_nothing(county):
    a = county.a.household  # two members
    _income(a, 2025, "30000")  # 15,000 per person
    _income(a, 2026, "13000", medical_cost=Decimal("9000"))  # 6,500: under the line, a drop
    outcome = scan.scan("2026-11")
    assert (outcome.warnings, outcome.signals) == (1, 3)
    warning = Warning.objects.get()
    assert warning.household == a and warning.status == "open"
    assert sorted(_signals(a)) == ["income_below_line", "income_drop", "rigid_spending"]
    # 5 working days from Friday 20 November 2026; the decision within 15 days of the lead.
    assert warning.door_check_due == date(2026, 11, 27)
    assert warning.decision_due == date(2026, 12, 5)
    below = WarningSignal.objects.get(rule="income_below_line")
    assert (below.value, below.threshold) == (Decimal("6500.00"), Decimal("7000.00"))

    again = scan.scan("2026-11")
    assert (again.warnings, again.signals) == (0, 0)
    assert WarningSignal.objects.count() == 3 and Warning.objects.count() == 1


def test_edge_band_and_thresholds_set_by_a_town_win_in_that_town(county):
    a, b = county.a.household, county.b.household
    _income(a, 2026, "15000")  # 7,500 per person: within 10 % above 7,000
    _income(b, 2026, "15000")
    # Town 乙 has its own, lower line and switched the edge rule off.
    _set(county.b.unit, "monitoring.income_line", "6000")
    _set(county.b.unit, "monitoring.rule.income_edge", "否")
    scan.scan("2026-11")
    assert _signals(a) == ["income_edge"]
    assert _signals(b) == []


def test_a_rule_switched_off_for_the_county_does_not_run(county):
    _set(county.county, "monitoring.rule.rigid_spending", "否")
    _income(county.a.household, 2026, "40000", medical_cost=Decimal("30000"))
    assert scan.scan("2026-11").signals == 0


def test_child_out_of_school_and_uninsured_members(county):
    child = county.a.household.members.get(relation="之子")  # born 2012: 14
    child.schooling = "非在校生"
    child.medical_insurance = []
    child.save()
    scan.scan("2026-11")
    facts = dict(
        WarningSignal.objects.filter(household=county.a.household).values_list("rule", "person")
    )
    assert facts == {"out_of_school": child.pk, "no_medical_insurance": child.pk}
    # A 16-year-old has left compulsory schooling: not a dropout.
    registry_services.add_person(
        None,
        county.b.household,
        name="乙长女",
        id_number=make_id("20100301", 55),
        relation="之女",
        schooling="非在校生",
        medical_insurance=["城乡居民基本医疗保险"],
    )
    assert scan.scan("2026-11").signals == 0
    # The child's signals name it without a database constraint: deleting the child (through
    # the registry, as every delete goes) leaves the signals, naming no one.
    registry_services.delete_person(None, child, reason="重复录入")
    assert set(
        WarningSignal.objects.filter(household=county.a.household).values_list("rule", "person")
    ) == {("out_of_school", None), ("no_medical_insurance", None)}


def test_a_repeated_department_signal_joins_the_open_warning(county, tmp_path):
    from anju.monitoring.feeds import import_feed
    from anju.monitoring.tests.test_feeds import _xlsx

    head = county.a.household.members.get(relation="户主")
    rows = [[head.id_number, head.name, "个人自付医疗费用", "23456.7", "2026-10-05", "住院"]]
    first = _xlsx(tmp_path / "10.xlsx", rows)
    assert import_feed(None, first, department="medical_insurance", period="2026-10").ok
    # The import scans the households it matched: the warning is there at once.
    warning = Warning.objects.get()
    assert _signals(county.a.household) == ["department"]
    # The same event sent again next month is not news; a new one joins the same warning.
    rows.append([head.id_number, head.name, "个人自付医疗费用", "5000", "2026-11-02", "复诊"])
    second = _xlsx(tmp_path / "11.xlsx", rows)
    assert import_feed(None, second, department="medical_insurance", period="2026-11").ok
    assert Warning.objects.get() == warning and warning.signals.count() == 2
    assert (scan.scan("2026-11").warnings, scan.scan("2026-11").signals) == (0, 0)


def test_a_closed_warning_is_not_joined(county):
    _income(county.a.household, 2026, "10000")
    scan.scan("2026-11")
    Warning.objects.update(status="rejected")
    _income(county.a.household, 2026, "10000", medical_cost=Decimal("8000"))
    outcome = scan.scan("2026-11")
    assert (outcome.warnings, outcome.signals) == (1, 1)
    assert Warning.objects.filter(status="open").get().signals.get().rule == "rigid_spending"


def test_scan_of_a_unit_and_of_a_few_households(county):
    _income(county.a.household, 2026, "10000")
    _income(county.b.household, 2026, "10000")
    assert scan.scan("2026-11", county.b.unit).warnings == 1
    assert Warning.objects.get().household == county.b.household
    assert scan.scan("2026-11", households=[county.a.household.pk]).warnings == 1
    assert Warning.objects.count() == 2


def test_missing_thresholds_are_named(world):
    outcome = scan.scan("2026-11")
    assert "收入低于监测标准（未设定标准或比例）" in outcome.skipped


def test_cli(county):
    _income(county.a.household, 2026, "10000")
    out = io.StringIO()
    call_command(
        "monitoring", "scan", "--period", "2026-11", "--unit", county.county.code, stdout=out
    )
    text = out.getvalue()
    assert "新预警 1 户" in text and "新信号 1 条" in text
    out = io.StringIO()
    call_command("monitoring", "scan", "--period", "2026-11", stdout=out)
    assert "新预警 0 户" in out.getvalue()


def test_the_nightly_task_scans_the_month(county, settings):
    from anju.monitoring.tasks import scan_nightly

    assert settings.CELERY_BEAT_SCHEDULE["monitoring-scan-nightly"]["task"] == (
        "monitoring.scan_nightly"
    )
    _income(county.a.household, 2026, "10000")
    assert scan_nightly.delay().get() == {"period": "2026-11", "warnings": 1, "signals": 1}
    assert scan_nightly.delay().get()["signals"] == 0
