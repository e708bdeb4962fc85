from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from anju.audit.models import AuditLog
from anju.policies import registry, services
from anju.policies.models import ParameterValue
from anju.policies.selectors import resolve

KEY = "employment.min_employed_per_household"


@pytest.fixture
def tiers(world):
    """County: one job per household from 2019; town 甲 asks two for large households in 2022."""
    services.set_value(
        None, key=KEY, unit=world.county, valid_from=date(2019, 1, 1), value="*:1", source="县文件"
    )
    services.set_value(
        None,
        key=KEY,
        unit=world.a.unit,
        valid_from=date(2022, 1, 1),
        valid_to=date(2022, 12, 31),
        value="5:1; *:2",
        source="镇文件",
    )
    return world


@pytest.mark.parametrize(
    "on, node, expected, source",
    [
        (date(2018, 12, 31), "building", None, None),  # before any period
        (date(2021, 6, 1), "building", [[None, "1"]], "清涧县"),  # only the county covers it
        (date(2022, 6, 1), "building", [[5, "1"], [None, "2"]], "甲镇"),  # the nearest unit wins
        (date(2022, 12, 31), "site", [[5, "1"], [None, "2"]], "甲镇"),  # the last day counts
        (date(2023, 1, 1), "grid", [[None, "1"]], "清涧县"),  # the town's period has ended
        (
            date(2022, 6, 1),
            "b_building",
            [[None, "1"]],
            "清涧县",
        ),  # another town inherits the county
    ],
)
def test_resolution_across_tree_and_periods(tiers, on, node, expected, source):
    target = tiers.b.building if node == "b_building" else getattr(tiers.a, node)
    result = resolve(KEY, target, on)
    assert result.value == expected
    assert (result.source.unit.name if result.source else None) == source


def test_tier_lookup_by_household_size(tiers):
    value = resolve(KEY, tiers.a.site, date(2022, 3, 1)).value
    assert registry.tier_value(value, 5) == Decimal("1")
    assert registry.tier_value(value, 6) == Decimal("2")


def test_overlapping_periods_are_refused(tiers):
    with pytest.raises(ValidationError) as exc:
        services.set_value(
            None, key=KEY, unit=tiers.a.unit, valid_from=date(2022, 6, 1), value="*:1"
        )
    assert "有效期不能重叠" in str(exc.value)


@pytest.mark.parametrize(
    "key, text, message",
    [
        ("employment.min_employed_per_household", "5:1; 3:2", "以“*:数值”结尾"),
        ("employment.min_employed_per_household", "5-1", "应写作"),
        ("employment.hiring_subsidy", "五百", "不是数字"),
        ("employment.hiring_subsidy", "-1", "不能为负数"),
        ("employment.workshop_local_share", "120", "超出范围"),
        ("registry.age_bands", "36, 19", "从小到大"),
        ("industry.dividend_excludes_safety_net", "也许", "只能填"),
        ("orgs.grid_households_max", "", "请填写"),
    ],
)
def test_bad_values_get_chinese_messages(world, key, text, message):
    with pytest.raises(ValidationError) as exc:
        services.set_value(
            None, key=key, unit=world.a.unit, valid_from=date(2024, 1, 1), value=text
        )
    assert message in str(exc.value)


def test_unknown_key_and_reversed_period(world):
    with pytest.raises(ValidationError, match="未知的参数"):
        services.set_value(
            None, key="no.such", unit=world.a.unit, valid_from=date(2024, 1, 1), value="1"
        )
    with pytest.raises(ValidationError, match="截止日期不能早于"):
        services.set_value(
            None,
            key="orgs.grid_households_max",
            unit=world.a.unit,
            valid_from=date(2024, 1, 1),
            valid_to=date(2023, 1, 1),
            value="1",
        )


def test_values_are_stored_typed():
    assert registry.parse(registry.KEYS["employment.hiring_subsidy"], "1,500") == "1500.00"
    assert registry.parse(registry.KEYS["registry.age_bands"], "19，36、60") == [19, 36, 60]
    assert (
        registry.display(registry.KEYS["registry.age_bands"], [19, 36, 60])
        == "0–18、19–35、36–59、60 以上 岁"
    )
    assert (
        registry.display(registry.KEYS["industry.dividend_tiers"], [[3, "1800"], [None, "2400"]])
        == "1–3 人：1800；4 人及以上：2400"
    )


def test_edit_page_validates_and_audits(tiers, client_for):
    client = client_for(tiers.users["dept_rural"])
    pv = ParameterValue.objects.get(key=KEY, unit=tiers.a.unit)
    bad = client.post(
        f"/policies/{pv.pk}/edit/",
        {"valid_from": "2022-01-01", "valid_to": "2022-12-31", "value": "5:1; 3:2"},
    )
    assert bad.status_code == 200 and "结尾" in bad.content.decode()
    good = client.post(
        f"/policies/{pv.pk}/edit/",
        {
            "valid_from": "2022-01-01",
            "valid_to": "2023-12-31",
            "value": "4:1; *:2",
            "source": "镇文件（修订）",
        },
    )
    assert good.status_code == 302
    pv.refresh_from_db()
    assert pv.value == [[4, "1"], [None, "2"]] and pv.valid_to == date(2023, 12, 31)
    log = AuditLog.objects.filter(object_type="policies.parametervalue", action="update").get()
    assert log.changes["valid_to"] == ["2022-12-31", "2023-12-31"]


def test_create_page_and_resolve_page(world, client_for):
    client = client_for(world.users["dept_rural"])
    response = client.post(
        "/policies/new/",
        {
            "key": "orgs.site_chief_visits_per_month",
            "unit": world.a.unit.pk,
            "valid_from": "2022-01-01",
            "value": "2",
            "source": "003 第1条",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/policies/resolve/?unit={world.a.unit.pk}&on=2022-05-01").content.decode()
    assert "点长每月到点次数" in page and "003 第1条" in page


def test_read_only_roles_cannot_edit(world, client_for):
    client = client_for(world.users["site_staff"])
    assert client.get("/policies/").status_code == 200
    assert client.get("/policies/new/").status_code == 403


def test_api_resolve(tiers, client_for):
    client = client_for(tiers.users["town_staff"])
    data = client.get(f"/api/policy-values/resolve/?unit={tiers.a.unit.pk}&on=2022-02-01").json()
    row = next(p for p in data["parameters"] if p["key"] == KEY)
    assert row["source_unit"] == "甲镇" and row["display"] == "1–5 人：1；6 人及以上：2"
    assert client.get("/api/policy-values/resolve/?unit=x").status_code == 400


def test_presets_load_for_seed_jurisdictions(db):
    from anju.orgs.divisions import load_divisions
    from anju.policies.presets import PRESETS, load_presets

    load_divisions(province_codes=["61", "14", "36", "52"])
    assert load_presets() == len(PRESETS)
    assert load_presets() == 0  # idempotent
    from anju.orgs.models import AdminUnit

    rongjiang = AdminUnit.objects.get(code="522632")
    assert (
        resolve("employment.assistance_allowance_monthly", rongjiang, date(2021, 12, 30)).value
        == "400.00"
    )
    assert (
        resolve("employment.assistance_allowance_monthly", rongjiang, date(2021, 12, 31)).value
        is None
    )
    shicheng = AdminUnit.objects.get(code="360735")
    assert resolve(KEY, shicheng, date(2022, 5, 1)).value == [[5, "1"], [None, "2"]]
