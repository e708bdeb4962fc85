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
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least, Length
from django.db.models.lookups import StartsWith
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
from .choices import KINDS, POST_TYPES
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
                ("就业补贴资格", reverse("employment:subsidies")),
                ("补贴发放批次", reverse("employment:batches")),
                ("岗位信息数据库", reverse("employment:postings")),
                ("帮扶车间台账", reverse("employment:workshops")),
                ("帮扶车间预警", reverse("employment:workshop-checks")),
                ("公益岗位台账", reverse("employment:public-posts")),
                ("用工单位", reverse("employment:employers")),
                ("培训台账", reverse("employment:courses")),
                ("培训人员清单", reverse("employment:trainees")),
                ("未开展培训的安置点", reverse("employment:untrained-sites")),
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


def retentions(user):
    """岗位稳定性回访, due first."""
    from .models import Retention

    access.require(user, "employment", "read")
    return Retention.objects.visible_to(user).select_related(
        "push", "push__person", "push__posting", "push__posting__employer"
    )


# -- workshops (帮扶车间 / 就业帮扶基地) -----------------------------------------------------------


def workshop_rules(user, on: date | None = None) -> dict:
    """The two workshop parameters in force where the user works: the lifted persons below
    which a site should have a workshop, and the least share of relocated workers (%)."""
    from decimal import Decimal

    on = on or timezone.localdate()
    limit = resolve("employment.workshop_site_lifted_persons", _place(user), on).value
    share = resolve("employment.workshop_local_share", _place(user), on).value
    return {
        "site_limit": int(limit) if limit not in (None, "") else None,
        "share": Decimal(str(share)) if share not in (None, "") else None,
    }


def _workers_in() -> Subquery:
    """Relocated workers on record in a workshop during a quarter: persons with a workshop job
    open on any day between the outer row's ``starts_on`` and ``ends_on``."""
    rows = (
        EmploymentRecord.objects.filter(
            kind="workshop",
            workshop=OuterRef("workshop"),
            started_on__lte=OuterRef("ends_on"),
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=OuterRef("starts_on")))
        .order_by()
        .values("workshop")
        .annotate(n=Count("person", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def workshop_choices(user):
    """The workshops a user may name on a job (forms and the API)."""
    from .models import Workshop

    return shared(Workshop, user).order_by("name", "id")


def workshops(user):
    """帮扶车间台账: the workshops the user sees (shared like employers: their place, below and
    above it), each with its latest quarterly record and the workers on record today."""
    from .models import Workshop, WorkshopQuarter

    access.require(user, "employment", "read")
    today = timezone.localdate()
    latest = WorkshopQuarter.objects.filter(workshop=OuterRef("pk")).order_by("-period")
    working = (
        EmploymentRecord.objects.filter(_open_on(today), kind="workshop", workshop=OuterRef("pk"))
        .order_by()
        .values("workshop")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        shared(Workshop, user)
        .select_related("employer")
        .prefetch_related("sites")
        .annotate(
            last_period=Subquery(latest.values("period")[:1]),
            last_total=Subquery(latest.values("total_workers")[:1]),
            last_relocated=Subquery(latest.values("relocated_workers")[:1]),
            last_wages=Subquery(latest.values("wages_paid")[:1]),
            on_record=Coalesce(Subquery(working, output_field=IntegerField()), Value(0)),
        )
    )


def workshop_quarters(user):
    """Quarterly records of the workshops the user sees, each with the relocated workers on
    record in that quarter (``counted``) and the figure the share is computed from: the
    records where there are any, else the figure the workshop reported."""
    from .models import Workshop, WorkshopQuarter

    access.require(user, "employment", "read")
    return (
        WorkshopQuarter.objects.filter(workshop__in=shared(Workshop, user))
        .select_related("workshop")
        .annotate(counted=_workers_in())
        .annotate(
            relocated=Case(
                When(counted__gt=0, then=F("counted")),
                default=F("relocated_workers"),
                output_field=IntegerField(),
            )
        )
    )


def share_below(user, on: date | None = None):
    """Workshops whose latest quarter's relocated share is below ``employment.workshop_local_share``
    (《关于做好易地扶贫搬迁后续扶持工作巩固拓展脱贫攻坚成果的行动方案》三（二）: 至少 50% 的就业岗位优先用于
    搬迁劳动力). Compared in whole numbers (relocated × 100 < share × total), so exactly the
    share passes. None when no unit has set the share."""
    from django.db.models import DecimalField, ExpressionWrapper

    from .models import WorkshopQuarter

    share = workshop_rules(user, on)["share"]
    if share is None:
        return None
    latest = WorkshopQuarter.objects.filter(workshop=OuterRef("workshop")).order_by("-period")
    return (
        workshop_quarters(user)
        .filter(pk=Subquery(latest.values("pk")[:1]), total_workers__gt=0)
        .alias(
            scaled=F("relocated") * 100,
            needed=ExpressionWrapper(
                Value(share) * F("total_workers"), output_field=DecimalField()
            ),
        )
        .filter(scaled__lt=F("needed"))
        .annotate(share_limit=Value(share, output_field=DecimalField()))
    )


def sites_without_workshop(user, on: date | None = None):
    """Sites with fewer lifted persons than ``employment.workshop_site_lifted_persons`` and no
    open workshop serving them (行动方案三（二）: 脱贫人口 800 人以下的安置点配套建设车间工坊). Lifted
    persons are read from the registry's roll-ups of each site, never counted person by person.
    None when no unit has set the limit."""
    from anju.orgs.models import Site
    from anju.registry.choices import Category
    from anju.registry.models import HouseholdRollup

    from .models import Workshop

    access.require(user, "employment", "read")
    on = on or timezone.localdate()
    limit = workshop_rules(user, on)["site_limit"]
    if limit is None:
        return None
    lifted = (
        HouseholdRollup.objects.filter(node_path=OuterRef("path"), category=Category.LIFTED)
        .order_by()
        .values("node_path")
        .annotate(n=Sum("persons"))
        .values("n")
    )
    served = Workshop.sites.through.objects.filter(site=OuterRef("pk"), workshop__opened_on__lte=on)
    return (
        Site.objects.visible_to(user)
        .select_related("admin_unit")
        .annotate(lifted=Coalesce(Subquery(lifted, output_field=IntegerField()), Value(0)))
        .filter(lifted__gt=0, lifted__lt=limit)
        .filter(~Exists(served))
        .annotate(limit=Value(limit))
    )


def workshops_without_quarter(user, period: str):
    """Workshops open during ``period`` with no monitoring record for it (责任清单第17项)."""
    from . import quarters
    from .models import WorkshopQuarter

    starts_on, ends_on = quarters.bounds(period)
    recorded = WorkshopQuarter.objects.filter(workshop=OuterRef("pk"), period=period)
    return workshops(user).filter(opened_on__lte=ends_on).filter(~Exists(recorded))


# -- public-welfare posts (公益岗位) --------------------------------------------------------------


def public_posts(user, year: int, *, today: date | None = None):
    """公益岗位台账: the holders of public-welfare posts during ``year``, each with the months
    held in that year (calendar months with any day held, up to today) and the pay of those
    months at the recorded monthly pay, computed in the database."""
    from django.db.models import DateField, DecimalField, ExpressionWrapper
    from django.db.models.functions import ExtractMonth, ExtractYear, Greatest

    today = today or timezone.localdate()
    first, last = date(year, 1, 1), min(date(year, 12, 31), today)
    held_from = Greatest(F("started_on"), Value(first), output_field=DateField())
    held_to = Least(Coalesce(F("ended_on"), Value(last)), Value(last), output_field=DateField())

    def months(day):
        return ExtractYear(day) * 12 + ExtractMonth(day)

    return (
        records(user)
        .filter(kind="public_post", started_on__lte=last)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first))
        .annotate(year=Value(year), held_from=held_from, held_to=held_to)
        .annotate(months_held=months(F("held_to")) - months(F("held_from")) + 1)
        .annotate(
            total_paid=ExpressionWrapper(
                F("months_held") * F("monthly_income"),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            )
        )
    )


