import django_filters

from anju.core.filters import ScopedFilterSet

from .models import AuditLog
from .selectors import TYPE_LABELS, type_label

AUDITED_APPS = ("orgs", "accounts", "policies", "registry")


def object_types():
    """The kinds of object the log records, by the names users know them by."""
    from django.apps import apps

    codes = [
        m._meta.label_lower for app in AUDITED_APPS for m in apps.get_app_config(app).get_models()
    ]
    return [(code, type_label(code)) for code in [*codes, *TYPE_LABELS]]


class AuditLogFilter(ScopedFilterSet):
    actor = django_filters.CharFilter(
        label="操作人", field_name="actor_name", lookup_expr="icontains"
    )
    action = django_filters.ChoiceFilter(label="操作", choices=AuditLog.Action.choices)
    object_type = django_filters.ChoiceFilter(label="对象类型", choices=object_types)
    object_id = django_filters.CharFilter(label="对象编号")
    since = django_filters.DateFilter(label="起始日期", field_name="at", lookup_expr="date__gte")
    until = django_filters.DateFilter(label="截止日期", field_name="at", lookup_expr="date__lte")

    class Meta:
        model = AuditLog
        fields = ["actor", "action", "object_type", "object_id", "since", "until"]
