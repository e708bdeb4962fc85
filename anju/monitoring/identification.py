"""纳入监测: a warning walked from the door check to the county's decision.

The national procedure: 入户核实 with the household's signed commitment and authorisation →
村级民主评议 and a notice in the village of at least 5 days that shows no identity number,
phone, bank account or health detail → 乡镇审核 → 县级审定, within 15 days of the lead. Each
step has its actor, date, decision and an attachment; a step refused ends the warning as
不予纳入 with its reason. The steps come in order and each one only from staff at its level:
the town's review from someone serving the town (or above), the decision from the county.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from anju.accounts import access
from anju.audit import services as audit
from anju.core.scope import UNRESTRICTED, covers, scope_paths
from anju.orgs.models import AdminUnit

from . import choices, uploads
from .models import Lead, Step, Warning
from .selectors import unit_at

NOTICE_DAYS = 5  # 公示不少于 5 天
ATTACHMENT_MAX = 10 * 1024 * 1024

ORDER = [
    Step.Kind.DOOR_CHECK,
    Step.Kind.VILLAGE_REVIEW,
    Step.Kind.TOWN_REVIEW,
    Step.Kind.COUNTY_DECISION,
]
# Who may take a step: the level of the unit the actor must serve (the household's own or above);
# the village review by the village (community) or the site, the door check by anyone of the place.
WHO = {
    Step.Kind.DOOR_CHECK: "网格员、驻村（社区）干部",
    Step.Kind.VILLAGE_REVIEW: "村（社区）或安置点",
    Step.Kind.TOWN_REVIEW: "乡镇（街道）",
    Step.Kind.COUNTY_DECISION: "县级",
}
LEVEL = {
    Step.Kind.TOWN_REVIEW: AdminUnit.Level.TOWN,
    Step.Kind.COUNTY_DECISION: AdminUnit.Level.COUNTY,
}


def next_step(warning: Warning, procedure: str = Step.Procedure.IDENTIFY) -> str | None:
    """The step the warning waits for in a procedure, or None when there is none to take. An
    elimination refused at some step starts again from its door check."""
    open_for = {"identify": ("open", "reviewing"), "eliminate": ("monitored",)}[procedure]
    if warning.status not in open_for:
        return None
    steps = [s for s in warning.steps.all() if s.procedure == procedure]
    refused = [i for i, s in enumerate(steps) if not s.passed]
    done = [s.kind for s in steps[(refused[-1] + 1 if refused else 0) :]]
    for kind in ORDER:
        if kind not in done:
            return kind
    return None


def may_take(actor, warning: Warning, kind: str) -> bool:
    if not access.allows(actor, "monitoring", "write") or not covers(actor, warning.path):
        return False
    paths = scope_paths(actor)
    if kind == Step.Kind.DOOR_CHECK or paths is UNRESTRICTED:
        return True
    if kind == Step.Kind.VILLAGE_REVIEW:
        # The village (community) or the resettlement site it runs, not a grid or a building.
        site = warning.household.site
        targets = [u.path for u in [unit_at(warning.path, AdminUnit.Level.VILLAGE), site] if u]
    else:
        unit = unit_at(warning.path, LEVEL[kind])
        targets = [unit.path] if unit else []
    return any(t.startswith(p) for t in targets for p in paths)


def check_attachment(upload) -> None:
    if upload is None:
        return
    if upload.size > ATTACHMENT_MAX:
        raise ValidationError({"attachment": "附件不能超过 10 MB。"})
    if not uploads.is_one_of(upload, uploads.PHOTOS_AND_PDF):
        raise ValidationError({"attachment": "附件只能是照片（JPG、PNG）或 PDF 扫描件。"})


def _clean_codes(values, allowed, field: str, label: str) -> list[str]:
    names = dict(allowed)
    unknown = [v for v in values or [] if v not in names]
    if unknown:
        raise ValidationError({field: f"没有这种{label}：{'、'.join(unknown)}"})
    return [code for code, _ in allowed if code in (values or [])]


@transaction.atomic
def take_step(
    actor,
    warning: Warning,
    kind: str,
    *,
    acted_on: date,
    passed: bool,
    note: str = "",
    attachment=None,
    notice_from: date | None = None,
    notice_to: date | None = None,
    category: str = "",
    risk_types=None,
    commitment_signed: bool = False,
    housing_safe: bool | None = None,
    water_safe: bool | None = None,
) -> Step:
    """Record the warning's next identification step; the last one (or a refusal) decides."""
    warning = Warning.objects.select_for_update().get(pk=warning.pk)
    note, _previous = check_step(
        actor,
        warning,
        kind,
        Step.Procedure.IDENTIFY,
        acted_on=acted_on,
        passed=passed,
        note=note,
        attachment=attachment,
        notice_from=notice_from,
        notice_to=notice_to,
    )
    if kind == Step.Kind.DOOR_CHECK and passed:
        if not commitment_signed:
            raise ValidationError(
                {"commitment_signed": "纳入监测须有农户签字的承诺授权书（授权查询家庭经济状况）。"}
            )
        category = category or ""
        if category not in dict(choices.CATEGORIES):
            raise ValidationError({"category": "请选择监测对象类别。"})
        if category == "unstable" and warning.household.category != "lifted":
            raise ValidationError(
                {
                    "category": "脱贫不稳定户只用于搬迁脱贫户；同步搬迁户请选边缘易致贫户或突发严重困难户。"
                }
            )
        if category == "edge" and warning.household.category == "lifted":
            raise ValidationError({"category": "搬迁脱贫户请选脱贫不稳定户或突发严重困难户。"})
        risk_types = _clean_codes(risk_types, choices.RISK_TYPES, "risk_types", "风险类型")
        if not risk_types:
            raise ValidationError({"risk_types": "请至少选择一种风险类型。"})
        if housing_safe is None or water_safe is None:
            raise ValidationError({"housing_safe": "请填写住房、饮水是否安全。"})
        warning.category, warning.risk_types = category, risk_types
        warning.commitment_signed = True
        warning.housing_safe, warning.water_safe = housing_safe, water_safe
    step = save_step(
        actor,
        warning,
        kind,
        Step.Procedure.IDENTIFY,
        acted_on=acted_on,
        passed=passed,
        note=note,
        attachment=attachment,
        notice_from=notice_from,
        notice_to=notice_to,
    )

    if not passed:
        warning.status = Warning.Status.REJECTED
        warning.closed_on, warning.closed_reason = acted_on, note
        _settle_leads(warning, Lead.Status.DISMISSED)
    elif kind == Step.Kind.COUNTY_DECISION:
        warning.status = Warning.Status.MONITORED
        warning.identified_on = acted_on
        _settle_leads(warning, Lead.Status.CHECKED)
    else:
        warning.status = Warning.Status.REVIEWING
    warning.updated_at = timezone.now()
    warning.save()
    audit.record(
        actor,
        audit.AuditLog.Action.UPDATE,
        object_type="monitoring.warning",
        object_id=warning.pk,
        object_repr=str(warning),
        unit_path=warning.path,
        note=f"{step.get_kind_display()}：{'通过' if passed else '不予纳入'}"
        + (f"（{note[:60]}）" if note else ""),
    )
    return step


