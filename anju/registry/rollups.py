"""Roll-ups: the population figures of every unit and site, kept exact without re-reading persons.

Why this design and not a nightly rebuild (as DHIS2's analytics tables are): a county edits its
registry all day and checks the summary right after, so the figures must be exact at once. Three
tables hold marginal counts per organisation node (``RollupNode`` says which nodes a household
path counts towards: the whole platform ``""``, every administrative unit above it and its site):

- ``HouseholdRollup``: households and members × category × safety net × anyone able to work;
- ``AgeRollup``: persons × category × birth month;
- ``SkillRollup``: persons × category × education × schooling × labour skill.

A summary of any node reads only that node's rows (a few thousand at most, whatever the size of
the subtree). Age bands for any date and any band scheme are sums over birth months plus, for each
band boundary, the persons born in the boundary month up to the boundary day, read from
``Person`` through the ``(birth_date, path)`` index: a few thousand persons nationally.

Every write keeps them exact in its own transaction: the writer takes a snapshot of the grouped
figures of the households it touches before writing and again after, and the difference is added
in one sorted upsert per table (``Tracking``). Sorting keeps the row locks in one order, and rows
whose figures did not change are not touched at all, so concurrent writers seldom wait for each
other. ``rebuild`` recomputes everything (or one unit's subtree) set-based from the registry.
"""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.db.models import Sum

from . import choices
from .models import AgeRollup, HouseholdRollup, RollupNode, SkillRollup

ROOT = ""
LABOUR = sorted(choices.WITH_LABOUR)


def is_rollup_node(path: str) -> bool:
    """Units and sites keep roll-ups; grids and buildings are counted from the registry."""
    if path == ROOT:
        return True
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return last[:1] in ("u", "s")


def rollup_nodes(path: str) -> list[str]:
    """The nodes a household with this path counts towards: ``u1/u7/s3/g2/`` →
    ``["", "u1/", "u1/u7/", "u1/u7/s3/"]``."""
    nodes = [ROOT]
    prefix = ""
    for part in (p for p in path.split("/") if p):
        if part[0] not in ("u", "s"):
            break
        prefix += part + "/"
        nodes.append(prefix)
    return nodes


# The grouped queries ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    model: type
    dims: tuple[str, ...]
    values: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.model._meta.db_table


HOUSEHOLDS = Table(
    HouseholdRollup, ("category", "safety_net", "has_labour"), ("households", "persons")
)
AGES = Table(AgeRollup, ("category", "birth_month"), ("persons",))
SKILLS = Table(SkillRollup, ("category", "education", "schooling", "labour_skill"), ("persons",))
TABLES = (HOUSEHOLDS, AGES, SKILLS)


def _month_expr() -> str:
    if connection.vendor == "postgresql":
        return "CAST(date_trunc('month', p.birth_date) AS date)"
    return "date(p.birth_date, 'start of month')"


def _grouped_sql(table: Table, where: str, *, by_node: bool, nodes: str = "") -> tuple[str, int]:
    """SELECT [node_path,] dims, values grouped, over the households matching ``where`` (a
    predicate on ``h``, the household), for the roll-up nodes ``n`` matching ``nodes``. Returns
    the SQL and how many times ``where`` occurs (its parameters are repeated that often, after
    those of ``nodes``)."""
    node_col = "n.node_path, " if by_node else ""
    node_join = "JOIN registry_rollupnode n ON n.path = h.path " if by_node else ""
    node_join += f"AND {nodes} " if nodes else ""
    node_group = "n.node_path, " if by_node else ""
    labour = ", ".join(f"'{skill}'" for skill in LABOUR)
    if table is HOUSEHOLDS:
        has_labour = "COALESCE(m.labour, 0) > 0"
        return (
            f"SELECT {node_col}h.category, h.safety_net, {has_labour}, COUNT(*), "
            "COALESCE(SUM(m.members), 0) FROM registry_household h "
            f"{node_join}"
            "LEFT JOIN (SELECT p.household_id, COUNT(*) AS members, "
            f"SUM(CASE WHEN p.labour_skill IN ({labour}) THEN 1 ELSE 0 END) AS labour "
            "FROM registry_person p JOIN registry_household h ON h.id = p.household_id "
            f"WHERE {where} GROUP BY p.household_id) m ON m.household_id = h.id "
            f"WHERE {where} GROUP BY {node_group}h.category, h.safety_net, {has_labour}",
            2,
        )
    if table is AGES:
        month = _month_expr()
        return (
            f"SELECT {node_col}h.category, {month}, COUNT(*) FROM registry_person p "
            f"JOIN registry_household h ON h.id = p.household_id {node_join}"
            f"WHERE {where} GROUP BY {node_group}h.category, {month}",
            1,
        )
    return (
        f"SELECT {node_col}h.category, p.education, p.schooling, p.labour_skill, COUNT(*) "
        f"FROM registry_person p JOIN registry_household h ON h.id = p.household_id {node_join}"
        f"WHERE {where} GROUP BY {node_group}h.category, p.education, p.schooling, p.labour_skill",
        1,
    )


