"""Every write of employment: validate, check role and scope, write, audit, in one transaction.

A job that ends because it was lost registers unemployment (就业失业登记) and opens one-to-one
help (《榕江县易地扶贫搬迁后续扶持》附件2: 失业的及时登记、一对一帮扶), and the household is scanned
at once, so a household left with labour and no one employed is warned this month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from anju.accounts import access
from anju.audit import services as audit
from anju.core import periods
from anju.core.scope import covers

from . import choices
from .models import (
    Employer,
    EmploymentRecord,
    Posting,
    Push,
    Recommendation,
    Seeker,
    Unemployment,
    Workshop,
    WorkshopQuarter,
)

RECORD_FIELDS = [
    "kind",
    "employer",
    "started_on",
    "ended_on",
    "end_reason",
    "monthly_income",
    "contract_months",
    "social_insurance",
    "workshop",
    "post_type",
    "organised_by",
    "note",
]
MAX_MONTHLY = Decimal("1000000")


def _require(actor, path: str) -> None:
    if actor is None:
        return
    access.require(actor, "employment", "write")
    if not covers(actor, path):
        raise Http404("对象不存在或不在您的管辖范围内。")


def _name(actor) -> str:
    return getattr(actor, "display_name", "") or "系统"


def _money(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ValidationError({"monthly_income": "月收入应为数字（元）。"}) from None
    if not amount.is_finite() or amount < 0 or amount >= MAX_MONTHLY:
        raise ValidationError({"monthly_income": "月收入应为 0 至 100 万元之间的数字。"})
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def record_job(
    actor,
    person,
    *,
    kind: str,
    started_on: date,
    employer: str = "",
    monthly_income=None,
    contract_months: int | None = None,
    social_insurance: bool = False,
    workshop=None,
    post_type: str = "",
    organised_by: str = "",
    note: str = "",
) -> EmploymentRecord:
    """A person starts work. One open job a person: the one before must have ended. Work found
    after a lost job closes the one-to-one help. A job in a workshop names the workshop (one the
    person's county keeps and the actor sees); a public-welfare post names its type."""
    _require(actor, person.path)
    if kind not in dict(choices.KINDS):
        raise ValidationError({"kind": "请选择就业类型。"})
    if not isinstance(started_on, date):
        raise ValidationError({"started_on": "请填写开始日期。"})
    if started_on > timezone.localdate():
        raise ValidationError({"started_on": "开始日期不能晚于今天。"})
    post_type = _post_type(kind, post_type)
    _check_workshop(actor, person, kind, workshop, started_on)
    if person.jobs.filter(ended_on__isnull=True).exists():
        raise ValidationError({"kind": "此人已有未结束的就业记录，请先结束原记录。"})
    latest_end = person.jobs.exclude(ended_on=None).order_by("-ended_on").first()
    if latest_end is not None and started_on < latest_end.ended_on:
        raise ValidationError(
            {"started_on": f"开始日期早于上一份工作的结束日期 {latest_end.ended_on}。"}
        )
    record = EmploymentRecord(
        person=person,
        household=person.household,
        kind=kind,
        employer=(employer or "").strip(),
        started_on=started_on,
        monthly_income=_money(monthly_income),
        contract_months=contract_months,
        social_insurance=bool(social_insurance),
        workshop=workshop if kind == "workshop" else None,
        post_type=post_type,
        organised_by=(organised_by or "").strip(),
        note=(note or "").strip(),
        recorded_by=_name(actor),
        path=person.household.path,
    )
    record.full_clean(exclude=["path", "person", "household", "workshop"])
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:  # another request recorded a job for the same person meanwhile
        raise ValidationError({"kind": "此人已有未结束的就业记录，请先结束原记录。"}) from None
    audit.record_create(actor, record, RECORD_FIELDS)
    for help_ in Unemployment.objects.filter(person=person, status=Unemployment.Status.HELPING):
        help_.status, help_.closed_on = Unemployment.Status.EMPLOYED, started_on
        help_.save(update_fields=["status", "closed_on"])
        audit.record(
            actor,
            audit.AuditLog.Action.UPDATE,
            object_type="employment.unemployment",
            object_id=help_.pk,
            object_repr=str(help_),
            unit_path=help_.path,
            note=f"再就业：{record.get_kind_display()} {record.employer}".strip(),
        )
    return record


def _post_type(kind: str, value) -> str:
    """A public-welfare post names its type; the words other counties use map onto the seed's."""
    text = (value or "").strip()
    if kind != "public_post":
        if text:
            raise ValidationError({"post_type": "只有“公益岗位”才填写公益岗位类型。"})
        return ""
    if not text:
        raise ValidationError({"post_type": "公益岗位须选择岗位类型。"})
    code = text if text in dict(choices.POST_TYPES) else choices.POST_TYPE_WORDS.get(text)
    if code is None:
        allowed = "、".join(label for _, label in choices.POST_TYPES)
        raise ValidationError({"post_type": f"公益岗位类型「{text}」不在可选范围：{allowed}。"})
    return code


def _check_workshop(actor, person, kind: str, workshop, started_on: date) -> None:
    if kind != "workshop":
        if workshop is not None:
            raise ValidationError({"workshop": "只有“帮扶车间就业”才填写帮扶车间。"})
        return
    if workshop is None:
        raise ValidationError({"workshop": "帮扶车间就业须选择所在的帮扶车间。"})
    if not workshop_reachable(actor, person, workshop):
        raise ValidationError(
            {"workshop": f"帮扶车间「{workshop.name}」不在此人所在县或不在您的管辖范围内。"}
        )
    if workshop.opened_on and started_on < workshop.opened_on:
        raise ValidationError(
            {
                "started_on": f"开始日期早于帮扶车间「{workshop.name}」的开办日期 {workshop.opened_on}。"
            }
        )


def workshop_reachable(actor, person, workshop) -> bool:
    """A person may work in a workshop of their own county that the actor sees (workshops are
    shared up and down the tree like employers: ``selectors.shared``)."""
    from anju.core.paths import prefixes
    from anju.orgs.models import AdminUnit

    from .models import Workshop
    from .selectors import shared

    county = (
        AdminUnit.objects.filter(path__in=prefixes(person.household.path), level="county")
        .values_list("path", flat=True)
        .first()
    )
    if county is not None and not workshop.path.startswith(county):
        return False
    if actor is None:
        return True
    return shared(Workshop, actor).filter(pk=workshop.pk).exists()


@transaction.atomic
def end_job(
    actor,
    record: EmploymentRecord,
    *,
    ended_on: date,
    reason: str,
    helper: str = "",
    scan: bool = True,
) -> EmploymentRecord:
    """A job ends. A lost one registers unemployment, opens one-to-one help (with ``helper``,
    the cadre who helps) and scans the household for the monitoring loop. ``scan=False`` only
    for history written after the fact (the demo's past year), whose months were scanned
    already: a scan now would warn this month about a spell that ended long ago."""
    _require(actor, record.path)
    if record.ended_on is not None:
        raise ValidationError({"ended_on": f"这份工作已于 {record.ended_on} 结束。"})
    if reason not in dict(choices.END_REASONS):
        raise ValidationError({"reason": "请选择结束原因。"})
    if not isinstance(ended_on, date):
        raise ValidationError({"ended_on": "请填写结束日期。"})
    if ended_on < record.started_on:
        raise ValidationError({"ended_on": f"结束日期早于开始日期 {record.started_on}。"})
    if ended_on > timezone.localdate():
        raise ValidationError({"ended_on": "结束日期不能晚于今天。"})
    before = audit.snapshot(record, RECORD_FIELDS)
    record.ended_on, record.end_reason = ended_on, reason
    record.updated_at = timezone.now()
    record.save(update_fields=["ended_on", "end_reason", "updated_at"])
    audit.record_update(actor, record, before, RECORD_FIELDS)
    if reason != "lost":
        return record
    help_ = Unemployment.objects.create(
        person=record.person,
        household=record.household,
        lost_job=record,
        registered_on=ended_on,
        helper=(helper or "").strip(),
        registered_by=actor if getattr(actor, "is_authenticated", False) else None,
        path=record.path,
    )
    audit.record_create(actor, help_, ["registered_on", "helper", "status"])
    if scan:  # the monitoring loop hears of it now, not at the month's scan
        from anju.monitoring import scan as monitoring_scan

        monitoring_scan.scan(periods.current(), households=[record.household_id])
    return record


# -- employers and postings (岗位信息数据库) ------------------------------------------------------

EMPLOYER_FIELDS = ["name", "credit_code", "contact", "phone", "address"]
POSTING_FIELDS = [
    "employer",
    "title",
    "head_count",
    "sex",
    "age_min",
    "age_max",
    "education_min",
    "skills",
    "health",
    "place",
    "area",
    "latitude",
    "longitude",
    "pay_kind",
    "pay_min",
    "pay_max",
    "benefits",
    "home_based",
    "shifts",
    "valid_from",
    "valid_to",
    "source",
]


def _home(actor) -> str:
    from anju.core.scope import home_path

    return home_path(actor) if actor is not None else ""


def check_credit_code(raw) -> str:
    """A 统一社会信用代码 checked by its check character (GB 32100-2015, python-stdnum)."""
    from stdnum.cn import uscc
    from stdnum.exceptions import ValidationError as NumberError

    text = (raw or "").strip().upper()
    if not text:
        raise ValidationError({"credit_code": "请填写统一社会信用代码。"})
    try:
        return uscc.validate(text)
    except NumberError:
        raise ValidationError(
            {"credit_code": f"「{text}」不是有效的统一社会信用代码（18 位，末位为校验码）。"}
        ) from None


@transaction.atomic
def create_employer(actor, *, name: str, credit_code: str, **more) -> Employer:
    if actor is not None:
        access.require(actor, "employment", "write")
    code = check_credit_code(credit_code)
    if Employer.objects.filter(credit_code=code).exists():
        raise ValidationError({"credit_code": f"统一社会信用代码 {code} 的单位已登记。"})
    employer = Employer(
        name=(name or "").strip(),
        credit_code=code,
        path=_home(actor),
        **{k: (v or "").strip() for k, v in more.items()},
    )
    employer.full_clean(exclude=["path"])
    employer.save()
    audit.record_create(actor, employer, EMPLOYER_FIELDS)
    return employer


def _check_posting(values: dict) -> None:
    from anju.registry.choices import EDUCATION

    errors = {}
    low, high = values.get("age_min"), values.get("age_max")
    if low is not None and high is not None and low > high:
        errors["age_max"] = "最高年龄小于最低年龄。"
    if values.get("education_min") and values["education_min"] not in EDUCATION:
        errors["education_min"] = "可选：" + "、".join(EDUCATION)
    pay_min, pay_max = values.get("pay_min"), values.get("pay_max")
    if pay_min is None or pay_min < 0:
        errors["pay_min"] = "请填写不小于 0 的薪酬（元）。"
    elif pay_max is not None and pay_max < pay_min:
        errors["pay_max"] = "薪酬上限小于下限。"
    start, end = values.get("valid_from"), values.get("valid_to")
    if start and end and end < start:
        errors["valid_to"] = "有效期结束早于开始。"
    if not values.get("head_count"):
        errors["head_count"] = "招聘人数至少 1 人。"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_posting(actor, employer: Employer, **values) -> Posting:
    if actor is not None:
        from .selectors import shared

        access.require(actor, "employment", "write")
        if not shared(Employer, actor).filter(pk=employer.pk).exists():
            raise Http404("用工单位不存在或不在您的管辖范围内。")
    _check_posting(values)
    posting = Posting(employer=employer, path=_home(actor) or employer.path, **values)
    posting.full_clean(exclude=["path"])
    posting.save()
    audit.record_create(actor, posting, POSTING_FIELDS)
    return posting


# -- seekers and pushes ----------------------------------------------------------------------

SEEKER_FIELDS = [
    "wanted",
    "where",
    "min_pay",
    "home_based_only",
    "near_site",
    "part_time",
    "skills",
    "active",
]
PUSH_ORDER = ["recommended", "contacted", "interviewed", "hired", "declined"]


@transaction.atomic
def save_seeker(actor, person, **values) -> Seeker:
    """A person's job wishes (就业需求), made or corrected."""
    _require(actor, person.path)
    if values.get("where", "any") not in dict(choices.WHERE):
        raise ValidationError({"where": "请选择意向地域。"})
    values["min_pay"] = _money(values.get("min_pay"))
    seeker = Seeker.objects.filter(person=person).first()
    before = audit.snapshot(seeker, SEEKER_FIELDS) if seeker else None
    if seeker is None:
        seeker = Seeker(person=person, path=person.household.path)
    for name, value in values.items():
        setattr(seeker, name, value.strip() if isinstance(value, str) else value)
    seeker.updated_at = timezone.now()
    seeker.full_clean(exclude=["path", "person"])
    seeker.save()
    if before is None:
        audit.record_create(actor, seeker, SEEKER_FIELDS)
    else:
        audit.record_update(actor, seeker, before, SEEKER_FIELDS)
    return seeker


@transaction.atomic
def push(actor, posting: Posting, seeker: Seeker) -> Push:
    """Push a posting to a seeker (一对一推送), keeping the score and its explanation as they
    were when pushed."""
    from . import matching

    _require(actor, seeker.path)
    if Push.objects.filter(posting=posting, person=seeker.person).exists():
        raise ValidationError({"posting": "这个岗位已推送给此人。"})
    match = matching.explain(posting, seeker)
    if match.excluded:
        raise ValidationError({"posting": "不能推送：" + match.summary})
    item = Push.objects.create(
        posting=posting,
        person=seeker.person,
        score=match.score,
        explanation=[c.as_dict() for c in match.checks],
        pushed_by=_name(actor),
        path=seeker.path,
    )
    audit.record_create(actor, item, ["posting", "person", "score", "status"])
    return item


RETENTION_MONTHS = (3, 6)


def _kind_of(posting: Posting) -> str:
    """The 就业类型 a hire on this posting is recorded as."""
    if posting.area == "outside":
        return "outside_province"
    if posting.area == "province":
        return "in_province"
    return {"workshop": "workshop", "county_park": "in_county"}.get(
        posting.source, "local_enterprise"
    )


@transaction.atomic
def advance_push(
    actor, item: Push, *, status: str, reason: str = "", started_on: date | None = None
) -> Push:
    """The push moves on: contacted → interviewed → hired, or declined with its reason. A hire
    records the job (from ``started_on``, today by default) unless the person already holds
    one, and schedules the retention checks 3 and 6 months on."""
    _require(actor, item.path)
    if status not in PUSH_ORDER:
        raise ValidationError({"status": "请选择进展。"})
    if item.status in ("hired", "declined"):
        raise ValidationError({"status": f"该推送已{item.get_status_display()}，不再变更。"})
    if status != "declined" and PUSH_ORDER.index(status) <= PUSH_ORDER.index(item.status):
        raise ValidationError({"status": f"进展只能向前：目前为“{item.get_status_display()}”。"})
    reason = (reason or "").strip()
    if status == "declined" and not reason:
        raise ValidationError({"reason": "未录用或放弃须写明原因。"})
    before = audit.snapshot(item, ["status", "reason"])
    item.status, item.reason, item.updated_at = status, reason, timezone.now()
    item.save(update_fields=["status", "reason", "updated_at"])
    audit.record_update(actor, item, before, ["status", "reason"])
    if status == "hired":
        _hired(actor, item, started_on or timezone.localdate())
    return item


def _hired(actor, item: Push, started_on: date) -> None:
    from .matching import monthly_pay
    from .models import Retention

    posting, person = item.posting, item.person
    if not person.jobs.filter(ended_on__isnull=True).exists():
        record_job(
            actor,
            person,
            kind=_kind_of(posting),
            employer=posting.employer.name,
            started_on=started_on,
            monthly_income=monthly_pay(posting),
            note=f"岗位推送录用：{posting.title}",
        )
    checks = Retention.objects.bulk_create(
        [
            Retention(
                push=item,
                months=months,
                due_on=periods.add_months(started_on, months),
                path=item.path,
            )
            for months in RETENTION_MONTHS
        ]
    )
    for check in checks:
        audit.record_create(actor, check, ["months", "due_on"])


@transaction.atomic
def check_retention(
    actor, check, *, still_employed: bool, note: str = "", checked_on: date | None = None
):
    """A retention check done: still at work or not, said in a note when not."""
    _require(actor, check.path)
    checked_on = checked_on or timezone.localdate()
    if check.checked_on is not None:
        raise ValidationError({"still_employed": f"该回访已于 {check.checked_on} 完成。"})
    if checked_on > timezone.localdate():
        raise ValidationError({"checked_on": "回访日期不能晚于今天。"})
    note = (note or "").strip()
    if not still_employed and not note:
        raise ValidationError({"note": "不在岗的，请写明原因和去向。"})
    fields = ["checked_on", "still_employed", "note", "checked_by"]
    before = audit.snapshot(check, fields)
    check.checked_on, check.still_employed, check.note = checked_on, still_employed, note
    check.checked_by = _name(actor)
    check.save(update_fields=fields)
    audit.record_update(actor, check, before, fields)
    return check


# -- workshops (帮扶车间 / 就业帮扶基地) and their quarterly monitoring ------------------------------

WORKSHOP_FIELDS = ["name", "kind", "employer", "address", "jobs", "opened_on", "home_based"]
QUARTER_FIELDS = [
    "period",
    "total_workers",
    "relocated_workers",
    "wages_paid",
    "note",
]


def _common_path(paths: list[str]) -> str:
    """The deepest node above (or at) every path: where a workshop serving them is kept."""
    parts = [p.strip("/").split("/") for p in paths]
    common = []
    for level in zip(*parts, strict=False):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    return "/".join(common) + "/" if common else ""


@transaction.atomic
def create_workshop(actor, *, name: str, sites=(), employer=None, **values) -> Workshop:
    """Register a workshop serving ``sites`` (each in the actor's scope); it is kept at their
    common ancestor, or at the actor's place when it serves no site."""
    from .selectors import shared

    if actor is not None:
        access.require(actor, "employment", "write")
    sites = list(sites)
    for site in sites:
        if actor is not None and not covers(actor, site.path):
            raise ValidationError({"sites": f"安置点「{site.name}」不在您的管辖范围内。"})
    seen = actor is None or shared(Employer, actor).filter(pk=getattr(employer, "pk", None))
    if employer is not None and not (seen is True or seen.exists()):
        raise ValidationError({"employer": "经营单位不存在或不在您的管辖范围内。"})
    if values.get("jobs") in (None, "") or int(values["jobs"]) < 1:
        raise ValidationError({"jobs": "提供岗位数至少为 1。"})
    opened_on = values.get("opened_on")
    if not isinstance(opened_on, date):
        raise ValidationError({"opened_on": "请填写开办日期。"})
    if opened_on > timezone.localdate():
        raise ValidationError({"opened_on": "开办日期不能晚于今天。"})
    path = _common_path([s.path for s in sites]) if sites else _home(actor)
    workshop = Workshop(
        name=(name or "").strip(),
        employer=employer,
        path=path,
        **{k: v.strip() if isinstance(v, str) else v for k, v in values.items()},
    )
    workshop.full_clean(exclude=["path", "employer"])
    workshop.save()
    workshop.sites.set(sites)
    served = "、".join(s.name for s in sites) or "无"
    audit.record_create(actor, workshop, WORKSHOP_FIELDS, note=f"服务的安置点：{served}")
    return workshop


@transaction.atomic
def record_quarter(
    actor,
    workshop: Workshop,
    *,
    period: str,
    total_workers: int,
    relocated_workers: int,
    wages_paid,
    note: str = "",
) -> WorkshopQuarter:
    """A workshop's quarterly monitoring record: one per workshop and quarter."""
    from . import quarters

    _require(actor, workshop.path)
    period = quarters.parse(period)
    starts_on, ends_on = quarters.bounds(period)
    if starts_on > timezone.localdate():
        raise ValidationError({"period": f"{quarters.label(period)}尚未开始，不能填报。"})
    if ends_on < workshop.opened_on:
        raise ValidationError(
            {"period": f"帮扶车间 {workshop.opened_on} 开办，{quarters.label(period)}尚未开办。"}
        )
    errors = {}
    if total_workers is None or total_workers < 0:
        errors["total_workers"] = "请填写用工人数（不小于 0 的整数）。"
    elif relocated_workers is None or relocated_workers < 0:
        errors["relocated_workers"] = "请填写搬迁劳动力人数（不小于 0 的整数）。"
    elif relocated_workers > total_workers:
        errors["relocated_workers"] = (
            f"搬迁劳动力 {relocated_workers} 人多于用工人数 {total_workers} 人。"
        )
    try:
        wages = Decimal(str(wages_paid).replace(",", "").strip())
    except InvalidOperation:
        wages = None
    if wages is None or not wages.is_finite() or wages < 0 or wages >= Decimal("1e10"):
        errors["wages_paid"] = "本季度发放工资应为不小于 0 的金额（元）。"
    if errors:
        raise ValidationError(errors)
    if WorkshopQuarter.objects.filter(workshop=workshop, period=period).exists():
        raise ValidationError(
            {"period": f"「{workshop.name}」{quarters.label(period)}已填报监测记录。"}
        )
    item = WorkshopQuarter(
        workshop=workshop,
        period=period,
        starts_on=starts_on,
        ends_on=ends_on,
        total_workers=total_workers,
        relocated_workers=relocated_workers,
        wages_paid=wages.quantize(Decimal("0.01")),
        note=(note or "").strip(),
        recorded_by=_name(actor),
        path=workshop.path,
    )
    item.full_clean(exclude=["path", "workshop"], validate_constraints=False)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:  # recorded by another request meanwhile
        raise ValidationError(
            {"period": f"「{workshop.name}」{quarters.label(period)}已填报监测记录。"}
        ) from None
    audit.record_create(actor, item, QUARTER_FIELDS)
    return item


# -- subsidies (就业补贴): payment batches ------------------------------------------------------


def _batch_number(unit, on: date) -> str:
    """批次号: the unit's code, the year and a sequence (“610830101-2026-003”)."""
    from .models import PaymentBatch

    prefix = f"{unit.code or f'U{unit.pk}'}-{on.year}-"
    taken = PaymentBatch.objects.filter(number__startswith=prefix).count()
    return f"{prefix}{taken + 1:03d}"


def _earlier_refusal(person, cause, earlier) -> ValidationError:
    if cause.per_course:
        course = earlier.enrolment.course
        return ValidationError(
            {
                "person": f"{person.name} 已列入批次 {earlier.batch.label}"
                f"（{earlier.batch.get_status_display()}）领取培训班「{course.title}」的"
                f"{cause.name} {earlier.amount} 元，同一人同一培训班同一补贴事由只发放一次。"
            }
        )
    return ValidationError(
        {
            "person": f"{person.name} 已列入批次 {earlier.batch.label}"
            f"（{earlier.batch.get_status_display()}）领取{cause.name} {earlier.amount} 元，"
            "同一人同一补贴事由只发放一次。"
        }
    )


def _payment(batch, record, cause, rates, on):
    """The payment of ``cause`` for ``record``: a job, or a course enrolment for a training
    cause."""
    from . import subsidies
    from .models import SubsidyPayment

    finding = subsidies.judge(cause, record, on, rates)
    return SubsidyPayment(
        batch=batch,
        person=record.person,
        household=record.household,
        record=None if cause.per_course else record,
        enrolment=record if cause.per_course else None,
        cause=cause.code,
        amount=finding.amount,
        qualified_on=cause.qualified_on(record),
        payee=cause.payee(record),
        explanation=finding.explanation + f"；金额 {finding.amount_text}",
        path=record.path,
    )


@transaction.atomic
def create_batch(actor, unit, *, cause: str, on: date | None = None):
    """A draft batch of ``cause`` for every eligible, not yet listed person of ``unit`` on
    ``on``, found in one query and written in one insert. Persons whose place has no amount set
    are left out (the eligibility list names them). Returns the batch and how many were left out."""
    from . import subsidies
    from .models import PaymentBatch, SubsidyPayment

    _require(actor, unit.path)
    found = subsidies.CATALOGUE.get(cause)
    if found is None:
        raise ValidationError({"cause": "请选择补贴事由。"})
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"on": "资格核算日期不能晚于今天。"})
    rows = subsidies.eligible_records(
        subsidies.source_model(found).objects.filter(path__startswith=unit.path), found, on
    ).order_by("path", "household__number", "person_id", "pk")
    rates = subsidies.Rates(found.keys)
    rows = list(rows)
    if not rows:
        raise ValidationError({"cause": f"{unit.name}没有符合{found.name}条件且未发放的人员。"})
    batch = PaymentBatch.objects.create(
        number=_batch_number(unit, on),
        cause=cause,
        unit=unit,
        counted_on=on,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_by_name=_name(actor),
        path=unit.path,
    )
    payments = [_payment(batch, r, found, rates, on) for r in rows]
    priced = [p for p in payments if p.amount is not None]
    if not priced:
        raise ValidationError({"cause": f"{unit.name}未设定{found.name}的金额（政策参数）。"})
    try:
        with transaction.atomic():
            SubsidyPayment.objects.bulk_create(priced)
    except IntegrityError:
        raise ValidationError({"cause": "有人员刚被列入其他批次，请重新生成。"}) from None
    total = sum((p.amount for p in priced), Decimal("0"))
    audit.record(
        actor,
        audit.AuditLog.Action.CREATE,
        object_type="employment.paymentbatch",
        object_id=batch.pk,
        object_repr=str(batch),
        unit_path=batch.path,
        note=f"{found.name}：{len(priced)} 人，合计 {total} 元",
    )
    batch.left_out = len(payments) - len(priced)
    return batch


