"""Pages of employment: thin, every read through ``selectors``, every write through ``services``."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from anju.accounts import access
from anju.core import periods
from anju.core.forms import bootstrapify
from anju.core.pages import apply_errors, ledger_page
from anju.core.scope import home_path
from anju.orgs.models import AdminUnit
from anju.orgs.views import requested_node
from anju.policies.registry import display, get_key
from anju.registry.models import Person

from . import forms, ledgers, quarters, selectors, services
from .filters import (
    HelpFilter,
    HouseholdsFilter,
    PublicPostFilter,
    QuarterCheckFilter,
    RecordFilter,
    RetentionFilter,
    RosterFilter,
    SiteCheckFilter,
    WorkshopFilter,
)


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
    job_form = job_form or forms.JobForm(workshops=selectors.workshop_choices(request.user))
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
            "findings": selectors.subsidy_findings(request.user, person),
        },
    )


@require_POST
def job_add(request, pk):
    person = _person(request, pk)
    form = forms.JobForm(request.POST, workshops=selectors.workshop_choices(request.user))
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


# -- workshops (帮扶车间 / 就业帮扶基地) ----------------------------------------------------------


def workshop_list(request):
    rows = selectors.workshops(request.user).order_by("path", "name", "id")
    fs = WorkshopFilter(request.GET, queryset=rows, request=request)
    return ledger_page(
        request,
        ledger=ledgers.WORKSHOPS,
        filterset=fs,
        unit_path=home_path(request.user),
        template="employment/workshops.html",
        extra={
            "title": "帮扶车间台账",
            "checks": CHECKS,
            **_new(request, "/employment/workshops/new/", "登记帮扶车间"),
        },
    )


def workshop_create(request):
    from anju.core.pages import service_form
    from anju.orgs.models import Site

    access.require(request.user, "employment", "write")
    form = forms.WorkshopForm(
        request.POST or None,
        employers=selectors.employers(request.user).order_by("name"),
        sites=Site.objects.visible_to(request.user).order_by("path"),
    )

    def save(data):
        return services.create_workshop(request.user, **data)

    return service_form(
        request,
        form=form,
        save=save,
        title="登记帮扶车间",
        cancel_url="/employment/workshops/",
        success_message="已登记帮扶车间。",
    )


def workshop_detail(request, pk, quarter_form=None):
    """A workshop: what it is, the workers on record now, and its quarterly monitoring with
    the form to add this quarter's."""
    workshop = get_object_or_404(selectors.workshops(request.user), pk=pk)
    writable = access.allows(request.user, "employment", "write")
    quarter_form = quarter_form or forms.QuarterForm(initial={"period": quarters.current()})
    bootstrapify(quarter_form)
    return render(
        request,
        "employment/workshop.html",
        {
            "title": f"{workshop.name} · {workshop.get_kind_display()}",
            "workshop": workshop,
            "sites": ledgers.WORKSHOPS.columns[3].get(workshop),
            "workers": selectors.records(request.user)
            .filter(workshop=workshop, ended_on__isnull=True)
            .order_by("path", "household__number"),
            "quarters": ledgers.QUARTERS,
            "quarter_cells": list(
                ledgers.QUARTERS.cells(
                    selectors.workshop_quarters(request.user).filter(workshop=workshop)
                )
            ),
            "writable": writable,
            "quarter_form": quarter_form,
        },
    )


@require_POST
def quarter_add(request, pk):
    access.require(request.user, "employment", "write")
    workshop = get_object_or_404(selectors.workshops(request.user), pk=pk)
    form = forms.QuarterForm(request.POST)
    if form.is_valid():
        try:
            services.record_quarter(request.user, workshop, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "已填报本季度监测记录。")
            return redirect(workshop.get_absolute_url())
    return workshop_detail(request, pk, quarter_form=form)


# One page per check; the API serves the same rows (api.WorkshopCheckViewSet).
CHECKS = {
    "share": "搬迁劳动力占比不足",
    "sites": "安置点未配建帮扶车间",
    "quarter": "本季度未监测",
}


