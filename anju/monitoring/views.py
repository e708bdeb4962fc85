"""Monitoring pages. Reads go through selectors; writes through services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from anju.accounts import access
from anju.core import periods
from anju.core.forms import bootstrapify
from anju.core.pages import apply_errors, ledger_page
from anju.core.pagination import CountedPaginator
from anju.core.scope import home_path
from anju.orgs.views import requested_node
from anju.registry import selectors as registry

from . import (
    assistance,
    choices,
    feeds,
    forms,
    identification,
    ledgers,
    reports,
    rules,
    selectors,
    services,
)
from .filters import FeedFilter, IncomeFilter, LeadFilter, VisitFilter, WarningFilter
from .models import Measure, Step


def coverage_page(request):
    """本月回访: households visited and still to visit, for the user's unit and each part of it."""
    access.require(request.user, "monitoring", "read")
    period = periods.from_request(request)
    node = requested_node(request)
    figures = selectors.coverage_of(request.user, node, period)
    return render(
        request,
        "monitoring/coverage.html",
        {
            "title": f"{periods.label(period)}回访",
            "period": period,
            "period_label": periods.label(period),
            "figures": figures,
            "writable": access.allows(request.user, "monitoring", "write"),
        },
    )


def unvisited_page(request):
    """The doors still to knock on this month, 50 a page, each with its 回访 button."""
    access.require(request.user, "monitoring", "read")
    period = periods.from_request(request)
    node = requested_node(request)
    rows = selectors.unvisited(request.user, node.path, period)
    page = CountedPaginator(rows, 50).get_page(request.GET.get("page"))
    page.object_list = registry.with_head_and_size(
        registry.households(request.user).filter(pk__in=[h.pk for h in page.object_list])
    ).order_by("path", "number")
    return render(
        request,
        "monitoring/unvisited.html",
        {
            "title": f"{node.name} · {periods.label(period)}未回访户",
            "node": node,
            "period": period,
            "page": page,
            "query": f"unit={node.key}&period={period}",
            "writable": access.allows(request.user, "monitoring", "write"),
        },
    )


def visit_list(request):
    access.require(request.user, "monitoring", "read")
    rows = selectors.visits(request.user).order_by("-period", "path", "household_id")
    fs = VisitFilter(request.GET, queryset=rows, request=request)
    return ledger_page(
        request,
        ledger=ledgers.VISITS,
        filterset=fs,
        unit_path=home_path(request.user),
        extra={"title": "每月回访台账"},
    )


def visit_detail(request, pk):
    access.require(request.user, "monitoring", "read")
    visit = get_object_or_404(selectors.visits(request.user), pk=pk)
    return render(
        request,
        "monitoring/visit_detail.html",
        {
            "title": str(visit),
            "visit": visit,
            "changes": choices.labels(choices.FIVE_CHANGES, visit.changes),
            "situations": choices.labels(choices.FIVE_SITUATIONS, visit.situations),
            "needs_unmet": choices.labels(choices.BASIC_NEEDS, visit.needs_unmet),
            "writable": access.allows(request.user, "monitoring", "write"),
        },
    )


