"""Data quality checks over the registry, scoped to the user: what a county fixes before it
reports upward."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone
from stdnum.cn import ric

from . import choices
from .models import Household, Person, SiteProfile
from .summary import EDUCATION_FIVE, EDUCATION_THREE, summarise

COMPULSORY_AGES = (6, 15)  # 义务教育: children of these ages should be in school
WORKING_AGES = (16, 59)


@dataclass(frozen=True)
class Issue:
    check: str
    place: str
    subject: str
    detail: str
    url: str = ""


CHECKS = {
    "declared": "申报数与台账统计不符",
    "conflict": "申报资料内部不一致",
    "head": "户主缺失或重复",
    "id": "身份证号无效",
    "duplicate": "同一人登记在两户",
    "schooling": "适龄儿童标为非在校生",
    "skill": "劳动年龄人口未填劳动技能",
}


def _band_text(labels, counts) -> str:
    return "、".join(f"{label} {count}" for label, count in zip(labels, counts, strict=False))


def _declared_vs_counted(user, profile: SiteProfile, today: date) -> list[Issue]:
    site = profile.site
    on = profile.declared_on or today
    households = Household.objects.visible_to(user).filter(path__startswith=site.path)
    persons = Person.objects.visible_to(user).filter(path__startswith=site.path)
    issues = []
    place = site.name
    url = f"/registry/sites/{site.pk}/"

    def gap(label, declared, counted):
        if declared is not None and declared != counted:
            issues.append(
                Issue(
                    "declared",
                    place,
                    label,
                    f"申报 {declared}，台账统计 {counted}（差 {counted - declared:+d}）",
                    url,
                )
            )

    totals = households.aggregate(
        n=Count("id"), lifted=Count("id", filter=Q(category=choices.Category.LIFTED))
    )
    person_totals = persons.aggregate(
        n=Count("id"), lifted=Count("id", filter=Q(household__category=choices.Category.LIFTED))
    )
    gap("户数", profile.declared_households, totals["n"])
    gap("人数", profile.declared_persons, person_totals["n"])
    gap("搬迁脱贫户数", profile.declared_lifted_households, totals["lifted"])
    gap("搬迁脱贫人数", profile.declared_lifted_persons, person_totals["lifted"])
    gap("同步搬迁户数", profile.declared_co_households, totals["n"] - totals["lifted"])
    gap("同步搬迁人数", profile.declared_co_persons, person_totals["n"] - person_totals["lifted"])

    declared = profile.declared_breakdowns or {}
    if not declared:
        return issues
    lifted = summarise(
        households.filter(category=choices.Category.LIFTED),
        persons.filter(household__category=choices.Category.LIFTED),
        on=on,
        schemes=[declared["age"]["bounds"]] if "age" in declared else None,
    )
    if "age" in declared:
        counted = lifted.age_schemes[0]["counts"]
        if counted != declared["age"]["counts"]:
            issues.append(
                Issue(
                    "declared",
                    place,
                    "年龄分段",
                    (
                        f"申报 {sum(declared['age']['counts'])} 人（"
                        f"{_band_text(declared['age']['labels'], declared['age']['counts'])}），"
                        f"台账统计 {sum(counted)} 人（{_band_text(declared['age']['labels'], counted)}）"
                    ),
                    url,
                )
            )
    if "education" in declared:
        edu = declared["education"]
        pool = lifted.education_labour if edu["population"] == "labour" else lifted.education_all
        scheme = "five" if len(edu["counts"]) == 5 else "three"
        counted = list(pool[scheme].values())
        if counted != edu["counts"]:
            who = "有劳动能力的非在校人口" if edu["population"] == "labour" else "全部人口"
            issues.append(
                Issue(
                    "declared",
                    place,
                    f"文化程度（{who}）",
                    (
                        f"申报 {sum(edu['counts'])} 人（{_band_text(edu['labels'], edu['counts'])}），"
                        f"台账统计 {sum(counted)} 人（{_band_text(edu['labels'], counted)}）"
                    ),
                    url,
                )
            )
    for key, label, counted in (
        ("labour_persons", "有劳动能力人数", lifted.labour_persons),
        ("labour_households", "有劳动力户数", lifted.labour_households),
        ("safety_net_households", "兜底保障户数", lifted.safety_net_households),
        ("safety_net_persons", "兜底保障人数", lifted.safety_net_persons),
    ):
        gap(label, declared.get(key), counted)
    return issues


def run_checks(user, *, node=None, today: date | None = None) -> list[Issue]:
    today = today or timezone.localdate()
    issues: list[Issue] = []
    households = Household.objects.visible_to(user)
    persons = Person.objects.visible_to(user)
    profiles = SiteProfile.objects.visible_to(user).select_related("site")
    if node is not None:
        households = households.filter(path__startswith=node.path)
        persons = persons.filter(path__startswith=node.path)
        profiles = profiles.filter(site__path__startswith=node.path)
    for profile in profiles.order_by("site__path"):
        issues += _declared_vs_counted(user, profile, today)
        for text in profile.declared_conflicts or []:
            issues.append(
                Issue(
                    "conflict",
                    profile.site.name,
                    "申报资料",
                    text,
                    f"/registry/sites/{profile.site_id}/",
                )
            )

    heads = households.annotate(
        heads=Count("members", filter=Q(members__relation=choices.HEAD))
    ).exclude(heads=1)
    for h in heads.select_related("site").only("id", "number", "site__name"):
        detail = "没有户主" if h.heads == 0 else f"有 {h.heads} 个户主"
        issues.append(
            Issue(
                "head",
                h.site.name if h.site else "",
                f"户 {h.number}",
                detail,
                h.get_absolute_url(),
            )
        )

    rows = persons.select_related("household__site").only(
        "id",
        "name",
        "id_number",
        "birth_date",
        "schooling",
        "labour_skill",
        "household__number",
        "household__site__name",
    )
    seen: dict[tuple[str, date], Person] = {}
    for p in rows.iterator(5000):
        place = p.household.site.name if p.household.site else ""
        subject = f"{p.name}（户 {p.household.number}）"
        try:
            ric.validate(p.id_number)
        except Exception:  # any stdnum failure means the stored number is not a valid one
            issues.append(Issue("id", place, subject, "身份证号校验不通过", p.get_absolute_url()))
        key = (p.name, p.birth_date)
        other = seen.get(key)
        if other is not None and other.household_id != p.household_id:
            issues.append(
                Issue(
                    "duplicate",
                    place,
                    subject,
                    f"与户 {other.household.number} 的 {other.name} 姓名、出生日期相同",
                    p.get_absolute_url(),
                )
            )
        seen.setdefault(key, p)
        age = p.age_on(today)
        if COMPULSORY_AGES[0] <= age <= COMPULSORY_AGES[1] and p.schooling == choices.NOT_IN_SCHOOL:
            issues.append(
                Issue("schooling", place, subject, f"{age} 岁，标为非在校生", p.get_absolute_url())
            )
        if WORKING_AGES[0] <= age <= WORKING_AGES[1] and not p.labour_skill:
            issues.append(
                Issue("skill", place, subject, f"{age} 岁，未填劳动技能", p.get_absolute_url())
            )
    return issues


__all__ = ["CHECKS", "EDUCATION_FIVE", "EDUCATION_THREE", "Issue", "run_checks"]
