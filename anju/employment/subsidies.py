"""就业补贴目录: which subsidy a person's jobs earn, why, and how much.

Each cause (补贴事由) is one small declared entry: its code, its Chinese name, the policy it comes
from (by title), the policy parameter(s) that give its amount, and its conditions over one job
(``EmploymentRecord``), declared twice on purpose:

- ``checks(record, on)`` explains, condition by condition, with the figures
  (“已就业 4 个月（需满 3 个月）✓；劳动合同 12 个月（需 1 年以上）✓；未缴纳社会保险 ✗”);
- ``candidates(on)`` is the same conditions as one SQL filter, so that a unit's eligible persons
  are found in one query, never person by person. ``tests/test_subsidies.py`` proves the two agree.

The four job causes are one-off (一次性): once per person and cause, whatever the number of jobs
(``SubsidyPayment``'s unique constraint). The amount is the parameter in force at the person's
place on the day the conditions were met (``qualified_on``).

The two training causes of 《榕江县易地扶贫搬迁培训和就业服务体系建设工作方案》第12条 (以工代训 ≤500
元/人/月、≤3 个月; 脱产培训生活补助 40 元/天) and 《王益区…》附件2 (20 或 50 元/人/天 by course class)
are judged over a course enrolment (``Enrolment``) instead of a job (``source = "course"``): they
pay for one course's months or days, so a second course earns them again while the same course
never does (once per person, course and cause: the payment's ``enrolment``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import DateField, F, Func, Q, Value
from django.db.models.lookups import LessThanOrEqual

from anju.core import periods
from anju.core.paths import prefixes
from anju.policies import registry
from anju.policies.models import ParameterValue

RONGJIANG_JOBS = "《榕江县易地扶贫搬迁培训和就业服务体系建设工作方案》"
WANGYI_JOBS = "王益区《关于加强易地扶贫搬迁贫困劳动力就业服务的实施方案》"

# 以工代训 is paid “一般不超过3个月” (榕江 第12条); the registry has the monthly amount only.
ONJOB_MONTHS_MAX = 3

# 吸纳就业 is 第4条 促进就地就近就业: jobs with an employer in or near the county. Public posts and
# 以工代赈 are paid by their own funds; self-employment, flexible work and farming have no employer.
LOCAL_KINDS = ("in_county", "local_enterprise", "workshop")
# 有组织输出 (第5条): out of the home county within the province, or out of the province.
OUTPUT_KINDS = ("in_province", "outside_province")


# ``day`` plus whole months, the last day of a shorter month standing in (as PostgreSQL's
# ``date + interval`` does: 1 月 31 日 + 1 个月 = 2 月 28 日).
add_months = periods.add_months


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (0 if ``end`` is before ``start``)."""
    if end < start:
        return 0
    n = (end.year - start.year) * 12 + end.month - start.month
    return n - 1 if add_months(start, n) > end else n


class PlusMonths(Func):
    """``started_on + n months`` in the database, the same arithmetic as ``add_months``."""

    template = "CAST(%(expressions)s) AS date)"
    arg_joiner = " + make_interval(0, "
    output_field = DateField()

    def __init__(self, expression, months: int):
        super().__init__(expression, Value(months))
        self.months = months

    def as_sqlite(self, compiler, connection, **extra):
        # SQLite's '+N months' runs over into the next month (31 January + 1 month = 3 March):
        # take the same day from the month's first day, capped at the target month's last day.
        sql, params = compiler.compile(self.source_expressions[0])
        day = f"(CAST(strftime('%%d', {sql}) AS INTEGER) - 1)"
        same_day = (
            f"date({sql}, 'start of month', '+{self.months} months', '+' || {day} || ' days')"
        )
        last_day = f"date({sql}, 'start of month', '+{self.months + 1} months', '-1 day')"
        return f"MIN({same_day}, {last_day})", [*params, *params, *params]


def _worked_until(record, on: date) -> date:
    return min(record.ended_on, on) if record.ended_on else on


@dataclass(frozen=True)
class Check:
    met: bool
    text: str

    def __str__(self) -> str:
        return f"{self.text} {'✓' if self.met else '✗'}"

    def as_dict(self) -> dict:
        return {"met": self.met, "text": self.text}