def _draft(batch) -> None:
    if batch.status != "draft":
        raise ValidationError(
            {"batch": f"批次 {batch.label} {batch.get_status_display()}，不能再增减人员。"}
        )


@transaction.atomic
def add_payment(actor, batch, person, *, on: date | None = None):
    """Add one person to a draft batch: refused, with the reason, if the person does not meet
    the cause's conditions or was already listed for it (naming that batch)."""
    from . import subsidies
    from .models import PaymentBatch, SubsidyPayment

    _require(actor, batch.path)
    _require(actor, person.path)
    batch = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
    _draft(batch)
    cause = subsidies.CATALOGUE[batch.cause]
    if not person.path.startswith(batch.path):
        raise ValidationError({"person": f"{person.name} 不在批次单位的辖区内。"})
    on = on or batch.counted_on
    earlier = list(
        SubsidyPayment.objects.filter(person=person, cause=cause.code)
        .exclude(status="withdrawn")
        .select_related("batch", "enrolment__course")
    )
    if earlier and not cause.per_course:
        raise _earlier_refusal(person, cause, earlier[0])
    paid = {subsidies.paid_key(p.cause, p.enrolment_id): p for p in earlier}
    enrolments = person.enrolments.select_related("course")
    findings = [
        f
        for f in subsidies.for_person(person, person.jobs.all(), on, paid, enrolments)
        if f.cause.code == cause.code
    ]
    finding = next((f for f in findings if f.eligible), None)
    if finding is None:
        # A training cause: every course that meets it already listed → name each batch.
        met = [f for f in findings if f.conditions_met]
        if met and all(f.paid for f in met):
            raise ValidationError(
                {
                    "person": [
                        m
                        for f in met
                        for m in _earlier_refusal(person, cause, f.paid).message_dict["person"]
                    ]
                }
            )
        said = "；".join(
            f"培训班「{f.record.course.title}」：{f.explanation}"
            if cause.per_course and f.record is not None
            else f.explanation
            for f in findings
        )
        raise ValidationError({"person": f"{person.name} 不符合{cause.name}条件：{said}"})
    payment = _payment(batch, finding.record, cause, subsidies.Rates(cause.keys), on)
    try:
        with transaction.atomic():
            payment.save()
    except IntegrityError:  # listed by another request meanwhile
        earlier = SubsidyPayment.objects.filter(person=person, cause=cause.code).exclude(
            status="withdrawn"
        )
        if cause.per_course:
            earlier = earlier.filter(enrolment=finding.record)
        raise _earlier_refusal(
            person, cause, earlier.select_related("batch", "enrolment__course").first()
        ) from None
    audit.record_create(actor, payment, ["batch", "cause", "amount", "payee"])
    return payment


