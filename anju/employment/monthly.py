"""Monthly employment figures per place (``EmploymentMonth``): households with labour, those
below the household rule, 零就业家庭, labour, employed persons and jobs by kind.

Why a table and not a count per request: a county leader's page and the trend month by month
would otherwise count every person of the county (a province: two million) on each view. The
figures are computed set-based, county by county (each county under its own labour ages and
household rule, which the policy parameters may set differently), in one transaction per
county, so a run that stops half-way is simply run again: each county's rows for the month are
replaced whole. The nightly task refreshes the month under way; a closed month keeps the figures
it had at its end unless someone recomputes it (``anju employment rollup --period``).

Persons are counted as the registry holds them now; jobs as they stood on the month's last day
(today for the month under way).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from anju.core import periods
from anju.policies.selectors import resolve
from anju.registry.choices import WITH_LABOUR
from anju.registry.models import Household
from anju.registry.quality import born_between

from .models import EmploymentMonth

FIGURES = ["households", "below_rule", "zero", "labour", "employed"]
LABOUR = sorted(WITH_LABOUR)


def _as_of(period: str, today: date | None = None) -> date:
    today = today or timezone.localdate()
    return min(periods.bounds(period)[1], today)


def _needed_sql(rule) -> str:
    """The household rule as a CASE over the household's size (``members``); no rule: one."""
    if not rule:
        return "1"
    whens = " ".join(
        f"WHEN x.members <= {int(upper)} THEN {int(float(n))}" for upper, n in rule if upper
    )
    last = int(float(rule[-1][1]))
    return f"CASE {whens} ELSE {last} END" if whens else str(last)


def _county_rows(county, on: date) -> tuple[list[tuple], list[tuple]]:
    """(figures per household path, open jobs per path and kind) for one county on a date."""
    ages = (
        resolve("employment.labour_age_min", county, on).value,
        resolve("employment.labour_age_max", county, on).value,
    )
    rule = resolve("employment.min_employed_per_household", county, on).value
    labour = "p.labour_skill IN (" + ", ".join(["%s"] * len(LABOUR)) + ")"
    params: list = list(LABOUR)
    if None not in ages:
        after, by = born_between((int(ages[0]), int(ages[1])), on)
        labour += " AND p.birth_date > %s AND p.birth_date <= %s"
        params += [after, by]
    open_job = (
        "EXISTS (SELECT 1 FROM employment_employmentrecord e WHERE e.person_id = p.id "
        "AND e.started_on <= %s AND (e.ended_on IS NULL OR e.ended_on > %s))"
    )
    needed = _needed_sql(rule)
    below = f"x.employed < (CASE WHEN ({needed}) < x.labour THEN ({needed}) ELSE x.labour END)"
    figures_sql = (
        "SELECT x.path, "
        "SUM(CASE WHEN x.labour > 0 THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN x.labour > 0 AND {below} THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN x.labour > 0 AND x.employed = 0 THEN 1 ELSE 0 END), "
        "SUM(x.labour), SUM(x.employed) "
        "FROM (SELECT p.path AS path, p.household_id, COUNT(*) AS members, "
        f"SUM(CASE WHEN {labour} THEN 1 ELSE 0 END) AS labour, "
        f"SUM(CASE WHEN {open_job} THEN 1 ELSE 0 END) AS employed "
        "FROM registry_person p WHERE p.path LIKE %s "
        "GROUP BY p.path, p.household_id) x GROUP BY x.path"
    )
    kinds_sql = (
        "SELECT p.path, p.category, e.kind, COUNT(*) FROM employment_employmentrecord e "
        "JOIN registry_person p ON p.id = e.person_id WHERE p.path LIKE %s "
        "AND e.started_on <= %s AND (e.ended_on IS NULL OR e.ended_on > %s) "
        "GROUP BY p.path, p.category, e.kind"
    )
    with connection.cursor() as cursor:
        cursor.execute(figures_sql, [*params, on, on, county.path + "%"])
        figures = cursor.fetchall()
        cursor.execute(kinds_sql, [county.path + "%", on, on])
        kinds = cursor.fetchall()
    return figures, kinds