def _months_check(record, on: date, need: int, what: str = "已就业") -> Check:
    worked = months_between(record.started_on, _worked_until(record, on))
    ended = f"，{record.ended_on} 已结束" if record.ended_on and record.ended_on <= on else ""
    return Check(worked >= need, f"{what} {worked} 个月{ended}（需满 {need} 个月）")


def _kind_check(record, kinds, why: str) -> Check:
    return Check(record.kind in kinds, f"就业类型：{record.get_kind_display()}（{why}）")


@dataclass(frozen=True)
class Cause:
    """One subsidy of the catalogue. ``amount_key(record)`` names the policy parameter of its
    amount; ``payee(record)`` who receives it (an employer or a service agency for some)."""

    code: str
    name: str
    policy: str
    keys: tuple[str, ...]
    checks: Callable[[object, date], list[Check]]
    candidates: Callable[[date], Q]
    qualified_on: Callable[[object], date]
    amount_key: Callable[[object], str]
    payee: Callable[[object], str]
    note: str = ""
    # What a cause is judged over: "job" (an ``EmploymentRecord``, paid once per person) or
    # "course" (an ``Enrolment``, paid once per person and course).
    source: str = "job"
    # The amount from the parameter's value: the value itself unless a cause pays it per month
    # or per day. Returns (amount, how it was reached).
    price: Callable[[object, Decimal], tuple[Decimal, str]] | None = None

    @property
    def per_course(self) -> bool:
        return self.source == "course"

    def key_name(self, key: str) -> str:
        return registry.get_key(key).name


def _hiring_checks(record, on):
    contract = record.contract_months
    return [
        _kind_check(record, LOCAL_KINDS, "须为县内就地就近就业"),
        _months_check(record, on, 3),
        Check(
            (contract or 0) >= 12,
            f"劳动合同 {contract} 个月（需 1 年以上）"
            if contract
            else "未登记劳动合同（需 1 年以上）",
        ),
        Check(
            record.social_insurance,
            "已缴纳社会保险" if record.social_insurance else "未缴纳社会保险",
        ),
    ]


def _lasting(months: int, until: date) -> Q:
    """Jobs that had lasted ``months`` whole months by ``until`` (ended or not)."""
    reached = PlusMonths(F("started_on"), months)
    return Q(LessThanOrEqual(reached, Value(until))) & (
        Q(ended_on__isnull=True) | Q(ended_on__gte=reached)
    )


def _organised_check(record) -> Check:
    if record.organised_by:
        return Check(True, f"由 {record.organised_by} 有组织输出")
    return Check(False, "未登记组织输出的机构（须有组织输出）")


# -- the two training causes, over a course enrolment ------------------------------------------


class DayAfter(Func):
    """``day + 1`` in the database (PostgreSQL: date + integer is a date)."""

    template = "(%(expressions)s + 1)"
    output_field = DateField()


def _onjob_months(enrolment) -> int:
    """Whole months of on-the-job training, the course's first day to its last inclusive
    (3 月 1 日至 5 月 31 日 = 3 个月); a part month is not counted."""
    course = enrolment.course
    return months_between(course.starts_on, course.ends_on + timedelta(days=1))


def _course_kind_check(enrolment, onjob: bool) -> Check:
    course = enrolment.course
    is_onjob = course.kind == "work_training"
    why = "须为以工代训" if onjob else "须为脱产培训，以工代训另有补贴"
    return Check(is_onjob == onjob, f"培训类型：{course.get_kind_display()}（{why}）")


def _ended_check(enrolment, on: date) -> Check:
    course = enrolment.course
    if course.ends_on <= on:
        return Check(True, f"培训班 {course.starts_on} 至 {course.ends_on}，已结束")
    return Check(False, f"培训班 {course.starts_on} 至 {course.ends_on}，尚未结束（结束后核算）")


def _onjob_checks(enrolment, on):
    months = _onjob_months(enrolment)
    counted = min(months, ONJOB_MONTHS_MAX)
    capped = f"，按 {counted} 个月补贴" if months > ONJOB_MONTHS_MAX else ""
    return [
        _course_kind_check(enrolment, onjob=True),
        _ended_check(enrolment, on),
        Check(enrolment.completed, "已结业" if enrolment.completed else "未结业（须结业）"),
        Check(
            months >= 1,
            f"以工代训 {months} 个月{capped}（需满 1 个月，最多补贴 {ONJOB_MONTHS_MAX} 个月）",
        ),
    ]