@transaction.atomic
def withdraw_payment(actor, payment, *, reason: str):
    """Take a person out of a draft batch (kept as withdrawn, with the reason)."""
    from .models import PaymentBatch

    _require(actor, payment.path)
    # Read the batch again, locked: the caller's copy may predate its submission.
    _draft(PaymentBatch.objects.select_for_update().get(pk=payment.batch_id))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "撤出须写明原因。"})
    if payment.status == "withdrawn":
        raise ValidationError({"reason": "该人员已撤出本批次。"})
    payment.status = "withdrawn"
    payment.save(update_fields=["status"])
    audit.record(
        actor,
        audit.AuditLog.Action.UPDATE,
        object_type="employment.subsidypayment",
        object_id=payment.pk,
        object_repr=str(payment),
        unit_path=payment.path,
        note=f"撤出批次 {payment.batch.label}：{reason}",
    )
    return payment


@transaction.atomic
def advance_batch(actor, batch, *, to: str, on: date | None = None):
    """草稿 → 已提交财政 → 已发放 (the payments become paid on that day)."""
    from .models import PaymentBatch

    _require(actor, batch.path)
    batch = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
    on = on or timezone.localdate()
    steps = {"submitted": "draft", "paid": "submitted"}
    if to not in steps:
        raise ValidationError({"status": "请选择批次的下一步：提交财政或已发放。"})
    if batch.status != steps[to]:
        raise ValidationError(
            {"status": f"批次 {batch.label} 目前为“{batch.get_status_display()}”，不能这样变更。"}
        )
    if on > timezone.localdate():
        raise ValidationError({"on": "日期不能晚于今天。"})
    live = batch.payments.exclude(status="withdrawn")
    if to == "submitted" and not live.exists():
        raise ValidationError({"status": "批次中没有待发放的人员。"})
    before = audit.snapshot(batch, ["status", "submitted_on", "paid_on"])
    batch.status = to
    if to == "submitted":
        batch.submitted_on = on
    else:
        batch.paid_on = on
        live.update(status="paid")
    batch.save(update_fields=["status", "submitted_on", "paid_on"])
    audit.record_update(actor, batch, before, ["status", "submitted_on", "paid_on"])
    return batch


