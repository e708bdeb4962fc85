"""三类人员监测帮扶台账: live during the month, frozen on the 3rd of the next (the next working day
when the 3rd is not one), and a frozen month does not change when the registry changes later."""

from __future__ import annotations

import io
from datetime import date

import time_machine
from django.core.management import call_command

from anju.monitoring import assistance, frozen
from anju.monitoring.models import LedgerMonth
from anju.monitoring.tests.test_assistance import _identify
from anju.monitoring.tests.test_identification import _on
from anju.monitoring.tests.test_identification import warned as warned  # the fixture
from anju.registry import services as registry_services
from anju.registry.tests.sheets import make_id


def test_a_frozen_month_does_not_change_when_the_registry_changes(warned, client_for):
    world, warning = warned
    _identify(world, warning)  # identified on 2 December 2026
    head = world.a.household.members.get(relation="户主")
    old_name = head.name
    with _on("2026-12-10"):
        page = client_for(world.users["county_rural"]).get("/monitoring/ledger/?period=2026-12")
        body = page.content.decode()
        assert "实时数据，将于 2027-01-04 封存" in body  # 3 January 2027 is a Sunday
        assert head.name in body and "突发严重困难户" in body and "因病" in body
    # Not before its day; on it, once. (A month whose day passed unfrozen, November here,
    # is caught up: late is better than never.)
    assert frozen.freeze_due(date(2027, 1, 3)) == ["2026-11"]
    with time_machine.travel("2027-01-04 00:30 +08:00", tick=False):
        assert frozen.freeze_due(date(2027, 1, 4)) == ["2026-12"]
        assert frozen.freeze_due(date(2027, 1, 4)) == []
    assert LedgerMonth.objects.get(period="2026-12").rows == 1
    # Afterwards: the head renamed, a child born, a measure added.
    with _on("2027-01-05"):
        registry_services.update_person(None, head, name="甲户主改名")
        registry_services.add_person(
            None,
            world.a.household,
            name="甲新生儿",
            id_number=make_id("20270101", 91),
            relation="之子",
        )
        assistance.add_measure(
            world.users["county_rural"],
            warning,
            kind="health",
            risk_type="illness",
            content="家庭医生签约",
            planned_on=date(2027, 1, 31),
        )
        client = client_for(world.users["county_rural"])
        december = client.get("/monitoring/ledger/?period=2026-12").content.decode()
        assert "已于 2027-01-04 00:30 封存" in december
        assert old_name in december and "甲户主改名" not in december
        row = _cells(december, old_name)
        # Two members then, no measure yet.
        assert "家庭人数</span>2</td>" in row and "帮扶措施</span>0</td>" in row
        live_row = _cells(
            client.get("/monitoring/ledger/?period=2027-01").content.decode(), "甲户主改名"
        )
        assert "家庭人数</span>3</td>" in live_row and "帮扶措施</span>1</td>" in live_row
        january = client.get("/monitoring/ledger/?period=2027-01").content.decode()
        assert "甲户主改名" in january
        api = client.get("/api/monitoring/ledger/?period=2026-12").json()
        assert api["frozen"] is True and api["count"] == 1
        assert api["results"][0]["户主"] == old_name and api["results"][0]["家庭人数"] == 2
        live_api = client.get("/api/monitoring/ledger/?period=2027-01").json()
        assert live_api["frozen"] is False and live_api["results"][0]["家庭人数"] == 3
        export = client.get("/monitoring/ledger/?period=2026-12&export=xlsx")
        assert export.status_code == 200
    out = io.StringIO()
    call_command("monitoring", "freeze", "--period", "2026-12", stdout=out)
    assert "1 户" in out.getvalue() and LedgerMonth.objects.count() == 2


def _cells(page: str, name: str) -> str:
    start = page.index(name)
    return page[start : page.index("</tr>", start)]