def check_step(
    actor, warning, kind, procedure, *, acted_on, passed, note, attachment, notice_from, notice_to
):
    """What every step of both procedures checks: the order, the actor's level, the dates, a
    reason for a refusal, the attachment, the notice of at least 5 days and its end."""
    if not covers(actor, warning.path):
        raise Http404("预警不存在或不在您的管辖范围内。")
    expected = next_step(warning, procedure)
    if expected is None:
        raise ValidationError(f"该户目前「{warning.get_status_display()}」，没有可办理的环节。")
    names = dict(Step.Kind.choices)
    if kind != expected:
        raise ValidationError(f"下一步应是「{names[expected]}」，不能先做「{names[kind]}」。")
    if not may_take(actor, warning, kind):
        raise PermissionDenied(f"您不能办理「{names[kind]}」，须由{WHO[kind]}办理。")
    steps = warning.steps.filter(procedure=procedure).order_by("-acted_on", "-id")
    previous = steps.first()
    if acted_on > timezone.localdate():
        raise ValidationError({"acted_on": "日期不能晚于今天。"})
    if acted_on < warning.opened_on or (previous and acted_on < previous.acted_on):
        raise ValidationError({"acted_on": "日期不能早于预警日期或上一环节。"})
    note = (note or "").strip()
    if not passed and not note:
        raise ValidationError({"note": "不通过须写明理由。"})
    check_attachment(attachment)
    if kind == Step.Kind.VILLAGE_REVIEW and passed:
        if notice_from is None or notice_to is None:
            raise ValidationError({"notice_from": "请填写公示起止日期。"})
        if notice_from < acted_on:
            raise ValidationError({"notice_from": "公示应在民主评议之后。"})
        if (notice_to - notice_from).days + 1 < NOTICE_DAYS:
            last = notice_from + timedelta(days=NOTICE_DAYS - 1)
            raise ValidationError(
                {"notice_to": f"公示不少于 {NOTICE_DAYS} 天（{notice_from} 起至少到 {last}）。"}
            )
    notice_over = previous.notice_to if previous is not None else None
    if kind == Step.Kind.TOWN_REVIEW and notice_over and acted_on <= notice_over:
        raise ValidationError(
            {"acted_on": f"村级公示到 {notice_over} 结束，公示期满后才能乡镇审核。"}
        )
    return note, previous


def save_step(
    actor, warning, kind, procedure, *, acted_on, passed, note, attachment, notice_from, notice_to
) -> Step:
    village = kind == Step.Kind.VILLAGE_REVIEW
    step = Step(
        warning=warning,
        procedure=procedure,
        kind=kind,
        passed=passed,
        acted_on=acted_on,
        actor=actor,
        actor_name=actor.display_name,
        note=note,
        notice_from=notice_from if village else None,
        notice_to=notice_to if village else None,
        path=warning.path,
    )
    if attachment is not None:
        step.attachment.save(attachment.name[-80:], attachment, save=False)
    step.save()
    return step


def _settle_leads(warning: Warning, status: str) -> None:
    """The leads behind the warning are answered with it."""
    ids = [s.lead_id for s in warning.signals.all() if s.lead_id]
    Lead.objects.filter(pk__in=ids, status=Lead.Status.NEW).update(status=status)
