"""Pages of employment: thin, every read through ``selectors``, every write through ``services``."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from anju.accounts import access
from anju.core.forms import bootstrapify
from anju.core.pages import apply_errors, ledger_page
from anju.core.scope import home_path
from anju.policies.registry import display, get_key
from anju.registry.models import Person

from . import forms, ledgers, selectors, services
from .filters import HelpFilter, HouseholdsFilter, RecordFilter, RosterFilter


def _ages_note(user) -> str:
    ages = selectors.labour_ages(user)
    if ages is None:
        return "（未设定劳动年龄，按劳动技能列出全部有劳动能力的人；请在政策参数中设定）"
    return f"（{ages[0]}–{ages[1]} 周岁、有劳动能力）"


def roster(request):
    """搬迁劳动力清单: derived from the registry, with each person's job today."""
    rows = selectors.roster(request.user).order_by("household__path", "household__number", "id")
    fs = RosterFilter(request.GET, queryset=rows, request=request)
    return ledger_page(
        request,
        ledger=ledgers.ROSTER,
        filterset=fs,
        unit_path=home_path(request.user),
        extra={"title": "搬迁劳动力清单" + _ages_note(request.user)},
    )


def households(request):
    """家庭就业扶贫台账 and, filtered, the households below the rule and 零就业家庭."""
    rows = selectors.households(request.user).order_by("path", "number")
    fs = HouseholdsFilter(request.GET, queryset=rows, request=request)
    rule = selectors.household_rule(request.user)
    said = (
        display(get_key("employment.household_rule"), rule) if rule else "未设定，按每户至少 1 人"
    )
    return ledger_page(
        request,
        ledger=ledgers.HOUSEHOLDS,
        filterset=fs,
        unit_path=home_path(request.user),
        extra={"title": f"家庭就业扶贫台账（家庭就业要求：{said}）"},
    )


def records(request):
    rows = selectors.records(request.user).order_by("path", "household__number", "-started_on")
    fs = RecordFilter(request.GET, queryset=rows, request=request)
    return ledger_page(
        request, ledger=ledgers.RECORDS, filterset=fs, unit_path=home_path(request.user)
    )


def helps(request):
    rows = selectors.helps(request.user)
    fs = HelpFilter(request.GET, queryset=rows, request=request)
    return ledger_page(
        request, ledger=ledgers.HELPS, filterset=fs, unit_path=home_path(request.user)
    )


def _person(request, pk) -> Person:
    access.require(request.user, "employment", "read")
    return get_object_or_404(
        Person.objects.visible_to(request.user).select_related("household", "household__site"),
        pk=pk,
    )


def person_file(request, pk, job_form=None, end_form=None, seeker_form=None):
    """一人一档: a person's jobs and unemployment registrations, with the forms to add a job or
    end the open one."""
    person = _person(request, pk)
    jobs = selectors.records(request.user).filter(person=person).order_by("-started_on")
    open_job = next((j for j in jobs if j.ended_on is None), None)
    writable = access.allows(request.user, "employment", "write")
    job_form = job_form or forms.JobForm()
    end_form = end_form or forms.EndJobForm()
    seeker = selectors.seekers(request.user).filter(person=person).first()
    if seeker_form is None:
        initial = {f: getattr(seeker, f) for f in services.SEEKER_FIELDS} if seeker else {}
        seeker_form = forms.SeekerForm(initial=initial or {"active": True, "where": "any"})
    for form in (job_form, end_form, seeker_form):
        bootstrapify(form)
    from . import matching

    recommended = (
        matching.postings_for(seeker, selectors.postings(request.user), limit=10)
        if seeker is not None and seeker.active and open_job is None
        else []
    )
    return render(
        request,
        "employment/person.html",
        {
            "title": f"{person.name} · 就业档案",
            "person": person,
            "jobs": jobs,
            "open_job": open_job,
            "helps": selectors.helps(request.user).filter(person=person),
            "writable": writable,
            "job_form": job_form,
            "end_form": end_form,
            "seeker": seeker,
            "seeker_form": seeker_form,
            "recommended": recommended,
        },
    )


@require_POST
def job_add(request, pk):
    person = _person(request, pk)
    form = forms.JobForm(request.POST)
    if form.is_valid():
        try:
            services.record_job(request.user, person, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"已记录 {person.name} 的就业情况。")
            return redirect(f"/employment/persons/{person.pk}/")
    return person_file(request, pk, job_form=form)


