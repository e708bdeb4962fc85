"""Every read of the monitoring loop, scoped to the user."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Exists, OuterRef, Sum

from anju.orgs.models import AdminUnit
from anju.orgs.selectors import children as parts_of
from anju.registry import rollups
from anju.registry.models import Household, HouseholdRollup
from anju.registry.summary import roots_for

from . import coverage
from .models import Income, Lead, Visit, VisitCoverage


def visits(user):
    return (
        Visit.objects.visible_to(user)
        .select_related("household", "household__site")
        .prefetch_related("photos")
    )


def unvisited(user, node_path: str, period: str):
    """The households under the node the user sees with no visit in the period: a grid worker's
    list of doors still to knock on this month."""
    done = Visit.objects.filter(household=OuterRef("pk"), period=period)
    return (
        Household.objects.visible_to(user)
        .filter(path__startswith=node_path)
        .select_related("site", "building", "destination")
        .filter(~Exists(done))
        .order_by("path", "number")
    )


def _shares(households: int, visited: int) -> dict:
    return {
        "households": households,
        "visited": visited,
        "missing": max(households - visited, 0),
        "share": round(100 * visited / households, 1) if households else None,
    }


def _figures(user, path: str, period: str) -> dict:
    roots = roots_for(user, path)
    households, _persons = rollups.totals(roots)
    return _shares(households, coverage.visited(roots, period))


def coverage_of(user, node, period: str) -> dict:
    """Households and households visited in the period, for the node and each of its children
    the user sees (grids of a site, sites and towns of a county …), read from the roll-ups:
    the children the user sees whole in two grouped queries, whatever their number; a child
    the user sees only in part (or a grid, which keeps no roll-up row) counted on its own."""
    children = [c for c in parts_of(node) if roots_for(user, c.path)]
    whole = [
        c.path
        for c in children
        if rollups.is_rollup_node(c.path) and roots_for(user, c.path) == [c.path]
    ]
    households = dict(
        HouseholdRollup.objects.filter(node_path__in=whole)
        .values_list("node_path")
        .annotate(n=Sum("households"))
        .order_by()
    )
    visited = dict(
        VisitCoverage.objects.filter(node_path__in=whole, period=period).values_list(
            "node_path", "visited"
        )
    )
    rows = []
    for child in children:
        if child.path in whole:
            figures = _shares(households.get(child.path, 0), visited.get(child.path, 0))
        else:
            figures = _figures(user, child.path, period)
        rows.append({"node": child, **figures})
    return {"node": node, "period": period, **_figures(user, node.path, period), "rows": rows}


def members_on(household, on) -> int:
    """Members of the household on a date: today's members born by then, less those who moved
    in after it, plus those who moved out after it (``registry.PersonMove``). A member deleted
    from the registry (a death recorded by deleting) is no longer counted for earlier dates."""
    from datetime import datetime, time

    from django.utils import timezone

    from anju.registry.models import PersonMove

    end = timezone.make_aware(datetime.combine(on, time.max))
    later = PersonMove.objects.filter(moved_at__gt=end)
    joined_later = set(later.filter(to_household=household).values_list("person_id", flat=True))
    left_later = set(
        later.filter(from_household=household)
        .exclude(person__household=household)
        .values_list("person_id", flat=True)
    )
    present = set(household.members.filter(birth_date__lte=on).values_list("pk", flat=True))
    return len((present - joined_later) | left_later)


def incomes(user):
    return Income.objects.visible_to(user).select_related("household", "household__site")


def income_standing(income) -> dict:
    """Where the household's per-capita income stands against the monitoring line in force for
    its place on the reference date (policy parameters)."""
    from anju.policies.selectors import resolve

    line = resolve("monitoring.income_line", income.household, income.reference_date)
    band = resolve("monitoring.edge_band", income.household, income.reference_date)
    if line.value is None:
        return {"line": None, "label": "未设定监测标准", "risk": False}
    value = Decimal(str(line.value))  # kept as text in JSON: never a float
    if income.net_per_capita < value:
        return {"line": value, "label": "低于监测标准", "risk": True}
    share = Decimal(str(band.value)) if band.value is not None else None
    if share is not None and income.net_per_capita <= value * (100 + share) / 100:
        return {"line": value, "label": f"高于监测标准不足 {share}%（边缘）", "risk": True}
    return {"line": value, "label": "高于监测标准", "risk": False}


def leads(user):
    return (
        Lead.objects.visible_to(user)
        .select_related("household", "household__site")
        .order_by("-created_at", "-id")
    )


# 部门 roles see the warnings their own indicators raised (人社局 the job losses …); 乡村振兴局 and
# the town, site and grid staff who run the loop see every warning of their place.
DEPARTMENT_ROLES = {
    "dept_hrss": ("hrss",),
    "dept_civil": ("civil_affairs",),
    "dept_education": ("education",),
    "dept_health": ("medical_insurance",),
    "dept_housing": ("housing",),
    "dept_land": (),
}


def departments_of(user) -> tuple[str, ...] | None:
    """The departments whose warnings a department's staff see; None for everyone else."""
    role = getattr(user, "role", None)
    if user.is_superuser or role is None:
        return None
    return DEPARTMENT_ROLES.get(role.code)


