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

from anju.core.geo import distance_km
from anju.registry.choices import EDUCATION

from .models import Posting, Seeker

FULL = 100
WORKING_DAYS_A_MONTH = 22  # a daily wage as a month's pay, to compare with a monthly wish
SERIOUS = {"患有大病", "残疾"}
# The 20-minute circle's radius where no unit has set ``employment.circle_km``: a setting of the
# platform (a 20-minute walk, e-bike or bus ride), not a figure of the policy documents.
CIRCLE_KM_DEFAULT = Decimal("5")
NO_PLACE_PENALTY = 15  # a seeker bound to the site, a posting whose place is unknown

# Every penalty below is mirrored, term by term, in ``matchsql`` (the set-based scorer); a test
# holds the two to the same scores, ranks and excluded pairs.


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


def seeker_site(seeker: Seeker):
    household = seeker.person.household
    return household.site if household.site_id else None


def circles(sites, on: date | None = None) -> dict[int, Decimal]:
    """The 20-minute circle's radius (km) at each site, in one query: the nearest unit up the
    tree that set ``employment.circle_km`` for ``on``, else ``CIRCLE_KM_DEFAULT``."""
    from django.db.models.functions import Length

    from anju.core.paths import prefixes
    from anju.policies.models import ParameterValue

    on = on or timezone.localdate()
    sites = [s for s in sites if s is not None]
    wanted = {p for s in sites for p in prefixes(s.path)}
    values = (
        ParameterValue.objects.filter(key="employment.circle_km", path__in=wanted)
        .filter(valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by(Length("path").desc(), "-valid_from")
        .values_list("path", "value")
    )
    found: dict[str, Decimal] = {}
    for path, value in values:
        found.setdefault(path, Decimal(str(value)))
    radius = {}
    for site in sites:
        nearest = next((found[p] for p in reversed(prefixes(site.path)) if p in found), None)
        radius[site.pk] = nearest if nearest is not None else CIRCLE_KM_DEFAULT
    return radius


def _site_point(site):
    profile = getattr(site, "profile", None) if site is not None else None
    return (profile.latitude, profile.longitude) if profile is not None else (None, None)


def _circle(posting: Posting, seeker: Seeker, radius: Decimal | None, on: date) -> Check:
    """The seeker's wish to work within the site's 20-minute circle, checked: a home-based
    posting always fits; a place farther than the radius excludes; an unknown place lowers the
    score (it may well be near; someone should ask)."""
    if posting.home_based:
        return Check("生活圈", True, "可居家或计件，在安置点内即可")
    site = seeker_site(seeker)
    if radius is None:
        radius = circles([site], on).get(getattr(site, "pk", None), CIRCLE_KM_DEFAULT)
    lat, lon = _site_point(site)
    km = distance_km(lat, lon, posting.latitude, posting.longitude)
    if km is None:
        missing = "安置点" if lat is None else "岗位工作地点"
        return Check(
            "生活圈",
            False,
            f"{missing}未标注坐标，无法确认是否在 20 分钟生活圈（{radius} 公里）内",
            NO_PLACE_PENALTY,
        )
    if km <= float(radius):
        return Check("生活圈", True, f"距安置点 {km:.1f} 公里，在 20 分钟生活圈内")
    return Check(
        "生活圈",
        False,
        f"距安置点 {km:.1f} 公里，超出 20 分钟生活圈（{radius} 公里）{km - float(radius):.1f} 公里",
    )


def explain(
    posting: Posting, seeker: Seeker, on: date | None = None, radius: Decimal | None = None
) -> Match:
    """Every requirement of the posting and every wish of the seeker, checked. ``radius`` is the
    seeker's site's 20-minute circle (``circles``), resolved here when not given."""
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
    if seeker.near_site:
        near = _circle(posting, seeker, radius, on)
        add(near)
        # Too far is the one failed wish that excludes: a seeker bound to the site cannot go.
        match.excluded |= not near.met and near.penalty == 0
    return match


def _shown(rows, key, objects) -> list[Match]:
    """The pairs the SQL ranked, explained for display, in the SQL's order."""
    by_pk = {o.pk: o for o in objects}
    return [m for m in (key(row, by_pk) for row in rows) if m is not None]


def seekers_for(posting: Posting, seekers, on: date | None = None, limit: int = 20) -> list[Match]:
    """The best seekers for a posting, among ``seekers`` (the user's), best first: ranked in the
    database (``matchsql``), explained here for the ones shown."""
    from . import matchsql

    on = on or timezone.localdate()
    related = ("person", "person__household", "person__household__site__profile")
    rows = matchsql.top_pairs(seekers, Posting.objects.filter(pk=posting.pk), on, limit, "posting")
    shown = list(seekers.filter(pk__in=[r[0] for r in rows]).select_related(*related))
    radius = circles({seeker_site(s) for s in shown} - {None}, on)
    return _shown(
        rows,
        lambda r, by: explain(posting, by[r[0]], on, radius.get(by[r[0]].person.household.site_id)),
        shown,
    )


def postings_for(seeker: Seeker, postings, on: date | None = None, limit: int = 20) -> list[Match]:
    """The best postings for a seeker, among ``postings`` (the user's), best first."""
    from . import matchsql

    on = on or timezone.localdate()
    rows = matchsql.top_pairs(Seeker.objects.filter(pk=seeker.pk), postings, on, limit)
    shown = postings.filter(pk__in=[r[1] for r in rows]).select_related("employer")
    site = seeker_site(seeker)
    radius = circles([site], on).get(getattr(site, "pk", None)) if seeker.near_site else None
    return _shown(rows, lambda r, by: explain(by[r[1]], seeker, on, radius), shown)
