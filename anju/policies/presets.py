"""Parameter presets for the five seed jurisdictions (file names refer to the seed documents).

Each entry: GB/T 2260 code of the jurisdiction, key, value as a person would type it, effective
from, effective to (None = open), and where the number comes from.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from anju.orgs.models import AdminUnit

from . import services
from .models import ParameterValue

QINGJIAN, WANGYI, YUNCHENG, SHICHENG, RONGJIANG = "610830", "610202", "140800", "360735", "522632"

PRESETS: list[tuple[str, str, str, date, date | None, str]] = [
    # 清涧县 (000): dividends by household size, safety-net households excluded; age bands of the
    # site summaries; employment team for sites of 800 persons or more; one job per household.
    (
        QINGJIAN,
        "industry.dividend_tiers",
        "3:1800; *:2400",
        date(2019, 1, 1),
        None,
        "000 附件1-1：1–3 人户 1800 元，4 人及以上 2400 元",
    ),
    (
        QINGJIAN,
        "industry.dividend_excludes_safety_net",
        "是",
        date(2019, 1, 1),
        None,
        "000 附件1-1：兜底保障户不参与分红",
    ),
    (
        QINGJIAN,
        "registry.age_bands",
        "19, 36, 60",
        date(2019, 1, 1),
        None,
        "000：18 岁以下、19–35、36–59、60 岁以上",
    ),
    (
        QINGJIAN,
        "registry.age_bands_secondary",
        "18, 61",
        date(2019, 1, 1),
        None,
        "000 附件1-1：18 周岁以下、18 至 60 周岁、60 周岁以上",
    ),
    (
        QINGJIAN,
        "employment.team_site_persons",
        "800",
        date(2019, 1, 1),
        None,
        "000 附件1-1：800 人以上安置点成立就业服务队",
    ),
    (
        QINGJIAN,
        "employment.min_employed_per_household",
        "*:1",
        date(2019, 1, 1),
        None,
        "000：有劳动力的搬迁户至少 1 人稳定就业",
    ),
    # 王益区 (001): training allowance by course class, quota linkage prices.
    (
        WANGYI,
        "employment.training_living_allowance_daily",
        "50",
        date(2019, 1, 1),
        None,
        "001 附件2：培训生活交通补贴 20 或 50 元/人/天（按课程类别，取高档）",
    ),
    (
        WANGYI,
        "land.quota_base_price_per_mu",
        "200000",
        date(2019, 1, 1),
        None,
        "001 附件5：市内跨县交易基准价 20 万元/亩",
    ),
    (
        WANGYI,
        "land.quota_debt_reserve_share",
        "5",
        date(2019, 1, 1),
        None,
        "001 附件5：每笔指标交易收益不低于 5% 计提偿债准备金",
    ),
    # 运城市 (002): workshops for sites under 800 lifted persons, ≥50% relocated labour;
    # first secretary for sites of 100 persons or more.
    (
        YUNCHENG,
        "employment.workshop_site_lifted_persons",
        "800",
        date(2021, 1, 1),
        None,
        "002：脱贫人口 800 人以下安置点配建帮扶车间",
    ),
    (
        YUNCHENG,
        "employment.workshop_local_share",
        "50",
        date(2021, 1, 1),
        None,
        "002：帮扶车间 50% 以上岗位吸纳搬迁劳动力",
    ),
    (
        YUNCHENG,
        "orgs.first_secretary_site_persons",
        "100",
        date(2021, 1, 1),
        None,
        "002 三(五)：100 人以上安置点选派第一书记和 3 人工作队",
    ),
    (
        YUNCHENG,
        "employment.min_employed_per_household",
        "*:1",
        date(2021, 1, 1),
        None,
        "002：有劳动力的搬迁家庭至少 1 人就业",
    ),
    # 石城县 (003): household employment by size, site chief visits, deadlines, industry, resale.
    (
        SHICHENG,
        "employment.min_employed_per_household",
        "5:1; *:2",
        date(2022, 1, 1),
        None,
        "003 第12条：5 人及以下至少 1 人，5 人以上至少 2 人就业",
    ),
    (
        SHICHENG,
        "orgs.site_chief_visits_per_month",
        "2",
        date(2022, 1, 1),
        None,
        "003 第1条：点长每月到点不少于 2 次",
    ),
    (
        SHICHENG,
        "worklist.screening_day",
        "25",
        date(2022, 1, 1),
        None,
        "003 责任清单：部门每月 25 日前比对数据并推送预警",
    ),
    (
        SHICHENG,
        "worklist.ledger_update_day",
        "3",
        date(2022, 1, 1),
        None,
        "003 责任清单：次月 3 日前更新监测台账",
    ),
    (
        SHICHENG,
        "industry.site_industry_min_persons",
        "200",
        date(2022, 1, 1),
        None,
        "003 第9条：200 人以上安置点至少 1 个产业、1 个基地",
    ),
    (
        SHICHENG,
        "industry.collective_income_min",
        "10000",
        date(2022, 1, 1),
        None,
        "003 第22条：集体经济收入不低于 1 万元/年",
    ),
    (
        SHICHENG,
        "housing.no_resale_years",
        "20",
        date(2022, 1, 1),
        None,
        "003 第23条：20 年内不得出售、转租",
    ),
    # 榕江县 (004): employment subsidies, village doctors, police rooms, grids.
    (RONGJIANG, "employment.hiring_subsidy", "500", date(2019, 1, 1), None, "004 附件2"),
    (RONGJIANG, "employment.tracking_service_subsidy", "400", date(2019, 1, 1), None, "004 附件2"),
    (
        RONGJIANG,
        "employment.job_search_subsidy_in_province",
        "500",
        date(2019, 1, 1),
        None,
        "004 附件2：有组织输出，省内县外",
    ),
    (
        RONGJIANG,
        "employment.job_search_subsidy_out_of_province",
        "1000",
        date(2019, 1, 1),
        None,
        "004 附件2：有组织输出，省外",
    ),
    (RONGJIANG, "employment.startup_subsidy", "5000", date(2019, 1, 1), None, "004 附件2"),
    (
        RONGJIANG,
        "employment.startup_loan_cap_person",
        "150000",
        date(2019, 1, 1),
        None,
        "004 附件2：个人创业担保贷款不超过 15 万元",
    ),
    (
        RONGJIANG,
        "employment.assistance_allowance_monthly",
        "400",
        date(2019, 1, 1),
        date(2021, 12, 30),
        "004 附件2：就业援助补贴 400 元/人/月，至 2021-12-30",
    ),
    (
        RONGJIANG,
        "employment.onjob_training_monthly_cap",
        "500",
        date(2019, 1, 1),
        None,
        "004 附件2：不超过 500 元/人/月，最长 3 个月",
    ),
    (
        RONGJIANG,
        "employment.training_living_allowance_daily",
        "40",
        date(2019, 1, 1),
        None,
        "004 附件2：全日制培训生活补贴 40 元/天",
    ),
    (
        RONGJIANG,
        "employment.min_employed_per_household",
        "*:1",
        date(2019, 1, 1),
        None,
        "004：有劳动力的搬迁家庭至少 1 人稳定就业",
    ),
    (
        RONGJIANG,
        "services.village_doctor_tiers",
        "999:1; 1999:2; 2999:3; *:4",
        date(2019, 1, 1),
        None,
        "004 附件1 第5条",
    ),
    (
        RONGJIANG,
        "services.police_room_site_persons",
        "3000",
        date(2019, 1, 1),
        None,
        "004 附件6：3000 人以上安置点一室一警",
    ),
    (RONGJIANG, "orgs.grid_households_min", "100", date(2019, 1, 1), None, "004 附件4"),
    (RONGJIANG, "orgs.grid_households_max", "200", date(2019, 1, 1), None, "004 附件4"),
]


@transaction.atomic
def load_presets(actor=None) -> int:
    """Add the presets whose jurisdiction exists and that are not there yet (idempotent)."""
    units = {u.code: u for u in AdminUnit.objects.filter(code__in={p[0] for p in PRESETS})}
    have = set(
        ParameterValue.objects.filter(unit__in=units.values()).values_list(
            "unit__code", "key", "valid_from"
        )
    )
    created = 0
    for code, key, value, start, end, source in PRESETS:
        unit = units.get(code)
        if unit is None or (code, key, start) in have:
            continue
        services.set_value(
            actor, key=key, unit=unit, valid_from=start, valid_to=end, value=value, source=source
        )
        created += 1
    return created
