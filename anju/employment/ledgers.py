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
