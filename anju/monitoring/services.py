"""Every write of the monitoring loop: validate, check role and scope, write, audit, keep the
roll-ups, in one transaction."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from anju.accounts import access
from anju.audit import services as audit
from anju.core import periods
from anju.core.scope import covers

from . import choices, coverage
from .models import Visit

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


@transaction.atomic
def record_visit(actor, household, *, period: str, visited_on: date, **fields) -> Visit:
    """Record the month's visit to a household (每月回访), or correct it: one visit per household
    and month. The visitor is the user recording it."""
    _require(actor, household.path)
    values = _clean(period, visited_on, fields)
    visitor_name = (actor.display_name if actor else "") or fields.get("visitor_name", "")
    if not visitor_name:
        raise ValidationError({"visitor_name": "请填写回访人。"})
    visit = (
        Visit.objects.select_for_update()
        .filter(household=household, period=values["period"])
        .first()
    )
    if visit is None:
        visit = Visit(household=household, path=household.path, visitor=actor, **values)
        visit.visitor_name = visitor_name
        visit.full_clean(exclude=["path", "visitor"])
        visit.save()
        coverage.visit_added(visit.path, visit.period)
        audit.record_create(actor, visit, VISIT_FIELDS, unit_path=visit.path)
        return visit
    before = audit.snapshot(visit, VISIT_FIELDS)
    for name, value in values.items():
        setattr(visit, name, value)
    visit.visitor, visit.visitor_name = actor, visitor_name
    visit.updated_at = timezone.now()
    visit.full_clean(exclude=["path", "visitor"])
    visit.save()
    audit.record_update(actor, visit, before, VISIT_FIELDS, unit_path=visit.path)
    return visit


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
