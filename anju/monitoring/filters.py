import django_filters
from django import forms
from django.db.models import Q

from anju.core.filters import ScopedFilterSet
from anju.orgs.models import Site
from anju.policies.registry import MONITORING_RULES
from anju.registry.filters import HouseholdFilter

from .feeds import DEPARTMENTS
from .models import Feed, Income, Lead, LedgerRow, Visit, Warning


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


class WarningFilter(ScopedFilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=Warning.Status.choices)
    rule = django_filters.ChoiceFilter(
        label="预警规则", choices=MONITORING_RULES, method="with_rule"
    )
    overdue = django_filters.BooleanFilter(
        label="已超期", method="late", widget=forms.NullBooleanSelect
    )
    period = django_filters.CharFilter(label="预警月份", field_name="opened_period")
    q = django_filters.CharFilter(
        label="户编号", field_name="household__number", lookup_expr="icontains"
    )
    unit = django_filters.CharFilter(label="单位", method="under", widget=forms.HiddenInput)

    class Meta:
        model = Warning
        fields = ["status", "rule", "overdue", "period", "q"]

    def with_rule(self, queryset, name, value):
        return queryset.filter(signals__rule=value).distinct()

    def late(self, queryset, name, value):
        from django.utils import timezone

        today = timezone.localdate()
        late = Q(status="open", door_check_due__lt=today) | Q(
            status__in=("open", "reviewing"), decision_due__lt=today
        )
        return queryset.filter(late) if value else queryset.exclude(late)

    under = VisitFilter.under


class FeedFilter(ScopedFilterSet):
    department = django_filters.ChoiceFilter(label="部门", choices=DEPARTMENTS)
    period = django_filters.CharFilter(label="月份")

    class Meta:
        model = Feed
        fields = ["department", "period"]


class MonitoredFilter(ScopedFilterSet):
    """The monitored ledger, live (warnings) or frozen (rows): the same two filters."""

    q = django_filters.CharFilter(label="户编号", method="number")
    unit = django_filters.CharFilter(label="单位", method="under", widget=forms.HiddenInput)

    def number(self, queryset, name, value):
        field = "household_number" if queryset.model is LedgerRow else "household__number"
        return queryset.filter(**{f"{field}__icontains": value.strip()})

    under = VisitFilter.under


class FrozenFilter(MonitoredFilter):
    class Meta:
        model = LedgerRow
        fields = ["q"]


class LiveFilter(MonitoredFilter):
    class Meta:
        model = Warning
        fields = ["q"]