def _fetch(table: Table, where: str, params: list, *, by_node: bool) -> list[tuple]:
    sql, times = _grouped_sql(table, where, by_node=by_node)
    with connection.cursor() as cur:
        cur.execute(sql, params * times)
        return cur.fetchall()


def _normalise(table: Table, row: tuple) -> tuple:
    """One key form on both databases (SQLite returns months as text and booleans as 0/1)."""
    row = list(row)
    if table is AGES and isinstance(row[-2], str):
        row[-2] = date.fromisoformat(row[-2])
    if table is HOUSEHOLDS:
        row[-3] = bool(row[-3])
    return tuple(row)


def ensure_nodes(where: str, params: list) -> None:
    """Make sure every household path matching ``where`` has its ``RollupNode`` rows."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT DISTINCT h.path FROM registry_household h WHERE "
            f"({where}) AND NOT EXISTS (SELECT 1 FROM registry_rollupnode n WHERE n.path = h.path)",
            params,
        )
        missing = [row[0] for row in cur.fetchall()]
    if missing:
        RollupNode.objects.bulk_create(
            [
                RollupNode(path=path, node_path=node)
                for path in missing
                for node in rollup_nodes(path)
            ],
            ignore_conflicts=True,
            batch_size=5000,
        )


# Keeping them exact -----------------------------------------------------------------------------

Snapshot = dict


def snapshot(where: str, params: list) -> Snapshot:
    """The grouped figures, per roll-up node, of the households matching ``where``."""
    ensure_nodes(where, params)
    out: Snapshot = {}
    for table in TABLES:
        counter: Counter = Counter()
        n_values = len(table.values)
        for row in _fetch(table, where, params, by_node=True):
            row = _normalise(table, row)
            key, values = row[:-n_values], row[-n_values:]
            for index, value in enumerate(values):
                counter[(*key, index)] += value
        out[table.name] = counter
    return out


def add_difference(before: Snapshot, after: Snapshot) -> None:
    """Add ``after − before`` to the roll-ups: one sorted upsert per table, changed rows only."""
    for table in TABLES:
        delta = Counter(after.get(table.name, {}))
        delta.subtract(before.get(table.name, {}))
        rows: dict[tuple, list[int]] = {}
        for (*key, index), value in delta.items():
            if value:
                rows.setdefault(tuple(key), [0] * len(table.values))[index] = value
        if rows:
            _upsert(table, sorted(rows.items(), key=lambda kv: tuple(map(str, kv[0]))))


def _upsert(table: Table, rows: list[tuple[tuple, list[int]]]) -> None:
    columns = ("node_path", *table.dims, *table.values)
    keys = ", ".join(("node_path", *table.dims))
    updates = ", ".join(f"{v} = {table.name}.{v} + excluded.{v}" for v in table.values)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks}) "
            f"ON CONFLICT ({keys}) DO UPDATE SET {updates}",
            [(*key, *values) for key, values in rows],
        )


def households_where(ids) -> tuple[str, list]:
    ids = sorted({int(i) for i in ids if i is not None})
    if not ids:
        return "1 = 0", []
    return f"h.id IN ({', '.join(['%s'] * len(ids))})", ids


def prefix_where(prefix: str) -> tuple[str, list]:
    return "h.path LIKE %s", [prefix + "%"]


class Tracking:
    """Keep the roll-ups exact across a write: snapshot before, snapshot after, add the difference.

    ``with Tracking(*households_where(ids)):`` for a fixed set of households; a writer whose set
    grows during the write (an import creating households) passes the final set to ``finish``."""

    def __init__(self, where: str, params: list):
        self.where, self.params = where, list(params)
        self.before: Snapshot | None = None

    def __enter__(self) -> Tracking:
        self.start()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.finish()

    def start(self) -> None:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("roll-ups are kept inside the writer's transaction")
        self.before = snapshot(self.where, self.params)

    def finish(self, where: str | None = None, params: list | None = None) -> None:
        after = snapshot(where or self.where, self.params if params is None else params)
        add_difference(self.before or {}, after)


def track_households(ids) -> Tracking:
    return Tracking(*households_where(ids))


def moving(old: str, new: str) -> Tracking:
    """A node moves: what counted under its old path now counts under the new one. Both paths
    are snapshotted before and after, so the difference is exact whatever already lay under the
    new path."""
    return Tracking("(h.path LIKE %s OR h.path LIKE %s)", [old + "%", new + "%"])


# Rebuilding --------------------------------------------------------------------------------------


@transaction.atomic
def rebuild(unit_path: str | None = None) -> dict[str, int]:
    """Recompute the roll-ups from the registry, set-based.

    With ``unit_path`` only that subtree's nodes are recomputed, and the nodes above it are
    corrected by the difference between the subtree's old and new totals."""
    if not unit_path:
        for table in (*TABLES, RollupNode):
            table_name = table.name if isinstance(table, Table) else table._meta.db_table
            with connection.cursor() as cur:
                cur.execute(f"DELETE FROM {table_name}")
        where, params = "1 = 1", []
    else:
        where, params = prefix_where(unit_path)
    ensure_nodes(where, params)
    old_top = _node_rows(unit_path) if unit_path else None
    counts = {}
    for table in TABLES:
        nodes, node_params = "", []
        if unit_path:
            with connection.cursor() as cur:
                cur.execute(f"DELETE FROM {table.name} WHERE node_path LIKE %s", [unit_path + "%"])
            nodes, node_params = "n.node_path LIKE %s", [unit_path + "%"]
        sql, times = _grouped_sql(table, where, by_node=True, nodes=nodes)
        columns = ", ".join(("node_path", *table.dims, *table.values))
        with connection.cursor() as cur:
            cur.execute(f"INSERT INTO {table.name} ({columns}) {sql}", node_params + params * times)
            counts[table.name] = cur.rowcount
    if unit_path:
        new_top = _node_rows(unit_path)
        above = [n for n in rollup_nodes(unit_path) if n != unit_path]
        for table in TABLES:
            before = _reroot(old_top[table.name], above)
            after = _reroot(new_top[table.name], above)
            add_difference({table.name: before}, {table.name: after})
    return counts


