"""Benchmark: summaries and the site list read from the roll-ups, against the naive GROUP BY.

    ANJU_DATABASE_URL=postgres://postgres@127.0.0.1:5432/anju_scale \\
        .venv/bin/python bench/rollups.py --generate 10000000 --counties 300 --provinces 23

With ``--generate N`` the database named by ANJU_DATABASE_URL is dropped and recreated and N persons
are generated (``anju generate``, which rebuilds the roll-ups and prints how long that took);
without it the bench reads the database as it is. Then, in the same run, for the whole platform,
the largest province, the largest county and the largest site it times

  - the summary read from the roll-ups (``summary.for_roots``), ``--runs`` times: median and p95;
  - the same summary counted the naive way, a GROUP BY over every person of the subtree
    (``raw=True``), ``--raw-runs`` times: median;
  - the first page of the site list with its 合计 row, from the roll-ups and by counting;

checks that both ways give the same figures, and prints the ratio and persons per second (persons
covered by the summary divided by its median time). With ``--quality`` it also times the data
quality run over everything.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anju.settings.base")
os.environ.setdefault("ANJU_SECRET_KEY", "bench")
os.environ.setdefault("ANJU_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/anju_scale")


def _recreate_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _timed(fn, runs: int) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, result


def _largest(model, level_filter: dict):
    """The node of that kind holding the most persons (from the roll-ups)."""
    from django.db.models import Sum

    from anju.registry.models import HouseholdRollup

    paths = model.objects.filter(**level_filter).values("path")
    top = (
        HouseholdRollup.objects.filter(node_path__in=paths)
        .values("node_path")
        .annotate(p=Sum("persons"))
        .order_by("-p")
        .first()
    )
    return model.objects.get(path=top["node_path"]) if top else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generate", type=int, default=0, help="先生成这么多人（重建数据库）")
    parser.add_argument("--counties", type=int, default=40)
    parser.add_argument("--provinces", type=int, default=None)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--raw-runs", type=int, default=3)
    parser.add_argument("--quality", action="store_true")
    args = parser.parse_args()

    if args.generate:
        _recreate_database(os.environ["ANJU_DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    from anju.accounts.models import User
    from anju.orgs.models import AdminUnit, Site
    from anju.registry import rollups, selectors, summary
    from anju.registry.models import Household, Person

    if args.generate:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        call_command(
            "generate", persons=args.generate, counties=args.counties, provinces=args.provinces
        )
        print(f"generate: {args.generate:,} persons in {time.perf_counter() - started:.1f} s")
    persons = Person.objects.count()
    households = Household.objects.count()
    print(
        f"database: {persons:,} persons in {households:,} households, "
        f"{Site.objects.count():,} sites, {AdminUnit.objects.filter(level='county').count()} counties"
    )
    on = date.today()
    nodes = [("national", None)]
    for label, model, level in (
        ("province", AdminUnit, {"level": "province"}),
        ("county", AdminUnit, {"level": "county"}),
        ("site", Site, {}),
    ):
        node = _largest(model, level)
        if node is not None:
            nodes.append((label, node))

    print()
    print(
        f"{'summary':<10} {'persons':>11} {'rollup median':>14} {'p95':>9} "
        f"{'raw GROUP BY':>13} {'ratio':>8} {'persons/s (rollup)':>19}"
    )
    for label, node in nodes:
        roots = [node.path] if node is not None else [rollups.ROOT]
        fast_median, fast_p95, fast = _timed(
            lambda roots=roots, node=node: summary.for_roots(roots, on=on, node=node), args.runs
        )
        raw_median, _, raw = _timed(
            lambda roots=roots, node=node: summary.for_roots(roots, on=on, node=node, raw=True),
            args.raw_runs,
        )
        assert fast.as_dict() == raw.as_dict(), f"{label}: roll-ups and raw counts differ"
        print(
            f"{label:<10} {fast.persons:>11,} {fast_median * 1000:>11.1f} ms "
            f"{fast_p95 * 1000:>6.1f} ms {raw_median * 1000:>10.1f} ms "
            f"{raw_median / fast_median:>7.0f}× {fast.persons / fast_median:>19,.0f}"
        )

    # The site list as a platform administrator sees it: its first page and the 合计 row.
    admin = User.objects.filter(is_superuser=True).first() or User(is_superuser=True)
    admin.is_active = True
    page = list(selectors.sites(admin)[:50])

    def fast_sites():
        return selectors.attach_counts(admin, list(page)), selectors.site_totals(admin)

    def naive_sites():
        from django.db.models import Count

        rows = (
            Site.objects.filter(pk__in=[s.pk for s in page])
            .annotate(h=Count("households", distinct=True), p=Count("households__members"))
            .order_by("path")
        )
        totals = Household.objects.filter(site__isnull=False).aggregate(
            h=Count("id", distinct=True), p=Count("members")
        )
        return {r.pk: (r.h, r.p) for r in rows}, totals

    fast_median, fast_p95, (fast_rows, fast_totals) = _timed(fast_sites, args.runs)
    raw_median, _, (raw_rows, raw_totals) = _timed(naive_sites, args.raw_runs)
    assert {s.pk: (s.counted_households, s.counted_persons) for s in fast_rows} == raw_rows
    assert (fast_totals["counted_households"], fast_totals["counted_persons"]) == (
        raw_totals["h"],
        raw_totals["p"],
    )
    print(
        f"{'site list':<10} {fast_totals['counted_persons']:>11,} {fast_median * 1000:>11.1f} ms "
        f"{fast_p95 * 1000:>6.1f} ms {raw_median * 1000:>10.1f} ms "
        f"{raw_median / fast_median:>7.0f}× {fast_totals['counted_persons'] / fast_median:>19,.0f}"
    )

    if args.quality:
        started = time.perf_counter()
        call_command("quality", "check")
        took = time.perf_counter() - started
        print(f"\ndata quality run: {took:.1f} s, {persons / took:,.0f} persons/s")


if __name__ == "__main__":
    main()
