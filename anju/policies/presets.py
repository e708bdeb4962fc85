"""Parameter presets for the five seed jurisdictions. Each value names the document it comes from
by its title, as officials cite it (the comments give the seed file).

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
# The documents the values come from, by the titles officials cite them by.
QINGJIAN_PLAN_1 = "《清涧县幸福嘉苑社区（工业园区、和谐小区）集中安置点后续扶持方案》"
WANGYI_JOBS = "王益区《关于加强易地扶贫搬迁贫困劳动力就业服务的实施方案》"
WANGYI_LAND = "王益区《关于充分运用城乡建设用地增减挂钩政策支持易地扶贫搬迁和脱贫攻坚的实施方案》"
YUNCHENG_PLAN = (
    "《关于做好易地扶贫搬迁后续扶持工作巩固拓展脱贫攻坚成果的行动方案》（运易组办〔2021〕1号）"
)
SHICHENG_PLAN = "《石城县2022年强化易地扶贫搬迁后续扶持工作的实施方案》（石巩固成果字〔2022〕8号）"
RONGJIANG_SERVICES = "《榕江县易地扶贫搬迁安置点基本公共服务体系工作方案》"
RONGJIANG_JOBS = "《榕江县易地扶贫搬迁培训和就业服务体系建设工作方案》"
RONGJIANG_SAFETY = "《榕江县易地扶贫搬迁安置点社会治安综合治理维护社会稳定工作方案》"
RONGJIANG_COMMUNITY = "《榕江县易地扶贫搬迁安置点社区治理体系建设工作方案》"
RONGJIANG_PLAN = "《榕江县易地扶贫搬迁后续扶持工作方案》（榕党办发〔2019〕20号）"


PRESETS: list[tuple[str, str, str, date, date | None, str]] = [
    # 清涧县 (000): dividends by household size, safety-net households excluded; age bands of the
    # site summaries; employment team for sites of 800 persons or more; one job per household.
    (
        QINGJIAN,
        "industry.dividend_tiers",
        "3:1800; *:2400",
        date(2019, 1, 1),
        None,
        f"{QINGJIAN_PLAN_1}：1–3 人户 1800 元，4 人及以上 2400 元",
    ),
    (
        QINGJIAN,
        "industry.dividend_excludes_safety_net",
        "是",
        date(2019, 1, 1),
        None,
        f"{QINGJIAN_PLAN_1}：兜底保障户不参与分红",
    ),
    (
        QINGJIAN,
        "registry.age_bands",
        "19, 36, 60",
        date(2019, 1, 1),
        None,
        "清涧县各集中安置点后续扶持方案：18 岁以下、19–35、36–59、60 岁以上",
    ),
    (
        QINGJIAN,
        "registry.age_bands_secondary",
        "18, 61",
        date(2019, 1, 1),
        None,
        f"{QINGJIAN_PLAN_1}：18 周岁以下、18 至 60 周岁、60 周岁以上",
    ),
    (
        QINGJIAN,
        "employment.team_site_persons",
        "800",
        date(2019, 1, 1),
        None,
        f"{QINGJIAN_PLAN_1}：800 人以上安置点成立就业服务队",
    ),
    (
        QINGJIAN,
        "employment.min_employed_per_household",
        "*:1",
        date(2019, 1, 1),
        None,
        "清涧县各集中安置点后续扶持方案：有劳动力的搬迁户至少 1 人稳定就业",
    ),
    # 王益区 (001): training allowance by course class, training filing ahead, quota linkage prices.
    (
        WANGYI,
        "employment.training_living_allowance_daily",
        "50",
        date(2019, 1, 1),
        None,
        f"{WANGYI_JOBS}：培训生活交通补贴 20 或 50 元/人/天（按课程类别，取高档）",
    ),
    (
        WANGYI,
        "employment.training_filing_workdays",
        "10",
        date(2019, 1, 1),
        None,
        f"{WANGYI_JOBS}三（一）：培训机构开班前 10 个工作日将培训方案报人社部门备案",
    ),
    (
        WANGYI,
        "land.quota_base_price_per_mu",
        "200000",
        date(2019, 1, 1),
        None,
        f"{WANGYI_LAND}：市内跨县交易基准价 20 万元/亩",
    ),
    (
        WANGYI,
        "land.quota_debt_reserve_share",
        "5",
        date(2019, 1, 1),
        None,
        f"{WANGYI_LAND}：每笔指标交易收益不低于 5% 计提偿债准备金",
    ),
    # 运城市 (002): workshops for sites under 800 lifted persons, ≥50% relocated labour;
    # first secretary for sites of 100 persons or more.
    (
        YUNCHENG,
        "employment.workshop_site_lifted_persons",
        "800",
        date(2021, 1, 1),
        None,
        f"{YUNCHENG_PLAN}：脱贫人口 800 人以下安置点配建帮扶车间",
    ),
    (
        YUNCHENG,
        "employment.workshop_local_share",
        "50",
        date(2021, 1, 1),
        None,
        f"{YUNCHENG_PLAN}：帮扶车间 50% 以上岗位吸纳搬迁劳动力",
    ),
    (
        YUNCHENG,
        "orgs.first_secretary_site_persons",
        "100",
        date(2021, 1, 1),
        None,
        f"{YUNCHENG_PLAN}三（五）：100 人以上安置点选派第一书记和 3 人工作队",
    ),
    (
        YUNCHENG,
        "employment.min_employed_per_household",
        "*:1",
        date(2021, 1, 1),
        None,
        f"{YUNCHENG_PLAN}：有劳动力的搬迁家庭至少 1 人就业",
    ),
    # 石城县 (003): household employment by size, site chief visits, deadlines, industry, resale.
    (
        SHICHENG,
        "employment.min_employed_per_household",
        "5:1; *:2",
        date(2022, 1, 1),
        None,
        f"{SHICHENG_PLAN}第12条：5 人及以下至少 1 人，5 人以上至少 2 人就业",
    ),
    (
        SHICHENG,
        "orgs.site_chief_visits_per_month",
        "2",
        date(2022, 1, 1),
        None,
        f"{SHICHENG_PLAN}第1条：点长每月到点不少于 2 次",
    ),
    (
        SHICHENG,
        "worklist.screening_day",
        "25",
        date(2022, 1, 1),
        None,
        f"{SHICHENG_PLAN}责任清单：部门每月 25 日前比对数据并推送预警",
    ),
    (
        SHICHENG,
        "worklist.ledger_update_day",
        "3",
        date(2022, 1, 1),
        None,
        f"{SHICHENG_PLAN}责任清单：次月 3 日前更新监测台账",
    ),
    (
        SHICHENG,
        "industry.site_industry_min_persons",
        "200",
        date(2022, 1, 1),
        None,
        f"{SHICHENG_PLAN}第9条：200 人以上安置点至少 1 个产业、1 个基地",
    ),
    (
        SHICHENG,
        "industry.collective_income_min",
        "10000",
        date(2022, 1, 1),
        None,
        f"{SHICHENG_PLAN}第22条：集体经济收入不低于 1 万元/年",
    ),
    (
        SHICHENG,
        "housing.no_resale_years",
        "20",
        date(2022, 1, 1),
        None,
        f"{SHICHENG_PLAN}第23条：20 年内不得出售、转租",
    ),
    # 榕江县 (004): employment subsidies, village doctors, police rooms, grids.
    (RONGJIANG, "employment.hiring_subsidy", "500", date(2019, 1, 1), None, RONGJIANG_JOBS),
    (
        RONGJIANG,
        "employment.tracking_service_subsidy",
        "400",
        date(2019, 1, 1),
        None,
        RONGJIANG_JOBS,
    ),
    (
        RONGJIANG,
        "employment.job_search_subsidy_in_province",
        "500",
        date(2019, 1, 1),
        None,
        f"{RONGJIANG_JOBS}：有组织输出，省内县外",
    ),
    (
        RONGJIANG,
        "employment.job_search_subsidy_out_of_province",
        "1000",
        date(2019, 1, 1),
        None,
        f"{RONGJIANG_JOBS}：有组织输出，省外",
    ),
    (RONGJIANG, "employment.startup_subsidy", "5000", date(2019, 1, 1), None, RONGJIANG_JOBS),
    (
        RONGJIANG,
        "employment.startup_loan_cap_person",
        "150000",
        date(2019, 1, 1),
        None,
        f"{RONGJIANG_JOBS}：个人创业担保贷款不超过 15 万元",
    ),
    (
        RONGJIANG,
        "employment.assistance_allowance_monthly",
        "400",
        date(2019, 1, 1),
        date(2021, 12, 30),
        f"{RONGJIANG_JOBS}：就业援助补贴 400 元/人/月，至 2021-12-30",
    ),
    (
        RONGJIANG,
        "employment.onjob_training_monthly_cap",
        "500",
        date(2019, 1, 1),
        None,
        f"{RONGJIANG_JOBS}：不超过 500 元/人/月，最长 3 个月",
    ),
    (
        RONGJIANG,
        "employment.training_living_allowance_daily",
        "40",
        date(2019, 1, 1),
        None,
        f"{RONGJIANG_JOBS}：全日制培训生活补贴 40 元/天",
    ),
    (
        RONGJIANG,
        "employment.min_employed_per_household",
        "*:1",
        date(2019, 1, 1),
        None,
        f"{RONGJIANG_PLAN}：有劳动力的搬迁家庭至少 1 人稳定就业",
    ),
    (
        RONGJIANG,
        "services.village_doctor_tiers",
        "999:1; 1999:2; 2999:3; *:4",
        date(2019, 1, 1),
        None,
        f"{RONGJIANG_SERVICES}第5条",
    ),
    (
        RONGJIANG,
        "services.police_room_site_persons",
        "3000",
        date(2019, 1, 1),
        None,
        f"{RONGJIANG_SAFETY}：3000 人以上安置点一室一警",
    ),
    (RONGJIANG, "orgs.grid_households_min", "100", date(2019, 1, 1), None, RONGJIANG_COMMUNITY),
    (RONGJIANG, "orgs.grid_households_max", "200", date(2019, 1, 1), None, RONGJIANG_COMMUNITY),
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
