"""Matching job seekers and postings, every score explained (人岗匹配).

A posting states requirements; a seeker states wishes. Each is checked and said in Chinese: met,
or failed and by how much. A failed requirement that cannot be bent excludes the pair (a posting
for women only, a posting out of its validity); every other one lowers the score by how far it
is missed, so a posting that fails one stated requirement ranks below one that meets all, and
its explanation names the requirement it failed.

Candidates are narrowed in the database first (postings in force, the sex a posting asks for,
the roster's working people); the score of each remaining pair is computed here, for the one
posting or the one seeker on the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from anju.registry.choices import EDUCATION

from .models import Posting, Seeker

FULL = 100
WORKING_DAYS_A_MONTH = 22  # a daily wage as a month's pay, to compare with a monthly wish
SERIOUS = {"患有大病", "残疾"}


@dataclass
class Check:
    label: str
    met: bool
    text: str
    penalty: int = 0

    def as_dict(self) -> dict:
        return {"label": self.label, "met": self.met, "text": self.text, "penalty": self.penalty}


@dataclass
class Match:
    posting: Posting
    seeker: Seeker
    checks: list[Check] = field(default_factory=list)
    excluded: bool = False

    @property
    def score(self) -> int:
        return max(0, FULL - sum(c.penalty for c in self.checks))

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.met]

    @property
    def summary(self) -> str:
        if not self.failed:
            return "各项要求均满足"
        return "；".join(c.text for c in self.failed)


def monthly_pay(posting: Posting) -> Decimal:
    pay = posting.pay_min
    return pay * WORKING_DAYS_A_MONTH if posting.pay_kind == "daily" else pay


def explain(posting: Posting, seeker: Seeker, on: date | None = None) -> Match:
    """Every requirement of the posting and every wish of the seeker, checked."""
    on = on or timezone.localdate()
    person = seeker.person
    match = Match(posting, seeker)
    add = match.checks.append
    if posting.sex:
        same = person.sex == posting.sex
        add(
            Check(
                "性别", same, f"岗位要求{posting.get_sex_display()}性" if not same else "性别符合"
            )
        )
        match.excluded |= not same
    in_force = posting.valid_from <= on <= posting.valid_to
    if not in_force:
        add(
            Check(
                "有效期", False, f"岗位有效期 {posting.valid_from} 至 {posting.valid_to}，不在期内"
            )
        )
        match.excluded = True
    age = person.age_on(on)
    if posting.age_min is not None and age < posting.age_min:
        gap = posting.age_min - age
        add(Check("年龄", False, f"{age} 岁，低于下限 {posting.age_min} 岁 {gap} 岁", 10 + 2 * gap))
    elif posting.age_max is not None and age > posting.age_max:
        gap = age - posting.age_max
        add(Check("年龄", False, f"{age} 岁，超过上限 {posting.age_max} 岁 {gap} 岁", 10 + 2 * gap))
    elif posting.age_min is not None or posting.age_max is not None:
        add(Check("年龄", True, f"{age} 岁，符合"))
    if posting.education_min:
        need = EDUCATION.index(posting.education_min)
        has = EDUCATION.index(person.education) if person.education in EDUCATION else -1
        if has < need:
            levels = need - has if has >= 0 else need + 1
            shown = person.education or "未填写"
            add(
                Check(
                    "文化程度",
                    False,
                    f"{shown}，低于要求的{posting.education_min}{f' {levels} 级' if has >= 0 else ''}",
                    15 * levels,
                )
            )
        else:
            add(Check("文化程度", True, f"{person.education}，符合"))
    if posting.health:
        ill = SERIOUS & set(person.health)
        if ill:
            add(Check("健康", False, f"岗位要求{posting.health}；本人{'、'.join(sorted(ill))}", 20))
        else:
            add(Check("健康", True, "健康状况符合"))
    if seeker.min_pay is not None:
        pay = monthly_pay(posting)
        if pay < seeker.min_pay:
            short = seeker.min_pay - pay
            penalty = min(40, int(short * 100 / seeker.min_pay))
            add(
                Check(
                    "薪酬",
                    False,
                    f"月薪约 {pay} 元，低于期望 {seeker.min_pay} 元 {short} 元",
                    penalty,
                )
            )
        else:
            add(Check("薪酬", True, f"月薪约 {pay} 元，不低于期望 {seeker.min_pay} 元"))
    if seeker.where != "any":
        same = posting.area == seeker.where
        add(
            Check(
                "地域",
                same,
                f"岗位在{posting.get_area_display()}，意向{seeker.get_where_display()}"
                if not same
                else f"岗位在{posting.get_area_display()}，符合意向",
                0 if same else 25,
            )
        )
    if seeker.home_based_only:
        add(
            Check(
                "居家就业",
                posting.home_based,
                "可居家或计件，符合" if posting.home_based else "只能居家或就近灵活就业，岗位不能",
                0 if posting.home_based else 30,
            )
        )
    return match


def _in_force(on: date) -> Q:
    return Q(valid_from__lte=on, valid_to__gte=on)


def seekers_for(posting: Posting, seekers, on: date | None = None, limit: int = 20) -> list[Match]:
    """The best seekers for a posting, among ``seekers`` (the user's), best first."""
    on = on or timezone.localdate()
    rows = seekers.filter(active=True).select_related("person", "person__household")
    if posting.sex:
        rows = rows.filter(person__sex=posting.sex)
    matches = [m for m in (explain(posting, s, on) for s in rows) if not m.excluded]
    matches.sort(key=lambda m: (-m.score, m.seeker.person.name))
    return matches[:limit]


def postings_for(seeker: Seeker, postings, on: date | None = None, limit: int = 20) -> list[Match]:
    """The best postings for a seeker, among ``postings`` (the user's), best first."""
    on = on or timezone.localdate()
    rows = postings.filter(_in_force(on)).filter(Q(sex="") | Q(sex=seeker.person.sex))
    matches = [m for m in (explain(p, seeker, on) for p in rows.select_related("employer"))]
    matches = [m for m in matches if not m.excluded]
    matches.sort(key=lambda m: (-m.score, m.posting.valid_to))
    return matches[:limit]
