"""The employment ledgers, each defined once for the page, the Excel export and the API."""

from django.utils import timezone

from anju.core.tables import Column, Ledger

from . import choices

KIND = dict(choices.KINDS)


def _file(person_id) -> str:
    return f"/employment/persons/{person_id}/"


def _status(p) -> str:
    if p.job_kind:
        return KIND.get(p.job_kind, p.job_kind)
    return "失业，帮扶中" if p.helping else "未就业"


ROSTER = Ledger(
    "搬迁劳动力清单",
    (
        Column("姓名", "name", link=lambda p: _file(p.pk)),
        Column("户编号", "household.number"),
        Column("性别", "get_sex_display"),
        Column("年龄", lambda p: p.age_on(timezone.localdate())),
        Column("文化程度", "education"),
        Column("劳动技能", "labour_skill"),
        Column("健康状况", lambda p: "、".join(p.health)),
        Column("安置点", lambda p: p.household.site.name if p.household.site_id else "分散安置"),
        Column("就业状况", _status),
        Column("就业单位或地点", lambda p: p.job_employer or ""),
    ),
)


def _household_status(h) -> str:
    if h.employed == 0:
        return "零就业" if h.recorded else "零就业（未登记就业情况）"
    return "达标" if h.employed >= h.needed else "未达到家庭就业要求"


def _household_tone(h) -> str:
    return "danger" if h.employed < h.needed else ""


HOUSEHOLDS = Ledger(
    "家庭就业扶贫台账",
    (
        Column("户编号", "number", link=lambda h: h.get_absolute_url()),
        Column("安置点", lambda h: h.site.name if h.site_id else "分散安置"),
        Column("家庭人数", "members_count"),
        Column("劳动力", "labour"),
        Column("就业人数", "employed"),
        Column("应就业人数", "needed"),
        Column("状况", _household_status, tone=_household_tone),
    ),
)

RECORDS = Ledger(
    "就业记录",
    (
        Column("姓名", "person.name", link=lambda r: _file(r.person_id)),
        Column("户编号", "household.number"),
        Column("就业类型", "get_kind_display"),
        Column("就业单位或地点", "employer", wrap=True),
        Column("开始日期", "started_on"),
        Column("结束日期", "ended_on"),
        Column("结束原因", "get_end_reason_display"),
        Column("月收入（元）", "monthly_income"),
        Column("合同期限（月）", "contract_months"),
        Column("缴纳社保", "social_insurance"),
    ),
)

HELPS = Ledger(
    "失业登记与一对一帮扶",
    (
        Column("姓名", "person.name", link=lambda u: _file(u.person_id)),
        Column("户编号", "household.number"),
        Column("失业登记日期", "registered_on"),
        Column(
            "失去的工作",
            lambda u: (
                f"{u.lost_job.get_kind_display()} {u.lost_job.employer}".strip()
                if u.lost_job_id
                else ""
            ),
        ),
        Column("一对一帮扶人", "helper"),
        Column(
            "状态", "get_status_display", tone=lambda u: "danger" if u.status == "helping" else ""
        ),
        Column("再就业日期", "closed_on"),
    ),
)


def _pay(p) -> str:
    unit = {"monthly": "元/月", "daily": "元/天", "piece": "元（计件）"}[p.pay_kind]
    return f"{p.pay_min}–{p.pay_max}{unit}" if p.pay_max else f"{p.pay_min}{unit}起"


def _asks(p) -> str:
    parts = []
    if p.sex:
        parts.append(p.get_sex_display())
    if p.age_min or p.age_max:
        parts.append(f"{p.age_min or ''}–{p.age_max or ''}岁")
    if p.education_min:
        parts.append(f"{p.education_min}及以上")
    parts += [x for x in (p.skills, p.health) if x]
    return "，".join(parts) or "不限"


POSTINGS = Ledger(
    "岗位信息数据库",
    (
        Column("用工单位", "employer.name"),
        Column("岗位名称", "title", link=lambda p: f"/employment/postings/{p.pk}/"),
        Column("招聘人数", "head_count"),
        Column("岗位要求", _asks, wrap=True),
        Column("工作地点", lambda p: f"{p.place}（{p.get_area_display()}）"),
        Column("薪酬", _pay),
        Column("福利待遇", "benefits", wrap=True),
        Column("可居家或计件", "home_based"),
        Column("有效期", lambda p: f"{p.valid_from}至{p.valid_to}"),
        Column("岗位来源", "get_source_display"),
    ),
)

EMPLOYERS = Ledger(
    "用工单位",
    (
        Column("单位名称", "name"),
        Column("统一社会信用代码", "credit_code"),
        Column("联系人", "contact"),
        Column("联系电话", "phone"),
        Column("地址", "address", wrap=True),
        Column("在招岗位", "open_postings"),
    ),
)


def _explained(r):
    """The pair's explanation as ``matching.explain`` says it now (never stored)."""
    from decimal import Decimal

    from . import matching

    if not hasattr(r, "_match"):
        km = Decimal(str(r.circle_km)) if r.circle_km is not None else None
        r._match = matching.explain(
            r.posting, r.seeker, r.batch_on, km or matching.CIRCLE_KM_DEFAULT
        )
    return r._match


RECOMMENDATIONS = Ledger(
    "批量推荐",
    (
        Column("姓名", "seeker.person.name", link=lambda r: _file(r.seeker.person_id)),
        Column("户编号", "seeker.person.household.number"),
        Column("安置点", lambda r: r.site.name if r.site_id else "分散安置"),
        Column("名次", "rank"),
        Column("岗位", "posting.title", link=lambda r: f"/employment/postings/{r.posting_id}/"),
        Column("用工单位", "posting.employer.name"),
        Column("得分", "score"),
        Column("匹配说明", lambda r: _explained(r).summary, wrap=True),
        Column("批次日期", "batch_on"),
    ),
)