@require_POST
def job_end(request, pk):
    access.require(request.user, "employment", "write")
    record = get_object_or_404(selectors.records(request.user), pk=pk)
    form = forms.EndJobForm(request.POST)
    if form.is_valid():
        try:
            services.end_job(request.user, record, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            lost = form.cleaned_data["reason"] == "lost"
            messages.success(
                request,
                "已登记失业并开启一对一帮扶，该户已按监测规则比对。"
                if lost
                else "已结束这份工作。",
            )
            return redirect(f"/employment/persons/{record.person_id}/")
    return person_file(request, record.person_id, end_form=form)


def _new(request, url: str, label: str) -> dict:
    writable = access.allows(request.user, "employment", "write")
    return {"new_url": url, "new_label": label} if writable else {}


def employer_list(request):
    from .filters import EmployerFilter

    rows = selectors.employers(request.user).order_by("name", "id")
    fs = EmployerFilter(request.GET, queryset=rows, request=request)
    return ledger_page(
        request,
        ledger=ledgers.EMPLOYERS,
        filterset=fs,
        unit_path=home_path(request.user),
        template="employment/ledger_new.html",
        extra={"title": "用工单位", **_new(request, "/employment/employers/new/", "登记用工单位")},
    )


def employer_create(request):
    from anju.core.pages import service_form

    access.require(request.user, "employment", "write")
    return service_form(
        request,
        form=forms.EmployerForm(request.POST or None),
        save=lambda data: services.create_employer(request.user, **data),
        title="登记用工单位",
        cancel_url="/employment/employers/",
        success_message="已登记用工单位。",
    )


def posting_list(request):
    from .filters import PostingFilter

    rows = selectors.postings(request.user).order_by("-valid_to", "id")
    fs = PostingFilter(request.GET, queryset=rows, request=request)
    return ledger_page(
        request,
        ledger=ledgers.POSTINGS,
        filterset=fs,
        unit_path=home_path(request.user),
        template="employment/ledger_new.html",
        extra={"title": "岗位信息数据库", **_new(request, "/employment/postings/new/", "发布岗位")},
    )


def posting_create(request):
    from anju.core.pages import service_form

    access.require(request.user, "employment", "write")
    form = forms.PostingForm(request.POST or None, employers=selectors.employers(request.user))

    def save(data):
        employer = data.pop("employer")
        data["age_min"], data["age_max"] = data.get("age_min"), data.get("age_max")
        return services.create_posting(request.user, employer, **data)

    return service_form(
        request,
        form=form,
        save=save,
        title="发布岗位",
        cancel_url="/employment/postings/",
        success_message="已发布岗位。",
    )


def posting_detail(request, pk):
    """A posting with the best seekers for it, each score explained, and its pushes."""
    from . import matching

    posting = get_object_or_404(selectors.postings(request.user), pk=pk)
    pushed = selectors.pushes(request.user).filter(posting=posting)
    pushed_ids = {p.person_id for p in pushed}
    return render(
        request,
        "employment/posting.html",
        {
            "title": f"{posting.title} · {posting.employer.name}",
            "posting": posting,
            "asks": ledgers.POSTINGS.columns[3].get(posting),
            "pay": ledgers.POSTINGS.columns[5].get(posting),
            "matches": matching.seekers_for(posting, selectors.seekers(request.user)),
            "pushes": pushed,
            "pushed_ids": pushed_ids,
            "writable": access.allows(request.user, "employment", "write"),
            "statuses": [s for s in forms.PUSH_STEPS],
        },
    )


@require_POST
def push_to(request, pk, seeker_pk):
    access.require(request.user, "employment", "write")
    posting = get_object_or_404(selectors.postings(request.user), pk=pk)
    seeker = get_object_or_404(selectors.seekers(request.user), pk=seeker_pk)
    try:
        services.push(request.user, posting, seeker)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(
            request, f"已把岗位推送给 {seeker.person.name}，请跟进联系、面试和录用情况。"
        )
    return redirect(f"/employment/postings/{posting.pk}/")


@require_POST
def push_advance(request, pk):
    access.require(request.user, "employment", "write")
    item = get_object_or_404(selectors.pushes(request.user), pk=pk)
    try:
        services.advance_push(
            request.user,
            item,
            status=request.POST.get("status", ""),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"{item.person.name}：{item.get_status_display()}。")
    return redirect(f"/employment/postings/{item.posting_id}/")


@require_POST
def seeker_save(request, pk):
    person = _person(request, pk)
    form = forms.SeekerForm(request.POST)
    if form.is_valid():
        try:
            services.save_seeker(request.user, person, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"已保存 {person.name} 的就业需求。")
            return redirect(f"/employment/persons/{person.pk}/")
    return person_file(request, pk, seeker_form=form)


def recommendations(request):
    """批量推荐: each seeker's best open postings as the last batch ranked them, with the
    reasons; a site's staff refresh their site's batch here."""
    from anju.orgs.models import Site

    from .filters import RecommendationFilter

    rows = selectors.recommendations(request.user).order_by("path", "seeker_id", "rank")
    fs = RecommendationFilter(request.GET, queryset=rows, request=request)
    site = fs.form.cleaned_data.get("site") if fs.is_valid() else None
    writable = access.allows(request.user, "employment", "write")
    return ledger_page(
        request,
        ledger=ledgers.RECOMMENDATIONS,
        filterset=fs,
        unit_path=home_path(request.user),
        template="employment/recommendations.html",
        extra={
            "title": f"批量推荐（{site.name}）" if site else "批量推荐",
            "site": site,
            "sites": Site.objects.visible_to(request.user).order_by("path", "name")
            if writable
            else [],
            "writable": writable,
        },
    )


@require_POST
def recommendations_refresh(request):
    from anju.orgs.models import Site

    access.require(request.user, "employment", "write")
    site = None
    if request.POST.get("site"):
        site = get_object_or_404(Site.objects.visible_to(request.user), pk=request.POST["site"])
    try:
        batch = services.refresh_recommendations(request.user, site=site)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(
            request,
            f"已刷新{site.name if site else '管辖范围内'}的批量推荐："
            f"{batch.seekers} 名求职人员，共 {batch.rows} 条。",
        )
    return redirect(reverse("employment:recommendations") + (f"?site={site.pk}" if site else ""))
