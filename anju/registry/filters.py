import django_filters
from django import forms

from anju.core.filters import ScopedFilterSet
from anju.orgs.models import Site

from . import choices
from .models import Household, Person
from .selectors import matching_households, matching_persons


class HouseholdFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label="户编号/姓名/身份证号", method="search")
    site = django_filters.ModelChoiceFilter(label="安置点", queryset=Site.objects.all())
    category = django_filters.ChoiceFilter(label="户类型", choices=choices.Category.choices)
    safety_net = django_filters.ChoiceFilter(
        label="兜底保障", choices=[c for c in choices.SafetyNet.choices if c[0]], method="safety"
    )
    unit = django_filters.CharFilter(label="单位", method="under", widget=forms.HiddenInput)

    class Meta:
        model = Household
        fields = ["q", "site", "category", "safety_net"]

    def search(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.filter(pk__in=matching_households(self.request.user, value))

    def safety(self, queryset, name, value):
        return queryset.filter(safety_net=value)

    def under(self, queryset, name, value):
        from anju.orgs.selectors import node_by_key

        node = node_by_key(self.request.user, value)
        return queryset.filter(path__startswith=node.path) if node else queryset.none()


class PersonFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label="姓名/身份证号/户编号", method="search")
    site = django_filters.ModelChoiceFilter(
        label="安置点", field_name="household__site", queryset=Site.objects.all()
    )
    category = django_filters.ChoiceFilter(
        label="户类型", field_name="household__category", choices=choices.Category.choices
    )

    unit = django_filters.CharFilter(label="单位", method="under", widget=forms.HiddenInput)

    class Meta:
        model = Person
        fields = ["q", "site", "category"]

    under = HouseholdFilter.under

    def search(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.filter(pk__in=matching_persons(self.request.user, value))
