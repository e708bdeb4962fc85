"""帮扶 and 风险消除 of a monitored household.

The plan: a responsible cadre at the destination and one at the origin (双向帮扶,
《石城县2022年强化易地扶贫搬迁后续扶持工作的实施方案》第2条), and measures of the official types,
each tied to the risk it answers, suggested from the risk types and the household's labour as
《关于做好易地扶贫搬迁后续扶持工作 巩固拓展脱贫攻坚成果的行动方案》三（一）says.

Elimination follows the national procedure: the platform checks every condition and refuses,
naming each one unmet — half a year under monitoring with income above the line, rigid
spending settled, housing, water and the basic needs held, a measure carried out (帮扶消除) unless
the risk went by itself (自然消除); a household with no one able to work on the safety net is
never marked eliminated but kept under monitoring. The steps mirror identification.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from anju.accounts import access
from anju.audit import services as audit
from anju.core.scope import covers
from anju.registry.choices import WITH_LABOUR

from . import choices, identification
from .models import Income, Measure, Step, Visit, Warning

HALF_YEAR_MONTHS = 6
METHODS = {"by_assistance": "帮扶消除", "naturally": "自然消除"}


def _require(actor, warning) -> None:
    access.require(actor, "monitoring", "write")
    if not covers(actor, warning.path):
        raise Http404("预警不存在或不在您的管辖范围内。")


def has_labour(household) -> bool:
    return household.members.filter(labour_skill__in=WITH_LABOUR).exists()


def suggestions(warning: Warning) -> list[tuple[str, str]]:
    """(risk type, measure kind) pairs for the plan: 缺什么补什么; development measures for a
    household that can work, the safety net (综合保障) for one that cannot."""
    labour = has_labour(warning.household)
    out = []
    for risk in warning.risk_types:
        kinds = list(choices.SUGGESTED.get(risk, ["other"]))
        if not labour:
            kinds = [k for k in kinds if k not in ("employment", "industry", "public_post")]
            if "safety_net" not in kinds:
                kinds.append("safety_net")
        out.extend((risk, kind) for kind in kinds)
    return list(dict.fromkeys(out))


@transaction.atomic
def set_cadres(actor, warning: Warning, *, destination_cadre: str, origin_cadre: str) -> Warning:
    _require(actor, warning)
    destination_cadre, origin_cadre = destination_cadre.strip(), origin_cadre.strip()
    if not destination_cadre or not origin_cadre:
        raise ValidationError({"origin_cadre": "双向帮扶：安置地和迁出地各须明确一名帮扶责任人。"})
    warning.destination_cadre, warning.origin_cadre = destination_cadre, origin_cadre
    warning.updated_at = timezone.now()
    warning.save(update_fields=["destination_cadre", "origin_cadre", "updated_at"])
    audit.record(
        actor,
        audit.AuditLog.Action.UPDATE,
        object_type="monitoring.warning",
        object_id=warning.pk,
        object_repr=str(warning),
        unit_path=warning.path,
        note=f"帮扶责任人：安置地 {destination_cadre}，迁出地 {origin_cadre}",
    )
    return warning


@transaction.atomic
def add_measure(
    actor,
    warning: Warning,
    *,
    kind: str,
    risk_type: str,
    content: str,
    planned_on: date,
    responsible: str = "",
) -> Measure:
    _require(actor, warning)
    if warning.status != Warning.Status.MONITORED:
        raise ValidationError("纳入监测后才能制定帮扶措施。")
    if kind not in dict(choices.MEASURE_KINDS):
        raise ValidationError({"kind": "请选择措施类型。"})
    if risk_type not in warning.risk_types:
        named = "、".join(choices.labels(choices.RISK_TYPES, warning.risk_types))
        raise ValidationError({"risk_type": f"措施须针对该户的风险：{named}。"})
    content = (content or "").strip()
    if not content:
        raise ValidationError({"content": "请写明措施内容。"})
    measure = Measure.objects.create(
        warning=warning,
        kind=kind,
        risk_type=risk_type,
        content=content,
        responsible=(responsible or "").strip(),
        planned_on=planned_on,
        path=warning.path,
    )
    audit.record_create(
        actor, measure, ["kind", "risk_type", "content", "planned_on"], unit_path=measure.path
    )
    return measure


@transaction.atomic
def complete_measure(actor, measure: Measure, *, done_on: date, outcome: str) -> Measure:
    _require(actor, measure.warning)
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": "落实日期不能晚于今天。"})
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": "请写明落实成效。"})
    before = audit.snapshot(measure, ["done_on", "outcome"])
    measure.done_on, measure.outcome = done_on, outcome
    measure.save(update_fields=["done_on", "outcome"])
    audit.record_update(actor, measure, before, ["done_on", "outcome"], unit_path=measure.path)
    return measure


def eliminable_from(identified_on: date) -> date:
    """Half a year after identification (the same day six months on, or the month's last day)."""
    month = identified_on.month - 1 + HALF_YEAR_MONTHS
    year, month = identified_on.year + month // 12, month % 12 + 1
    day = identified_on.day
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


def blockers(warning: Warning, method: str, on: date) -> list[str]:
    """Every condition of elimination the household does not meet, in words; none → may go."""
    from anju.policies.selectors import resolve

    household = warning.household
    out = []
    if warning.status != Warning.Status.MONITORED:
        return [f"该户目前「{warning.get_status_display()}」，不在监测中。"]
    if household.safety_net and not has_labour(household):
        out.append("家庭无劳动能力且已纳入低保或特困供养兜底保障：不标注风险消除，继续监测帮扶。")
    earliest = eliminable_from(warning.identified_on)
    if on < earliest:
        out.append(
            f"纳入监测（{warning.identified_on}）不满半年，收入未经半年稳定，"
            f"{earliest} 以后才能消除风险。"
        )
    income = (
        Income.objects.filter(household=household, year__in=(on.year, on.year - 1))
        .order_by("-year")
        .first()
    )
    line = resolve("monitoring.income_line", household, on).value
    share = resolve("monitoring.rigid_share", household, on).value
    if income is None:
        out.append(f"没有 {on.year - 1} 或 {on.year} 年的家庭收支记录，无法核实收入。")
    else:
        if line is not None and income.net_per_capita < Decimal(str(line)):
            out.append(
                f"{income.year} 年家庭人均纯收入 {income.net_per_capita} 元，"
                f"未稳定高于监测标准 {line} 元。"
            )
        rigid = income.medical_cost + income.schooling_cost
        if share is not None and rigid > income.net_income * Decimal(str(share)) / 100:
            out.append(
                f"{income.year} 年医疗、教育刚性支出 {rigid} 元，超过家庭纯收入的 {share}%，"
                "尚未稳定解决。"
            )
    if warning.housing_safe is not True:
        out.append("住房安全未保障。")
    if warning.water_safe is not True:
        out.append("饮水安全未保障。")
    last = Visit.objects.filter(household=household).order_by("-period").first()
    if last is not None and last.needs_unmet:
        unmet = "、".join(choices.labels(choices.BASIC_NEEDS, last.needs_unmet))
        out.append(f"最近一次回访（{last.period}）{unmet}未保障。")
    if method not in METHODS:
        out.append("请选择消除方式：帮扶消除或自然消除。")
    elif method == "by_assistance" and not warning.measures.filter(done_on__isnull=False).exists():
        out.append("帮扶消除须至少落实一项帮扶措施（没有落实的措施，风险自行消除的选自然消除）。")
    return out


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
    method: str = "",
    housing_safe: bool | None = None,
    water_safe: bool | None = None,
) -> Step:
    """The next step of elimination: 入户核查 → 村级民主评议公示 → 乡镇审核 → 县级审定公告. The
    door check and the county's decision run every condition; a refusal keeps the household under
    monitoring and the procedure starts again when it is tried next."""
    warning = Warning.objects.select_for_update().get(pk=warning.pk)
    note, _previous = identification.check_step(
        actor,
        warning,
        kind,
        Step.Procedure.ELIMINATE,
        acted_on=acted_on,
        passed=passed,
        note=note,
        attachment=attachment,
        notice_from=notice_from,
        notice_to=notice_to,
    )
    if kind == Step.Kind.DOOR_CHECK and passed:
        if housing_safe is None or water_safe is None:
            raise ValidationError({"housing_safe": "请填写入户核查时住房、饮水是否安全。"})
        warning.housing_safe, warning.water_safe = housing_safe, water_safe
        warning.elimination_method = method
    if passed and kind in (Step.Kind.DOOR_CHECK, Step.Kind.COUNTY_DECISION):
        unmet = blockers(warning, warning.elimination_method, acted_on)
        if unmet:
            raise ValidationError("不能标注风险消除：" + "；".join(unmet))
    step = identification.save_step(
        actor,
        warning,
        kind,
        Step.Procedure.ELIMINATE,
        acted_on=acted_on,
        passed=passed,
        note=note,
        attachment=attachment,
        notice_from=notice_from,
        notice_to=notice_to,
    )
    if passed and kind == Step.Kind.COUNTY_DECISION:
        warning.status = Warning.Status.ELIMINATED
        warning.eliminated_on = warning.closed_on = acted_on
    warning.updated_at = timezone.now()
    warning.save()
    method_label = METHODS.get(warning.elimination_method, "")
    audit.record(
        actor,
        audit.AuditLog.Action.UPDATE,
        object_type="monitoring.warning",
        object_id=warning.pk,
        object_repr=str(warning),
        unit_path=warning.path,
        note=f"风险消除·{step.get_kind_display()}：{'通过' if passed else '不通过'}"
        + (f"（{method_label}）" if passed and method_label else "")
        + (f"（{note[:60]}）" if note else ""),
    )
    return step