def _onjob_price(enrolment, monthly: Decimal) -> tuple[Decimal, str]:
    months = min(_onjob_months(enrolment), ONJOB_MONTHS_MAX)
    amount = monthly * months
    return amount, f"{monthly} 元/月 × {months} 个月 = {amount} 元"


def _living_checks(enrolment, on):
    days = enrolment.attended_days
    return [
        _course_kind_check(enrolment, onjob=False),
        _ended_check(enrolment, on),
        Check(days >= 1, f"出勤 {days} 天（需至少 1 天）"),
    ]


def _living_price(enrolment, local: Decimal) -> tuple[Decimal, str]:
    """40 元/天 in 榕江 for any full-time course; in 王益区 20 or 50 元/天 by the course's class.
    The place's parameter is its standard and the highest rate (王益区 sets 50, “取高档”): a
    course's class pays its own rate, never above it; a course without a class, the standard."""
    days = enrolment.attended_days
    own = enrolment.course.allowance_daily
    if own is None:
        rate, how = local, "当地标准"
    elif own <= local:
        rate, how = own, f"培训班按课时分类 {own} 元/天"
    else:
        rate, how = local, f"培训班分类 {own} 元/天高于当地标准，按 {local} 元/天"
    rate = rate.quantize(Decimal("0.01"))
    amount = rate * days
    return amount, f"{how}：{rate} 元/天 × {days} 天 = {amount} 元"


def _onjob_candidates(on: date) -> Q:
    return (
        Q(course__kind="work_training", course__ends_on__lte=on, completed=True)
        # At least one whole month: the first day plus a month is no later than the day after
        # the last (the same arithmetic as ``months_between``).
        & Q(LessThanOrEqual(PlusMonths(F("course__starts_on"), 1), DayAfter(F("course__ends_on"))))
    )


CATALOGUE: dict[str, Cause] = {
    c.code: c
    for c in [
        Cause(
            code="hiring",
            name="吸纳就业一次性补贴",
            policy=f"{RONGJIANG_JOBS}第4条",
            keys=("employment.hiring_subsidy",),
            checks=_hiring_checks,
            candidates=lambda on: (
                Q(kind__in=LOCAL_KINDS, contract_months__gte=12)
                & Q(social_insurance=True)
                & _lasting(3, on)
            ),
            qualified_on=lambda r: add_months(r.started_on, 3),
            amount_key=lambda r: "employment.hiring_subsidy",
            payee=lambda r: r.employer or "吸纳就业的单位（未登记名称）",
            note="发给吸纳搬迁劳动力的企业、合作社或个体工商户。",
        ),
        Cause(
            code="tracking",
            name="一次性跟踪服务补贴",
            policy=f"{RONGJIANG_JOBS}第5条",
            keys=("employment.tracking_service_subsidy",),
            checks=lambda r, on: [_organised_check(r), _months_check(r, on, 6)],
            candidates=lambda on: ~Q(organised_by="") & _lasting(6, on),
            qualified_on=lambda r: add_months(r.started_on, 6),
            amount_key=lambda r: "employment.tracking_service_subsidy",
            payee=lambda r: r.organised_by,
            note="发给组织输出并提供 1 年跟踪服务的人力资源服务机构等单位。",
        ),
        Cause(
            code="job_search",
            name="一次性求职创业补贴",
            policy=f"{RONGJIANG_JOBS}第5条",
            keys=(
                "employment.job_search_subsidy_in_province",
                "employment.job_search_subsidy_out_of_province",
            ),
            checks=lambda r, on: [
                _organised_check(r),
                _kind_check(r, OUTPUT_KINDS, "须输出到户籍所在县以外"),
                Check(r.started_on <= on, f"{r.started_on} 开始就业"),
            ],
            candidates=lambda on: (
                ~Q(organised_by="") & Q(kind__in=OUTPUT_KINDS, started_on__lte=on)
            ),
            qualified_on=lambda r: r.started_on,
            amount_key=lambda r: (
                "employment.job_search_subsidy_out_of_province"
                if r.kind == "outside_province"
                else "employment.job_search_subsidy_in_province"
            ),
            payee=lambda r: r.person.name,
        ),
        Cause(
            code="startup",
            name="一次性创业补贴",
            policy=f"{RONGJIANG_JOBS}第6条",
            keys=("employment.startup_subsidy",),
            checks=lambda r, on: [
                _kind_check(r, ("self_employed",), "须为自主创业"),
                _months_check(r, on, 6, what="自登记注册起正常运营"),
            ],
            candidates=lambda on: Q(kind="self_employed") & _lasting(6, on),
            qualified_on=lambda r: add_months(r.started_on, 6),
            amount_key=lambda r: "employment.startup_subsidy",
            payee=lambda r: r.person.name,
            note="创业企业或个体工商户的开始日期按工商登记注册之日登记。",
        ),
        Cause(
            code="onjob_training",
            name="以工代训职业培训补贴",
            policy=f"{RONGJIANG_JOBS}第12条",
            keys=("employment.onjob_training_monthly_cap",),
            checks=_onjob_checks,
            candidates=_onjob_candidates,
            qualified_on=lambda e: e.course.ends_on,
            amount_key=lambda e: "employment.onjob_training_monthly_cap",
            payee=lambda e: e.course.provider,
            note="发给吸纳搬迁劳动力并开展以工代训的生产经营主体（培训班登记的培训机构），"
            "每人每月按当地上限、最长 3 个月。",
            source="course",
            price=_onjob_price,
        ),
        Cause(
            code="training_living",
            name="培训期间生活补助",
            policy=f"{RONGJIANG_JOBS}第12条；{WANGYI_JOBS}三（一）",
            keys=("employment.training_living_allowance_daily",),
            checks=_living_checks,
            candidates=lambda on: (
                ~Q(course__kind="work_training") & Q(course__ends_on__lte=on, attended_days__gte=1)
            ),
            qualified_on=lambda e: e.course.ends_on,
            amount_key=lambda e: "employment.training_living_allowance_daily",
            payee=lambda e: e.person.name,
            # 王益区 pays “在培训期间” and 榕江 “培训期间每天”: by the days attended, finished or
            # not; whether the person found work decides the training fee, not this allowance.
            note="按出勤天数发给参训本人，不以结业为条件。",
            source="course",
            price=_living_price,
        ),
    ]
}
CAUSES = [(c.code, c.name) for c in CATALOGUE.values()]


