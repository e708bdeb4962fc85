"""Registry pages. Reads go through selectors; writes through services."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
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
from anju.core.scope import covers, home_path
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


def site_list(request):
    access.require(request.user, "registry", "read")
    return render(
        request,
        "registry/site_list.html",
        {"sites": selectors.sites_with_counts(request.user), "title": "安置点概况"},
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
            "issues": quality.run_checks(request.user, node=site)[:50] if whole_site else [],
        },
    )


def site_profile_edit(request, pk):
    access.require(request.user, "registry", "write")
    site = get_object_or_404(selectors.sites_with_counts(request.user), pk=pk)
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
    node = node_by_key(request.user, key)
    if node is None:
        raise Http404("单位不存在或不在您的管辖范围内。")
    on, category = _on(request), request.GET.get("category", "")
    if category not in ("", "lifted", "co_relocated"):
        category = ""
    result = summary.for_node(request.user, node, on=on, category=category)
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


def quality_page(request):
    access.require(request.user, "registry", "read")
    node = (
        node_by_key(request.user, request.GET.get("node", "")) if request.GET.get("node") else None
    )
    issues = quality.run_checks(request.user, node=node)
    if request.GET.get("export") == "xlsx":
        audit.record_export(
            request.user,
            what="数据质量检查",
            rows=len(issues),
            unit_path=node.path if node else home_path(request.user),
        )
        return xlsx_response(
            "数据质量检查.xlsx",
            "数据质量检查",
            ["检查项", "安置点", "对象", "说明"],
            [[quality.CHECKS[i.check], i.place, i.subject, i.detail] for i in issues],
        )
    groups = [
        (label, [i for i in issues if i.check == code]) for code, label in quality.CHECKS.items()
    ]
    return render(
        request,
        "registry/quality.html",
        {"groups": groups, "count": len(issues), "node": node, "title": "数据质量检查"},
    )


# Import and template -------------------------------------------------------------------------


def import_page(request):
    access.require(request.user, "registry", "write")
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
    running = batch.status in (ImportBatch.Status.PENDING, ImportBatch.Status.RUNNING)
    rows_done = cache.get(services.progress_key(batch.pk), 0) if running else batch.processed_rows
    errors = batch.errors
    if not _may_see_values(request, batch):
        errors = [{**e, "value": "（已隐藏）" if e.get("value") else ""} for e in errors]
    template_name = "registry/_batch_status.html" if request.htmx else "registry/import_batch.html"
    return render(
        request,
        template_name,
        {"batch": batch, "running": running, "errors": errors, "rows_done": rows_done},
    )


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