def public_posts_by_type(rows):
    """Holders, months and pay per post type over a filtered ``public_posts`` list: one grouped
    query, in the seed's order of the types."""
    order = Case(
        *[When(post_type=code, then=Value(i)) for i, (code, _) in enumerate(POST_TYPES)],
        output_field=IntegerField(),
    )
    return (
        rows.order_by()
        .values("post_type")
        .annotate(
            holders=Count("person", distinct=True),
            months=Sum("months_held"),
            paid=Sum("total_paid"),
            position=order,
        )
        .order_by("position")
    )


# -- subsidies (就业补贴) ----------------------------------------------------------------------


def subsidy_findings(user, person, on: date | None = None) -> list:
    """Each cause of the catalogue for one person, condition by condition, with the amount and
    any earlier payment (that stops a second one)."""
    from . import subsidies
    from .models import Enrolment, SubsidyPayment

    access.require(user, "employment", "read")
    on = on or timezone.localdate()
    paid = {
        subsidies.paid_key(p.cause, p.enrolment_id): p
        for p in SubsidyPayment.objects.filter(person=person)
        .exclude(status="withdrawn")
        .select_related("batch")
    }
    enrolments = Enrolment.objects.visible_to(user).filter(person=person).select_related("course")
    return subsidies.for_person(person, records(user).filter(person=person), on, paid, enrolments)


def eligible(user, node, cause, on: date | None = None):
    """The persons of ``node`` who meet ``cause`` on ``on`` and were never listed for it, one
    job each (one course enrolment each for a training cause), in one query."""
    from . import subsidies

    access.require(user, "employment", "read")
    base = subsidies.source_model(cause).objects.visible_to(user)
    base = base.filter(path__startswith=node.path)
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
