"""数据质量 on monitored households: missing risk type or identification date, missing housing,
water or insurance facts, elimination sooner than half a year, 帮扶消除 with no measure."""

from __future__ import annotations

from datetime import date

from anju.monitoring.models import Warning
from anju.monitoring.tests.test_assistance import _identify
from anju.monitoring.tests.test_identification import warned as warned  # the fixture
from anju.registry import quality
from anju.registry.models import QualityFinding


def test_monitored_households_are_checked(warned, client_for):
    world, warning = warned
    _identify(world, warning)
    run = quality.check_now(world.county.path, today=date(2026, 12, 3))
    found = {(f.code, f.household_id): f.message for f in QualityFinding.objects.filter(run=run)}
    # The fixture's members have no basic medical insurance.
    assert "家庭成员参加基本医疗保险" in found[("m_facts", warning.household_id)]
    assert run.counts["m_facts"] == 1 and run.counts["m_early"] == 0
    # Entered out of band (an import, an old system): eliminated after two months, by
    # assistance, with no measure; another with no risk type.
    Warning.objects.filter(pk=warning.pk).update(
        status="eliminated",
        eliminated_on=date(2027, 2, 1),
        elimination_method="by_assistance",
        risk_types=[],
    )
    run = quality.check_now(world.county.path, today=date(2027, 2, 2))
    found = {(f.code, f.household_id): f.message for f in QualityFinding.objects.filter(run=run)}
    assert (
        found[("m_early", warning.household_id)]
        == "2026-12-02 纳入监测，2027-02-01 即标注消除，不满半年"
    )
    assert ("m_measure", warning.household_id) in found
    assert found[("m_risk", warning.household_id)] == "未填风险类型"
    page = client_for(world.users["county_rural"]).get("/registry/quality/").content.decode()
    assert "风险消除不满半年" in page and "帮扶消除但没有落实的措施" in page