def _node_rows(node_path: str) -> Snapshot:
    out: Snapshot = {}
    for table in TABLES:
        counter: Counter = Counter()
        for row in table.model.objects.filter(node_path=node_path).values_list(
            *table.dims, *table.values
        ):
            n = len(table.values)
            for index, value in enumerate(row[-n:]):
                counter[(*row[:-n], index)] += value
        out[table.name] = counter
    return out


def _reroot(counter: Counter, nodes: list[str]) -> Counter:
    out: Counter = Counter()
    for key, value in counter.items():
        for node in nodes:
            out[(node, *key)] += value
    return out


# Reading -----------------------------------------------------------------------------------------


@dataclass
class Figures:
    """The grouped figures of some set of nodes, whichever way they were counted."""

    households: list[tuple]  # (category, safety_net, has_labour, households, persons)
    ages: list[tuple]  # (category, birth_month, persons)
    skills: list[tuple]  # (category, education, schooling, labour_skill, persons)
    roots: list[str]


def _roots_where(roots: list[str], column: str) -> tuple[str, list]:
    if ROOT in roots:
        return "1 = 1", []
    return "(" + " OR ".join(f"{column} LIKE %s" for _ in roots) + ")", [r + "%" for r in roots]


def figures(roots: list[str], *, category: str = "") -> Figures:
    """Figures of the union of the subtrees at ``roots`` (which must not overlap): roll-up rows
    for units and sites, grouped counts from the registry for grids and buildings."""
    stored = [r for r in roots if is_rollup_node(r)]
    counted = [r for r in roots if not is_rollup_node(r)]
    out = Figures([], [], [], roots)
    for table, bucket in ((HOUSEHOLDS, out.households), (AGES, out.ages), (SKILLS, out.skills)):
        if stored:
            qs = table.model.objects.filter(node_path__in=stored)
            if category:
                qs = qs.filter(category=category)
            bucket.extend(
                _normalise(table, row) for row in qs.values_list(*table.dims, *table.values)
            )
        if counted:
            where, params = _roots_where(counted, "h.path")
            if category:
                where, params = f"{where} AND h.category = %s", [*params, category]
            bucket.extend(
                _normalise(table, row) for row in _fetch(table, where, params, by_node=False)
            )
    return out


