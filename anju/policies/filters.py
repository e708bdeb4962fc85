import django_filters

from anju.core.filters import ScopedFilterSet

from .models import ParameterValue
from .registry import KEYS


class ParameterValueFilter(ScopedFilterSet):
    key = django_filters.ChoiceFilter(label="参数", choices=[(k, d.name) for k, d in KEYS.items()])
    on = django_filters.DateFilter(label="有效日期", method="effective_on")

    class Meta:
        model = ParameterValue
        fields = ["key", "unit", "on"]

    def effective_on(self, queryset, name, value):
        return queryset.filter(valid_from__lte=value).exclude(valid_to__lt=value)
