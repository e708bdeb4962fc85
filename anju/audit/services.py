"""Writing the audit log. Services call these explicitly: signals would miss bulk writes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.db import models

from anju.core.masking import mask_field

from .models import AuditLog  # noqa: F401  (re-exported for callers)

SYSTEM_ACTOR = "系统"


def _plain(value):
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict:
    """The current values of the given fields, as the audit log stores them."""
    data = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.is_relation:
            value = getattr(instance, name)
            data[name] = str(value) if value is not None else None
        else:
            data[name] = _plain(getattr(instance, field.attname))
    return data


def diff(before: dict, after: dict) -> dict:
    """``{field: [old, new]}`` for the fields that changed, sensitive values masked."""
    changes = {}
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old != new:
            changes[name] = [mask_field(name, old), mask_field(name, new)]
    return changes


def record(
    actor,
    action: str,
    *,
    object_type: str,
    object_id="",
    object_repr: str = "",
    unit_path: str = "",
    changes: dict | None = None,
    note: str = "",
) -> AuditLog:
    name = SYSTEM_ACTOR
    if actor is not None and getattr(actor, "is_authenticated", False):
        name = actor.display_name
        token = getattr(actor, "_anju_token", None)
        if token is not None:
            # A machine client wrote this through the API: say which key it used.
            note = (
                f"{note}（经接口令牌「{token.name}」）" if note else f"经接口令牌「{token.name}」"
            )
    else:
        actor = None
    return AuditLog.objects.create(
        actor=actor,
        actor_name=name,
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        object_repr=str(object_repr)[:200],
        unit_path=unit_path,
        changes=changes or {},
        note=note[:500],
    )


def object_type_of(instance: models.Model) -> str:
    return instance._meta.label_lower


def record_create(actor, instance, fields, *, unit_path: str = "", note: str = "") -> AuditLog:
    return record(
        actor,
        AuditLog.Action.CREATE,
        object_type=object_type_of(instance),
        object_id=instance.pk,
        object_repr=str(instance),
        unit_path=unit_path or getattr(instance, "path", ""),
        changes=diff({}, snapshot(instance, fields)),
        note=note,
    )


def record_update(
    actor, instance, before: dict, fields, *, unit_path: str = "", note: str = ""
) -> AuditLog | None:
    changes = diff(before, snapshot(instance, fields))
    if not changes:
        return None
    return record(
        actor,
        AuditLog.Action.UPDATE,
        object_type=object_type_of(instance),
        object_id=instance.pk,
        object_repr=str(instance),
        unit_path=unit_path or getattr(instance, "path", ""),
        changes=changes,
        note=note,
    )


def record_delete(actor, instance, before: dict, *, object_id, unit_path: str) -> AuditLog:
    return record(
        actor,
        AuditLog.Action.DELETE,
        object_type=object_type_of(instance),
        object_id=object_id,
        object_repr=str(instance),
        unit_path=unit_path,
        changes=diff(before, {}),
    )


def record_export(actor, *, what: str, unit_path: str, rows: int, filters: str = "") -> AuditLog:
    note = f"导出「{what}」{rows} 行" + (f"；筛选：{filters}" if filters else "")
    return record(
        actor,
        AuditLog.Action.EXPORT,
        object_type="export",
        object_repr=what,
        unit_path=unit_path,
        note=note,
    )


def record_reveal(actor, instance, field: str, *, unit_path: str) -> AuditLog:
    label = str(instance._meta.get_field(field).verbose_name)
    return record(
        actor,
        AuditLog.Action.REVEAL,
        object_type=object_type_of(instance),
        object_id=instance.pk,
        object_repr=str(instance),
        unit_path=unit_path,
        note=f"查看完整{label}",
    )
