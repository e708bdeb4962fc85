"""Every write of the monitoring loop: validate, check role and scope, write, audit, keep the
roll-ups, in one transaction."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from anju.accounts import access
from anju.audit import services as audit
from anju.core import periods
from anju.core.scope import covers

from . import choices, coverage, scan, selectors, uploads
from .models import Income, Lead, Visit

VISIT_FIELDS = [
    "period",
    "visited_on",
    "visitor_name",
    "changes",
    "situations",
    "needs_unmet",
    "note",
]


def _require(actor, path: str) -> None:
    if actor is None:
        return
    access.require(actor, "monitoring", "write")
    if not covers(actor, path):
        raise Http404("对象不存在或不在您的管辖范围内。")


def _codes(values, allowed, label: str, field: str) -> list[str]:
    known = dict(allowed)
    values = list(dict.fromkeys(values or []))
    unknown = [v for v in values if v not in known]
    if unknown:
        raise ValidationError({field: f"「{label}」没有这些选项：{'、'.join(map(str, unknown))}。"})
    return [code for code, _ in allowed if code in values]  # the seed's order


def _clean(period: str, visited_on: date, fields: dict) -> dict:
    period = periods.parse(period, "period")
    first, last = periods.bounds(period)
    if not isinstance(visited_on, date):
        raise ValidationError({"visited_on": "请填写回访日期。"})
    if not first <= visited_on <= last:
        raise ValidationError(
            {"visited_on": f"回访日期 {visited_on:%Y-%m-%d} 不在 {periods.label(period)} 之内。"}
        )
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": "回访日期不能晚于今天。"})
    return {
        "period": period,
        "visited_on": visited_on,
        "changes": _codes(fields.get("changes"), choices.FIVE_CHANGES, "五个变化", "changes"),
        "situations": _codes(
            fields.get("situations"), choices.FIVE_SITUATIONS, "五种情况", "situations"
        ),
        "needs_unmet": _codes(
            fields.get("needs_unmet"), choices.BASIC_NEEDS, "两不愁三保障及饮水", "needs_unmet"
        ),
        "note": (fields.get("note") or "").strip(),
    }


PHOTOS_MAX = 6
PHOTO_BYTES_MAX = 5 * 1024 * 1024


def _check_photos(visit_photos: int, photos) -> None:
    """Images only, each at most 5 MB, at most 6 a visit: a phone's photos, not any file."""
    if visit_photos + len(photos) > PHOTOS_MAX:
        raise ValidationError({"photos": f"每次回访最多 {PHOTOS_MAX} 张照片。"})
    for photo in photos:
        if photo.size > PHOTO_BYTES_MAX:
            raise ValidationError({"photos": f"照片「{photo.name}」超过 5 MB，请压缩后再传。"})
        if not uploads.is_one_of(photo, uploads.PHOTOS):
            raise ValidationError(
                {"photos": f"「{photo.name}」不是照片：只能上传 JPG 或 PNG 图片。"}
            )


def _add_photos(visit: Visit, photos) -> None:
    from .models import VisitPhoto

    for photo in photos:
        item = VisitPhoto(visit=visit, path=visit.path)
        item.image.save(photo.name[-80:], photo, save=False)
        item.save()


@transaction.atomic
def record_visit(actor, household, *, period: str, visited_on: date, photos=(), **fields) -> Visit:
    """Record the month's visit to a household (每月回访), or correct it: one visit per household
    and month. The visitor is the user recording it. Photos add to the visit's."""
    _require(actor, household.path)
    values = _clean(period, visited_on, fields)
    photos = list(photos or [])
    visitor_name = (actor.display_name if actor else "") or fields.get("visitor_name", "")
    if not visitor_name:
        raise ValidationError({"visitor_name": "请填写回访人。"})
    visit = (
        Visit.objects.select_for_update()
        .filter(household=household, period=values["period"])
        .first()
    )
    _check_photos(visit.photos.count() if visit is not None else 0, photos)
    if visit is None:
        visit = Visit(household=household, path=household.path, visitor=actor, **values)
        visit.visitor_name = visitor_name
        visit.full_clean(exclude=["path", "visitor"])
        visit.save()
        _add_photos(visit, photos)
        coverage.visit_added(visit.path, visit.period)
        audit.record_create(actor, visit, VISIT_FIELDS, unit_path=visit.path)
        _lead_from(actor, visit)
        return visit
    before = audit.snapshot(visit, VISIT_FIELDS)
    for name, value in values.items():
        setattr(visit, name, value)
    visit.visitor, visit.visitor_name = actor, visitor_name
    visit.updated_at = timezone.now()
    visit.full_clean(exclude=["path", "visitor"])
    visit.save()
    _add_photos(visit, photos)
    audit.record_update(actor, visit, before, VISIT_FIELDS, unit_path=visit.path)
    _lead_from(actor, visit)
    return visit


