"""Every write of the monitoring loop: validate, check role and scope, write, audit, keep the
roll-ups, in one transaction."""

from __future__ import annotations

from contextlib import contextmanager
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
def record_visit(
    actor,
    household,
    *,
    period: str,
    visited_on: date,
    photos=(),
    member_changes: dict | None = None,
    **fields,
) -> Visit:
    """Record the month's visit to a household (每月回访), or correct it: one visit per household
    and month. The visitor is the user recording it. Photos add to the visit's.

    ``member_changes``: what the visit found about the members (see ``MemberChanges``), written
    to the registry through its services with the visit as the reason, in the same transaction:
    a refused change (a duplicate identity number) refuses the whole visit."""
    _require(actor, household.path)
    values = _clean(period, visited_on, fields)
    found = MemberChanges.read(household, visited_on, member_changes or {})
    values["changes"] = [
        code for code, _ in choices.FIVE_CHANGES if code in {*values["changes"], *found.codes}
    ]
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
        found.apply(actor, visit)
        _lead_from(actor, visit, found.hardships)
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
    found.apply(actor, visit)
    _lead_from(actor, visit, found.hardships)
    return visit


# The registry changes a visit makes rest on the visitor's right to record visits.
MODULE = "monitoring"


class MemberChanges:
    """The member changes a visit found (五个变化: 家庭成员数量、身体状况、就业务工), from the form's
    fields: a new member (``new_name``, ``new_id_number``, ``new_relation``), a death
    (``died_member``, ``died_on``), a new illness or disability (``ill_member``, ``ill_health``),
    a lost job (``jobless_member``). Each is checked before anything is written."""

    def __init__(self, household, visited_on):
        self.household, self.visited_on = household, visited_on
        self.new: dict | None = None
        self.died = self.ill = self.jobless = None
        self.died_on = None
        self.health = ""
        self.codes: set[str] = set()
        self.hardships: list[str] = []

    @classmethod
    def read(cls, household, visited_on: date, data: dict) -> MemberChanges:
        from anju.registry import choices as registry_choices

        found = cls(household, visited_on)
        members = {p.pk: p for p in household.members.all()}

        def member(field: str):
            value = data.get(field)
            if value in (None, ""):
                return None
            pk = getattr(value, "pk", value)
            try:
                return members[int(pk)]
            except (KeyError, TypeError, ValueError):
                raise ValidationError({field: "请选择本户的成员。"}) from None

        new = {k: (data.get(f"new_{k}") or "").strip() for k in ("name", "id_number", "relation")}
        if any(new.values()):
            missing = [f"new_{k}" for k, value in new.items() if not value]
            if missing:
                raise ValidationError(
                    {f: "新增成员须填写姓名、身份证号和与户主关系。" for f in missing}
                )
            found.new = new
            found.codes.add("members")
        found.died = member("died_member")
        if found.died is not None:
            found.died_on = data.get("died_on")
            if isinstance(found.died_on, str):
                try:
                    found.died_on = date.fromisoformat(found.died_on)
                except ValueError:
                    raise ValidationError({"died_on": "去世日期格式应为 2026-11-05。"}) from None
            if not isinstance(found.died_on, date):
                raise ValidationError({"died_on": "请填写去世日期。"})
            if found.died_on > visited_on:
                raise ValidationError({"died_on": "去世日期不能晚于回访日期。"})
            found.codes.add("members")
        found.ill = member("ill_member")
        if found.ill is not None:
            found.health = data.get("ill_health") or ""
            if found.health not in registry_choices.HEALTH or found.health == "健康":
                raise ValidationError({"ill_health": "请选择：长期慢性病、患有大病或残疾。"})
            found.codes.add("health")
            found.hardships.append("disability" if found.health == "残疾" else "illness")
        found.jobless = member("jobless_member")
        if found.jobless is not None:
            found.codes.add("employment")
            found.hardships.append("job")
        if found.died is not None and found.died in (found.ill, found.jobless):
            raise ValidationError({"died_member": "同一成员不能既去世又新患疾病或失业。"})
        return found

    def apply(self, actor, visit: Visit) -> None:
        """Write the changes to the registry, each audit entry naming the visit; the visit keeps
        one line per change."""
        from anju.registry import choices as registry_choices
        from anju.registry import services as registry

        reason = f"{periods.label(visit.period)}回访（{visit.visited_on:%Y-%m-%d}，{visit.visitor_name}）发现"
        lines = []
        if self.new:
            with _as_form_errors("new_"):
                person = registry.add_person(
                    actor, self.household, reason=reason, module=MODULE, **self.new
                )
            lines.append(f"新增成员：{person.name}（{person.relation}）")
        if self.ill is not None:
            wanted = {*self.ill.health, self.health} - {"健康"}
            health = [h for h in registry_choices.HEALTH if h in wanted]
            if health != self.ill.health:
                with _as_form_errors("ill_"):
                    registry.update_person(
                        actor, self.ill, reason=reason, module=MODULE, health=health
                    )
            lines.append(f"{self.ill.name}：{self.health}")
        if self.jobless is not None:
            # The registry keeps no employment record yet; the lost job raises a lead.
            lines.append(f"{self.jobless.name}：失去工作")
        if self.died is not None:
            name = self.died.name
            with _as_form_errors("died_"):
                registry.delete_person(
                    actor,
                    self.died,
                    reason=f"{self.died_on:%Y-%m-%d} 去世，{reason}",
                    module=MODULE,
                )
            lines.append(f"{name}：{self.died_on:%Y-%m-%d} 去世，已从台账移除")
        if lines:
            visit.registry_changes = [*visit.registry_changes, *lines]
            visit.save(update_fields=["registry_changes"])


@contextmanager
def _as_form_errors(prefix: str):
    """The registry's errors under the visit form's fields (``new_name`` for a new member's
    name); one the form has no field for goes to the top of the form."""
    fields = {
        "new_": {"name", "id_number", "relation"},
        "ill_": set(),
        "died_": set(),
    }[prefix]
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError(
            {(prefix + k if k in fields else "__all__"): v for k, v in exc.message_dict.items()}
        ) from None


def _lead_from(actor, visit: Visit, member_hardships=()) -> Lead | None:
    """A visit that finds sudden hardship (五种情况: 突发困难问题), a basic need not met, or a member
    newly ill, disabled or out of work raises a lead for the door check (干部入户排查, one of the
    seed's discovery channels). A corrected visit updates its lead instead of adding one; a lead
    already checked is left as the staff left it."""
    found = [choices.VISIT_HARDSHIPS[n] for n in visit.needs_unmet] + list(member_hardships)
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
