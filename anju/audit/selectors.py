from functools import lru_cache

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from anju.accounts import access

from .models import AuditLog

# Entries that are not a model's own field, or not a model at all.
EXTRA_LABELS = {
    "served_units": "服务单位",
    "password": "密码",
    "household": "所在户",
    "county": "所属县",
}
TYPE_LABELS = {"export": "导出", "registry.import": "台账导入"}


def logs_visible_to(user):
    """Audit rows of the user's subtree; only roles that open the audit module read them."""
    access.require(user, "audit", "read")
    return AuditLog.objects.visible_to(user)


@lru_cache(maxsize=64)
def type_label(object_type: str) -> str:
    """``orgs.site`` → 安置点: what an auditor reads instead of the code."""
    if object_type in TYPE_LABELS:
        return TYPE_LABELS[object_type]
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


@lru_cache(maxsize=512)
def field_label(object_type: str, field: str) -> str:
    if field in EXTRA_LABELS:
        return EXTRA_LABELS[field]
    try:
        model = apps.get_model(object_type)
        return str(model._meta.get_field(field).verbose_name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return field


def format_changes(object_type: str, changes: dict) -> str:
    def shown(value):
        return "空" if value in (None, "", []) else str(value)

    return "；".join(
        f"{field_label(object_type, field)}：{shown(old)} → {shown(new)}"
        for field, (old, new) in changes.items()
    )
