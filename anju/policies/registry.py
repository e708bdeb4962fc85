"""The typed registry of policy parameters.

Policy is data: each county sets its own thresholds, amounts and rules for a period. Code names a
parameter by key; the value comes from :func:`anju.policies.selectors.resolve`. Values are stored
as JSON in the shape the key's kind defines, and parsed from what a person types in the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    example: str


INT = Kind("int", "整数", "800")
MONEY = Kind("money", "金额（元）", "500.00")
PERCENT = Kind("percent", "百分比", "50")
BOOL = Kind("bool", "是/否", "是")
BOUNDS = Kind("bounds", "分段下限（岁）", "19, 36, 60")
TIERS = Kind("tiers", "按人数分档", "3:1800; *:2400")
KM = Kind("km", "距离（公里）", "5")
HEADERS = Kind("headers", "列名对照", "户主证件号码=户主身份证号码；监测对象类别=监测对象类型")


# The monitoring scan's rules that a unit may switch off (anju/monitoring/rules.py keeps what
# each one reads); listed here so the keys exist without the policies app importing monitoring.
MONITORING_RULES = [
    ("income_below_line", "收入低于监测标准"),
    ("income_edge", "收入处于监测边缘"),
    ("income_drop", "收入大幅下降"),
    ("rigid_spending", "刚性支出较大"),
    ("out_of_school", "义务教育阶段失学辍学"),
    ("no_medical_insurance", "未参加基本医疗保险"),
    ("lead", "突发困难（入户排查、农户自主申报）"),
    ("department", "部门筛查预警"),
    # Read by the employment app's rule (anju/employment/signals.py).
    ("no_one_employed", "有劳动力无人就业"),
]


@dataclass(frozen=True)
class ParameterKey:
    key: str
    name: str
    kind: Kind
    unit: str = ""
    help: str = ""
    module: str = ""


def _key(*args, **kwargs) -> ParameterKey:
    return ParameterKey(*args, **kwargs)


KEYS: dict[str, ParameterKey] = {
    k.key: k
    for k in [
        _key(
            "monitoring.income_line",
            "防返贫监测收入标准",
            MONEY,
            "元/人/年",
            "家庭人均纯收入低于此线的纳入监测范围；由各省每年确定。",
            "monitoring",
        ),
        _key(
            "monitoring.edge_band",
            "监测收入边缘区间",
            PERCENT,
            "%",
            "人均纯收入高于监测标准、但不超过标准的这一比例以上时，视为收入处于边缘、需要关注。",
            "monitoring",
        ),
        _key(
            "monitoring.drop_share",
            "收入大幅下降比例",
            PERCENT,
            "%",
            "家庭人均纯收入比上一年下降超过此比例的，发出预警。",
            "monitoring",
        ),
        _key(
            "monitoring.rigid_share",
            "刚性支出占收入比例",
            PERCENT,
            "%",
            "合规自付医疗支出与教育支出之和超过家庭纯收入的此比例的，发出预警。",
            "monitoring",
        ),
        _key(
            "monitoring.door_check_days",
            "入户核实时限",
            INT,
            "个工作日",
            "预警发出后应在此期限内入户核实（遇节假日按工作日历顺延）；认定须在发现线索后 15 天内完成。",
            "monitoring",
        ),
        _key(
            "employment.labour_age_min",
            "劳动年龄下限",
            INT,
            "周岁",
            "搬迁劳动力清单收录年满此年龄、有劳动能力（普通、技能、弱或半劳动力）的人。",
            "employment",
        ),
        _key(
            "employment.labour_age_max",
            "劳动年龄上限",
            INT,
            "周岁",
            "搬迁劳动力清单收录不超过此年龄（含）的人。",
            "employment",
        ),
        *[
            _key(
                f"monitoring.exchange.{sheet}",
                f"全国系统交换表列名：{label}",
                HEADERS,
                "",
                f"全国防返贫监测信息系统模板中“{label}”表的表头与平台默认写法不同时，逐项写“默认列名="
                "全国系统列名”，用；分隔。导出按全国系统的列名写表头，导入时两种写法都认。",
                "monitoring",
            )
            for sheet, label in (("households", "户信息"), ("members", "监测对象信息"))
        ],
        *[
            _key(
                f"monitoring.rule.{code}",
                f"预警规则：{label}",
                BOOL,
                "",
                "设为“否”则本单位及下级不再按此规则预警；未设定时规则启用。",
                "monitoring",
            )
            for code, label in MONITORING_RULES
        ],
        _key(
            "registry.age_bands",
            "年龄分段",
            BOUNDS,
            "岁",
            "安置点基本情况按年龄分段统计，填各段的起始年龄（第一段从 0 岁起）。",
            "registry",
        ),
        _key(
            "registry.age_bands_secondary",
            "第二套年龄分段",
            BOUNDS,
            "岁",
            "部分方案并列使用另一套分段（如 18 岁以下、18–60、60 岁以上）。",
            "registry",
        ),
        _key(
            "employment.min_employed_per_household",
            "有劳动力家庭最少稳定就业人数",
            TIERS,
            "人就业",
            "按家庭人口分档的最少就业人数（不超过家中有劳动能力的人数）。如《石城县2022年强化易地扶贫"
            "搬迁后续扶持工作的实施方案》第12条：5 人及以下至少 1 人、5 人以上至少 2 人，写作“5:1; *:2”；"
            "每户有劳动力的至少 1 人就业，写作“*:1”。",
            "employment",
        ),
        _key(
            "employment.circle_km",
            "20 分钟生活圈半径",
            KM,
            "公里",
            "岗位工作地点与安置点坐标的直线距离不超过此值，视为在安置点 20 分钟生活圈内（《关于做好易地"
            "扶贫搬迁后续扶持工作巩固拓展脱贫攻坚成果的行动方案》：车间工坊建在安置点周边 20 分钟生活圈内）。"
            "文件未给出公里数；未设定时按 5 公里（平台设定：步行、电动车或班车约 20 分钟），各地可按交通实际调整。",
            "employment",
        ),
        _key(
            "employment.workshop_site_lifted_persons",
            "配建帮扶车间的安置点脱贫人口上限",
            INT,
            "人",
            "脱贫人口少于此数的安置点，在 20 分钟生活圈内配建帮扶车间。",
            "employment",
        ),
        _key(
            "employment.workshop_local_share",
            "帮扶车间吸纳搬迁劳动力最低比例",
            PERCENT,
            "%",
            "",
            "employment",
        ),
        _key(
            "employment.team_site_persons",
            "设立就业服务队的安置点人口下限",
            INT,
            "人",
            "",
            "employment",
        ),
        _key(
            "employment.hiring_subsidy",
            "吸纳就业补贴",
            MONEY,
            "元/人",
            "就业满 3 个月、签订 1 年以上合同并缴纳社保。",
            "employment",
        ),
        _key(
            "employment.tracking_service_subsidy",
            "跟踪服务补贴",
            MONEY,
            "元/人",
            "就业满 6 个月，跟踪服务 1 年。",
            "employment",
        ),
        _key(
            "employment.job_search_subsidy_in_province",
            "求职补贴（省内县外）",
            MONEY,
            "元",
            "有组织输出。",
            "employment",
        ),
        _key(
            "employment.job_search_subsidy_out_of_province",
            "求职补贴（省外）",
            MONEY,
            "元",
            "有组织输出。",
            "employment",
        ),
        _key(
            "employment.startup_subsidy",
            "一次性创业补贴",
            MONEY,
            "元",
            "经营满 6 个月。",
            "employment",
        ),
        _key(
            "employment.startup_loan_cap_person",
            "个人创业担保贷款上限",
            MONEY,
            "元",
            "",
            "employment",
        ),
        _key(
            "employment.assistance_allowance_monthly",
            "就业援助补贴",
            MONEY,
            "元/人/月",
            "",
            "employment",
        ),
        _key(
            "employment.onjob_training_monthly_cap",
            "岗前/在岗培训补贴上限",
            MONEY,
            "元/人/月",
            "最长 3 个月。",
            "employment",
        ),
        _key(
            "employment.training_living_allowance_daily",
            "培训期间生活（交通）补贴",
            MONEY,
            "元/人/天",
            "",
            "employment",
        ),
        _key(
            "employment.training_filing_workdays",
            "培训开班前备案时限",
            INT,
            "个工作日",
            "培训机构至少在开班前这么多个工作日把培训方案报人社部门备案；备案当天是工作日的算一天，"
            "开班当天不算，节假日不算，调休上班的周末算。不足的在培训台账中标为备案不及时。",
            "employment",
        ),
        _key(
            "industry.dividend_tiers",
            "产业分红标准（按家庭人数）",
            TIERS,
            "元/户",
            "“3:1800; *:2400” 表示 1–3 人户 1800 元、4 人及以上 2400 元。",
            "industry",
        ),
        _key(
            "industry.dividend_excludes_safety_net",
            "兜底保障户不参与分红",
            BOOL,
            "",
            "",
            "industry",
        ),
        _key(
            "industry.site_industry_min_persons",
            "须配套产业的安置点人口下限",
            INT,
            "人",
            "达到此人口的安置点至少配套 1 个产业、1 个基地。",
            "industry",
        ),
        _key(
            "industry.collective_income_min", "村集体经济年收入目标", MONEY, "元/年", "", "industry"
        ),
        _key(
            "services.village_doctor_tiers",
            "村医配备（按服务人口）",
            TIERS,
            "名",
            "“999:1; 1999:2; 2999:3; *:4” 表示不足 1000 人 1 名……3000 人以上 4 名。",
            "health",
        ),
        _key(
            "services.police_room_site_persons",
            "设警务室的安置点人口下限",
            INT,
            "人",
            "",
            "community",
        ),
        _key("orgs.grid_households_max", "每个网格最多户数", INT, "户", "", "community"),
        _key("orgs.grid_households_min", "每个网格最少户数", INT, "户", "", "community"),
        _key(
            "orgs.first_secretary_site_persons",
            "派驻第一书记的安置点人口下限",
            INT,
            "人",
            "",
            "community",
        ),
        _key("orgs.site_chief_visits_per_month", "点长每月到点次数", INT, "次/月", "", "worklist"),
        _key(
            "worklist.screening_day",
            "部门每月数据比对截止日",
            INT,
            "日",
            "每月几日前推送预警。",
            "worklist",
        ),
        _key("worklist.ledger_update_day", "监测台账次月更新截止日", INT, "日", "", "worklist"),
        _key("housing.no_resale_years", "安置住房禁止出售、转租年限", INT, "年", "", "housing"),
        _key("land.quota_base_price_per_mu", "增减挂钩节余指标基准价", MONEY, "元/亩", "", "land"),
        _key(
            "land.quota_debt_reserve_share",
            "指标交易收益计提偿债准备金比例",
            PERCENT,
            "%",
            "",
            "land",
        ),
    ]
}


def get_key(key: str) -> ParameterKey:
    try:
        return KEYS[key]
    except KeyError:
        raise ValidationError({"key": f"未知的参数「{key}」。"}) from None


def _decimal(text: str, what: str) -> Decimal:
    try:
        value = Decimal(str(text).strip().replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise ValidationError(f"{what}「{text}」不是数字。") from None
    if not value.is_finite():
        raise ValidationError(f"{what}「{text}」不是数字。")
    return value


def parse(key: ParameterKey, text) -> object:
    """Turn what a person typed (or a JSON value) into the stored form, or say what is wrong."""
    kind = key.kind
    if isinstance(text, str):
        text = text.strip()
    if text in ("", None):
        raise ValidationError("请填写参数值。")
    if kind in (INT, PERCENT):
        value = _decimal(text, "参数值")
        if value != value.to_integral_value():
            raise ValidationError(f"参数值「{text}」须为整数。")
        value = int(value)
        if value < 0 or (kind is PERCENT and value > 100):
            raise ValidationError(
                f"参数值「{text}」超出范围" + ("（0–100）。" if kind is PERCENT else "。")
            )
        return value
    if kind is MONEY:
        value = _decimal(text, "金额")
        if value < 0:
            raise ValidationError("金额不能为负数。")
        return str(value.quantize(Decimal("0.01")))
    if kind is KM:
        value = _decimal(text, "距离")
        if value <= 0 or value > 1000:
            raise ValidationError(f"距离「{text}」应在 0 至 1000 公里之间（不含 0）。")
        return str(value.quantize(Decimal("0.1")))
    if kind is BOOL:
        if isinstance(text, bool):
            return text
        if text in ("是", "true", "True", "1", "yes"):
            return True
        if text in ("否", "false", "False", "0", "no"):
            return False
        raise ValidationError(f"参数值「{text}」只能填“是”或“否”。")
    if kind is BOUNDS:
        items = text if isinstance(text, list) else re.split(r"[,，、\s]+", text)
        bounds = [int(_decimal(b, "年龄")) for b in items if str(b).strip()]
        if not bounds or bounds != sorted(set(bounds)) or bounds[0] <= 0:
            raise ValidationError("年龄分段须为从小到大、互不相同的正整数，如“19, 36, 60”。")
        return bounds
    if kind is TIERS:
        return _parse_tiers(text)
    if kind is HEADERS:
        return _parse_headers(text)
    raise ValidationError(f"未知的参数类型「{kind.code}」。")


def _parse_headers(text) -> dict[str, str]:
    """“默认列名=对方列名；…” → {默认列名: 对方列名}."""
    if isinstance(text, dict):
        pairs = [(str(a), str(b)) for a, b in text.items()]
    else:
        pairs = []
        for part in re.split(r"[;；\n]+", text):
            if not part.strip():
                continue
            if "=" not in part.replace("＝", "="):
                raise ValidationError(f"「{part.strip()}」应写作“默认列名=全国系统列名”。")
            ours, theirs = part.replace("＝", "=").split("=", 1)
            pairs.append((ours.strip(), theirs.strip()))
    mapping: dict[str, str] = {}
    for ours, theirs in pairs:
        if not ours or not theirs:
            raise ValidationError("列名对照的两边都须填写，如“户主证件号码=户主身份证号码”。")
        if ours in mapping:
            raise ValidationError(f"列名「{ours}」写了两次。")
        mapping[ours] = theirs
    if len(set(mapping.values())) != len(mapping):
        raise ValidationError("两个列对照到了同一个全国系统列名。")
    return mapping


def _parse_tiers(text) -> list[list]:
    if isinstance(text, list):
        pairs = [(str(a), str(b)) for a, b in text]
    else:
        pairs = []
        for part in re.split(r"[;；\n]+", text):
            if not part.strip():
                continue
            if ":" not in part.replace("：", ":"):
                raise ValidationError(f"分档「{part.strip()}」应写作“上限:数值”，如“3:1800”。")
            upper, value = part.replace("：", ":").split(":", 1)
            pairs.append((upper.strip(), value.strip()))
    tiers: list[list] = []
    for upper, value in pairs:
        up = None if upper in ("*", "None", "以上") else int(_decimal(upper, "分档上限"))
        tiers.append([up, str(_decimal(value, "分档数值"))])
    uppers = [t[0] for t in tiers]
    if not tiers or uppers[-1] is not None or None in uppers[:-1]:
        raise ValidationError("分档须以“*:数值”结尾（表示最高一档），且只能有一个“*”。")
    if uppers[:-1] != sorted(set(uppers[:-1])):
        raise ValidationError("分档上限须从小到大、互不相同。")
    return tiers


def display(key: ParameterKey, value) -> str:
    kind = key.kind
    if kind is HEADERS:
        return "；".join(f"{a} → {b}" for a, b in value.items())
    if kind is BOOL:
        return "是" if value else "否"
    if kind is PERCENT:
        return f"{value}%"
    if kind is BOUNDS:
        starts = [0, *value]
        bands = [f"{a}–{b - 1}" for a, b in zip(starts, value, strict=False)]
        return "、".join([*bands, f"{value[-1]} 以上"]) + " 岁"
    if kind is TIERS:
        parts, low = [], 1
        for upper, amount in value:
            parts.append(
                f"{low} 人及以上：{amount}" if upper is None else f"{low}–{upper} 人：{amount}"
            )
            low = (upper or 0) + 1
        return "；".join(parts)
    return f"{value}"


def to_text(key: ParameterKey, value) -> str:
    """The form in which a stored value is edited again."""
    if key.kind is BOOL:
        return "是" if value else "否"
    if key.kind is BOUNDS:
        return ", ".join(str(v) for v in value)
    if key.kind is HEADERS:
        return "；".join(f"{a}={b}" for a, b in value.items())
    if key.kind is TIERS:
        return "; ".join(f"{'*' if u is None else u}:{a}" for u, a in value)
    return str(value)


def tier_value(tiers: list[list], count: int) -> Decimal:
    """The value of the tier that a count falls in (household size → dividend, …)."""
    for upper, amount in tiers:
        if upper is None or count <= upper:
            return Decimal(amount)
    raise ValueError("tiers must end with an open tier")