# -- training (培训档案) ------------------------------------------------------------------------

COURSE_FIELDS = [
    "kind",
    "title",
    "provider",
    "allowance_class",
    "site",
    "starts_on",
    "ends_on",
    "planned_count",
    "filed_on",
    "workdays_ahead",
    "workdays_required",
    "filing_late",
    "note",
]
ENROLMENT_FIELDS = ["course", "person", "attended_days", "completed", "note"]
FILING_KEY = "employment.training_filing_workdays"


def filing_check(path: str, filed_on: date, starts_on: date) -> tuple[int, int | None, bool]:
    """(working days the filing came ahead of the start, the days the rule in force at the
    course's place on its start asks, late?). 王益区《关于加强易地扶贫搬迁贫困劳动力就业服务的
    实施方案》三（一）: 培训机构开班前10个工作日将培训方案报人力资源和社会保障部门备案 — the
    filing day counts when it is a working day, the start day does not; holidays do not count
    and a 调休 Saturday does (``policies.workdays``)."""
    from types import SimpleNamespace

    from anju.policies import workdays
    from anju.policies.selectors import resolve

    ahead = workdays.count(filed_on, starts_on)
    rule = resolve(FILING_KEY, SimpleNamespace(path=path), starts_on).value
    required = int(rule) if rule is not None else None
    return ahead, required, required is not None and ahead < required


