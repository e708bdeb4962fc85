from datetime import datetime
from functools import lru_cache

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone

from anju.accounts import access
from anju.accounts.access import LEVEL_LABELS, MODULES

from .models import AuditLog

# Entries that are not a model's own field, or not a model at all.
EXTRA_LABELS = {
    "served_units": "服务单位",
    "password": "密码",
    "household": "所在户",
    "county": "所属县",
    "is_active": "启用",
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


def _model_field(object_type: str, field: str):
    try:
        return apps.get_model(object_type)._meta.get_field(field)
    except (LookupError, ValueError, FieldDoesNotExist):
        return None


def _is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def shown(object_type: str, field: str, value) -> str:
    """One stored value as an auditor reads it: 是/否, 空, choice labels instead of codes,
    lists joined by 、, local times, and the role's module rights by module name."""
    if _is_empty(value):
        return "空"
    if isinstance(value, bool):
        return "是" if value else "否"
    model_field = _model_field(object_type, field)
    if isinstance(value, list):
        items = [shown(object_type, field, v) for v in value]
        # Whole sentences (a plan's disagreements) follow one another; short values take 、.
        return "".join(items) if any(i.endswith("。") for i in items) else "、".join(items)
    if isinstance(value, dict):
        return _shown_dict(object_type, field, value)
    if model_field is not None and getattr(model_field, "flatchoices", None):
        labels = {str(k): str(v) for k, v in model_field.flatchoices}
        if str(value) in labels:
            return labels[str(value)]
    if isinstance(model_field, models.DateTimeField) and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return moment.strftime("%Y-%m-%d %H:%M")
    return str(value)


def _shown_dict(object_type: str, field: str, value: dict) -> str:
    if object_type == "accounts.role" and field == "modules":
        return "，".join(
            f"{MODULES.get(m, m)}{LEVEL_LABELS.get(level, level)}" for m, level in value.items()
        )
    if set(value) >= {"labels", "counts"}:
        return "、".join(
            f"{label} {count}"
            for label, count in zip(value["labels"], value["counts"], strict=False)
        )
    parts = []
    for key, item in value.items():
        label = BREAKDOWN_LABELS.get(key, key)
        parts.append(f"{label}（{shown(object_type, '', item)}）")
    return "；".join(parts)


# The breakdowns a site profile declares (SiteProfile.declared_breakdowns), by their names.
BREAKDOWN_LABELS = {
    "age": "年龄",
    "education": "文化程度",
    "labour_persons": "有劳动能力人数",
    "labour_households": "有劳动力户数",
    "safety_net_households": "兜底保障户数",
    "safety_net_persons": "兜底保障人数",
}


def format_changes(object_type: str, changes: dict, action: str = "") -> str:
    """``{field: [old, new]}`` as 字段：旧值 → 新值. A created object lists its values, a
    deleted one what it held: there is no other side to show."""
    if not isinstance(changes, dict):
        return str(changes)
    parts = []
    for field, pair in changes.items():
        label = field_label(object_type, field)
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            parts.append(f"{label}：{shown(object_type, field, pair)}")
        elif action in ("create", "delete"):
            value = pair[1] if action == "create" else pair[0]
            if not _is_empty(value):  # an empty field of a new object says nothing
                parts.append(f"{label}：{shown(object_type, field, value)}")
        else:
            old, new = (shown(object_type, field, v) for v in pair)
            parts.append(f"{label}：{old} → {new}")
    return "；".join(parts)