def totals(roots: list[str], *, category: str = "", safety_net: str | None = None):
    """(households, persons) of the union of the subtrees at ``roots`` (which must not overlap),
    optionally of one category or safety net: the length of a ledger list without counting it."""
    stored = [r for r in roots if is_rollup_node(r)]
    counted = [r for r in roots if not is_rollup_node(r)]
    households = persons = 0
    if stored:
        qs = HouseholdRollup.objects.filter(node_path__in=stored)
        if category:
            qs = qs.filter(category=category)
        if safety_net is not None:
            qs = qs.filter(safety_net=safety_net)
        sums = qs.aggregate(h=Sum("households"), p=Sum("persons"))
        households, persons = sums["h"] or 0, sums["p"] or 0
    if counted:
        where, params = _roots_where(counted, "h.path")
        for row in _fetch(HOUSEHOLDS, where, params, by_node=False):
            row_category, row_safety_net, _labour, h, p = _normalise(HOUSEHOLDS, row)
            if (not category or row_category == category) and (
                safety_net is None or row_safety_net == safety_net
            ):
                households, persons = households + h, persons + p
    return households, persons


def raw_figures(roots: list[str], *, category: str = "") -> Figures:
    """The same figures by the naive way, grouping every person under ``roots`` (the baseline the
    benchmark compares with, and what tests check the roll-ups against)."""
    where, params = _roots_where(roots, "h.path")
    if category:
        where, params = f"{where} AND h.category = %s", [*params, category]
    return Figures(
        *([_normalise(t, row) for row in _fetch(t, where, params, by_node=False)] for t in TABLES),
        roots=roots,
    )


def at_least(roots: list[str], on: date, bounds: list[int], months: Counter, *, category=""):
    """How many persons are at least ``b`` years old on ``on``, for each bound ``b``.

    Everyone born before the boundary month counts (from ``months``); of those born in it, the
    ones born up to the boundary day, read from ``Person`` in one query over all bounds."""
    bounds = sorted(set(bounds))
    ranges = {}
    for b in bounds:
        year = on.year - b
        if year < 1:
            continue
        last = min(on.day, calendar.monthrange(year, on.month)[1])
        ranges[b] = (date(year, on.month, 1), date(year, on.month, last))
    corrections: Counter = Counter()
    if ranges:
        # One index range per bound, joined by UNION ALL: each is an index-only scan of
        # (birth_date, path, category), where OR-ing the ranges would read the persons' rows.
        where, params = _roots_where(roots, "p.path")
        if category:  # the household's category, kept on the person for this index
            where, params = f"{where} AND p.category = %s", [*params, category]
        parts, all_params = [], []
        for b, (start, end) in ranges.items():
            parts.append(
                f"SELECT {int(b)}, COUNT(*) FROM registry_person p "
                f"WHERE p.birth_date BETWEEN %s AND %s AND {where}"
            )
            all_params += [start, end, *params]
        with connection.cursor() as cur:
            cur.execute(" UNION ALL ".join(parts), all_params)
            corrections.update(dict(cur.fetchall()))
    out = {}
    for b in bounds:
        if b not in ranges:  # a bound older than the calendar: nobody reaches it
            out[b] = 0
            continue
        start = ranges[b][0]
        out[b] = sum(n for month, n in months.items() if month < start) + corrections[b]
    return out