def _course_values(values: dict) -> dict:
    errors = {}
    clean = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
    if clean.get("kind") not in dict(choices.COURSE_KINDS):
        errors["kind"] = "请选择培训类型。"
    if not clean.get("title"):
        errors["title"] = "请填写培训项目。"
    if not clean.get("provider"):
        errors["provider"] = "请填写培训机构。"
    if clean.get("allowance_class", "") not in dict(choices.ALLOWANCE_CLASSES):
        errors["allowance_class"] = (
            "生活交通费补贴只能选每人每天 20 元、50 元或不分档（按当地标准）。"
        )
    starts, ends, filed = clean.get("starts_on"), clean.get("ends_on"), clean.get("filed_on")
    for name, label, value in (
        ("starts_on", "开班日期", starts),
        ("ends_on", "结业日期", ends),
        ("filed_on", "备案日期", filed),
    ):
        if not isinstance(value, date):
            errors[name] = f"请填写{label}。"
    if isinstance(starts, date) and isinstance(ends, date) and ends < starts:
        errors["ends_on"] = f"结业日期早于开班日期 {starts}。"
    if isinstance(filed, date) and filed > timezone.localdate():
        errors["filed_on"] = "备案日期不能晚于今天。"
    count = clean.get("planned_count")
    if not isinstance(count, int) or count < 1:
        errors["planned_count"] = "计划培训人数至少 1 人。"
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def save_course(actor, course=None, *, site=None, **values):
    """Register a course (培训班) or correct one. It is kept at the site it serves, or at the
    registering user's place; the filing is checked against the working-day rule each time."""
    from .models import Course

    values = _course_values(values)
    path = site.path if site is not None else (course.path if course else _home(actor))
    _require(actor, path)
    ahead, required, late = filing_check(path, values["filed_on"], values["starts_on"])
    before = audit.snapshot(course, COURSE_FIELDS) if course else None
    if course is None:
        course = Course(recorded_by=_name(actor))
    for name, value in values.items():
        setattr(course, name, value)
    course.site, course.path = site, path
    course.workdays_ahead, course.workdays_required, course.filing_late = ahead, required, late
    course.full_clean(exclude=["path", "site"])
    course.save()
    if before is None:
        audit.record_create(actor, course, COURSE_FIELDS)
    else:
        audit.record_update(actor, course, before, COURSE_FIELDS)
    return course


