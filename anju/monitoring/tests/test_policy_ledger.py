"""政策享受台账 (《石城县2022年强化易地扶贫搬迁后续扶持工作的实施方案》第25条): per household, the
safety net, who is insured and which assistance measures were carried out; page = Excel = API."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from anju.monitoring import assistance
from anju.monitoring.tests.test_assistance import _identify
from anju.monitoring.tests.test_identification import _on
from anju.monitoring.tests.test_identification import warned as warned  # the fixture
from anju.registry import services as registry_services


def test_policy_ledger_lists_insurance_safety_net_and_measures_done(warned, client_for):
    world, warning = warned
    household = world.a.household
    head = household.members.get(relation="户主")
    son = household.members.get(relation="之子")
    registry_services.update_person(
        None,
        head,
        medical_insurance=["城乡居民基本医疗保险", "大病保险"],
        pension_insurance=["城乡居民养老保险"],
    )
    registry_services.update_person(None, son, health=["残疾"])
    registry_services.update_household(None, household, safety_net="dibao")
    _identify(world, warning)
    rural = world.users["county_rural"]
    with _on("2026-12-10"):
        planned = assistance.add_measure(
            rural,
            warning,
            kind="health",
            risk_type="illness",
            content="大病专项救治",
            planned_on=date(2026, 12, 31),
        )
        assistance.add_measure(
            rural,
            warning,
            kind="safety_net",
            risk_type="illness",
            content="申请低保",
            planned_on=date(2026, 12, 31),
        )
        assistance.complete_measure(rural, planned, done_on=date(2026, 12, 9), outcome="已住院救治")
        client = client_for(rural)
        page = client.get("/monitoring/policies/").content.decode()
        row = page[page.index("甲001") : page.index("</tr>", page.index("甲001"))]
        # The son (born 2012) is under 16: one adult, insured.
        for cell in (
            "兜底保障</span>低保",
            "参加基本医保</span>1/2",
            "参加大病保险</span>1/2",
            "养老保险（16岁以上）</span>1/1",
            "残疾人</span>1",
            "已落实帮扶措施</span>健康帮扶",
            "监测状态</span>已纳入监测",
        ):
            assert cell in row, cell
        assert "综合保障" not in row  # planned, not yet carried out
        other_row = page[page.index("乙001") : page.index("</tr>", page.index("乙001"))]
        assert "监测状态</span>未纳入监测" in other_row  # the county sees 乙, never monitored
        api = client.get("/api/monitoring/policies/?q=甲001").json()
        assert api["count"] == 1
        first = api["results"][0]
        assert first["参加基本医保"] == "1/2" and first["已落实帮扶措施"] == "健康帮扶"
        export = client.get("/monitoring/policies/?export=xlsx")
        sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
        rows = list(sheet.values)
        assert "已落实帮扶措施" in rows[0] and any("甲001" in r for r in rows[1:])
        # 乙镇's staff see only 乙镇's households, and no measure of 甲.
        other = (
            client_for(world.users["b_town_staff"]).get("/monitoring/policies/").content.decode()
        )
        assert "乙001" in other and "甲001" not in other


def test_policy_ledger_pages_with_a_fixed_number_of_queries(
    world, client_for, django_assert_max_num_queries
):
    for n in range(2, 12):
        registry_services.create_household(
            None, number=f"甲{n:03d}", category="lifted", site=world.a.site
        )
    client = client_for(world.users["whole_county"])
    client.get("/monitoring/policies/")
    with django_assert_max_num_queries(14):
        assert client.get("/monitoring/policies/").status_code == 200
