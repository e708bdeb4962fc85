"""Data quality checks over the registry, scoped to the user: what a county fixes before it
reports upward."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone
from stdnum.cn import ric

from . import choices
from .models import Household, Person, SiteProfile
from .summary import EDUCATION_FIVE, EDUCATION_THREE, HOUSEHOLD_TOTALS, PERSON_COLUMNS, tally

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


@dataclass
class SiteCounts:
    """What the registry counts for one site, gathered for all sites in a few grouped queries."""

    households: dict
    lifted_households: dict
    persons: int = 0
    lifted_persons: int = 0
    lifted_rows: list = field(default_factory=list)


EMPTY_TOTALS = {"total": 0, "lifted": 0, "safety": 0, "dibao": 0, "tekun": 0}


def _site_counts(households, persons, site_ids: list[int]) -> dict[int, SiteCounts]:
    counts = {pk: SiteCounts(dict(EMPTY_TOTALS), dict(EMPTY_TOTALS)) for pk in site_ids}
    households = households.filter(site_id__in=site_ids)
    persons = persons.filter(household__site_id__in=site_ids)
    for row in households.values("site_id").annotate(**HOUSEHOLD_TOTALS):
        counts[row.pop("site_id")].households = row
    lifted = households.filter(category=choices.Category.LIFTED)
    for row in lifted.values("site_id").annotate(**HOUSEHOLD_TOTALS):
        counts[row.pop("site_id")].lifted_households = row
    per_site = persons.values("household__site_id").annotate(
        n=Count("id"), lifted=Count("id", filter=Q(household__category=choices.Category.LIFTED))
    )
    for row in per_site:
        counts[row["household__site_id"]].persons = row["n"]
        counts[row["household__site_id"]].lifted_persons = row["lifted"]
    rows = persons.filter(household__category=choices.Category.LIFTED).values_list(
        "household__site_id", *PERSON_COLUMNS
    )
    for site_id, *rest in rows.iterator(5000):
        counts[site_id].lifted_rows.append(rest)
    return counts


def _declared_vs_counted(profile: SiteProfile, counted: SiteCounts, today: date) -> list[Issue]:
    site = profile.site
    on = profile.declared_on or today
    issues = []
    place = site.name
    url = f"/registry/sites/{site.pk}/"

    def gap(label, declared, value):
        if declared is not None and declared != value:
            issues.append(
                Issue(
                    "declared",
                    place,
                    label,
                    f"申报 {declared}，台账统计 {value}（差 {value - declared:+d}）",
                    url,
                )
            )

    total, lifted_total = counted.households["total"], counted.households["lifted"]
    gap("户数", profile.declared_households, total)
    gap("人数", profile.declared_persons, counted.persons)
    gap("搬迁脱贫户数", profile.declared_lifted_households, lifted_total)
    gap("搬迁脱贫人数", profile.declared_lifted_persons, counted.lifted_persons)
    gap("同步搬迁户数", profile.declared_co_households, total - lifted_total)
    gap("同步搬迁人数", profile.declared_co_persons, counted.persons - counted.lifted_persons)

    declared = profile.declared_breakdowns or {}
    if not declared:
        return issues
    schemes = [declared["age"]["bounds"]] if "age" in declared else [[18, 61]]
    lifted = tally(counted.lifted_households, counted.lifted_rows, on=on, schemes=schemes)
    if "age" in declared:
        found = lifted.age_schemes[0]["counts"]
        if found != declared["age"]["counts"]:
            labels = declared["age"]["labels"]
            issues.append(
                Issue(
                    "declared",
                    place,
                    "年龄分段",
                    (
                        f"申报 {sum(declared['age']['counts'])} 人（"
                        f"{_band_text(labels, declared['age']['counts'])}），"
                        f"台账统计 {sum(found)} 人（{_band_text(labels, found)}）"
                    ),
                    url,
                )
            )
    if "education" in declared:
        edu = declared["education"]
        pool = lifted.education_labour if edu["population"] == "labour" else lifted.education_all
        found = list(pool["five" if len(edu["counts"]) == 5 else "three"].values())
        if found != edu["counts"]:
            who = "有劳动能力的非在校人口" if edu["population"] == "labour" else "全部人口"
            issues.append(
                Issue(
                    "declared",
                    place,
                    f"文化程度（{who}）",
                    (
                        f"申报 {sum(edu['counts'])} 人（{_band_text(edu['labels'], edu['counts'])}），"
                        f"台账统计 {sum(found)} 人（{_band_text(edu['labels'], found)}）"
                    ),
                    url,
                )
            )
    for key, label, value in (
        ("labour_persons", "有劳动能力人数", lifted.labour_persons),
        ("labour_households", "有劳动力户数", lifted.labour_households),
        ("safety_net_households", "兜底保障户数", lifted.safety_net_households),
        ("safety_net_persons", "兜底保障人数", lifted.safety_net_persons),
    ):
        gap(label, declared.get(key), value)
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
    profiles = list(profiles.order_by("site__path"))
    counts = _site_counts(households, persons, [p.site_id for p in profiles])
    for profile in profiles:
        issues += _declared_vs_counted(profile, counts[profile.site_id], today)
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