@transaction.atomic
def save_enrolment(
    actor, course, person, *, attended_days: int = 0, completed: bool = False, note: str = ""
):
    """Enrol a person on a course, or record their attendance and completion (made or
    corrected). Whether they found work afterwards is read from their jobs."""
    from .models import Course, Enrolment

    _require(actor, person.path)
    if actor is not None:
        from .selectors import shared

        if not shared(Course, actor).filter(pk=course.pk).exists():
            raise Http404("培训班不存在或不在您的管辖范围内。")
    length = (course.ends_on - course.starts_on).days + 1
    if not isinstance(attended_days, int) or attended_days < 0:
        raise ValidationError({"attended_days": "出勤天数应为不小于 0 的整数。"})
    if attended_days > length:
        raise ValidationError(
            {"attended_days": f"出勤天数 {attended_days} 天超过培训班的 {length} 天。"}
        )
    if completed and attended_days == 0:
        raise ValidationError({"completed": "出勤 0 天的不能记为结业。"})
    enrolment = Enrolment.objects.filter(course=course, person=person).first()
    before = audit.snapshot(enrolment, ENROLMENT_FIELDS) if enrolment else None
    if enrolment is None:
        enrolment = Enrolment(
            course=course, person=person, household=person.household, path=person.household.path
        )
    enrolment.attended_days, enrolment.completed = attended_days, bool(completed)
    enrolment.note = (note or "").strip()
    enrolment.full_clean(exclude=["path", "course", "person", "household"])
    try:
        with transaction.atomic():
            enrolment.save()
    except IntegrityError:  # enrolled by another request meanwhile
        raise ValidationError({"person": "此人已报名这个培训班。"}) from None
    if before is None:
        audit.record_create(actor, enrolment, ENROLMENT_FIELDS)
    else:
        audit.record_update(actor, enrolment, before, ENROLMENT_FIELDS)
    return enrolment


