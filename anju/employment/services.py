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
    note: str = "",
) -> EmploymentRecord:
    """A person starts work. One open job a person: the one before must have ended. Work found
    after a lost job closes the one-to-one help."""
    _require(actor, person.path)
    if kind not in dict(choices.KINDS):
        raise ValidationError({"kind": "请选择就业类型。"})
    if not isinstance(started_on, date):
        raise ValidationError({"started_on": "请填写开始日期。"})
    if started_on > timezone.localdate():
        raise ValidationError({"started_on": "开始日期不能晚于今天。"})
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
        note=(note or "").strip(),
        recorded_by=_name(actor),
        path=person.household.path,
    )
    record.full_clean(exclude=["path", "person", "household"])
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


@transaction.atomic
def end_job(
    actor, record: EmploymentRecord, *, ended_on: date, reason: str, helper: str = ""
) -> EmploymentRecord:
    """A job ends. A lost one registers unemployment, opens one-to-one help (with ``helper``,
    the cadre who helps) and scans the household for the monitoring loop."""
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
    # The monitoring loop hears of it now, not at the month's scan.
    from anju.monitoring import scan

    scan.scan(periods.current(), households=[record.household_id])
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


@transaction.atomic
def advance_push(actor, item: Push, *, status: str, reason: str = "") -> Push:
    """The push moves on: contacted → interviewed → hired, or declined with its reason."""
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
    return item


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
