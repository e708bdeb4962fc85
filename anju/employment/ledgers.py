"""The employment ledgers, each defined once for the page, the Excel export and the API."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from anju.core.tables import Column, Ledger

from . import choices, quarters

KIND = dict(choices.KINDS)
POST_TYPE = dict(choices.POST_TYPES)


def _yuan(amount) -> Decimal:
    return Decimal(str(amount)).quantize(Decimal("0.01"))


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


def _retention_state(r) -> str:
    if r.checked_on:
        return "仍在岗" if r.still_employed else "已离岗"
    return "已到期，待回访" if r.due_on <= timezone.localdate() else "未到期"


RETENTIONS = Ledger(
    "岗位稳定性回访",
    (
        Column("姓名", "push.person.name", link=lambda r: _file(r.push.person_id)),
        Column(
            "岗位", lambda r: str(r.push.posting), link=lambda r: r.push.posting.get_absolute_url()
        ),
        Column("录用后", lambda r: f"{r.months} 个月"),
        Column("应回访日期", "due_on"),
        Column(
            "状况",
            _retention_state,
            tone=lambda r: "danger" if _retention_state(r) == "已到期，待回访" else "",
        ),
        Column("回访日期", "checked_on"),
        Column("回访情况", "note"),
        Column("回访人", "checked_by"),
    ),
)


def _age(r) -> int:
    return r.person.age_on(timezone.localdate())


# Two of the five lists a prefecture asks of its counties (劳动力基础信息 is the labour roster;
# 培训 and 公益岗位 have their own ledgers): the persons at work away from home, and those
# running their own business, as they stand today.
MIGRANTS = Ledger(
    "外出务工人员清单",
    (
        Column("姓名", "person.name", link=lambda r: _file(r.person_id)),
        Column("性别", "person.get_sex_display"),
        Column("年龄", _age),
        Column("户编号", "household.number"),
        Column("安置点", lambda r: r.household.site.name if r.household.site_id else "分散安置"),
        Column("务工去向", "get_kind_display"),
        Column("务工单位或地点", "employer", wrap=True),
        Column("外出时间", "started_on"),
        Column("月收入（元）", "monthly_income"),
        Column("劳动合同期限（月）", "contract_months"),
        Column("缴纳社保", "social_insurance"),
    ),
)

SELF_EMPLOYED = Ledger(
    "自主创业人员清单",
    (
        Column("姓名", "person.name", link=lambda r: _file(r.person_id)),
        Column("性别", "person.get_sex_display"),
        Column("年龄", _age),
        Column("户编号", "household.number"),
        Column("安置点", lambda r: r.household.site.name if r.household.site_id else "分散安置"),
        Column("经营项目或地点", "employer", wrap=True),
        Column("创业时间", "started_on"),
        Column("月收入（元）", "monthly_income"),
    ),
)

# ?list= on the records page: (ledger, the kinds it lists).
LISTS = {
    "migrant": (MIGRANTS, ("outside_province", "in_province")),
    "self": (SELF_EMPLOYED, ("self_employed",)),
}


# -- workshops and public-welfare posts ------------------------------------------------------


def _workshop_url(w) -> str:
    return f"/employment/workshops/{w.pk}/"


def _sites(w) -> str:
    return "、".join(s.name for s in w.sites.all()) or "—"


def _latest(w) -> str:
    if not w.last_period:
        return "未填报"
    return (
        f"{quarters.label(w.last_period)}：用工 {w.last_total} 人，"
        f"其中搬迁劳动力 {w.last_relocated} 人，发放工资 {w.last_wages} 元"
    )


WORKSHOPS = Ledger(
    "帮扶车间台账",
    (
        Column("名称", "name", link=_workshop_url),
        Column("类型", "get_kind_display"),
        Column("经营单位", lambda w: w.employer.name if w.employer_id else ""),
        Column("服务的安置点", _sites, wrap=True),
        Column("地址", "address", wrap=True),
        Column("提供岗位数", "jobs"),
        Column("开办日期", "opened_on"),
        Column("可居家或计件", "home_based"),
        Column("在岗搬迁劳动力（据就业记录）", "on_record"),
        Column("最近一次季度监测", _latest, wrap=True),
    ),
)

QUARTERS = Ledger(
    "帮扶车间季度监测",
    (
        Column("季度", lambda q: quarters.label(q.period)),
        Column("用工人数", "total_workers"),
        Column("搬迁劳动力（填报）", "relocated_workers"),
        Column("搬迁劳动力（据就业记录）", "counted"),
        Column("发放工资（元）", "wages_paid"),
        Column("备注", "note", wrap=True),
        Column("填报人", "recorded_by"),
    ),
)


def share_text(row) -> str:
    """“搬迁劳动力 12 人 / 用工 30 人 = 40%，低于 50%”, with where the 12 comes from."""
    percent = (Decimal(row.relocated) * 100 / row.total_workers).quantize(
        Decimal("0.1"), ROUND_HALF_UP
    )
    source = "据就业记录" if row.counted else "据季度填报"
    return (
        f"搬迁劳动力 {row.relocated} 人（{source}）/ 用工 {row.total_workers} 人 = "
        f"{percent.normalize():f}%，低于 {row.share_limit.normalize():f}%"
    )


SHARE_BELOW = Ledger(
    "搬迁劳动力占比不足的帮扶车间",
    (
        Column("名称", "workshop.name", link=lambda q: _workshop_url(q.workshop)),
        Column("季度", lambda q: quarters.label(q.period)),
        Column(
            "搬迁劳动力占比",
            lambda q: share_text(q),
            tone=lambda q: "danger",
        ),
    ),
)


def _lifted(site) -> str:
    return f"脱贫人口 {site.lifted} 人，少于 {site.limit} 人，20 分钟生活圈内无帮扶车间"


SITES_WITHOUT = Ledger(
    "未配建帮扶车间的安置点",
    (
        Column("安置点", "name"),
        Column("所属乡镇/村（社区）", "admin_unit.name"),
        Column("脱贫人口", "lifted"),
        Column("状况", _lifted, tone=lambda s: "danger"),
    ),
)

MISSING_QUARTER = Ledger(
    "本季度未监测的帮扶车间",
    (
        Column("名称", "name", link=_workshop_url),
        Column("类型", "get_kind_display"),
        Column("服务的安置点", _sites, wrap=True),
        Column("最近一次季度监测", _latest, wrap=True),
    ),
)


def _months(r) -> str:
    return f"{r.months_held} 个月（{r.held_from:%Y-%m}至{r.held_to:%Y-%m}）"


PUBLIC_POSTS = Ledger(
    "公益岗位台账",
    (
        Column("姓名", "person.name", link=lambda r: _file(r.person_id)),
        Column("户编号", "household.number"),
        Column("安置点", lambda r: r.household.site.name if r.household.site_id else "分散安置"),
        Column("岗位类型", "get_post_type_display"),
        Column("用岗单位", "employer", wrap=True),
        Column("上岗日期", "started_on"),
        Column("离岗日期", "ended_on"),
        Column("年度", "year"),
        Column("本年在岗月数", "months_held"),
        Column(
            "月工资（元）", lambda r: r.monthly_income if r.monthly_income is not None else "未填"
        ),
        Column(
            "本年发放合计（元）",
            # SQLite hands back a computed sum as a float: cents always shown, as PostgreSQL does.
            lambda r: _yuan(r.total_paid) if r.total_paid is not None else "未填",
        ),
    ),
)

PUBLIC_POST_TYPES = Ledger(
    "公益岗位分类统计",
    (
        Column("岗位类型", lambda r: POST_TYPE.get(r["post_type"], r["post_type"])),
        Column("在岗人数", lambda r: r["holders"]),
        Column("在岗人月数", lambda r: r["months"]),
        Column("发放合计（元）", lambda r: _yuan(r["paid"] or 0)),
    ),
)


# -- subsidies (就业补贴) -------------------------------------------------------------------


def _money_text(amount) -> str:
    return f"{amount}" if amount is not None else ""


def eligible_ledger(cause) -> Ledger:
    """符合条件未发放人员: the rows come from ``subsidies.priced`` (day, amount, payee); a job
    each, or for a training cause a course enrolment each."""
    if cause.per_course:
        what = (
            Column("培训项目", "course.title", link=lambda e: e.course.get_absolute_url()),
            Column("培训类型", "course.get_kind_display"),
            Column("开班日期", "course.starts_on"),
            Column("结业日期", "course.ends_on"),
            Column("出勤天数", "attended_days"),
        )
    else:
        what = (
            Column("就业类型", "get_kind_display"),
            Column("就业单位或地点", "employer", wrap=True),
            Column("开始日期", "started_on"),
        )
    return Ledger(
        f"{cause.name}符合条件未发放人员",
        (
            Column("姓名", "person.name", link=lambda r: _file(r.person_id)),
            Column("户编号", "household.number"),
            Column(
                "安置点", lambda r: r.household.site.name if r.household.site_id else "分散安置"
            ),
            *what,
            Column("达到条件日期", "qualified"),
            Column("领取对象", "payee"),
            Column(
                "补贴金额（元）",
                lambda r: r.amount if r.amount is not None else r.amount_note,
                tone=lambda r: "danger" if r.amount is None else "",
            ),
        ),
    )


BATCHES = Ledger(
    "补贴发放批次",
    (
        Column("批次号", "number", link=lambda b: b.get_absolute_url()),
        Column("单位", "unit.name"),
        Column("补贴事由", "get_cause_display"),
        Column("人数", "persons"),
        Column("合计金额（元）", "total"),
        Column("状态", "get_status_display"),
        Column("资格核算日期", "counted_on"),
        Column("建立人", "created_by_name"),
        Column("发放日期", "paid_on"),
    ),
)


def payment_list(reveal: bool) -> Ledger:
    """发放名册 a finance office pays from: full identity numbers only for a role that may see
    them (the export is then audited as a reveal), masked otherwise. The registry keeps no bank
    card, so the list has none."""
    from anju.core.masking import mask_id_number

    return Ledger(
        "补贴发放名册",
        (
            Column("姓名", "person.name", link=lambda p: _file(p.person_id)),
            Column(
                "身份证号",
                lambda p: p.person.id_number if reveal else mask_id_number(p.person.id_number),
            ),
            Column("户编号", "household.number"),
            Column("补贴事由", "get_cause_display"),
            Column("领取对象", "payee"),
            Column("达到条件日期", "qualified_on"),
            Column("金额（元）", "amount"),
            Column("状态", "get_status_display"),
            Column("资格说明", "explanation", wrap=True),
        ),
    )


# -- training (培训档案) ------------------------------------------------------------------------


def _site(obj) -> str:
    return obj.site.name if obj.site_id else "（不限安置点）"


def _late_tone(c) -> str:
    return "danger" if c.filing_late else ""


COURSES = Ledger(
    "培训台账",
    (
        Column("培训项目", "title", link=lambda c: c.get_absolute_url()),
        Column("培训类型", "get_kind_display"),
        Column("培训机构", "provider", wrap=True),
        Column("服务安置点", _site),
        Column("开班日期", "starts_on"),
        Column("结业日期", "ends_on"),
        Column("计划人数", "planned_count"),
        Column("参训人数", "enrolled"),
        Column("结业人数", "completed_count"),
        Column("培训后就业人数", "employed_after"),
        Column("生活交通费补贴", "get_allowance_class_display"),
        Column("备案日期", "filed_on"),
        Column("备案情况", "filing_note", tone=_late_tone),
    ),
)


def _allowance(e):
    daily = e.course.allowance_daily
    return daily * e.attended_days if daily is not None else ""


def _after(e) -> str:
    if not e.job_after_kind:
        return "未就业"
    return f"{KIND.get(e.job_after_kind, e.job_after_kind)}（{e.job_after_on} 起）"


# The prefecture's 培训 list: one row per person and course.
TRAINEES = Ledger(
    "培训人员清单",
    (
        Column("姓名", "person.name", link=lambda e: _file(e.person_id)),
        Column("性别", "person.get_sex_display"),
        Column("年龄", lambda e: e.person.age_on(timezone.localdate())),
        Column("户编号", "household.number"),
        Column("安置点", lambda e: e.household.site.name if e.household.site_id else "分散安置"),
        Column("培训项目", "course.title", link=lambda e: e.course.get_absolute_url()),
        Column("培训类型", "course.get_kind_display"),
        Column("培训机构", "course.provider", wrap=True),
        Column("培训时间", lambda e: f"{e.course.starts_on}至{e.course.ends_on}"),
        Column("出勤天数", "attended_days"),
        Column("结业", lambda e: "是" if e.completed else "否"),
        Column("生活交通费补贴（元）", _allowance),
        Column("培训后就业", _after),
    ),
)

UNTRAINED_SITES = Ledger(
    "未开展培训的安置点",
    (
        Column("安置点", "name"),
        Column("所属乡镇/村（社区）", "admin_unit.name"),
        Column("安置方式", "get_kind_display"),
        Column("此前最近一次培训开班", lambda s: s.last_course_on or "从未开展"),
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