@dataclass
class Outcome:
    period: str
    counties: int = 0
    rows: int = 0
    notes: list[str] = field(default_factory=list)


def compute(period: str, *, county=None, today: date | None = None) -> Outcome:
    """Recompute the month's rows, for every county with households or for one."""
    from anju.orgs.models import AdminUnit

    on = _as_of(period, today)
    outcome = Outcome(period)
    if county is not None:
        counties = [county]
    else:
        ids = Household.objects.order_by().values_list("county_id", flat=True).distinct()
        counties = list(AdminUnit.objects.filter(pk__in=ids).order_by("path"))
    for unit in counties:
        figures, kinds = _county_rows(unit, on)
        by_kind: dict[str, dict] = defaultdict(lambda: defaultdict(dict))
        for path, category, kind, n in kinds:
            by_kind[path][category][kind] = n
        now = timezone.now()
        rows = [
            EmploymentMonth(
                period=period,
                path=path,
                **dict(zip(FIGURES, (int(v or 0) for v in values), strict=True)),
                by_kind=by_kind.pop(path, {}),
                computed_at=now,
            )
            for path, *values in figures
        ]
        # Jobs of persons at a path with no household figures cannot happen (a job's person is a
        # member of a household at that path), so every kind found has its row above.
        with transaction.atomic():
            EmploymentMonth.objects.filter(period=period, path__startswith=unit.path).delete()
            EmploymentMonth.objects.bulk_create(rows, batch_size=2000)
        outcome.counties += 1
        outcome.rows += len(rows)
    return outcome


# -- reading ----------------------------------------------------------------------------------


def _sums(rows) -> dict:
    return rows.aggregate(**{name: Sum(name) for name in FIGURES})


def _clean(values: dict) -> dict:
    return {name: values.get(name) or 0 for name in FIGURES}


def totals(user, node_path: str, period: str) -> dict:
    """The figures of a node for a month, from the rows the user may see under it."""
    rows = EmploymentMonth.objects.visible_to(user).filter(
        period=period, path__startswith=node_path
    )
    figures = _clean(_sums(rows))
    kinds: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    for by_kind in rows.values_list("by_kind", flat=True):
        for category, counts in by_kind.items():
            for kind, n in counts.items():
                kinds[category][kind] += n
    figures["by_kind"] = {c: dict(counts) for c, counts in kinds.items()}
    figures["computed"] = rows.exists()
    return figures


def by_part(user, parts: list, period: str) -> list[dict]:
    """One row per part of a node (the towns and sites of a county …), in one query."""
    rows = EmploymentMonth.objects.visible_to(user).filter(period=period)
    sums = {}
    for i, part in enumerate(parts):
        within = Q(path__startswith=part.path)
        sums.update({f"p{i}_{name}": Sum(name, filter=within) for name in FIGURES})
    values = rows.aggregate(**sums) if sums else {}
    return [
        {"node": part, **{name: values.get(f"p{i}_{name}") or 0 for name in FIGURES}}
        for i, part in enumerate(parts)
    ]


def trend(user, node_path: str, months: list[str]) -> list[dict]:
    """The node's figures month by month (months never computed are absent)."""
    found = {
        row["period"]: row
        for row in EmploymentMonth.objects.visible_to(user)
        .filter(period__in=months, path__startswith=node_path)
        .values("period")
        .annotate(**{name: Sum(name) for name in FIGURES})
        .order_by()
    }
    return [{"period": m, **_clean(found[m])} for m in months if m in found]


def last_months(period: str, count: int) -> list[str]:
    year, month = (int(p) for p in period.split("-"))
    out = []
    for _ in range(count):
        out.append(f"{year}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out[::-1]