def visit_form(request, household_pk):
    """Record this month's visit to a household, or correct it (one visit a month)."""
    access.require(request.user, "monitoring", "write")
    household = get_object_or_404(registry.households(request.user), pk=household_pk)
    period = periods.from_request(request)
    existing = household.visits.filter(period=period).first()
    form = forms.VisitForm(
        request.POST or None,
        request.FILES or None,
        initial=forms.VisitForm.initial_for(existing, period),
        members=household.members.order_by("id"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.record_visit(request.user, household, **form.service_data())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, f"已记录 {household.number} 的{periods.label(visit.period)}回访。"
            )
            return redirect(f"/monitoring/unvisited/?period={visit.period}")
    bootstrapify(form)
    for name in ("changes", "situations", "needs_unmet"):
        form.fields[name].widget.attrs["class"] = "form-check-input"
    return render(
        request,
        "monitoring/visit_form.html",
        {
            "title": f"回访 {household.number}",
            "household": household,
            "place": " ".join(
                n
                for n in (
                    household.site.name if household.site_id else "",
                    household.destination.name if household.destination_id else "",
                    household.place,
                )
                if n
            ),
            "form": form,
            "existing": existing,
            "member_fields": [form[name] for name in forms.VisitForm.MEMBER_FIELDS],
            "member_errors": any(form[name].errors for name in forms.VisitForm.MEMBER_FIELDS),
        },
    )


def income_list(request):
    access.require(request.user, "monitoring", "read")
    rows = selectors.incomes(request.user).order_by("-year", "path", "household_id")
    fs = IncomeFilter(request.GET, queryset=rows, request=request)
    return ledger_page(
        request,
        ledger=ledgers.INCOMES,
        filterset=fs,
        unit_path=home_path(request.user),
        extra={"title": "家庭收支台账"},
    )


def income_form(request, household_pk):
    """A household's income and spending for a year; shows the per-capita figure against the
    monitoring line in force."""
    access.require(request.user, "monitoring", "read")
    household = get_object_or_404(registry.households(request.user), pk=household_pk)
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    existing = household.incomes.filter(year=year).first()
    writable = access.allows(request.user, "monitoring", "write")
    initial = {"year": year}
    if existing:
        initial.update(
            {name: getattr(existing, name) for name in services.INCOME_AMOUNTS},
            reference_date=existing.reference_date,
        )
    form = forms.IncomeForm(request.POST or None, initial=initial)
    if request.method == "POST":
        access.require(request.user, "monitoring", "write")
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                income = services.record_income(request.user, household, **data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"已保存 {household.number} {income.year} 年收支：人均纯收入 "
                    f"{income.net_per_capita} 元。",
                )
                return redirect(income.get_absolute_url())
    bootstrapify(form)
    return render(
        request,
        "monitoring/income_form.html",
        {
            "title": f"{household.number} 家庭收支",
            "household": household,
            "form": form,
            "income": existing,
            "standing": selectors.income_standing(existing) if existing else None,
            "writable": writable,
        },
    )


def _card_rows(request, households):
    """Each household with its card and the QR code of its self-report page (inline SVG)."""
    import segno

    cards = reports.cards_for(request.user, households)
    rows = []
    for household in households:
        card = cards[household.pk]
        url = request.build_absolute_uri(f"/r/{card.token}/")
        qr = segno.make(url, error="m").svg_inline(scale=4, omitsize=False)
        rows.append({"household": household, "card": card, "url": url, "qr": qr})
    return rows


CARDS_PER_PAGE = 100


def cards(request):
    """Self-report cards to print: one household's (?household=), or every household of a unit,
    100 a page (a card per printed page)."""
    access.require(request.user, "monitoring", "write")
    if request.GET.get("household"):
        households = registry.households(request.user).filter(pk=request.GET["household"])
        if not households:
            raise Http404("搬迁户不存在或不在您的管辖范围内。")
        page = None
        shown = list(households)
    else:
        node = requested_node(request)
        rows = registry.households(request.user).filter(path__startswith=node.path)
        page = CountedPaginator(rows.order_by("path", "number"), CARDS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        shown = list(page.object_list)
    return render(
        request,
        "monitoring/cards.html",
        {
            "title": "农户自主申报卡",
            "rows": _card_rows(request, shown),
            "page": page,
            "query": f"unit={request.GET.get('unit', '')}",
        },
    )


def lead_list(request):
    access.require(request.user, "monitoring", "read")
    rows = selectors.leads(request.user)
    fs = LeadFilter(request.GET, queryset=rows, request=request)
    return ledger_page(
        request,
        ledger=ledgers.LEADS,
        filterset=fs,
        unit_path=home_path(request.user),
        extra={"title": "监测线索"},
    )


def warning_list(request):
    """监测预警: every open and closed warning of the user's place, overdue deadlines in red."""
    selectors.require_warnings(request.user)
    rows = selectors.warnings(request.user)
    fs = WarningFilter(request.GET, queryset=rows, request=request)
    return ledger_page(
        request,
        ledger=ledgers.WARNINGS,
        filterset=fs,
        unit_path=home_path(request.user),
        extra={"title": "监测预警"},
    )


def warning_detail(request, pk, form=None, **plan_forms):
    selectors.require_warnings(request.user)
    warning = get_object_or_404(selectors.warnings(request.user), pk=pk)
    form = form or _step_form(request, warning)
    next_step = identification.next_step(warning, _procedure(warning))
    household = registry.with_head_and_size(
        registry.households(request.user).filter(pk=warning.household_id)
    ).first()
    return render(
        request,
        "monitoring/warning_detail.html",
        {
            "title": f"{warning.household.number} 监测预警",
            "warning": warning,
            "household": household or warning.household,
            "overdue": selectors.overdue(warning),
            "signals": [
                {"signal": s, "source": rules.source_of(s), "text": rules.describe(s)}
                for s in warning.signals.all()
            ],
            "writable": access.allows(request.user, "monitoring", "write"),
            "monitoring": access.allows(request.user, "monitoring"),
            "form": form,
            "next_step": next_step,
            "next_step_label": dict(Step.Kind.choices).get(next_step, ""),
            "next_step_who": identification.WHO.get(next_step, ""),
            "measures": warning.measures.order_by("planned_on", "id"),
            **_plan_context(request, warning, plan_forms),
            "steps": warning.steps.order_by("created_at", "id"),
            "categories": dict(choices.CATEGORIES),
            "risk_types": choices.labels(choices.RISK_TYPES, warning.risk_types),
        },
    )


def feed_list(request):
    """部门筛查数据: the files imported, each with its matched and unmatched rows."""
    selectors.require_warnings(request.user)
    rows = selectors.feeds(request.user)
    fs = FeedFilter(request.GET, queryset=rows, request=request)
    return ledger_page(
        request,
        ledger=ledgers.FEEDS,
        filterset=fs,
        template="monitoring/feeds.html",
        unit_path=home_path(request.user),
        extra={
            "title": "部门筛查数据",
            "may_import": bool(feeds.departments_for(request.user)),
        },
    )


def feed_import(request):
    """Upload a department's monthly file: checked whole, imported all or nothing; the errors
    of every row, or the rows matched to no relocated person, shown on the same page."""

    allowed = feeds.departments_for(request.user)
    if not allowed:
        access.require(request.user, "monitoring", "write")
    names = dict(feeds.DEPARTMENTS)
    form = forms.FeedForm(
        request.POST or None,
        request.FILES or None,
        departments=[(code, names[code]) for code in allowed],
        initial={"period": periods.current()},
    )
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outcome = feeds.import_upload(
                request.user,
                data["file"],
                department=data["department"],
                period=data["period"],
                dry_run=data["dry_run"],
            )
        except PermissionDenied as exc:
            form.add_error("department", str(exc))
        if outcome is not None and outcome.ok and outcome.feed is not None:
            messages.success(
                request,
                f"已导入 {outcome.rows} 行，匹配搬迁人口 {outcome.matched} 行，"
                f"未匹配 {len(outcome.unmatched)} 行。",
            )
            return redirect(outcome.feed.get_absolute_url())
    bootstrapify(form)
    return render(
        request,
        "monitoring/feed_import.html",
        {
            "title": "导入部门筛查数据",
            "form": form,
            "outcome": outcome,
            "indicators": [
                (names[code], [label for _, label, _, _ in feeds.INDICATORS[code]])
                for code in allowed
            ],
        },
    )


def feed_detail(request, pk):
    selectors.require_warnings(request.user)
    feed = get_object_or_404(selectors.feeds(request.user), pk=pk)
    signals = selectors.signals(request.user).filter(feed=feed).order_by("row")
    page = CountedPaginator(signals, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "monitoring/feed_detail.html",
        {
            "title": str(feed),
            "feed": feed,
            "page": page,
            "rows": [
                {"signal": s, "label": feeds.indicator_label(s.department, s.indicator)}
                for s in page.object_list
            ],
        },
    )


def _procedure(warning) -> str:
    return "eliminate" if warning.status == "monitored" else "identify"


def _step_form(request, warning, data=None, files=None):
    procedure = _procedure(warning)
    kind = identification.next_step(warning, procedure)
    if kind is None or not identification.may_take(request.user, warning, kind):
        return None
    form = forms.StepForm(
        data, files, kind=kind, procedure=procedure, initial={"acted_on": timezone.localdate()}
    )
    form.kind_label = dict(Step.Kind.choices)[kind]
    if procedure == "eliminate":
        form.kind_label = f"风险消除 · {form.kind_label}"
    bootstrapify(form)
    for name in (
        "passed",
        "method",
        "risk_types",
        "housing_safe",
        "water_safe",
        "commitment_signed",
    ):
        if name in form.fields:
            form.fields[name].widget.attrs["class"] = "form-check-input"
    return form


def warning_step(request, pk):
    """Record the warning's next identification step (POST from its page)."""
    access.require(request.user, "monitoring", "write")
    warning = get_object_or_404(selectors.warnings(request.user), pk=pk)
    form = _step_form(request, warning, request.POST, request.FILES)
    if form is None:
        raise PermissionDenied("该预警没有您可以办理的环节。")
    if request.method == "POST" and form.is_valid():
        take = assistance.take_step if form.procedure == "eliminate" else identification.take_step
        try:
            step = take(request.user, warning, form.kind, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                f"已记录「{step.get_kind_display()}」：{'通过' if step.passed else '不通过'}。",
            )
            return redirect(warning.get_absolute_url())
    return warning_detail(request, pk, form=form)


def _notice(request, pk) -> dict:
    """The village notice (公示), printable: the household head's name, the household's size and
    category and the notice period; never an identity number, phone, bank account or health
    detail, and not the risk types (因病、因残 are health details)."""
    selectors.require_warnings(request.user)
    warning = get_object_or_404(selectors.warnings(request.user), pk=pk)
    household = registry.with_head_and_size(
        registry.households(request.user).filter(pk=warning.household_id)
    ).first()
    step = warning.steps.filter(kind="village_review", passed=True).first()
    return {
        "title": "防止返贫监测对象纳入公示",
        "warning": warning,
        "household": household,
        "step": step,
        "village": selectors.village_of(warning),
    }


def warning_notice(request, pk):
    return render(request, "monitoring/notice.html", _notice(request, pk))


def warning_notice_pdf(request, pk):
    """The same notice as an A4 PDF (WeasyPrint), for the village's board and the file."""
    from django.http import HttpResponse
    from django.template.loader import render_to_string

    context = _notice(request, pk)
    html = render_to_string("monitoring/notice_pdf.html", context, request=request)
    try:
        from weasyprint import HTML
    except OSError:  # Pango missing on this server: the page still prints from the browser
        return render(
            request,
            "monitoring/notice.html",
            {**context, "pdf_missing": True},
            status=503,
        )
    pdf = HTML(string=html).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    name = (
        f"公示-{context['village'].name if context['village'] else ''}-{context['warning'].pk}.pdf"
    )
    from urllib.parse import quote

    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(name)}"
    return response


def step_attachment(request, pk):
    """An attachment, to those who see its warning."""
    from django.http import FileResponse

    selectors.require_warnings(request.user)
    step = get_object_or_404(
        Step.objects.visible_to(request.user).filter(warning__in=selectors.warnings(request.user)),
        pk=pk,
    )
    if not step.attachment:
        raise Http404("没有附件。")
    return FileResponse(
        step.attachment.open("rb"),
        as_attachment=True,
        filename=step.attachment.name.rsplit("/", 1)[-1],
    )


def _bootstrapped(form):
    bootstrapify(form)
    return form


def _plan_context(request, warning, plan_forms) -> dict:
    """The plan and the elimination check of a monitored household."""
    if warning.status != "monitored":
        return {}
    cadres = plan_forms.get("cadres") or forms.CadresForm(
        initial={
            "destination_cadre": warning.destination_cadre,
            "origin_cadre": warning.origin_cadre,
        }
    )
    measure = plan_forms.get("measure") or forms.MeasureForm(
        risk_types=warning.risk_types, initial={"planned_on": timezone.localdate()}
    )
    _bootstrapped(cadres)
    _bootstrapped(measure)
    names, kinds = dict(choices.RISK_TYPES), dict(choices.MEASURE_KINDS)
    return {
        "suggestions": [(names[r], kinds[k]) for r, k in assistance.suggestions(warning)],
        # Every condition but the method, which the door check chooses.
        "blockers": assistance.blockers(warning, "naturally", timezone.localdate()),
        "cadres_form": cadres,
        "measure_form": measure,
        "done_form": _bootstrapped(forms.MeasureDoneForm()),
    }


@require_POST
def warning_cadres(request, pk):
    access.require(request.user, "monitoring", "write")
    warning = get_object_or_404(selectors.warnings(request.user), pk=pk)
    form = forms.CadresForm(request.POST)
    if form.is_valid():
        try:
            assistance.set_cadres(request.user, warning, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "已保存双向帮扶责任人。")
            return redirect(warning.get_absolute_url())
    return warning_detail(request, pk, cadres=form)


@require_POST
def measure_add(request, pk):
    access.require(request.user, "monitoring", "write")
    warning = get_object_or_404(selectors.warnings(request.user), pk=pk)
    form = forms.MeasureForm(request.POST, risk_types=warning.risk_types)
    if form.is_valid():
        try:
            measure = assistance.add_measure(request.user, warning, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"已添加帮扶措施：{measure.get_kind_display()}。")
            return redirect(warning.get_absolute_url())
    return warning_detail(request, pk, measure=form)


@require_POST
def measure_done(request, pk):
    access.require(request.user, "monitoring", "write")
    measure = get_object_or_404(
        Measure.objects.visible_to(request.user).select_related("warning"), pk=pk
    )
    form = forms.MeasureDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写落实日期和成效。")
    else:
        try:
            assistance.complete_measure(request.user, measure, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"已记录「{measure.get_kind_display()}」落实情况。")
    return redirect(measure.warning.get_absolute_url())


def monitored_ledger(request):
    """三类人员监测帮扶台账 of a month: live until it is frozen on the 3rd of the next month, then
    the snapshot, which later edits do not change."""
    from . import frozen
    from .filters import FrozenFilter, LiveFilter
    from .models import LedgerMonth, LedgerRow

    access.require(request.user, "monitoring", "read")
    period = periods.from_request(request)
    month = LedgerMonth.objects.filter(period=period).first()
    if month is not None:
        rows = LedgerRow.objects.visible_to(request.user).filter(period=period)
        fs = FrozenFilter(
            request.GET, queryset=rows.order_by("path", "household_number"), request=request
        )
        state = f"已于 {timezone.localtime(month.frozen_at):%Y-%m-%d %H:%M} 封存，此后的修改不影响本月台账"
    else:
        rows = frozen.live(selectors.warnings(request.user).filter(frozen.in_month(period)))
        fs = LiveFilter(
            request.GET, queryset=rows.order_by("path", "household__number"), request=request
        )
        state = f"实时数据，将于 {frozen.due(period):%Y-%m-%d} 封存"
    return ledger_page(
        request,
        ledger=ledgers.MONITORED,
        filterset=fs,
        unit_path=home_path(request.user),
        extra={"title": f"三类人员监测帮扶台账 · {periods.label(period)}（{state}）"},
    )


def policy_ledger(request):
    """政策享受台账: per household, the safety net, insurance and the measures carried out."""
    from anju.registry.filters import HouseholdFilter
    from anju.registry.selectors import counted_from_rollups

    rows = selectors.policy_households(request.user).order_by("path", "number")
    fs = HouseholdFilter(request.GET, queryset=rows, request=request)
    return ledger_page(
        request,
        ledger=ledgers.POLICIES,
        filterset=fs,
        unit_path=home_path(request.user),
        count=lambda fs: counted_from_rollups(request.user, fs.form.cleaned_data),
        extra={"title": "政策享受台账"},
    )


def exchange(request):
    """全国防返贫监测信息系统: export the two sheets, or import the county's download."""
    from anju.core.xlsx import book_response

    from . import exchange as national

    access.require(request.user, "monitoring", "read")
    may_export = access.can_reveal_identity(request.user)
    if request.GET.get("export") == "xlsx":
        try:
            sheets = national.sheets(request.user)
        except national.LayoutError as exc:
            messages.error(request, str(exc))
        else:
            national.record_export(request.user, len(sheets[0][2]))
            return book_response("全国防返贫监测信息系统交换表.xlsx", sheets)
    may_import = national.may_import(request.user)
    form = forms.ExchangeForm(request.POST or None, request.FILES or None)
    outcome = None
    if request.method == "POST":
        if not may_import:
            raise PermissionDenied("全国系统的认定结果由县级（及以上）负责监测帮扶的干部导入。")
        if form.is_valid():
            outcome = national.import_upload(
                request.user, form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"]
            )
            if outcome.ok and not form.cleaned_data["dry_run"]:
                messages.success(request, "导入完成：" + outcome.describe())
    bootstrapify(form)
    return render(
        request,
        "monitoring/exchange.html",
        {
            "title": "全国系统数据交换",
            "form": form,
            "outcome": outcome,
            "dry_run": form.is_bound and form.is_valid() and form.cleaned_data["dry_run"],
            "may_export": may_export,
            "may_import": may_import,
            "households": national.monitored_count(request.user),
        },
    )


def visit_photo(request, pk):
    """A visit's photo, to those who see the visit."""
    from django.http import FileResponse

    from .models import VisitPhoto

    access.require(request.user, "monitoring", "read")
    photo = get_object_or_404(
        VisitPhoto.objects.visible_to(request.user).filter(
            visit__in=selectors.visits(request.user)
        ),
        pk=pk,
    )
    response = FileResponse(photo.image.open("rb"), content_type=_image_type(photo.image.name))
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _image_type(name: str) -> str:
    return "image/png" if name.lower().endswith(".png") else "image/jpeg"
