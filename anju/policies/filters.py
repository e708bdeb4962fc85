import django_filters
from django_filters.fields import ModelChoiceField

from anju.core.filters import ScopedFilterSet
from anju.orgs.models import AdminUnit

from .models import ParameterValue
from .registry import KEYS


def unit_pk(value):
    """``u12`` (the node reference the whole API uses) or, as before, the bare ``12``."""
    if isinstance(value, str) and value[:1] == "u" and value[1:].isdigit():
        return value[1:]
    return value


class UnitRefField(ModelChoiceField):
    def to_python(self, value):
        return super().to_python(unit_pk(value))


class UnitRefFilter(django_filters.ModelChoiceFilter):
    field_class = UnitRefField


class ParameterValueFilter(ScopedFilterSet):
    key = django_filters.ChoiceFilter(label="参数", choices=[(k, d.name) for k, d in KEYS.items()])
    unit = UnitRefFilter(label="适用单位", queryset=AdminUnit.objects.all())
    on = django_filters.DateFilter(label="有效日期", method="effective_on")

    class Meta:
        model = ParameterValue
        fields = ["key", "unit", "on"]

    def effective_on(self, queryset, name, value):
        return queryset.filter(valid_from__lte=value).exclude(valid_to__lt=value)
