"""Every read of employment, scoped to the user.

The labour roster (搬迁劳动力清单) is derived from the registry, never typed twice: the members of
working age (policy parameters ``employment.labour_age_min`` / ``_max`` where the user works)
whose 劳动技能 says they can work, each with their open job, if any. The household ledger counts,
per household, its members, its labour, who is employed and what the household rule
(``employment.household_rule``) asks."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least, Length
from django.db.models.lookups import StartsWith
from django.urls import reverse
from django.utils import timezone

from anju.accounts import access
from anju.core.scope import home_path
from anju.policies.selectors import resolve
from anju.registry.choices import WITH_LABOUR
from anju.registry.models import Household, Person
from anju.registry.quality import born_between

from .models import EmploymentRecord, Unemployment


def _place(user):
    return SimpleNamespace(path=home_path(user))


def labour_ages(user, on: date | None = None) -> tuple[int, int] | None:
    on = on or timezone.localdate()
    low = resolve("employment.labour_age_min", _place(user), on).value
    high = resolve("employment.labour_age_max", _place(user), on).value
    return (int(low), int(high)) if low is not None and high is not None else None


def household_rule(user, on: date | None = None) -> list | None:
    return resolve("employment.household_rule", _place(user), on or timezone.localdate()).value


def _labour_q(ages, on: date, prefix: str = "") -> Q:
    q = Q(**{f"{prefix}labour_skill__in": sorted(WITH_LABOUR)})
    if ages is not None:
        after, by = born_between(ages, on)
        q &= Q(**{f"{prefix}birth_date__gt": after, f"{prefix}birth_date__lte": by})
    return q


def _open_on(on: date) -> Q:
    return Q(started_on__lte=on) & (Q(ended_on__isnull=True) | Q(ended_on__gt=on))


def records(user):
    access.require(user, "employment", "read")
    return EmploymentRecord.objects.visible_to(user).select_related(
        "person", "household", "household__site"
    )


def helps(user):
    access.require(user, "employment", "read")
    return Unemployment.objects.visible_to(user).select_related(
        "person", "household", "household__site", "lost_job"
    )


def roster(user, on: date | None = None):
    """The labour roster: persons of working age able to work, with their job on ``on``."""
    access.require(user, "employment", "read")
    on = on or timezone.localdate()
    job = EmploymentRecord.objects.filter(_open_on(on), person=OuterRef("pk")).order_by(
        "-started_on"
    )
    return (
        Person.objects.visible_to(user)
        .filter(_labour_q(labour_ages(user, on), on))
        .select_related("household", "household__site")
        .annotate(
            job_kind=Subquery(job.values("kind")[:1]),
            job_employer=Subquery(job.values("employer")[:1]),
            helping=Exists(Unemployment.objects.filter(person=OuterRef("pk"), status="helping")),
        )
    )


def _needed(rule, size):
    """CASE over the tiers: the employed a household of ``size`` members should have."""
    if not rule:
        return Value(1)
    whens = [
        When(**{f"{size}__lte": upper}, then=Value(int(float(n)))) for upper, n in rule if upper
    ]
    last = int(float(rule[-1][1]))
    return Case(*whens, default=Value(last), output_field=IntegerField()) if whens else Value(last)


def households(user, on: date | None = None):
    """家庭就业台账: every household with labour, with its size, labour, employed members, what
    the household rule asks (never more than its labour) and whether any job is on record."""
    access.require(user, "employment", "read")
    on = on or timezone.localdate()
    ages = labour_ages(user, on)
    members = Person.objects.filter(household=OuterRef("pk")).order_by()

    def count(qs):
        return Coalesce(
            Subquery(
                qs.values("household").annotate(n=Count("pk")).values("n"),
                output_field=IntegerField(),
            ),
            Value(0),
        )

    employed = members.filter(
        Exists(EmploymentRecord.objects.filter(_open_on(on), person=OuterRef("pk")))
    )
    rows = (
        Household.objects.visible_to(user)
        .select_related("site")
        .annotate(
            members_count=count(members),
            labour=count(members.filter(_labour_q(ages, on))),
            employed=count(employed),
            recorded=Exists(EmploymentRecord.objects.filter(household=OuterRef("pk"))),
        )
        .filter(labour__gt=0)
    )
    return rows.annotate(
        needed=Least(_needed(household_rule(user, on), "members_count"), F("labour"))
    )


def below_rule(user, on: date | None = None):
    return households(user, on).filter(employed__lt=F("needed"))


def zero_employment(user, on: date | None = None):
    """零就业家庭: households with labour and no one employed."""
    return households(user, on).filter(employed=0)


def menu(user) -> list:
    if not access.allows(user, "employment"):
        return []
    return [
        (
            "就业帮扶",
            [
                ("搬迁劳动力清单", reverse("employment:roster")),
                ("家庭就业台账", reverse("employment:households")),
                ("零就业家庭", reverse("employment:households") + "?status=zero"),
                ("失业登记与帮扶", reverse("employment:helps")),
                ("就业记录", reverse("employment:records")),
                ("岗位信息数据库", reverse("employment:postings")),
                ("用工单位", reverse("employment:employers")),
                ("批量推荐", reverse("employment:recommendations")),
            ],
        )
    ]


def shared(model, user):
    """Employers and postings are no one's personal data, and a site pushes the county's jobs:
    a user sees those kept at their own place, below it, and above it (their town's, their
    county's), never a neighbouring town's."""
    from anju.core.paths import prefixes
    from anju.core.scope import UNRESTRICTED, scope_paths

    paths = scope_paths(user)
    if paths is UNRESTRICTED:
        return model.objects.all()
    seen = Q(pk__in=[])
    for path in paths:
        seen |= Q(path__startswith=path) | Q(path__in=prefixes(path))
    return model.objects.filter(seen)


def employers(user):
    from .models import Employer, Posting

    access.require(user, "employment", "read")
    today = timezone.localdate()
    open_postings = (
        Posting.objects.filter(employer=OuterRef("pk"), valid_to__gte=today)
        .order_by()
        .values("employer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return shared(Employer, user).annotate(
        open_postings=Coalesce(Subquery(open_postings, output_field=IntegerField()), Value(0))
    )


def postings(user):
    from .models import Posting

    access.require(user, "employment", "read")
    return shared(Posting, user).select_related("employer")


def seekers(user):
    from .models import Seeker

    access.require(user, "employment", "read")
    return Seeker.objects.visible_to(user).select_related("person", "person__household")


def pushes(user):
    from .models import Push

    access.require(user, "employment", "read")
    return Push.objects.visible_to(user).select_related("posting", "posting__employer", "person")


def recommendations(user, on: date | None = None):
    """批量推荐 lines the user may see, with all an explanation reads (the seeker's person and
    site with its coordinates, the posting and its employer) and the 20-minute circle's radius
    at the seeker's site (``circle_km``: the nearest unit up the tree that set it), so a page of
    explanations costs no query per row."""
    from anju.policies.models import ParameterValue

    from .models import Posting, Recommendation

    access.require(user, "employment", "read")
    on = on or timezone.localdate()
    circle = (
        ParameterValue.objects.filter(key="employment.circle_km", valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .filter(StartsWith(OuterRef("site__path"), F("path")))
        .order_by(Length("path").desc(), "-valid_from")
        .values("value")[:1]
    )
    return (
        Recommendation.objects.visible_to(user)
        # Belt and braces: the batch only pairs postings that reach the seeker's place.
        .filter(posting__in=shared(Posting, user))
        .select_related(
            "site",
            "seeker__person__household__site__profile",
            "posting__employer",
        )
        .annotate(circle_km=Subquery(circle))
    )
