"""The working-day calendar: statutory holidays and 调休 from the package, days an administrator
adds for a year the package does not know, and who may add them."""

from datetime import date

import pytest

from anju.accounts.models import User
from anju.audit.models import AuditLog
from anju.policies import workdays
from anju.policies.models import WorkdayOverride

pytestmark = pytest.mark.django_db


def test_national_day_2026_and_its_weekend_workday():
    # 2026 国庆节、中秋节: 10月1日至7日放假，10月10日（星期六）上班。
    assert not workdays.is_workday(date(2026, 10, 1))
    assert workdays.is_workday(date(2026, 10, 10))
    # Due on the holiday → the first working day after it.
    assert workdays.on_or_after(date(2026, 10, 3)) == date(2026, 10, 8)
    # One working day after 30 September is 8 October, not 1 October.
    assert workdays.add(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert workdays.add(date(2026, 9, 30), 3) == date(2026, 10, 10)


def test_a_year_the_package_does_not_know_takes_the_days_an_administrator_added():
    assert not workdays.known_by_package(2027)
    assert 2027 in workdays.unknown_years(date(2026, 11, 23))
    # Without entries: Monday to Friday. 1 January 2027 is a Friday.
    assert workdays.on_or_after(date(2027, 1, 1)) == date(2027, 1, 1)
    WorkdayOverride.objects.create(day=date(2027, 1, 1), is_workday=False, note="元旦")
    assert workdays.on_or_after(date(2027, 1, 1)) == date(2027, 1, 4)
    assert 2027 not in workdays.unknown_years(date(2026, 11, 23))
    # A Saturday made a working day (调休) counts.
    WorkdayOverride.objects.create(day=date(2027, 1, 2), is_workday=True, note="调休")
    assert workdays.add(date(2026, 12, 31), 1) == date(2027, 1, 2)


def test_only_platform_administrators_keep_the_calendar(world, client_for):
    county_user = client_for(world.users["dept_rural"])
    page = county_user.get("/policies/workdays/").content.decode()
    assert "2027 年" in page and "暂按周一至周五计算" in page and "添加</button>" not in page
    refused = county_user.post("/policies/workdays/", {"day": "2027-01-01", "is_workday": "0"})
    assert refused.status_code == 403 and not WorkdayOverride.objects.exists()

    admin = User.objects.create_superuser("platform", password="x-Anju-2026!")
    client = client_for(admin)
    bad = client.post("/policies/workdays/", {"day": "2027-13-01", "is_workday": "0"})
    assert bad.status_code == 200 and not WorkdayOverride.objects.exists()
    ok = client.post(
        "/policies/workdays/", {"day": "2027-01-01", "is_workday": "0", "note": "元旦"}
    )
    assert ok.status_code == 302
    override = WorkdayOverride.objects.get()
    assert not override.is_workday and override.note == "元旦"
    assert AuditLog.objects.filter(object_type="policies.workdayoverride").count() == 1
    page = client.get("/policies/workdays/").content.decode()
    assert "2027-01-01" in page and "元旦" in page
    client.post("/policies/workdays/", {"delete": override.pk})
    assert not WorkdayOverride.objects.exists()
