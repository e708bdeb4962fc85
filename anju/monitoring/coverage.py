"""Visit coverage as a roll-up: households visited per node and month (``VisitCoverage``).

The same pattern as the registry's roll-ups (docs/CONVENTIONS.md, "Roll-ups"): every node that
keeps registry roll-ups (the platform, every unit, every site) keeps a visited count per month,
changed by the visit service in the same transaction and by node moves; grids and buildings are
counted directly. Coverage of a node = its households (``HouseholdRollup``) against its visited
households this month, so a province's page reads a few rows, never its visits.
"""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Count, Q, Sum

from anju.registry.rollups import is_rollup_node, rollup_nodes

from .models import Visit, VisitCoverage


def _expand(counts: Counter) -> Counter:
    """(visit path, period) → n  becomes  (node path, period) → n for every roll-up node."""
    out: Counter = Counter()
    for (path, period), n in counts.items():
        for node in rollup_nodes(path):
            out[(node, period)] += n
    return out


def add(difference: Counter) -> None:
    """Add a (node path, period) → n difference, one upsert per row that changes."""
    rows = sorted((key, n) for key, n in difference.items() if n)
    if not rows:
        return
    table = VisitCoverage._meta.db_table
    with connection.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {table} (node_path, period, visited) VALUES (%s, %s, %s) "
            f"ON CONFLICT (node_path, period) DO UPDATE SET visited = {table}.visited + "
            "EXCLUDED.visited",
            [(node, period, n) for (node, period), n in rows],
        )


def visit_added(path: str, period: str) -> None:
    add(_expand(Counter({(path, period): 1})))


def visit_removed(path: str, period: str) -> None:
    add(_expand(Counter({(path, period): -1})))


def _grouped(old: str, new: str) -> Counter:
    rows = (
        Visit.objects.filter(Q(path__startswith=old) | Q(path__startswith=new))
        .values_list("path", "period")
        .annotate(n=Count("id"))
        .order_by()
    )
    return Counter({(path, period): n for path, period, n in rows})


@contextmanager
def moving(old: str, new: str):
    """A node moves (``core.paths.watch_moves``): the visits under it now count under the new
    path's nodes. Grouped (path, month) counts before and after; the difference is added."""
    before = _expand(_grouped(old, new))
    yield
    after = _expand(_grouped(old, new))
    after.subtract(before)
    add(after)


@transaction.atomic
def rebuild() -> int:
    """Recompute every coverage row from the visits (``anju monitoring rebuild``)."""
    VisitCoverage.objects.all().delete()
    counts = Counter(
        {
            (path, period): n
            for path, period, n in Visit.objects.values_list("path", "period")
            .annotate(n=Count("id"))
            .order_by()
        }
    )
    add(_expand(counts))
    return VisitCoverage.objects.count()


def visited(roots: list[str], period: str) -> int:
    """Households visited in the period in the union of the subtrees at ``roots``."""
    stored = [r for r in roots if is_rollup_node(r)]
    counted = [r for r in roots if not is_rollup_node(r)]
    total = 0
    if stored:
        total += (
            VisitCoverage.objects.filter(node_path__in=stored, period=period).aggregate(
                n=Sum("visited")
            )["n"]
            or 0
        )
    for root in counted:
        total += Visit.objects.filter(path__startswith=root, period=period).count()
    return total