class Rates:
    """The amounts of some keys for any place and day, from one read of their values: the
    nearest unit up the tree whose period covers the day wins, as ``policies.selectors.resolve``
    decides, without a query per person."""

    def __init__(self, keys):
        self.rows: dict[str, list] = {}
        for row in (
            ParameterValue.objects.filter(key__in=list(keys))
            .select_related("unit")
            .order_by("-valid_from")
        ):
            self.rows.setdefault(row.key, []).append(row)

    def find(self, key: str, path: str, on: date) -> ParameterValue | None:
        above = set(prefixes(path))
        best = None
        for row in self.rows.get(key, []):
            if row.path not in above or row.valid_from > on:
                continue
            if row.valid_to is not None and row.valid_to < on:
                continue
            if best is None or len(row.path) > len(best.path):
                best = row
        return best


@dataclass
class Finding:
    """What one cause gives one person: the job it is judged on, each condition, the amount
    (``None`` when not eligible) and any earlier payment that stops a second one."""

    cause: Cause
    record: object | None
    checks: list[Check] = field(default_factory=list)
    amount: Decimal | None = None
    amount_text: str = ""
    paid: object | None = None
    # The cause's own conditions, before the amount and an earlier payment are looked at.
    conditions_met: bool = False

    @property
    def eligible(self) -> bool:
        return (
            self.record is not None
            and all(c.met for c in self.checks)
            and self.amount is not None
            and self.paid is None
        )

    @property
    def explanation(self) -> str:
        return "；".join(str(c) for c in self.checks)


def _price(cause: Cause, row, rates: Rates, day: date):
    """The amount of ``cause`` for ``row`` from the parameter at its place on ``day``:
    (amount, text, parameter key) — amount ``None`` when the place has none set."""
    key = cause.amount_key(row)
    value = rates.find(key, row.path, day)
    if value is None:
        return None, "", key
    base = Decimal(str(value.value)).quantize(Decimal("0.01"))
    where = f"{value.unit.name}{cause.key_name(key)}"
    if cause.price is None:
        return base, f"{base} 元（{where}）", key
    amount, how = cause.price(row, base)
    amount = amount.quantize(Decimal("0.01"))
    return amount, f"{amount} 元（{how}；{where} {base} 元）", key


