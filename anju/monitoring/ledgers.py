"""每月回访台账, defined once for the page, the export and the API column order."""

from anju.core.masking import mask_phone
from anju.core.tables import Column, Ledger

from . import choices


def _place(visit) -> str:
    h = visit.household
    return h.site.name if h.site_id else ""


VISITS = Ledger(
    "每月回访台账",
    (
        Column("回访月份", "period"),
        Column("户编号", lambda v: v.household.number, link=lambda v: v.get_absolute_url()),
        Column("安置点", _place),
        Column("回访日期", "visited_on"),
        Column("回访人", "visitor_name"),
        Column("五个变化", lambda v: "、".join(choices.labels(choices.FIVE_CHANGES, v.changes))),
        Column(
            "五种情况", lambda v: "、".join(choices.labels(choices.FIVE_SITUATIONS, v.situations))
        ),
        Column(
            "未保障",
            lambda v: "、".join(choices.labels(choices.BASIC_NEEDS, v.needs_unmet)),
        ),
        Column("情况说明", "note", wrap=True),
    ),
)


INCOMES = Ledger(
    "家庭收支台账",
    (
        Column("年度", "year"),
        Column("户编号", lambda i: i.household.number, link=lambda i: i.get_absolute_url()),
        Column("安置点", _place),
        Column("家庭人数", "members"),
        Column("工资性收入", "wage"),
        Column("生产经营性收入", "business"),
        Column("财产性收入", "property_income"),
        Column("转移性收入", "transfer"),
        Column("生产经营性支出", "business_cost"),
        Column("家庭纯收入", "net_income"),
        Column("家庭人均纯收入", "net_per_capita"),
        Column("合规自付医疗支出", "medical_cost"),
        Column("教育支出", "schooling_cost"),
        Column("计算日期", "reference_date"),
        Column("来源", "get_source_display"),
    ),
)


LEADS = Ledger(
    "监测线索",
    (
        Column("发现时间", "created_at"),
        Column(
            "户编号", lambda x: x.household.number, link=lambda x: x.household.get_absolute_url()
        ),
        Column("安置点", _place),
        Column("来源", "get_source_display"),
        Column("困难类型", lambda x: "、".join(choices.labels(choices.HARDSHIPS, x.hardships))),
        Column("情况说明", "description", wrap=True),
        Column("联系电话", lambda x: mask_phone(x.contact_phone)),
        Column("状态", "get_status_display"),
    ),
)


def _signals(warning) -> str:
    from .rules import short_label

    return "；".join(dict.fromkeys(short_label(s) for s in warning.signals.all()))


def _due(attr: str, late_label: str):
    def value(w):
        from .selectors import overdue

        day = getattr(w, attr)
        if day is None:
            return ""
        return f"{day.isoformat()}（已超期）" if late_label in overdue(w) else day.isoformat()

    def tone(w):
        from .selectors import overdue

        return "danger" if late_label in overdue(w) else ""

    return value, tone


_door, _door_tone = _due("door_check_due", "入户核实")
_decision, _decision_tone = _due("decision_due", "认定")

WARNINGS = Ledger(
    "监测预警",
    (
        Column("预警日期", "opened_on"),
        Column("户编号", lambda w: w.household.number, link=lambda w: w.get_absolute_url()),
        Column("安置点", _place),
        Column("状态", "get_status_display"),
        Column("预警信号", _signals, wrap=True),
        Column("入户核实时限", _door, tone=_door_tone),
        Column("认定时限", _decision, tone=_decision_tone),
    ),
)


FEEDS = Ledger(
    "部门筛查数据",
    (
        Column("导入时间", "created_at"),
        Column("部门", "department_label", link=lambda f: f.get_absolute_url()),
        Column("月份", "period"),
        Column("文件名", "file_name", wrap=True),
        Column("数据行数", "rows"),
        Column("匹配搬迁人口", "matched"),
        Column("未匹配", lambda f: len(f.unmatched)),
        Column("导入人", "uploaded_by_name"),
    ),
)


MONITORED = Ledger(
    "三类人员监测帮扶台账",
    (
        Column(
            "户编号",
            "household_number",
            link=lambda r: f"/monitoring/warnings/{getattr(r, 'warning_id', None) or r.pk}/",
        ),
        Column("户主", "head_name"),
        Column("家庭人数", "members"),
        Column("安置点", "site_name"),
        Column("监测对象类别", "get_category_display"),
        Column("风险类型", lambda r: "、".join(choices.labels(choices.RISK_TYPES, r.risk_types))),
        Column("状态", "get_status_display"),
        Column("纳入监测日期", "identified_on"),
        Column("风险消除日期", "eliminated_on"),
        Column("帮扶措施", "measure_count"),
        Column("已落实", "measures_done"),
        Column("安置地帮扶责任人", "destination_cadre"),
        Column("迁出地帮扶责任人", "origin_cadre"),
    ),
)


def _insured(kinds: set[str]):
    def count(h) -> str:
        people = h.people
        return f"{sum(1 for p in people if kinds & set(p.medical_insurance or []))}/{len(people)}"

    return count


def _pension(h) -> str:
    """Members of 16 and over with a pension insurance, of all members of 16 and over: the age
    from which 城乡居民养老保险 may be joined."""
    from django.utils import timezone

    today = timezone.localdate()
    born_by = (
        today.replace(year=today.year - 16)
        if (today.month, today.day) != (2, 29)
        else (today.replace(year=today.year - 16, day=28))
    )
    adults = [p for p in h.people if p.birth_date <= born_by]
    return f"{sum(1 for p in adults if p.pension_insurance)}/{len(adults)}"


def _done_measures(h) -> str:
    names = dict(choices.MEASURE_KINDS)
    kinds = dict.fromkeys(m.kind for w in h.seen_warnings for m in w.done)
    return "、".join(names.get(k, k) for k in kinds)


def _monitoring(h) -> str:
    latest = h.seen_warnings[0] if h.seen_warnings else None
    return latest.get_status_display() if latest else "未纳入监测"


POLICIES = Ledger(
    "政策享受台账",
    (
        Column("户编号", "number", link=lambda h: h.get_absolute_url()),
        Column("户主", "head_name"),
        Column("家庭人数", "size"),
        Column("安置点", lambda h: h.site.name if h.site_id else ""),
        Column("兜底保障", "get_safety_net_display"),
        Column("参加基本医保", _insured({"城乡居民基本医疗保险", "职工基本医疗保险"})),
        Column("参加大病保险", _insured({"大病保险"})),
        Column("参加养老保险（16岁以上）", _pension),
        Column("残疾人", lambda h: sum(1 for p in h.people if "残疾" in (p.health or []))),
        Column("已落实帮扶措施", _done_measures, wrap=True),
        Column("监测状态", _monitoring),
    ),
)
