"""Registry pages. Reads go through selectors; writes through services."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from anju.accounts import access
from anju.audit import services as audit
from anju.core.breadcrumbs import trail
from anju.core.forms import bootstrapify
from anju.core.masking import mask_id_number
from anju.core.pages import ledger_page, service_form
from anju.core.scope import UNRESTRICTED, covers, home_path, scope_paths
from anju.core.xlsx import xlsx_response
from anju.orgs.selectors import node_by_key, served_nodes

from . import forms, ledgers, quality, selectors, services, summary, template
from .filters import HouseholdFilter
from .models import ImportBatch


def _reveal_allowed(request) -> bool:
    return request.GET.get("reveal") == "1" and access.can_reveal_identity(request.user)


def household_list(request):
    access.require(request.user, "registry", "read")
    rows = selectors.households(request.user).order_by("path", "number")
    fs = HouseholdFilter(request.GET, queryset=rows, request=request)
    reveal = _reveal_allowed(request)

    def export(households):
        people = selectors.persons(request.user).filter(household__in=households.values("pk"))
        if reveal:
            audit.record(
                request.user,
                audit.AuditLog.Action.REVEAL,
                object_type="registry.person",
                object_repr="后续扶持台账",
                unit_path=home_path(request.user),
                note="导出含完整身份证号、联系电话的台账",
            )
        return ledgers.person_ledger(reveal), people.order_by(
            "household__path", "household__number", "id"
        )

    return ledger_page(
        request,
        ledger=ledgers.HOUSEHOLDS,
        filterset=fs,
        export=export,
        page_rows=lambda page: selectors.with_head_and_size(
            selectors.households(request.user).filter(pk__in=page.values("pk"))
        ).order_by("path", "number"),
        template="registry/household_list.html",
        count=lambda fs: selectors.counted_from_rollups(request.user, fs.form.cleaned_data),
        extra={
            "title": "搬迁户台账",
            "writable": access.allows(request.user, "registry", "write"),
            "can_reveal": access.can_reveal_identity(request.user),
        },
    )


def household_detail(request, pk):
    access.require(request.user, "registry", "read")
    household = get_object_or_404(selectors.households(request.user), pk=pk)
    today = timezone.localdate()
    members = household.members.all().order_by("id")
    return render(
        request,
        "registry/household_detail.html",
        {
            "household": household,
            "members": [(p, mask_id_number(p.id_number), p.age_on(today)) for p in members],
            "moves": household.moves.all()[:50],
            "crumbs": trail(request.user, household.path),
            "writable": access.allows(request.user, "registry", "write"),
            "can_reveal": access.can_reveal_identity(request.user),
        },
    )


def person_detail(request, pk):
    access.require(request.user, "registry", "read")
    person = get_object_or_404(selectors.persons(request.user), pk=pk)
    return render(
        request,
        "registry/person_detail.html",
        {
            "person": person,
            "masked_id": mask_id_number(person.id_number),
            "moves": person.moves.select_related("from_household", "to_household")[:50],
            "crumbs": trail(request.user, person.path),
            "age": person.age_on(timezone.localdate()),
            "writable": access.allows(request.user, "registry", "write"),
            "can_reveal": access.can_reveal_identity(request.user),
        },
    )


@require_POST
def person_reveal(request, pk):
    access.require(request.user, "registry", "read")
    person = get_object_or_404(selectors.persons(request.user), pk=pk)
    try:
        return HttpResponse(services.reveal_id_number(request.user, person))
    except PermissionDenied as exc:
        return HttpResponse(str(exc), status=403)


def household_create(request):
    access.require(request.user, "registry", "write")
    form = forms.HouseholdForm(request.POST or None, actor=request.user)
    return service_form(
        request,
        form=form,
        title="新增搬迁户",
        cancel_url="/registry/",
        success_message="搬迁户已新增。",
        save=lambda d: services.create_household(request.user, **d),
    )


def household_edit(request, pk):
    access.require(request.user, "registry", "write")
    household = get_object_or_404(selectors.households(request.user), pk=pk)
    form = forms.HouseholdForm(
        request.POST or None,
        actor=request.user,
        instance=selectors.households(request.user).get(pk=pk),
    )
    return service_form(
        request,
        form=form,
        title=f"编辑搬迁户 {household.number}",
        cancel_url=household.get_absolute_url(),
        success_message="已保存。",
        save=lambda d: services.update_household(request.user, household, **d),
    )


def person_create(request, household_pk):
    access.require(request.user, "registry", "write")
    household = get_object_or_404(selectors.households(request.user), pk=household_pk)
    form = forms.PersonForm(request.POST or None)
    return service_form(
        request,
        form=form,
        title=f"为户 {household.number} 添加家庭成员",
        cancel_url=household.get_absolute_url(),
        success_message="家庭成员已添加。",
        save=lambda d: services.add_person(request.user, household, **d),
    )


def person_edit(request, pk):
    access.require(request.user, "registry", "write")
    person = get_object_or_404(selectors.persons(request.user), pk=pk)
    form = forms.PersonForm(
        request.POST or None, instance=selectors.persons(request.user).get(pk=pk)
    )
    if not access.can_reveal_identity(request.user):
        # The form would show the full number; roles that may not see it cannot change it here.
        form.fields.pop("id_number")
    return service_form(
        request,
        form=form,
        title=f"编辑 {person.name}",
        cancel_url=person.get_absolute_url(),
        success_message="已保存。",
        save=lambda d: services.update_person(request.user, person, **d),
    )


def person_move(request, pk):
    access.require(request.user, "registry", "write")
    person = get_object_or_404(selectors.persons(request.user), pk=pk)
    form = forms.MoveForm(request.POST or None, actor=request.user)
    return service_form(
        request,
        form=form,
        title=f"{person.name} 迁至其他户",
        cancel_url=person.get_absolute_url(),
        success_message="已迁户，迁户记录可在个人页面查看。",
        save=lambda d: services.move_person(
            request.user, person, d["household"], relation=d["relation"], note=d["note"]
        ),
    )


# Sites, summaries, quality -------------------------------------------------------------------


SITE_HEADERS = ["安置点", "所属", "申报户数", "统计户数", "申报人数", "统计人数"]


def _site_row(site) -> list:
    return list(selectors.site_figures(site).values())


def site_list(request):
    """Sites with declared against counted figures, 50 a page, with the 合计 of all of them."""
    access.require(request.user, "registry", "read")
    sites = selectors.sites(request.user)
    totals = selectors.site_totals(request.user)
    if request.GET.get("export") == "xlsx":
        audit.record_export(
            request.user, what="安置点概况", rows=totals["sites"], unit_path=home_path(request.user)
        )

        def rows():
            chunk = []
            for site in sites.iterator(2000):
                chunk.append(site)
                if len(chunk) == 2000:
                    yield from map(_site_row, selectors.attach_counts(request.user, chunk))
                    chunk = []
            yield from map(_site_row, selectors.attach_counts(request.user, chunk))
            yield [
                "合计",
                f"{totals['sites']} 个安置点",
                totals["declared_households"],
                totals["counted_households"],
                totals["declared_persons"],
                totals["counted_persons"],
            ]

        return xlsx_response("安置点概况.xlsx", "安置点概况", SITE_HEADERS, rows())
    page = Paginator(sites, 50).get_page(request.GET.get("page"))
    page.object_list = selectors.attach_counts(request.user, page.object_list)
    return render(
        request,
        "registry/site_list.html",
        {"page": page, "sites": page.object_list, "totals": totals, "title": "安置点概况"},
    )


def site_profile(request, pk):
    access.require(request.user, "registry", "read")
    site = selectors.profile_site(request.user, pk)
    if site is None:
        raise Http404("安置点不存在或不在您的管辖范围内。")
    profile = getattr(site, "profile", None)
    # A grid worker or building head reads their site's profile; the registry figures beside
    # it stay those of their own grid or building.
    whole_site = covers(request.user, site.path)
    counted = summary.for_node(request.user, site, on=timezone.localdate())
    return render(
        request,
        "registry/site_profile.html",
        {
            "site": site,
            "profile": profile,
            "counted": counted,
            "whole_site": whole_site,
            "dwellings": profile.dwelling_types.all() if profile else [],
            "crumbs": trail(request.user, site.path),
            "writable": whole_site and access.allows(request.user, "registry", "write"),
            "issues": quality.present(request.user, quality.findings(request.user, node=site)[:50]),
        },
    )


def site_profile_edit(request, pk):
    access.require(request.user, "registry", "write")
    site = get_object_or_404(selectors.sites(request.user), pk=pk)
    profile = selectors.profiles(request.user).filter(site=site).first()
    form = forms.ProfileForm(request.POST or None, instance=profile)
    return service_form(
        request,
        form=form,
        title=f"编辑「{site.name}」概况",
        cancel_url=f"/registry/sites/{site.pk}/",
        success_message="概况已保存。",
        save=lambda d: services.save_profile(request.user, site, **d),
    )


def _on(request) -> date:
    try:
        return date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        return timezone.localdate()


def summary_page(request, key):
    access.require(request.user, "registry", "read")
    if key == summary.ALL and scope_paths(request.user) is UNRESTRICTED:
        node, unit = summary.everywhere(), None  # the whole platform, for its administrators
    else:
        node = unit = node_by_key(request.user, key)
    if node is None:
        raise Http404("单位不存在或不在您的管辖范围内。")
    on, category = _on(request), request.GET.get("category", "")
    if category not in ("", "lifted", "co_relocated"):
        category = ""
    result = summary.for_node(request.user, unit, on=on, category=category)
    if request.GET.get("export") == "xlsx":
        rows = summary.rows(result)
        audit.record_export(
            request.user, what=f"{node.name}安置点基本情况", rows=len(rows), unit_path=node.path
        )
        return xlsx_response(
            f"{node.name}安置点基本情况.xlsx", "安置点基本情况", ["项目", "分项", "数量"], rows
        )
    return render(
        request,
        "registry/summary.html",
        {
            "node": node,
            "summary": result,
            "data": result.as_dict(),
            "on": on,
            "category": category,
            "crumbs": trail(request.user, node.path),
            "nodes": served_nodes(request.user),
        },
    )


QUALITY_PAGE_SIZE = 100
QUALITY_SECTION_SIZE = 50


def _quality_node(request):
    key = request.GET.get("node", "")
    if not key:
        return None
    node = node_by_key(request.user, key)
    if node is None:
        raise Http404("单位不存在或不在您的管辖范围内。")
    return node


def quality_page(request):
    """The stored findings of the background checks (quality.py), scoped to the user."""
    access.require(request.user, "registry", "read")
    node = _quality_node(request)
    code = request.GET.get("check", "")
    code = code if code in quality.CHECKS else ""
    rows = quality.findings(request.user, node=node, code=code)
    if request.GET.get("export") == "xlsx":
        audit.record_export(
            request.user,
            what="数据质量检查",
            rows=rows.count(),
            unit_path=node.path if node else home_path(request.user),
        )
        return xlsx_response(
            "数据质量检查.xlsx",
            "数据质量检查",
            ["检查项", "安置点", "对象", "说明"],
            (
                [i["check_label"], i["place"], i["subject"], i["detail"]]
                for chunk in _chunks(rows.iterator(2000), 2000)
                for i in quality.present(request.user, chunk)
            ),
        )
    counts = quality.counts(quality.findings(request.user, node=node))
    page = None
    if code:
        page = Paginator(rows, QUALITY_PAGE_SIZE).get_page(request.GET.get("page"))
        groups = [(code, quality.CHECKS[code], counts[code], quality.present(request.user, page))]
    else:
        groups = [
            (
                c,
                label,
                counts[c],
                # One query per check whatever it holds, so the page's query count is fixed.
                quality.present(request.user, rows.filter(code=c)[:QUALITY_SECTION_SIZE]),
            )
            for c, label in quality.CHECKS.items()
        ]
    return render(
        request,
        "registry/quality.html",
        {
            "groups": groups,
            "count": sum(counts.values()),
            "node": node,
            "code": code,
            "page": page,
            "section_size": QUALITY_SECTION_SIZE,
            "runs": quality.runs_for(request.user, node),
            "title": "数据质量检查",
        },
    )


def _chunks(iterable, size):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@require_POST
def quality_rerun(request):
    """重新检查: queue a run for the user's unit, once (a second click while it is queued or
    running says so instead of queueing again)."""
    access.require(request.user, "registry", "read")
    run, created = quality.enqueue(home_path(request.user), reason="manual", user=request.user)
    if created:
        messages.success(
            request, f"已提交「{run.unit_name}」的数据质量检查，完成后刷新本页即可看到结果。"
        )
    else:
        messages.info(
            request,
            f"「{run.unit_name}」的数据质量检查正在进行（{run.get_status_display()}），请稍后刷新本页。",
        )
    return redirect("registry:quality")


# Import and template -------------------------------------------------------------------------


def import_page(request):
    access.require(request.user, "registry", "write")
    services.fail_stale_batches()
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    bootstrapify(form)
    if request.method == "POST" and form.is_valid():
        batch = services.start_import(
            request.user, form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"]
        )
        return redirect("registry:import-batch", pk=batch.pk)
    return render(
        request,
        "registry/import.html",
        {
            "form": form,
            "batches": selectors.batches(request.user).filter(created_by=request.user)[:10],
        },
    )


def _may_see_values(request, batch) -> bool:
    """The uploader sees what they typed; others only if their role may see identity numbers."""
    return batch.created_by_id == request.user.pk or access.can_reveal_identity(request.user)


def import_batch(request, pk):
    access.require(request.user, "registry", "read")
    batch = get_object_or_404(selectors.batches(request.user), pk=pk)
    if batch.status == ImportBatch.Status.RUNNING and services.fail_stale_batches():
        batch.refresh_from_db()
    running = batch.status in (ImportBatch.Status.PENDING, ImportBatch.Status.RUNNING)
    rows_done = cache.get(services.progress_key(batch.pk), 0) if running else batch.processed_rows
    errors, warnings = batch.errors, batch.warnings
    if not _may_see_values(request, batch):
        errors = [{**e, "value": "（已隐藏）" if e.get("value") else ""} for e in errors]
        warnings = [{**e, "value": "（已隐藏）" if e.get("value") else ""} for e in warnings]
    template_name = "registry/_batch_status.html" if request.htmx else "registry/import_batch.html"
    return render(
        request,
        template_name,
        {
            "batch": batch,
            "running": running,
            "errors": errors,
            "warnings": warnings,
            "rows_done": rows_done,
            "can_confirm": batch.status == ImportBatch.Status.WARNED
            and batch.created_by_id == request.user.pk
            and bool(batch.stored_file),
        },
    )


@require_POST
def import_confirm(request, pk):
    """“确认导入”: the uploader confirms the warnings and the kept file is imported."""
    batch = get_object_or_404(selectors.batches(request.user), pk=pk)
    try:
        services.confirm_import(request.user, batch)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("registry:import-batch", pk=batch.pk)


def import_errors(request, pk):
    access.require(request.user, "registry", "read")
    batch = get_object_or_404(selectors.batches(request.user), pk=pk)
    if not batch.error_file or not Path(batch.error_file).exists():
        raise Http404("该批次没有错误标注文件。")
    if not _may_see_values(request, batch):
        raise PermissionDenied(
            "错误标注文件含完整身份证号，只有上传人或可查看完整证件号的角色可以下载。"
        )
    audit.record_export(
        request.user,
        what=f"导入错误标注：{batch.file_name}",
        rows=batch.error_count,
        unit_path=batch.unit_path,
    )
    return FileResponse(
        open(batch.error_file, "rb"),
        as_attachment=True,  # noqa: SIM115
        filename=f"{batch.file_name.rsplit('.', 1)[0]}-错误标注.xlsx",
    )


def template_download(request):
    access.require(request.user, "registry", "read")
    return template.response()


def index(request):
    return redirect("registry:household-list")