def may_see_warnings(user) -> bool:
    from anju.accounts import access

    return access.allows(user, "monitoring") or departments_of(user) is not None


def department_menu(user) -> list[tuple[str, str]]:
    """A department's staff without the monitoring module still reach their warnings."""
    from anju.accounts import access

    if departments_of(user) is not None and not access.allows(user, "monitoring"):
        return [
            (
                "监测预警",
                [("监测预警", "/monitoring/warnings/"), ("部门筛查数据", "/monitoring/feeds/")],
            )
        ]
    return []


def require_warnings(user) -> None:
    from anju.accounts import access

    if departments_of(user) is None:
        access.require(user, "monitoring", "read")


def warnings(user):
    from django.db.models import Prefetch, Q

    from .models import Warning, WarningSignal

    rows = (
        Warning.objects.visible_to(user)
        .select_related("household", "household__site")
        .prefetch_related(
            Prefetch(
                "signals",
                queryset=WarningSignal.objects.select_related("person", "lead").order_by(
                    "found_at", "id"
                ),
            ),
            "steps",
            "measures",
        )
    )
    departments = departments_of(user)
    if departments is not None:
        mine = Q(pk__in=[])
        for code in departments:
            mine |= Q(ref__startswith=f"{code}:")
        own = WarningSignal.objects.filter(mine, warning=OuterRef("pk"), rule="department")
        rows = rows.filter(Exists(own))
    return rows.order_by("-opened_on", "path", "id")


def overdue(warning, today=None) -> list[str]:
    """Which deadlines of an open warning have passed: shown red and counted."""
    from django.utils import timezone

    today = today or timezone.localdate()
    late = []
    if warning.status == "open" and warning.door_check_due and warning.door_check_due < today:
        late.append("入户核实")
    if warning.status in ("open", "reviewing") and warning.decision_due < today:
        late.append("认定")
    return late


def feeds(user):
    from .models import Feed

    rows = Feed.objects.visible_to(user)
    departments = departments_of(user)
    if departments is not None:
        rows = rows.filter(department__in=departments)
    return rows.order_by("-created_at", "-id")


def signals(user):
    from .models import Signal

    rows = Signal.objects.visible_to(user).select_related("household", "person")
    departments = departments_of(user)
    if departments is not None:
        rows = rows.filter(department__in=departments)
    return rows


def unit_at(path: str, level: str | None = None):
    """The unit of a level (a household's village, town, county) among a path's ancestors; the
    nearest unit of any level when ``level`` is None."""
    from anju.core.paths import prefixes

    units = AdminUnit.objects.filter(path__in=prefixes(path))
    if level is not None:
        units = units.filter(level=level)
    return units.order_by("-path").first()


def village_of(warning):
    """The village or community of the household (the notice is posted there), else the
    nearest unit above it."""
    return unit_at(warning.path, "village") or unit_at(warning.path)


def policy_households(user):
    """政策享受台账's households: the registry's, with their members and the measures carried out
    for them (a department's staff see the measures of their own warnings only)."""
    from django.db.models import Prefetch

    from anju.accounts import access
    from anju.registry import selectors as registry
    from anju.registry.models import Person

    from .models import Measure

    access.require(user, "monitoring", "read")
    done = Measure.objects.filter(done_on__isnull=False).order_by("done_on", "id")
    seen = warnings(user).prefetch_related(Prefetch("measures", queryset=done, to_attr="done"))
    return registry.with_head_and_size(registry.households(user)).prefetch_related(
        Prefetch("members", queryset=Person.objects.order_by("id"), to_attr="people"),
        Prefetch("warnings", queryset=seen, to_attr="seen_warnings"),
    )
