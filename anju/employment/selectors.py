"""Every read of employment, scoped to the user.

The labour roster (搬迁劳动力清单) is derived from the registry, never typed twice: the members of
working age (policy parameters ``employment.labour_age_min`` / ``_max`` where the user works)
whose 劳动技能 says they can work, each with their open job, if any. The household ledger counts,
per household, its members, its labour, who is employed and what the household rule
(``employment.min_employed_per_household``) asks."""

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
from django.db.models.functions import Coalesce, Least
from django.urls import reverse
from django.utils import timezone

from anju.accounts import access
from anju.core.scope import home_path
from anju.orgs.selectors import children
from anju.policies.selectors import resolve
from anju.registry.choices import WITH_LABOUR, Category
from anju.registry.models import Household, Person
from anju.registry.quality import born_between

from . import monthly
from .choices import KINDS
from .models import EmploymentRecord, Unemployment


def _place(user):
    return SimpleNamespace(path=home_path(user))


def labour_ages(user, on: date | None = None) -> tuple[int, int] | None:
    on = on or timezone.localdate()
    low = resolve("employment.labour_age_min", _place(user), on).value
    high = resolve("employment.labour_age_max", _place(user), on).value
    return (int(low), int(high)) if low is not None and high is not None else None


def household_rule(user, on: date | None = None) -> list | None:
    return resolve(
        "employment.min_employed_per_household", _place(user), on or timezone.localdate()
    ).value


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


def months(user, node, period: str, *, trend_months: int = 12) -> dict:
    """就业月报: a node's employment figures for the month, each of its parts', and the trend
    over the months before, read from the monthly table (``monthly``), never from persons."""
    access.require(user, "employment", "read")
    figures = monthly.totals(user, node.path, period)
    names = dict(KINDS)
    return {
        "node": node,
        "period": period,
        **figures,
        "kinds": [
            (label, [(names.get(k, k), n) for k, n in sorted(figures["by_kind"][code].items())])
            for code, label in Category.choices
            if code in figures["by_kind"]
        ],
        "parts": [
            row
            for row in monthly.by_part(user, children(node), period)
            if row["households"] or row["employed"]
        ],
        "trend": monthly.trend(user, node.path, monthly.last_months(period, trend_months)),
    }


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
                ("就业月报与趋势", reverse("employment:months")),
                ("失业登记与帮扶", reverse("employment:helps")),
                ("岗位稳定性回访", reverse("employment:retentions") + "?state=due"),
                ("就业记录", reverse("employment:records")),
                ("外出务工人员清单", reverse("employment:records") + "?list=migrant"),
                ("自主创业人员清单", reverse("employment:records") + "?list=self"),
                ("岗位信息数据库", reverse("employment:postings")),
                ("用工单位", reverse("employment:employers")),
                ("培训台账", reverse("employment:courses")),
                ("培训人员清单", reverse("employment:trainees")),
                ("未开展培训的安置点", reverse("employment:untrained-sites")),
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


def retentions(user):
    """岗位稳定性回访, due first."""
    from .models import Retention

    access.require(user, "employment", "read")
    return Retention.objects.visible_to(user).select_related(
        "push", "push__person", "push__posting", "push__posting__employer"
    )


# -- training (培训档案) ------------------------------------------------------------------------


def _job_after(enrolment_ref: str = "pk"):
    """Jobs of the enrolment's person that started on or after its course ended: 培训后就业,
    read from the jobs, never typed twice."""
    return EmploymentRecord.objects.filter(
        person=OuterRef(f"{enrolment_ref}person"),
        started_on__gte=OuterRef(f"{enrolment_ref}course__ends_on"),
    ).order_by("started_on")


def enrolments(user):
    """参训人员: each person on a course, with the first job they started after it."""
    from .models import Enrolment

    access.require(user, "employment", "read")
    after = _job_after("")
    return (
        Enrolment.objects.visible_to(user)
        .select_related("course", "course__site", "person", "household", "household__site")
        .annotate(job_after_kind=Subquery(after.values("kind")[:1]))
        .annotate(job_after_on=Subquery(after.values("started_on")[:1]))
    )


def courses(user):
    """培训台账: courses kept at the user's place, below it and above it (a county's course for
    a town's people; never a neighbouring town's), each with its enrolled, completed and
    employed-after counts over the enrolments the user sees."""
    from .models import Course, Enrolment

    access.require(user, "employment", "read")
    mine = Enrolment.objects.visible_to(user).filter(course=OuterRef("pk")).order_by()

    def count(qs):
        return Coalesce(
            Subquery(
                qs.values("course").annotate(n=Count("pk")).values("n"),
                output_field=IntegerField(),
            ),
            Value(0),
        )

    employed = mine.filter(
        Exists(
            EmploymentRecord.objects.filter(
                person=OuterRef("person"), started_on__gte=OuterRef("course__ends_on")
            )
        )
    )
    return (
        shared(Course, user)
        .select_related("site")
        .annotate(
            enrolled=count(mine),
            completed_count=count(mine.filter(completed=True)),
            employed_after=count(employed),
        )
    )


def untrained_sites(user, year: int):
    """安置点 with no course starting in ``year`` (《石城县2022年强化易地扶贫搬迁后续扶持工作的实施方案》
    第11条: 所有安置点年内至少组织开展1次技能培训), each with the start of its latest course
    before the year's end: one query, whatever the number of sites."""
    from anju.orgs.models import Site

    from .models import Course

    access.require(user, "employment", "read")
    at_site = Course.objects.filter(site=OuterRef("pk")).order_by()
    return (
        Site.objects.visible_to(user)
        .select_related("admin_unit")
        .filter(~Exists(at_site.filter(starts_on__year=year)))
        .annotate(
            last_course_on=Subquery(
                at_site.filter(starts_on__year__lt=year)
                .order_by("-starts_on")
                .values("starts_on")[:1]
            )
        )
    )
