"""Data checks on monitored households (数据质量), run with the registry's checks: each one a
query over the unit's warnings, findings written with their household and place."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch

from anju.registry import quality
from anju.registry.models import Person

from .assistance import eliminable_from
from .models import Measure, Warning
from .rules import BASIC_MEDICAL

CHECKS = [
    ("m_risk", "监测对象缺风险类型或纳入日期"),
    ("m_facts", "监测对象缺住房、饮水或参保信息"),
    ("m_early", "风险消除不满半年"),
    ("m_measure", "帮扶消除但没有落实的措施"),
]


def _monitored(ctx):
    return Warning.objects.filter(
        path__startswith=ctx.prefix, status__in=("monitored", "eliminated")
    ).select_related("household", "household__site")


def _emit(ctx, code, warning, message):
    h = warning.household
    return quality.finding(
        ctx,
        code,
        site_id=h.site_id,
        household_id=h.pk,
        path=warning.path,
        place=h.site.name if h.site_id else "",
        subject=f"户 {h.number}",
        message=message,
    )


def check_monitored(ctx) -> None:
    from anju.registry.models import QualityFinding

    done = Measure.objects.filter(warning=OuterRef("pk"), done_on__isnull=False)
    rows = (
        _monitored(ctx)
        .annotate(measured=Exists(done))
        .prefetch_related(
            Prefetch(
                "household__members",
                queryset=Person.objects.only("household_id", "medical_insurance"),
            )
        )
    )
    findings = []
    for w in rows.iterator(chunk_size=2000):
        # Monitored households are few: their members' insurance is read in Python (a JSON
        # lookup the embedded SQLite does not have).
        w.uninsured = any(
            not set(p.medical_insurance or []) & set(BASIC_MEDICAL)
            for p in w.household.members.all()
        )
        if not w.risk_types or w.identified_on is None:
            missing = "、".join(
                t
                for t, gap in (
                    ("风险类型", not w.risk_types),
                    ("纳入监测日期", not w.identified_on),
                )
                if gap
            )
            findings.append(_emit(ctx, "m_risk", w, f"未填{missing}"))
        gaps = [
            label
            for label, gap in (
                ("住房是否安全", w.housing_safe is None),
                ("饮水是否安全", w.water_safe is None),
                ("家庭成员参加基本医疗保险", w.uninsured),
            )
            if gap
        ]
        if gaps:
            findings.append(_emit(ctx, "m_facts", w, f"缺少或未落实：{'、'.join(gaps)}"))
        if w.status == "eliminated" and w.identified_on and w.eliminated_on:
            earliest = eliminable_from(w.identified_on)
            if w.eliminated_on < earliest:
                findings.append(
                    _emit(
                        ctx,
                        "m_early",
                        w,
                        f"{w.identified_on} 纳入监测，{w.eliminated_on} 即标注消除，不满半年",
                    )
                )
        if w.status == "eliminated" and w.elimination_method == "by_assistance" and not w.measured:
            findings.append(_emit(ctx, "m_measure", w, "标注为帮扶消除，但没有一项落实的帮扶措施"))
    QualityFinding.objects.bulk_create(findings, batch_size=1000)


def register() -> None:
    # One step writes all four (one pass over the unit's monitored households).
    for index, (code, label) in enumerate(CHECKS):
        quality.register(code, label, check_monitored if index == 0 else None)
