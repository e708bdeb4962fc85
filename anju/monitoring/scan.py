"""The monthly scan (动态监测): every rule over every household of a unit, set-based.

For each county (a chunk, one transaction) and each region inside it (a subtree whose policy
parameters are the same: the county, less the towns that set their own), each rule in force is
one ``INSERT … SELECT`` into a temporary table of hits. Hits already recorded are removed; the
rest open a warning for each household with none open, and join the open one otherwise
(``WarningSignal``, unique per household, rule and fact). So a re-run finds the same facts and
writes nothing, and a run stopped half-way is finished by running it again: each county either
committed or did not.

``scan(period, households=[…])`` runs the same statements for a few households: a self-report
or a visit's lead becomes a warning at once, not at the month's scan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from anju.core import periods
from anju.orgs.models import AdminUnit
from anju.policies import workdays
from anju.policies.models import ParameterValue
from anju.registry.models import Household

from . import rules
from .models import Warning

# 发现线索后 15 天内完成认定 (the national procedure).
DECISION_DAYS = 15


@dataclass
class Region:
    path: str
    inner: list[str]  # subtrees inside it that set their own parameters
    params: rules.Params


@dataclass
class Outcome:
    period: str
    chunks: int = 0
    warnings: int = 0  # opened
    signals: int = 0  # new facts (joined to new or open warnings)
    skipped: list[str] = field(default_factory=list)  # rules not run for want of a threshold


def _chunks(unit: AdminUnit | None, households: list[int] | None) -> list[AdminUnit]:
    """The counties to scan (a unit below a county is scanned on its own)."""
    if households is not None:
        ids = Household.objects.filter(pk__in=households).values("county_id")
        return list(AdminUnit.objects.filter(pk__in=ids).order_by("path"))
    if unit is not None and unit.level in ("county", "town", "village"):
        return [unit]
    # Only counties with households: the divisions table holds every county of the country.
    counties = AdminUnit.objects.filter(level="county").filter(
        Exists(Household.objects.filter(county=OuterRef("pk")))
    )
    if unit is not None:
        counties = counties.filter(path__startswith=unit.path)
    return list(counties.order_by("path"))


def regions(chunk: AdminUnit, on: date) -> list[Region]:
    """The chunk and the units inside it that set a monitoring parameter of their own."""
    inner_paths = sorted(
        set(
            ParameterValue.objects.filter(
                key__startswith="monitoring.", path__startswith=chunk.path
            )
            .exclude(path=chunk.path)
            .values_list("path", flat=True)
        )
    )
    units = {u.path: u for u in AdminUnit.objects.filter(path__in=inner_paths)}
    nodes = [chunk, *(units[p] for p in inner_paths if p in units)]
    out = []
    for node in nodes:
        deeper = [p for p in inner_paths if p != node.path and p.startswith(node.path)]
        # Only the nearest ones: a region excludes its children regions, which exclude theirs.
        nearest = [p for p in deeper if not any(p != q and p.startswith(q) for q in deeper)]
        out.append(Region(node.path, nearest, rules.params_for(node, on)))
    return out


def _region_condition(alias: str, region: Region) -> tuple[str, dict]:
    params = {"region": region.path + "%"}
    sql = f"{alias}.path LIKE %(region)s"
    for i, inner in enumerate(region.inner):
        params[f"inner{i}"] = inner + "%"
        sql += f" AND {alias}.path NOT LIKE %(inner{i})s"
    return sql, params


def _create_hits(cur) -> None:
    cur.execute("DROP TABLE IF EXISTS scan_hits")
    cur.execute(
        "CREATE TEMPORARY TABLE scan_hits (household_id bigint, rule varchar(30), "
        "fact_key varchar(120), person_id bigint, lead_id bigint, signal_id bigint, "
        "value numeric(14, 2), threshold numeric(14, 2), ref varchar(60), path varchar(255))"
    )


def scan_chunk(
    chunk: AdminUnit, period: str, *, households: list[int] | None = None, outcome: Outcome
) -> None:
    first, last = periods.bounds(period)
    today = timezone.localdate()
    vendor = connection.vendor
    with transaction.atomic(), connection.cursor() as cur:
        _create_hits(cur)
        hh_sql = ""
        if households is not None:
            # A table, not an IN list: a department's file may name thousands of households.
            cur.execute("DROP TABLE IF EXISTS scan_only")
            cur.execute("CREATE TEMPORARY TABLE scan_only (id bigint PRIMARY KEY)")
            cur.executemany("INSERT INTO scan_only (id) VALUES (%s)", [(pk,) for pk in households])
            hh_sql = "AND t.household_id IN (SELECT id FROM scan_only)"
        chunk_regions = regions(chunk, first)
        for region in chunk_regions:
            for label in rules.not_run(region.params):
                note = f"{label}（未设定标准或比例）"
                if note not in outcome.skipped:
                    outcome.skipped.append(note)
            for sql, params, alias in rules.statements(
                region.params, year=first.year, period_end=last, vendor=vendor
            ):
                condition, region_params = _region_condition(alias, region)
                cur.execute(
                    sql.format(region=condition, households=hh_sql),
                    {**params, **region_params},
                )
        # Facts already recorded are not news.
        cur.execute(
            "DELETE FROM scan_hits WHERE EXISTS (SELECT 1 FROM monitoring_warningsignal s "
            "WHERE s.household_id = scan_hits.household_id AND s.rule = scan_hits.rule "
            "AND s.fact_key = scan_hits.fact_key)"
        )
        cur.execute("SELECT COUNT(*) FROM scan_hits")
        if not cur.fetchone()[0]:
            _drop(cur)
            return
        open_statuses = ", ".join(f"'{s}'" for s in Warning.OPEN_STATUSES)
        # A warning for each household with news and none open; its deadlines by its region.
        for region in chunk_regions:
            condition, region_params = _region_condition("h", region)
            days = region.params.door_check_days
            cur.execute(
                "INSERT INTO monitoring_warning (household_id, status, opened_period, opened_on, "
                "door_check_due, decision_due, path, created_at, updated_at, risk_types) "
                "SELECT h.id, 'open', %(period)s, %(today)s, %(door)s, %(decision)s, h.path, "
                "%(now)s, %(now)s, '[]' FROM registry_household h "
                f"WHERE h.id IN (SELECT household_id FROM scan_hits) AND {condition} "
                "AND NOT EXISTS (SELECT 1 FROM monitoring_warning w "
                f"WHERE w.household_id = h.id AND w.status IN ({open_statuses}))",
                {
                    "period": period,
                    "today": today,
                    "door": workdays.add(today, days) if days else None,
                    "decision": today + timedelta(days=DECISION_DAYS),
                    "now": timezone.now(),
                    **region_params,
                },
            )
            outcome.warnings += cur.rowcount
        # Every new fact joins the household's open warning. DISTINCT: two regions never
        # overlap, but a fact could be hit twice by rules sharing a key.
        cur.execute(
            "INSERT INTO monitoring_warningsignal (warning_id, household_id, rule, fact_key, "
            "period, person_id, lead_id, signal_id, value, threshold, ref, path, found_at) "
            "SELECT w.id, x.household_id, x.rule, x.fact_key, %(period)s, x.person_id, "
            "x.lead_id, x.signal_id, x.value, x.threshold, x.ref, w.path, %(now)s "
            "FROM (SELECT DISTINCT * FROM scan_hits) x JOIN monitoring_warning w "
            f"ON w.household_id = x.household_id AND w.status IN ({open_statuses}) "
            "ON CONFLICT (household_id, rule, fact_key) DO NOTHING",
            {"period": period, "now": timezone.now()},
        )
        outcome.signals += cur.rowcount
        _drop(cur)


def _drop(cur) -> None:
    cur.execute("DROP TABLE IF EXISTS scan_hits")
    cur.execute("DROP TABLE IF EXISTS scan_only")


def scan(
    period: str,
    unit: AdminUnit | None = None,
    *,
    households: list[int] | None = None,
    say=None,
) -> Outcome:
    """Scan every county under ``unit`` (all of them without one) for the month, one
    transaction per county; or only the given households."""
    period = periods.parse(period, "period")
    outcome = Outcome(period)
    if households is not None and not households:
        return outcome
    households = sorted(set(households)) if households is not None else None
    for chunk in _chunks(unit, households):
        before = (outcome.warnings, outcome.signals)
        scan_chunk(chunk, period, households=households, outcome=outcome)
        outcome.chunks += 1
        if say is not None:
            say(
                f"{chunk.name}：新预警 {outcome.warnings - before[0]} 户，"
                f"新信号 {outcome.signals - before[1]} 条"
            )
    return outcome