# -- batch recommendations (批量推荐) --------------------------------------------------------------

TOP_DEFAULT = 10


@dataclass
class Batch:
    site: object
    seekers: int
    rows: int
    batch_on: date


@transaction.atomic
def refresh_recommendations(
    actor, *, site=None, top: int = TOP_DEFAULT, on: date | None = None
) -> Batch:
    """The best ``top`` open postings for every seeker of a site (or of the actor's whole
    scope), written set-based: the batch's old lines deleted and the new ones inserted by one
    ``INSERT … SELECT`` (``matchsql``), in one transaction, so running it twice gives the same
    table. A posting reaches a seeker only from the seeker's place or above or within their site,
    never from a neighbouring town, so what a site's staff read stays theirs."""
    from django.db import connection

    from anju.orgs.models import Site

    from . import matchsql, selectors

    if actor is not None:
        access.require(actor, "employment", "write")
    if not isinstance(top, int) or not 1 <= top <= 100:
        raise ValidationError({"top": "每人推荐岗位数应为 1 至 100 之间的整数。"})
    if site is not None and not isinstance(site, Site):
        raise ValidationError({"site": "请选择安置点。"})
    if site is not None and actor is not None and not covers(actor, site.path):
        raise Http404("安置点不存在或不在您的管辖范围内。")
    on = on or timezone.localdate()
    seekers = Seeker.objects.visible_to(actor) if actor is not None else Seeker.objects.all()
    postings = selectors.shared(Posting, actor) if actor is not None else Posting.objects.all()
    if site is not None:
        seekers = seekers.filter(person__household__site=site)
    seekers = seekers.order_by()
    Recommendation.objects.filter(seeker__in=seekers).delete()
    if matchsql.available():
        radius = matchsql.radius_for(seekers, on)
        ranked, params = matchsql.ranked_sql(seekers, postings, on, top, radius, reach=True)
        params["batch_on"] = on
        with connection.cursor() as cursor:
            # The window sorts every pair left by the hard requirements: in memory, not on disk.
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute(
                "INSERT INTO employment_recommendation"
                " (seeker_id, posting_id, site_id, path, score, rank, batch_on)"
                f" SELECT seeker_id, posting_id, site_id, path, score, rank, %(batch_on)s"
                f" FROM ({ranked}) batch",
                params,
            )
            written = cursor.rowcount
    else:  # the SQLite demo: the same rows, scored pair by pair
        rows = matchsql.python_pairs(seekers, postings, on, top, reach=True)
        Recommendation.objects.bulk_create(
            Recommendation(
                seeker_id=s,
                posting_id=p,
                site_id=site_id,
                path=path,
                score=score,
                rank=rank,
                batch_on=on,
            )
            for s, p, site_id, path, score, rank in rows
        )
        written = len(rows)
    batch = Batch(site, seekers.filter(active=True).count(), written, on)
    where = site.name if site is not None else "管辖范围内全部安置点"
    audit.record(
        actor,
        audit.AuditLog.Action.CREATE,
        object_type="employment.recommendation",
        object_repr=f"批量推荐（{where}）",
        unit_path=site.path if site is not None else _home(actor),
        note=f"{on} 批次：{batch.seekers} 名求职人员，每人至多 {top} 个岗位，共 {written} 条",
    )
    return batch
