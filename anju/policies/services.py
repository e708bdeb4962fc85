"""Writes to policy parameters: parse, check period overlaps and scope, write, audit."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from anju.accounts import access
from anju.audit import services as audit
from anju.core.scope import covers
from anju.orgs.models import AdminUnit

from . import registry
from .models import ParameterValue

FIELDS = ["key", "unit", "valid_from", "valid_to", "value", "source"]


def _check(actor, unit: AdminUnit) -> None:
    if actor is None:
        return
    access.require(actor, "policies", "write")
    if not covers(actor, unit.path):
        raise Http404("单位不存在或不在您的管辖范围内。")


def _validate(pv: ParameterValue) -> None:
    key = registry.get_key(pv.key)
    try:
        pv.value = registry.parse(key, pv.value)
    except ValidationError as exc:
        raise ValidationError({"value": exc.messages}) from exc
    except (TypeError, ValueError, ArithmeticError):
        # JSON from the API in a shape the key's kind does not take.
        raise ValidationError({"value": f"参数值格式不正确，应写作：{key.kind.example}"}) from None
    if pv.valid_to and pv.valid_to < pv.valid_from:
        raise ValidationError({"valid_to": "截止日期不能早于生效日期。"})
    far = date.max
    overlapping = ParameterValue.objects.filter(key=pv.key, unit=pv.unit).exclude(pk=pv.pk)
    for other in overlapping:
        if pv.valid_from <= (other.valid_to or far) and other.valid_from <= (pv.valid_to or far):
            end = other.valid_to.isoformat() if other.valid_to else "长期"
            raise ValidationError(
                {
                    "valid_from": (
                        f"「{pv.unit.name}」的「{key.name}」已有 {other.valid_from.isoformat()} 至 {end} "
                        "的取值，有效期不能重叠；请先给旧值设截止日期。"
                    )
                }
            )


@transaction.atomic
def set_value(
    actor,
    *,
    key: str,
    unit: AdminUnit,
    valid_from: date,
    value,
    valid_to: date | None = None,
    source: str = "",
) -> ParameterValue:
    _check(actor, unit)
    pv = ParameterValue(
        key=key,
        unit=unit,
        valid_from=valid_from,
        valid_to=valid_to,
        value=value,
        source=source,
        path=unit.path,
    )
    _validate(pv)
    pv.full_clean(exclude=["path"])
    pv.save()
    audit.record_create(actor, pv, FIELDS, unit_path=pv.path)
    return pv


@transaction.atomic
def update_value(actor, pv: ParameterValue, **changes) -> ParameterValue:
    _check(actor, pv.unit)
    unknown = set(changes) - {"valid_from", "valid_to", "value", "source"}
    if unknown:
        raise ValidationError(f"不能修改字段：{'、'.join(sorted(unknown))}")
    before = audit.snapshot(pv, FIELDS)
    for name, value in changes.items():
        setattr(pv, name, value)
    _validate(pv)
    pv.full_clean(exclude=["path"])
    pv.save()
    audit.record_update(actor, pv, before, FIELDS, unit_path=pv.path)
    return pv


@transaction.atomic
def delete_value(actor, pv: ParameterValue) -> None:
    _check(actor, pv.unit)
    before = audit.snapshot(pv, FIELDS)
    pk, path = pv.pk, pv.path
    pv.delete()
    audit.record_delete(actor, pv, before, object_id=pk, unit_path=path)


def may_edit_workdays(actor) -> bool:
    """The calendar is national: only those who serve the whole platform keep it."""
    from anju.core.scope import UNRESTRICTED, scope_paths

    if not access.allows(actor, "policies", "write"):
        return False
    paths = scope_paths(actor)
    return paths is UNRESTRICTED or "" in paths


def _require_platform(actor) -> None:
    from django.core.exceptions import PermissionDenied

    if not may_edit_workdays(actor):
        raise PermissionDenied("工作日历全国统一，由平台管理员维护。")


@transaction.atomic
def set_workday(actor, *, day: date, is_workday: bool, note: str = ""):
    """Mark a day as a working day (调休上班) or a holiday, replacing an earlier mark."""
    from .models import WorkdayOverride

    _require_platform(actor)
    override, created = WorkdayOverride.objects.update_or_create(
        day=day,
        defaults={"is_workday": is_workday, "note": note, "created_by": actor.display_name},
    )
    audit.record(
        actor,
        audit.AuditLog.Action.CREATE if created else audit.AuditLog.Action.UPDATE,
        object_type="policies.workdayoverride",
        object_id=override.pk,
        object_repr=str(override),
        note=note,
    )
    return override


@transaction.atomic
def delete_workday(actor, override) -> None:
    _require_platform(actor)
    audit.record(
        actor,
        audit.AuditLog.Action.DELETE,
        object_type="policies.workdayoverride",
        object_id=override.pk,
        object_repr=str(override),
    )
    override.delete()