def judge(cause: Cause, record, on: date, rates: Rates, paid=None) -> Finding:
    """One cause over one job (or, for a training cause, one enrolment) on ``on``, explained;
    with the amount at the person's place on the day the conditions were met."""
    checks = list(cause.checks(record, on))
    finding = Finding(cause, record, checks, paid=paid, conditions_met=all(c.met for c in checks))
    if finding.conditions_met:
        day = cause.qualified_on(record)
        finding.amount, finding.amount_text, key = _price(cause, record, rates, day)
        if finding.amount is None:
            checks.append(
                Check(False, f"{day} 当地未设定政策参数「{cause.key_name(key)}」，无法确定金额")
            )
    if paid is not None:
        what = "同一人同一培训班同一补贴事由" if cause.per_course else "同一人同一补贴事由"
        checks.append(
            Check(
                False,
                f"已列入批次 {paid.batch.label}（{paid.get_status_display()}，{paid.amount} 元），"
                f"{what}只发放一次",
            )
        )
    return finding


def paid_key(cause_code: str, enrolment_id=None):
    """How ``for_person``'s ``paid`` finds a payment: by cause, and by enrolment for a training
    cause (paid once per course)."""
    return (cause_code, enrolment_id) if enrolment_id else cause_code


def for_person(person, records, on: date, paid: dict, enrolments=()) -> list[Finding]:
    """Every cause of the catalogue for one person: for a job cause the first job that meets
    it, else the latest one, explained; for a training cause one finding per course enrolled.
    ``paid`` maps ``paid_key`` → the person's payment."""
    records = sorted(records, key=lambda r: (r.started_on, r.pk))
    enrolments = sorted(enrolments, key=lambda e: (e.course.starts_on, e.pk))
    rates = Rates({k for c in CATALOGUE.values() for k in c.keys})
    findings = []
    for cause in CATALOGUE.values():
        if cause.per_course:
            if not enrolments:
                findings.append(Finding(cause, None, [Check(False, "没有参训记录")]))
            for e in enrolments:
                findings.append(judge(cause, e, on, rates, paid.get(paid_key(cause.code, e.pk))))
            continue
        if not records:
            findings.append(Finding(cause, None, [Check(False, "没有就业记录")]))
            continue
        judged = [judge(cause, r, on, rates, paid.get(cause.code)) for r in records]
        findings.append(next((f for f in judged if f.conditions_met), judged[-1]))
    return findings


def source_model(cause: Cause):
    """The rows a cause is judged over: jobs, or course enrolments."""
    from .models import EmploymentRecord, Enrolment

    return Enrolment if cause.per_course else EmploymentRecord


def eligible_records(records, cause: Cause, on: date):
    """The jobs that earn ``cause`` on ``on`` among ``records``, one per person (the first that
    met it), of persons with no payment of the cause yet (withdrawn ones do not count): one
    query, whatever the number of persons. The amount is read per row through ``Rates``.
    For a training cause ``records`` are enrolments (``source_model``), each not yet listed."""
    from django.db.models import Exists, OuterRef, Subquery

    from .models import EmploymentRecord, SubsidyPayment

    if cause.per_course:
        # ``records`` are enrolments: each course its own subsidy, once.
        listed = SubsidyPayment.objects.filter(enrolment=OuterRef("pk"), cause=cause.code)
        return (
            records.filter(cause.candidates(on))
            .exclude(Exists(listed.exclude(status="withdrawn")))
            .select_related("person", "household", "household__site", "course")
        )
    first = (
        EmploymentRecord.objects.filter(cause.candidates(on), person=OuterRef("person"))
        .order_by("started_on", "pk")
        .values("pk")[:1]
    )
    earlier = SubsidyPayment.objects.filter(person=OuterRef("person"), cause=cause.code).exclude(
        status="withdrawn"
    )
    return (
        records.filter(cause.candidates(on))
        .filter(pk=Subquery(first))
        .exclude(Exists(earlier))
        .select_related("person", "household", "household__site")
    )


def priced(cause: Cause, rows, rates: Rates) -> list:
    """Each row with ``qualified`` (the day) and ``amount`` (Decimal, ``None`` where the place
    has no amount set), ``payee`` and ``explanation``, in the rows' order."""
    out = []
    for record in rows:
        record.qualified = cause.qualified_on(record)
        record.amount, _, key = _price(cause, record, rates, record.qualified)
        record.amount_note = (
            "" if record.amount is not None else f"当地未设定「{cause.key_name(key)}」"
        )
        record.payee = cause.payee(record)
        out.append(record)
    return out
