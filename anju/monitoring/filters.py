import django_filters
from django import forms
from django.db.models import Q

from anju.core.filters import ScopedFilterSet
from anju.orgs.models import Site
from anju.registry.filters import HouseholdFilter

from .models import Income, Lead, Visit


class VisitFilter(ScopedFilterSet):
    period = django_filters.CharFilter(label="回访月份")
    q = django_filters.CharFilter(label="户编号/回访人", method="search")
    site = django_filters.ModelChoiceFilter(
        label="安置点", field_name="household__site", queryset=Site.objects.all()
    )
    attention = django_filters.BooleanFilter(
        label="有变化或需关注", method="needs_attention", widget=forms.NullBooleanSelect
    )
    unit = django_filters.CharFilter(label="单位", method="under", widget=forms.HiddenInput)

    class Meta:
        model = Visit
        fields = ["period", "q", "site", "attention"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(household__number__icontains=value) | Q(visitor_name__icontains=value)
        )

    def needs_attention(self, queryset, name, value):
        empty = Q(changes=[]) & Q(situations=[]) & Q(needs_unmet=[])
        return queryset.exclude(empty) if value else queryset.filter(empty)

    under = HouseholdFilter.under  # the same unit filter as the registry's lists


class IncomeFilter(ScopedFilterSet):
    year = django_filters.NumberFilter(label="年度")
    q = django_filters.CharFilter(
        label="户编号", field_name="household__number", lookup_expr="icontains"
    )
    site = django_filters.ModelChoiceFilter(
        label="安置点", field_name="household__site", queryset=Site.objects.all()
    )
    unit = django_filters.CharFilter(label="单位", method="under", widget=forms.HiddenInput)

    class Meta:
        model = Income
        fields = ["year", "q", "site"]

    under = VisitFilter.under


class LeadFilter(ScopedFilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=Lead.Status.choices)
    source = django_filters.ChoiceFilter(label="来源", choices=Lead.Source.choices)
    q = django_filters.CharFilter(
        label="户编号", field_name="household__number", lookup_expr="icontains"
    )
    unit = django_filters.CharFilter(label="单位", method="under", widget=forms.HiddenInput)

    class Meta:
        model = Lead
        fields = ["status", "source", "q"]

    under = VisitFilter.under
