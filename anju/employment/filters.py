import django_filters
from django import forms
from django.db.models import F, Q

from anju.core.filters import ScopedFilterSet
from anju.orgs.models import Site
from anju.registry.filters import HouseholdFilter
from anju.registry.models import Household, Person

from . import choices
from .models import Employer, EmploymentRecord, Posting, Recommendation, Unemployment


class RosterFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label="姓名/户编号", method="search")
    site = django_filters.ModelChoiceFilter(
        label="安置点", field_name="household__site", queryset=Site.objects.all()
    )
    status = django_filters.ChoiceFilter(
        label="就业状况",
        method="by_status",
        choices=[("employed", "已就业"), ("not", "未就业"), ("helping", "失业帮扶中")],
    )

    class Meta:
        model = Person
        fields = ["q", "site", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(household__number__icontains=value))

    def by_status(self, queryset, name, value):
        if value == "employed":
            return queryset.filter(job_kind__isnull=False)
        if value == "helping":
            return queryset.filter(helping=True)
        return queryset.filter(job_kind__isnull=True)


class HouseholdsFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label="户编号", field_name="number", lookup_expr="icontains")
    site = django_filters.ModelChoiceFilter(label="安置点", queryset=Site.objects.all())
    status = django_filters.ChoiceFilter(
        label="状况",
        method="by_status",
        choices=[("below", "未达到家庭就业要求"), ("zero", "零就业"), ("met", "达标")],
    )
    unit = django_filters.CharFilter(label="单位", method="under", widget=forms.HiddenInput)

    class Meta:
        model = Household
        fields = ["q", "site", "status"]

    def by_status(self, queryset, name, value):
        if value == "zero":
            return queryset.filter(employed=0)
        if value == "below":
            return queryset.filter(employed__lt=F("needed"))
        return queryset.filter(employed__gte=F("needed"))

    under = HouseholdFilter.under


class RecordFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label="姓名/户编号/单位", method="search")
    kind = django_filters.ChoiceFilter(label="就业类型", choices=choices.KINDS)
    open = django_filters.BooleanFilter(label="在岗", field_name="ended_on", lookup_expr="isnull")

    class Meta:
        model = EmploymentRecord
        fields = ["q", "kind", "open"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(person__name__icontains=value)
            | Q(household__number__icontains=value)
            | Q(employer__icontains=value)
        )


class HelpFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label="姓名/户编号", method="search")
    status = django_filters.ChoiceFilter(label="状态", choices=Unemployment.Status.choices)

    class Meta:
        model = Unemployment
        fields = ["q", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(person__name__icontains=value) | Q(household__number__icontains=value)
        )


class EmployerFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label="单位名称/信用代码", method="search")

    class Meta:
        model = Employer
        fields = ["q"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(credit_code__icontains=value.upper()))


class PostingFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label="岗位/单位/地点", method="search")
    source = django_filters.ChoiceFilter(label="岗位来源", choices=choices.SOURCES)
    current = django_filters.BooleanFilter(
        label="在有效期内", method="in_force", widget=forms.NullBooleanSelect
    )

    class Meta:
        model = Posting
        fields = ["q", "source", "current"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(title__icontains=value)
            | Q(employer__name__icontains=value)
            | Q(place__icontains=value)
        )

    def in_force(self, queryset, name, value):
        from django.utils import timezone

        today = timezone.localdate()
        live = Q(valid_from__lte=today, valid_to__gte=today)
        return queryset.filter(live) if value else queryset.exclude(live)


class RecommendationFilter(ScopedFilterSet):
    site = django_filters.ModelChoiceFilter(label="安置点", queryset=Site.objects.all())
    q = django_filters.CharFilter(label="姓名/户编号", method="search")

    class Meta:
        model = Recommendation
        fields = ["site", "q"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(seeker__person__name__icontains=value)
            | Q(seeker__person__household__number__icontains=value)
        )
