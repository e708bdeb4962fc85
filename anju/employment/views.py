"""Pages of employment: thin, every read through ``selectors``, every write through ``services``."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from anju.accounts import access
from anju.core import periods
from anju.core.forms import bootstrapify
from anju.core.pages import apply_errors, ledger_page
from anju.core.scope import home_path
from anju.orgs.views import requested_node
from anju.policies.registry import display, get_key
from anju.registry.models import Person

from . import forms, ledgers, selectors, services
from .filters import HelpFilter, HouseholdsFilter, RecordFilter, RetentionFilter, RosterFilter


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
        display(get_key("employment.min_employed_per_household"), rule)
        if rule
        else "未设定，按每户至少 1 人"
    )
    return ledger_page(
        request,
        ledger=ledgers.HOUSEHOLDS,
        filterset=fs,
        unit_path=home_path(request.user),
        extra={"title": f"家庭就业扶贫台账（家庭就业要求：{said}）"},
    )


def records(request):
    """就业记录; with ``?list=migrant`` or ``?list=self`` the prefecture's 外出务工 and 自主创业
    lists: the open jobs of those kinds."""
    rows = selectors.records(request.user).order_by("path", "household__number", "-started_on")
    ledger = ledgers.RECORDS
    if request.GET.get("list") in ledgers.LISTS:
        ledger, kinds = ledgers.LISTS[request.GET["list"]]
        rows = rows.filter(kind__in=kinds, ended_on__isnull=True)
    fs = RecordFilter(request.GET, queryset=rows, request=request)
    return ledger_page(request, ledger=ledger, filterset=fs, unit_path=home_path(request.user))


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
            "retentions": selectors.retentions(request.user)
            .filter(push__person=person)
            .order_by("due_on"),
            "today": timezone.localdate(),
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
        extra={
            "title": "岗位信息数据库",
            **_new(request, "/employment/postings/new/", "发布岗位"),
            **(
                {"import_url": "/employment/postings/import/"}
                if access.allows(request.user, "employment", "write")
                else {}
            ),
        },
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
            started_on=_date(request.POST.get("started_on")),
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


def months(request):
    """就业月报与趋势: households below the rule and 零就业家庭 per unit, and month by month."""
    period = periods.from_request(request)
    figures = selectors.months(request.user, requested_node(request), period)
    return render(
        request,
        "employment/months.html",
        {
            "title": f"{figures['node'].name} · {periods.label(period)}就业月报",
            "period": period,
            "period_label": periods.label(period),
            "figures": figures,
            "trend": [{**row, "label": periods.label(row["period"])} for row in figures["trend"]],
        },
    )


def _date(text):
    from django.utils.dateparse import parse_date

    try:
        return parse_date((text or "").strip()) if text else None
    except ValueError:
        return None


def retentions(request):
    """岗位稳定性回访: 3 and 6 months after a hire; those due first."""
    rows = selectors.retentions(request.user).order_by("checked_on", "due_on", "id")
    fs = RetentionFilter(request.GET, queryset=rows, request=request)
    return ledger_page(
        request,
        ledger=ledgers.RETENTIONS,
        filterset=fs,
        unit_path=home_path(request.user),
    )


@require_POST
def retention_check(request, pk):
    access.require(request.user, "employment", "write")
    check = get_object_or_404(selectors.retentions(request.user), pk=pk)
    try:
        services.check_retention(
            request.user,
            check,
            still_employed=request.POST.get("still_employed") == "yes",
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(
            request, f"{check.push.person.name}：录用后 {check.months} 个月回访已记录。"
        )
    return redirect(f"/employment/persons/{check.push.person_id}/")


# -- training (培训档案) ------------------------------------------------------------------------


def _sites(user):
    from anju.orgs.models import Site

    return Site.objects.visible_to(user).order_by("path", "name")


def courses(request):
    """培训台账: every course, late filings flagged and explained."""
    from .filters import CourseFilter

    rows = selectors.courses(request.user).order_by("-starts_on", "id")
    fs = CourseFilter(request.GET, queryset=rows, request=request)
    return ledger_page(
        request,
        ledger=ledgers.COURSES,
        filterset=fs,
        unit_path=home_path(request.user),
        template="employment/ledger_new.html",
        extra={"title": "培训台账", **_new(request, "/employment/training/new/", "登记培训班")},
    )


def _course_form(request, course=None):
    from anju.core.pages import service_form

    access.require(request.user, "employment", "write")
    initial = {}
    if course is not None:
        initial = {f: getattr(course, f) for f in services.COURSE_FIELDS if hasattr(course, f)}
    form = forms.CourseForm(request.POST or None, initial=initial, sites=_sites(request.user))
    return service_form(
        request,
        form=form,
        save=lambda data: services.save_course(request.user, course, **data),
        title="修改培训班" if course else "登记培训班",
        cancel_url=course.get_absolute_url() if course else "/employment/training/",
        success_message="已保存培训班。",
    )


def course_create(request):
    return _course_form(request)


def course_edit(request, pk):
    return _course_form(request, get_object_or_404(selectors.courses(request.user), pk=pk))


def course_detail(request, pk, enrol_form=None):
    course = get_object_or_404(selectors.courses(request.user), pk=pk)
    enrol_form = enrol_form or forms.EnrolmentForm()
    bootstrapify(enrol_form)
    return render(
        request,
        "employment/course.html",
        {
            "title": f"{course.title} · 培训档案",
            "course": course,
            "people": list(
                ledgers.TRAINEES.cells(
                    selectors.enrolments(request.user)
                    .filter(course=course)
                    .order_by("household__number", "id")
                )
            ),
            "headers": ledgers.TRAINEES.headers,
            "enrolments": selectors.enrolments(request.user).filter(course=course),
            "writable": access.allows(request.user, "employment", "write"),
            "enrol_form": enrol_form,
        },
    )


@require_POST
def course_enrol(request, pk):
    """Enrol a person (by identity number, among the persons the user sees) or correct their
    attendance and completion."""
    from anju.registry import normalize

    access.require(request.user, "employment", "write")
    course = get_object_or_404(selectors.courses(request.user), pk=pk)
    form = forms.EnrolmentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            number = normalize.id_number(data.pop("id_number"))
        except normalize.CellError as exc:
            form.add_error("id_number", str(exc))
        else:
            person = Person.objects.visible_to(request.user).filter(id_number=number).first()
            if person is None:
                form.add_error("id_number", "您管辖范围内的搬迁人口中没有这个身份证号。")
            else:
                try:
                    services.save_enrolment(request.user, course, person, **data)
                except ValidationError as exc:
                    apply_errors(form, exc)
                else:
                    messages.success(request, f"已保存 {person.name} 的参训情况。")
                    return redirect(course.get_absolute_url())
    return course_detail(request, pk, enrol_form=form)


def trainees(request):
    """培训人员清单 (the prefecture's 培训 list): one row per person and course, with work found
    after the course read from the jobs."""
    from .filters import EnrolmentFilter

    rows = selectors.enrolments(request.user).order_by("-course__starts_on", "path", "id")
    fs = EnrolmentFilter(request.GET, queryset=rows, request=request)
    return ledger_page(
        request, ledger=ledgers.TRAINEES, filterset=fs, unit_path=home_path(request.user)
    )


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or 0)
    except ValueError:
        year = 0
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def untrained_sites(request):
    """安置点 with no training in the year (每个安置点每年至少开展一次培训)."""
    from .filters import UntrainedSiteFilter

    year = _year(request)
    rows = selectors.untrained_sites(request.user, year).order_by("path", "name")
    data = request.GET.copy()
    data["year"] = str(year)
    fs = UntrainedSiteFilter(data, queryset=rows, request=request)
    return ledger_page(
        request,
        ledger=ledgers.UNTRAINED_SITES,
        filterset=fs,
        unit_path=home_path(request.user),
        extra={"title": f"{year} 年未开展培训的安置点"},
        export_name=f"{year}年未开展培训的安置点",
    )


def posting_import(request):
    """导入岗位: a sheet of postings, checked whole, written all or nothing."""
    from . import importing

    access.require(request.user, "employment", "write")
    form = forms.PostingImportForm(request.POST or None, request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = importing.import_upload(
            request.user, form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"]
        )
        if outcome.ok and not outcome.dry_run:
            messages.success(request, "导入完成：" + outcome.describe())
            return redirect("/employment/postings/")
    bootstrapify(form)
    return render(
        request,
        "employment/posting_import.html",
        {"title": "导入岗位信息", "form": form, "outcome": outcome},
    )


def posting_template(request):
    from . import importing

    access.require(request.user, "employment", "read")
    return importing.template_response()