def _lead_from(actor, visit: Visit) -> Lead | None:
    """A visit that finds sudden hardship (五种情况: 突发困难问题) or a basic need not met raises a
    lead for the door check (干部入户排查, one of the seed's discovery channels). A corrected visit
    updates its lead instead of adding one; a lead already checked is left as the staff left it."""
    found = [choices.VISIT_HARDSHIPS[n] for n in visit.needs_unmet]
    if "hardship" not in visit.situations and not found:
        return None
    hardships = [code for code, _ in choices.HARDSHIPS if code in found]
    if not hardships:
        hardships = ["other"]
    lead = Lead.objects.filter(visit=visit).first()
    if lead is not None:
        if lead.status == Lead.Status.NEW:
            lead.hardships, lead.description = hardships, visit.note
            lead.save(update_fields=["hardships", "description"])
        return lead
    lead = Lead.objects.create(
        household=visit.household,
        visit=visit,
        source=Lead.Source.VISIT,
        hardships=hardships,
        description=visit.note,
        path=visit.path,
    )
    audit.record(
        actor,
        audit.AuditLog.Action.CREATE,
        object_type="monitoring.lead",
        object_id=lead.pk,
        object_repr=str(lead),
        unit_path=lead.path,
        note=f"{visit.period} 回访发现：{visit.visitor_name}",
    )
    # The lead becomes a warning now, not at the month's scan.
    scan.scan(periods.current(), households=[visit.household_id])
    return lead


@transaction.atomic
def delete_visit(actor, visit: Visit, *, reason: str) -> None:
    """Remove a visit recorded by mistake (the wrong household or month), with a reason."""
    _require(actor, visit.path)
    if not (reason or "").strip():
        raise ValidationError({"reason": "请说明删除原因。"})
    before = audit.snapshot(visit, VISIT_FIELDS)
    pk, path, period = visit.pk, visit.path, visit.period
    visit.delete()
    coverage.visit_removed(path, period)
    audit.record_delete(actor, visit, before, object_id=pk, unit_path=path)


INCOME_AMOUNTS = [
    "wage",
    "business",
    "property_income",
    "transfer",
    "business_cost",
    "medical_cost",
    "schooling_cost",
]
INCOME_FIELDS = ["year", "reference_date", *INCOME_AMOUNTS, "members", "net_per_capita", "source"]
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("100000000")  # 1 亿元: more is a typing error, not a household's year


def _amount(value, label: str, field: str) -> Decimal:
    if value in (None, ""):
        return Decimal("0")
    try:
        amount = Decimal(str(value).replace(",", "").replace("，", "").strip())
    except InvalidOperation:
        raise ValidationError({field: f"「{label}」应为金额（元），收到「{value}」。"}) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError({field: f"「{label}」不能为负数，收到「{value}」。"})
    if amount >= MAX_AMOUNT:
        raise ValidationError({field: f"「{label}」{amount} 元超过 1 亿元，请核对。"})
    if amount != amount.quantize(CENT):
        raise ValidationError({field: f"「{label}」最多两位小数（分），收到「{value}」。"})
    return amount.quantize(CENT)


@transaction.atomic
def record_income(
    actor, household, *, year: int, reference_date: date | None = None, source="staff", **amounts
) -> Income:
    """Record a household's income and spending for a year (家庭收支), or correct it: one record
    per household and year. Members are counted on the reference date (the year's last day, or
    today for the current year)."""
    _require(actor, household.path)
    today = timezone.localdate()
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": f"年度应为四位数字，收到「{year}」。"}) from None
    if not 2016 <= year <= today.year:
        raise ValidationError({"year": f"年度应在 2016 年至 {today.year} 年之间，收到 {year}。"})
    reference_date = reference_date or min(date(year, 12, 31), today)
    if reference_date.year != year or reference_date > today:
        raise ValidationError(
            {"reference_date": f"计算日期应在 {year} 年内且不晚于今天，收到 {reference_date}。"}
        )
    unknown = set(amounts) - set(INCOME_AMOUNTS)
    if unknown:
        raise ValidationError(f"没有这些收支项：{'、'.join(sorted(unknown))}")
    labels = {name: str(Income._meta.get_field(name).verbose_name) for name in INCOME_AMOUNTS}
    values = {name: _amount(amounts.get(name), labels[name], name) for name in INCOME_AMOUNTS}
    members = selectors.members_on(household, reference_date)
    if members == 0:
        raise ValidationError(
            {"reference_date": f"该户在 {reference_date} 没有家庭成员，无法计算人均纯收入。"}
        )
    net = (
        values["wage"]
        + values["business"]
        + values["property_income"]
        + values["transfer"]
        - values["business_cost"]
    )
    per_capita = (net / members).quantize(CENT, rounding=ROUND_HALF_UP)
    income = Income.objects.select_for_update().filter(household=household, year=year).first()
    before = audit.snapshot(income, INCOME_FIELDS) if income else None
    if income is None:
        income = Income(household=household, year=year, path=household.path)
    for name, value in values.items():
        setattr(income, name, value)
    income.reference_date = reference_date
    income.members, income.net_income, income.net_per_capita = members, net, per_capita
    income.source = source
    income.recorded_by = actor.display_name if actor else "系统"
    income.updated_at = timezone.now()
    income.full_clean(exclude=["path"])
    income.save()
    if before is None:
        audit.record_create(actor, income, INCOME_FIELDS, unit_path=income.path)
    else:
        audit.record_update(actor, income, before, INCOME_FIELDS, unit_path=income.path)
    return income