def check_rows(user, check: str, params):
    """(ledger, filterset class, rows or None, note) of a check: None rows when the policy
    parameter it needs is not set where the user works."""
    from anju.policies.registry import get_key

    if check == "share":
        rules = selectors.workshop_rules(user)
        rows = selectors.share_below(user)
        said = f"{rules['share'].normalize():f}%" if rules["share"] is not None else ""
        note = (
            f"按各车间最近一次季度监测：搬迁劳动力占用工人数低于 {said}"
            "（搬迁劳动力据就业记录，无记录的按季度填报）"
        )
        return (
            ledgers.SHARE_BELOW,
            QuarterCheckFilter,
            rows,
            note,
            get_key("employment.workshop_local_share"),
        )
    if check == "sites":
        rules = selectors.workshop_rules(user)
        rows = selectors.sites_without_workshop(user)
        note = f"脱贫人口少于 {rules['site_limit']} 人、没有帮扶车间服务的安置点（脱贫人口据人口台账统计）"
        return (
            ledgers.SITES_WITHOUT,
            SiteCheckFilter,
            rows.order_by("path") if rows is not None else None,
            note,
            get_key("employment.workshop_site_lifted_persons"),
        )
    period = quarters.from_request(params)
    rows = selectors.workshops_without_quarter(user, period).order_by("path", "name", "id")
    note = (
        f"{quarters.label(period)}尚无监测记录的帮扶车间；应于 {quarters.due(period):%Y-%m-%d} 前"
        "填报（每季度最后一个月前）"
    )
    return ledgers.MISSING_QUARTER, WorkshopFilter, rows, note, None


def workshop_check(request, check):
    from django.http import Http404

    if check not in CHECKS:
        raise Http404("没有这项检查。")
    access.require(request.user, "employment", "read")
    ledger, filter_class, rows, note, key = check_rows(request.user, check, request)
    missing = rows is None
    if missing:
        rows = filter_class._meta.model.objects.none()
        note = f"未设定政策参数“{key.name}”，请在政策参数中设定后再查看。"
    fs = filter_class(request.GET, queryset=rows, request=request)
    return ledger_page(
        request,
        ledger=ledger,
        filterset=fs,
        unit_path=home_path(request.user),
        template="employment/workshops.html",
        extra={"title": CHECKS[check], "note": note, "checks": CHECKS, "current": check},
    )


# -- public-welfare posts (公益岗位) --------------------------------------------------------------


def _year(request) -> int:
    from django.utils import timezone

    try:
        year = int(request.GET.get("year") or 0)
    except ValueError:
        year = 0
    today = timezone.localdate()
    return year if 2000 <= year <= today.year else today.year


def public_posts(request):
    """公益岗位台账: the holders of the year, months held and pay, and the totals by post type;
    ``?by=type`` exports the totals."""
    year = _year(request)
    rows = selectors.public_posts(request.user, year).order_by(
        "post_type", "path", "household__number", "started_on"
    )
    fs = PublicPostFilter(request.GET, queryset=rows, request=request)
    by_type = request.GET.get("by") == "type"
    return ledger_page(
        request,
        ledger=ledgers.PUBLIC_POSTS,
        filterset=fs,
        unit_path=home_path(request.user),
        template="employment/public_posts.html",
        export=(lambda r: (ledgers.PUBLIC_POST_TYPES, selectors.public_posts_by_type(r)))
        if by_type
        else None,
        extra={
            "title": f"{year}年公益岗位台账",
            "types": ledgers.PUBLIC_POST_TYPES,
            "type_cells": list(
                ledgers.PUBLIC_POST_TYPES.cells(selectors.public_posts_by_type(fs.qs))
            )
            if fs.is_valid()
            else [],
        },
    )


# -- subsidies (就业补贴) ----------------------------------------------------------------------


def _cause(request):
    from . import subsidies

    cause = subsidies.CATALOGUE.get(request.GET.get("cause") or "hiring")
    if cause is None:
        raise Http404("没有这个补贴事由。")
    return cause


class PricedRows:
    """What the export of the eligibility list reads: counted by the database, priced row by
    row from one read of the amounts (``subsidies.Rates``)."""

    def __init__(self, rows, cause, rates):
        self.rows, self.cause, self.rates = rows, cause, rates

    def count(self) -> int:
        return self.rows.count()

    def iterator(self, chunk_size: int = 2000):
        from . import subsidies

        for row in self.rows.iterator(chunk_size):
            yield from subsidies.priced(self.cause, [row], self.rates)


def subsidy_eligible(request):
    """符合条件未发放人员: a unit's persons who meet a cause and were never listed for it."""
    from . import subsidies
    from .filters import EligibleFilter

    cause = _cause(request)
    node = requested_node(request)
    rows = selectors.eligible(request.user, node, cause).order_by(
        "path", "household__number", "person_id"
    )
    fs = EligibleFilter(request.GET, queryset=rows, request=request)
    rates = subsidies.Rates(cause.keys)
    ledger = ledgers.eligible_ledger(cause)
    return ledger_page(
        request,
        ledger=ledger,
        filterset=fs,
        unit_path=node.path,
        export=lambda qs: (ledger, PricedRows(qs, cause, rates)),
        page_rows=lambda page: subsidies.priced(cause, page, rates),
        template="employment/subsidies.html",
        extra={
            "title": f"{node.name} · {cause.name}符合条件未发放人员",
            "cause": cause,
            "node": node,
            "batchable": isinstance(node, AdminUnit)
            and access.allows(request.user, "employment", "write"),
        },
    )


