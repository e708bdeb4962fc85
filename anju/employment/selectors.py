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
from anju.registry.choices import WITH_LABOUR
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
        "kinds": [(names.get(k, k), n) for k, n in sorted(figures["by_kind"].items())],
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
                ("就业记录", reverse("employment:records")),
                ("就业补贴资格", reverse("employment:subsidies")),
                ("补贴发放批次", reverse("employment:batches")),
                ("岗位信息数据库", reverse("employment:postings")),
                ("用工单位", reverse("employment:employers")),
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


# -- subsidies (就业补贴) ----------------------------------------------------------------------


def subsidy_findings(user, person, on: date | None = None) -> list:
    """Each cause of the catalogue for one person, condition by condition, with the amount and
    any earlier payment (that stops a second one)."""
    from . import subsidies
    from .models import SubsidyPayment

    access.require(user, "employment", "read")
    on = on or timezone.localdate()
    paid = {
        p.cause: p
        for p in SubsidyPayment.objects.filter(person=person)
        .exclude(status="withdrawn")
        .select_related("batch")
    }
    return subsidies.for_person(person, records(user).filter(person=person), on, paid)


def eligible(user, node, cause, on: date | None = None):
    """The persons of ``node`` who meet ``cause`` on ``on`` and were never listed for it, one
    job each, in one query."""
    from . import subsidies

    access.require(user, "employment", "read")
    base = EmploymentRecord.objects.visible_to(user).filter(path__startswith=node.path)
    return subsidies.eligible_records(base, cause, on or timezone.localdate())


def batches(user):
    from django.db.models import DecimalField, Sum

    from .models import PaymentBatch

    access.require(user, "employment", "read")
    live = ~Q(payments__status="withdrawn")
    return (
        PaymentBatch.objects.visible_to(user)
        .select_related("unit")
        .annotate(
            persons=Count("payments", filter=live),
            total=Coalesce(
                Sum("payments__amount", filter=live),
                Value(0),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            ),
        )
    )


def payments(user, batch):
    """A batch's payment list, the withdrawn rows last."""
    from .models import SubsidyPayment

    access.require(user, "employment", "read")
    return (
        SubsidyPayment.objects.visible_to(user)
        .filter(batch=batch)
        .select_related("person", "household", "household__site", "batch")
        .order_by(Case(When(status="withdrawn", then=Value(1)), default=Value(0)), "path", "id")
    )
