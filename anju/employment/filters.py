import django_filters
from django import forms
from django.db.models import F, Q
from django.utils import timezone

from anju.core.filters import ScopedFilterSet
from anju.orgs.models import Site
from anju.registry.filters import HouseholdFilter
from anju.registry.models import Household, Person

from . import choices
from .models import (
    Course,
    Employer,
    EmploymentRecord,
    Enrolment,
    PaymentBatch,
    Posting,
    Recommendation,
    Retention,
    Unemployment,
    Workshop,
    WorkshopQuarter,
)
from .subsidies import CAUSES


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


class RetentionFilter(ScopedFilterSet):
    STATES = [("due", "已到期，待回访"), ("upcoming", "未到期"), ("done", "已回访")]
    q = django_filters.CharFilter(label="姓名", method="search")
    state = django_filters.ChoiceFilter(label="状况", choices=STATES, method="by_state")

    class Meta:
        model = Retention
        fields = ["q", "state"]

    def search(self, queryset, name, value):
        return queryset.filter(push__person__name__icontains=value.strip())

    def by_state(self, queryset, name, value):
        today = timezone.localdate()
        if value == "done":
            return queryset.filter(checked_on__isnull=False)
        pending = queryset.filter(checked_on__isnull=True)
        return (
            pending.filter(due_on__lte=today)
            if value == "due"
            else pending.filter(due_on__gt=today)
        )


class WorkshopFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label="名称/地址", method="search")
    kind = django_filters.ChoiceFilter(label="类型", choices=choices.WORKSHOP_KINDS)
    site = django_filters.ModelChoiceFilter(
        label="服务的安置点", field_name="sites", queryset=Site.objects.all()
    )

    class Meta:
        model = Workshop
        fields = ["q", "kind", "site"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(address__icontains=value))


class QuarterCheckFilter(ScopedFilterSet):
    q = django_filters.CharFilter(
        label="车间名称", field_name="workshop__name", lookup_expr="icontains"
    )

    class Meta:
        model = WorkshopQuarter
        fields = ["q"]


class SiteCheckFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label="安置点", field_name="name", lookup_expr="icontains")

    class Meta:
        model = Site
        fields = ["q"]


class PublicPostFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label="姓名/户编号/用岗单位", method="search")
    post_type = django_filters.ChoiceFilter(label="岗位类型", choices=choices.POST_TYPES)
    year = django_filters.NumberFilter(label="年度", method="keep")

    class Meta:
        model = EmploymentRecord
        fields = ["q", "post_type", "year"]

    search = RecordFilter.search

    def keep(self, queryset, name, value):
        return queryset  # the year chose the rows already (selectors.public_posts)


class EligibleFilter(ScopedFilterSet):
    """符合条件未发放人员: the cause and the unit choose the rows (``selectors.eligible``); they
    are fields here so the form shows and keeps them."""

    cause = django_filters.ChoiceFilter(
        label="补贴事由", choices=CAUSES, method="chosen", empty_label=None
    )
    q = django_filters.CharFilter(label="姓名/户编号", method="search")
    unit = django_filters.CharFilter(label="单位", method="chosen", widget=forms.HiddenInput)

    class Meta:
        model = EmploymentRecord
        fields = ["cause", "q"]

    def chosen(self, queryset, name, value):
        return queryset

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(person__name__icontains=value) | Q(household__number__icontains=value)
        )


class BatchFilter(ScopedFilterSet):
    cause = django_filters.ChoiceFilter(label="补贴事由", choices=CAUSES)
    status = django_filters.ChoiceFilter(label="状态", choices=PaymentBatch.Status.choices)
    q = django_filters.CharFilter(label="批次号", field_name="number", lookup_expr="icontains")

    class Meta:
        model = PaymentBatch
        fields = ["cause", "status", "q"]


class CourseFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label="培训项目/机构", method="search")
    kind = django_filters.ChoiceFilter(label="培训类型", choices=choices.COURSE_KINDS)
    site = django_filters.ModelChoiceFilter(label="安置点", queryset=Site.objects.all())
    year = django_filters.NumberFilter(label="开班年份", field_name="starts_on", lookup_expr="year")
    late = django_filters.BooleanFilter(
        label="备案不及时", field_name="filing_late", widget=forms.NullBooleanSelect
    )

    class Meta:
        model = Course
        fields = ["q", "kind", "site", "year", "late"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(title__icontains=value) | Q(provider__icontains=value))


class EnrolmentFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label="姓名/户编号/培训项目", method="search")
    kind = django_filters.ChoiceFilter(
        label="培训类型", field_name="course__kind", choices=choices.COURSE_KINDS
    )
    year = django_filters.NumberFilter(
        label="开班年份", field_name="course__starts_on", lookup_expr="year"
    )
    completed = django_filters.BooleanFilter(label="已结业", widget=forms.NullBooleanSelect)
    employed = django_filters.BooleanFilter(
        label="培训后就业", method="by_employed", widget=forms.NullBooleanSelect
    )

    class Meta:
        model = Enrolment
        fields = ["q", "kind", "year", "completed", "employed"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(person__name__icontains=value)
            | Q(household__number__icontains=value)
            | Q(course__title__icontains=value)
        )

    def by_employed(self, queryset, name, value):
        return queryset.filter(job_after_kind__isnull=not value)


class UntrainedSiteFilter(ScopedFilterSet):
    """The year is taken by the selector (a site is listed for the year it had no course); the
    field is here so the page's form shows and keeps it."""

    year = django_filters.NumberFilter(label="年份", method="keep")
    q = django_filters.CharFilter(label="安置点", field_name="name", lookup_expr="icontains")

    class Meta:
        model = Site
        fields = ["year", "q"]

    def keep(self, queryset, name, value):
        return queryset


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
