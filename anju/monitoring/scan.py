"""The monthly scan (动态监测): every rule over every household of a unit, set-based.

The unit (the whole platform without one) splits into regions: subtrees whose policy parameters
are the same (a province that set its monitoring line, less a county inside it that set its
own). Each region is one transaction: each rule in force is one ``INSERT … SELECT`` over the
region's households into a temporary table of hits (the four income rules share one statement,
the two person rules another). Hits already recorded are removed; the rest open a warning for
each household with none open, and join the open one otherwise (``WarningSignal``, unique per
household, rule and fact), both inserted in household order: the foreign-key checks deferred to
the commit then read the households, persons and warnings in order. So a
re-run finds the same facts and writes nothing, and a run stopped half-way is finished by
running it again: each region either committed or did not.

``scan(period, households=[…])`` runs the same statements for a few households (their
counties' regions): a self-report or a visit's lead becomes a warning at once, not at the
month's scan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Q
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
OPEN = ", ".join(f"'{s}'" for s in Warning.OPEN_STATUSES)


@dataclass
class Region:
    path: str
    name: str
    inner: list[str]  # subtrees inside it that set their own parameters
    params: rules.Params


@dataclass
class Outcome:
    period: str
    chunks: int = 0  # regions scanned
    warnings: int = 0  # opened
    signals: int = 0  # new facts (joined to new or open warnings)
    skipped: list[str] = field(default_factory=list)  # rules not run for want of a threshold


def regions(root: AdminUnit | None, on: date) -> list[Region]:
    """The root (the platform when None) and the units inside it that set a monitoring
    parameter of their own, each less its nearest such units."""
    prefix = root.path if root is not None else ""
    inner_paths = sorted(
        set(
            ParameterValue.objects.filter(
                Q(key__startswith="monitoring.") | Q(key__in=rules.region_keys()),
                path__startswith=prefix,
            )
            .exclude(path=prefix)
            .values_list("path", flat=True)
        )
    )
    units = {u.path: u for u in AdminUnit.objects.filter(path__in=inner_paths)}
    nodes = [root, *(units[p] for p in inner_paths if p in units)]
    out = []
    for node in nodes:
        path = node.path if node is not None else ""
        deeper = [p for p in inner_paths if p != path and p.startswith(path)]
        nearest = [p for p in deeper if not any(p != q and p.startswith(q) for q in deeper)]
        name = node.name if node is not None else "全部"
        out.append(Region(path, name, nearest, rules.params_for(node, on)))
    return out


def _holds_households(region: Region) -> bool:
    """Whether any household lies in the region outside its inner regions (from the roll-ups:
    no scan to find out that a region is empty)."""
    from anju.registry.rollups import totals

    inside = totals([region.path])[0]
    return inside > sum(totals([p])[0] for p in region.inner)


def _region_condition(region: Region) -> tuple[str, dict]:
    params = {"region": region.path + "%"}
    sql = "h.path LIKE %(region)s"
    for i, inner in enumerate(region.inner):
        params[f"inner{i}"] = inner + "%"
        sql += f" AND h.path NOT LIKE %(inner{i})s"
    return sql, params


def _temporary_tables(cur, households: list[int] | None) -> str:
    _drop(cur)
    cur.execute(
        "CREATE TEMPORARY TABLE scan_hits (household_id bigint, rule varchar(30), "
        "fact_key varchar(120), person_id bigint, lead_id bigint, signal_id bigint, "
        "value numeric(14, 2), threshold numeric(14, 2), ref varchar(60), path varchar(255))"
    )
    if households is None:
        return ""
    # A table, not an IN list: a department's file may name thousands of households.
    cur.execute("CREATE TEMPORARY TABLE scan_only (id bigint PRIMARY KEY)")
    cur.executemany("INSERT INTO scan_only (id) VALUES (%s)", [(pk,) for pk in households])
    return "AND t.household_id IN (SELECT id FROM scan_only)"


def _drop(cur) -> None:
    for table in ("scan_hits", "scan_only", "scan_new", "scan_open"):
        cur.execute(f"DROP TABLE IF EXISTS {table}")


def scan_region(
    region: Region, period: str, *, households: list[int] | None = None, outcome: Outcome
) -> None:
    first, last = periods.bounds(period)
    today = timezone.localdate()
    postgres = connection.vendor == "postgresql"
    for label in rules.not_run(region.params):
        where = f"{region.name}" if region.path else ""
        note = f"{label}（{where}未设定标准或比例）"
        if note not in outcome.skipped:
            outcome.skipped.append(note)
    condition, region_params = _region_condition(region)
    with transaction.atomic(), connection.cursor() as cur:
        only = _temporary_tables(cur, households)
        for sql, params in rules.statements(
            region.params, year=first.year, period_end=last, vendor=connection.vendor
        ):
            cur.execute(sql.format(region=condition, households=only), {**params, **region_params})
        if postgres:
            cur.execute("ANALYZE scan_hits")  # temporary tables are never analysed by themselves
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
        # The households with news and no open warning, found before any is inserted: an
        # anti-join against the table being filled would read it again for every row.
        cur.execute(
            "CREATE TEMPORARY TABLE scan_new AS SELECT DISTINCT x.household_id FROM scan_hits x "
            "WHERE NOT EXISTS (SELECT 1 FROM monitoring_warning w "
            f"WHERE w.household_id = x.household_id AND w.status IN ({OPEN}))"
        )
        # A warning for each of them; its deadlines by its region.
        days = region.params.door_check_days
        cur.execute(
            "INSERT INTO monitoring_warning (household_id, status, opened_period, opened_on, "
            "door_check_due, decision_due, path, created_at, updated_at, risk_types) "
            "SELECT h.id, 'open', %(period)s, %(today)s, %(door)s, %(decision)s, h.path, "
            "%(now)s, %(now)s, '[]' FROM registry_household h "
            "JOIN scan_new n ON n.household_id = h.id ORDER BY h.id",
            {
                "period": period,
                "today": today,
                "door": workdays.add(today, days) if days else None,
                "decision": today + timedelta(days=DECISION_DAYS),
                "now": timezone.now(),
            },
        )
        outcome.warnings += cur.rowcount
        # Every new fact joins its household's open warning (one per household).
        cur.execute(
            "CREATE TEMPORARY TABLE scan_open AS SELECT w.household_id, w.id AS warning_id "
            "FROM monitoring_warning w "
            f"WHERE w.status IN ({OPEN}) AND w.household_id IN (SELECT household_id FROM scan_hits)"
        )
        if postgres:
            cur.execute("ANALYZE scan_open")
        # DISTINCT: a fact is hit once per rule, but two rows could repeat it.
        cur.execute(
            "INSERT INTO monitoring_warningsignal (warning_id, household_id, rule, fact_key, "
            "period, person_id, lead_id, signal_id, value, threshold, ref, path, found_at) "
            "SELECT o.warning_id, x.household_id, x.rule, x.fact_key, %(period)s, "
            "x.person_id, x.lead_id, x.signal_id, x.value, x.threshold, x.ref, x.path, %(now)s "
            "FROM (SELECT DISTINCT * FROM scan_hits) x "
            "JOIN scan_open o ON o.household_id = x.household_id "
            # WHERE: SQLite reads an upsert's SELECT … FROM without one as a join's ON.
            "WHERE 1 = 1 ORDER BY x.household_id, x.rule, x.fact_key, x.signal_id "
            "ON CONFLICT (household_id, rule, fact_key) DO NOTHING",
            {"period": period, "now": timezone.now()},
        )
        outcome.signals += cur.rowcount
        _drop(cur)


def scan(
    period: str,
    unit: AdminUnit | None = None,
    *,
    households: list[int] | None = None,
    say=None,
) -> Outcome:
    """Scan every region under ``unit`` (the whole platform without one) for the month, one
    transaction per region; or only the given households."""
    period = periods.parse(period, "period")
    first, _last = periods.bounds(period)
    outcome = Outcome(period)
    if households is not None:
        households = sorted(set(households))
        if not households:
            return outcome
        ids = Household.objects.filter(pk__in=households).values("county_id")
        roots = list(AdminUnit.objects.filter(pk__in=ids).order_by("path"))
    else:
        roots = [unit]
        if connection.vendor == "postgresql":
            # The scan's anti-joins read these two tables; statistics from when they were small
            # would have the planner read them once per row.
            with connection.cursor() as cur:
                cur.execute("ANALYZE monitoring_warning")
                cur.execute("ANALYZE monitoring_warningsignal")
    for root in roots:
        for region in regions(root, first):
            if households is None and not _holds_households(region):
                continue  # the platform, say, when every province set its own parameters
            before = (outcome.warnings, outcome.signals)
            scan_region(region, period, households=households, outcome=outcome)
            outcome.chunks += 1
            if say is not None:
                say(
                    f"{region.name}：新预警 {outcome.warnings - before[0]} 户，"
                    f"新信号 {outcome.signals - before[1]} 条"
                )
    return outcome