@require_POST
def batch_create(request):
    access.require(request.user, "employment", "write")
    node = selectors_node(request)
    cause = request.POST.get("cause", "")
    back = f"/employment/subsidies/?cause={cause}&unit={node.key}"
    if not isinstance(node, AdminUnit):
        messages.error(request, "发放批次按乡镇（街道）或县级单位生成，请选择单位。")
        return redirect(back)
    try:
        batch = services.create_batch(request.user, node, cause=cause)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(back)
    left = f"；{batch.left_out} 人因当地未设定补贴金额未列入" if batch.left_out else ""
    messages.success(request, f"已生成发放批次 {batch.number}{left}。")
    return redirect(batch.get_absolute_url())


def selectors_node(request):
    """The unit named in the form (``unit``), if the user sees it."""
    from anju.orgs.selectors import node_for

    node = node_for(request.user, request.POST.get("unit"))
    if node is None:
        raise Http404("单位不存在或不在您的管辖范围内。")
    return node


def batch_list(request):
    from .filters import BatchFilter

    rows = selectors.batches(request.user).order_by("-created_at", "-id")
    fs = BatchFilter(request.GET, queryset=rows, request=request)
    return ledger_page(
        request, ledger=ledgers.BATCHES, filterset=fs, unit_path=home_path(request.user)
    )


def batch_detail(request, pk):
    """A batch's payment list (发放名册) with its total; ``?export=xlsx`` is the sheet a finance
    office pays from (``&reveal=1``: full identity numbers, for a role that may see them)."""
    from anju.audit import services as audit
    from anju.core.xlsx import xlsx_response

    batch = get_object_or_404(selectors.batches(request.user), pk=pk)
    rows = selectors.payments(request.user, batch)
    live = [p for p in rows if p.status != "withdrawn"]
    reveal = request.GET.get("reveal") == "1" and access.can_reveal_identity(request.user)
    ledger = ledgers.payment_list(reveal)
    if request.GET.get("export") == "xlsx":
        audit.record_export(
            request.user,
            what=f"{ledger.title} {batch.number}",
            rows=len(live),
            unit_path=batch.path,
        )
        if reveal:
            audit.record(
                request.user,
                audit.AuditLog.Action.REVEAL,
                object_type="employment.paymentbatch",
                object_id=batch.pk,
                object_repr=str(batch),
                unit_path=batch.path,
                note=f"导出含完整身份证号的补贴发放名册：{len(live)} 人",
            )
        total = ["合计", "", "", "", f"{len(live)} 人", "", batch.total, "", ""]
        return xlsx_response(
            f"{ledger.title}{batch.number}.xlsx",
            ledger.title,
            ledger.headers,
            [*ledger.rows(live), total],
        )
    return render(
        request,
        "employment/batch.html",
        {
            "title": f"补贴发放批次 {batch.number}",
            "batch": batch,
            "ledger": ledger,
            "lines": list(zip(rows, ledger.cells(rows), strict=True)),
            "writable": access.allows(request.user, "employment", "write"),
            "can_reveal": access.can_reveal_identity(request.user),
        },
    )


@require_POST
def batch_advance(request, pk):
    access.require(request.user, "employment", "write")
    batch = get_object_or_404(selectors.batches(request.user), pk=pk)
    try:
        services.advance_batch(request.user, batch, to=request.POST.get("to", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        batch.refresh_from_db()
        messages.success(request, f"批次 {batch.number}：{batch.get_status_display()}。")
    return redirect(batch.get_absolute_url())


@require_POST
def batch_add(request, pk):
    """Add one person, named by identity number, to a draft batch."""
    access.require(request.user, "employment", "write")
    batch = get_object_or_404(selectors.batches(request.user), pk=pk)
    number = request.POST.get("id_number", "").strip().upper()
    person = Person.objects.visible_to(request.user).filter(id_number=number).first()
    if person is None:
        messages.error(request, f"身份证号：辖区内没有身份证号为「{number}」的人员。")
        return redirect(batch.get_absolute_url())
    try:
        services.add_payment(request.user, batch, person)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已将 {person.name} 列入批次 {batch.number}。")
    return redirect(batch.get_absolute_url())


@require_POST
def payment_withdraw(request, pk):
    from .models import SubsidyPayment

    access.require(request.user, "employment", "write")
    payment = get_object_or_404(
        SubsidyPayment.objects.visible_to(request.user).select_related("batch", "person"), pk=pk
    )
    try:
        services.withdraw_payment(request.user, payment, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已将 {payment.person.name} 撤出批次。")
    return redirect(payment.batch.get_absolute_url())


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
