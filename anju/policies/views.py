from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from anju.accounts import access
from anju.core.forms import bootstrapify
from anju.core.pages import ledger_page, service_form
from anju.core.tables import Column, Ledger
from anju.orgs import selectors as org_selectors
from anju.orgs.models import AdminUnit

from . import selectors, services
from .filters import ParameterValueFilter
from .forms import ParameterValueForm, ResolveForm

VALUES = Ledger(
    "政策参数",
    (
        Column(
            "参数",
            lambda v: v.definition.name if v.definition else v.key,
            link=lambda v: f"/policies/{v.pk}/edit/",
        ),
        Column("适用单位", "unit.name"),
        Column("参数值", "display_value"),
        Column("单位", lambda v: v.definition.unit if v.definition else ""),
        Column("生效日期", "valid_from"),
        Column("截止日期", lambda v: v.valid_to or "长期"),
        Column("依据", "source"),
    ),
)


def _units(user):
    return org_selectors.units(user).exclude(level=AdminUnit.Level.VILLAGE).order_by("path")


def index(request):
    access.require(request.user, "policies", "read")
    rows = selectors.values_visible_to(request.user)
    fs = ParameterValueFilter(request.GET, queryset=rows, request=request)
    fs.filters["unit"].queryset = _units(request.user)
    return ledger_page(
        request,
        ledger=VALUES,
        filterset=fs,
        template="policies/index.html",
        extra={
            "title": "政策参数",
            "writable": access.allows(request.user, "policies", "write"),
            "inherited": selectors.inherited(request.user, timezone.localdate()),
        },
    )


def resolve(request):
    access.require(request.user, "policies", "read")
    units = org_selectors.units(request.user).order_by("path")
    form = ResolveForm(request.GET or None, units=units, initial={"on": timezone.localdate()})
    bootstrapify(form)
    results = None
    if form.is_bound and form.is_valid():
        results = selectors.resolve_all(form.cleaned_data["unit"], form.cleaned_data["on"])
    return render(request, "policies/resolve.html", {"form": form, "results": results})


def create(request):
    access.require(request.user, "policies", "write")
    form = ParameterValueForm(request.POST or None, units=_units(request.user))
    return service_form(
        request,
        form=form,
        title="新增政策参数值",
        cancel_url="/policies/",
        success_message="参数值已保存。",
        save=lambda d: services.set_value(request.user, **d),
    )


def edit(request, pk):
    access.require(request.user, "policies", "write")
    pv = get_object_or_404(selectors.values_visible_to(request.user), pk=pk)
    form = ParameterValueForm(request.POST or None, units=_units(request.user), instance=pv)

    def save(data):
        services.update_value(
            request.user,
            pv,
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
            value=data["value"],
            source=data["source"],
        )
        return pv

    return service_form(
        request,
        form=form,
        title="修改政策参数值",
        cancel_url="/policies/",
        success_message="参数值已保存。",
        save=save,
        extra={"delete_url": f"/policies/{pv.pk}/delete/"},
    )


@require_POST
def delete(request, pk):
    access.require(request.user, "policies", "write")
    pv = get_object_or_404(selectors.values_visible_to(request.user), pk=pk)
    services.delete_value(request.user, pv)
    messages.success(request, "参数值已删除。")
    return redirect("policies:index")


def workdays(request):
    """工作日历: which years the calendar knows, and the days an administrator added."""
    from .forms import WorkdayForm
    from .models import WorkdayOverride
    from .workdays import known_by_package, unknown_years

    access.require(request.user, "policies", "read")
    today = timezone.localdate()
    form = WorkdayForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("delete"):
            override = get_object_or_404(WorkdayOverride, pk=request.POST["delete"])
            services.delete_workday(request.user, override)
            messages.success(request, f"已删除 {override.day.isoformat()} 的调整。")
            return redirect("policies:workdays")
        if form.is_valid():
            override = services.set_workday(request.user, **form.cleaned_data)
            messages.success(request, f"已保存：{override}。")
            return redirect("policies:workdays")
    bootstrapify(form)
    years = [today.year, today.year + 1]
    return render(
        request,
        "policies/workdays.html",
        {
            "title": "工作日历",
            "form": form,
            "years": [{"year": y, "package": known_by_package(y)} for y in years],
            "unknown": unknown_years(today),
            "overrides": WorkdayOverride.objects.filter(day__year__gte=today.year - 1),
            "writable": services.may_edit_workdays(request.user),
        },
    )
