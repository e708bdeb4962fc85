"""Benchmark: the monthly monitoring scan (动态监测) over every household, against one hand-written
SQL query that finds the same facts.

    ANJU_DATABASE_URL=postgres://postgres@127.0.0.1:5432/anju_scan \\
        .venv/bin/python bench/monitoring_scan.py --generate 3000000

With ``--generate N`` the database named by ANJU_DATABASE_URL (default ``anju_scan``) is dropped
and recreated, migrated, and filled set-based (``INSERT … SELECT generate_series``, ``random()``
after ``setseed``, the loaded tables' secondary indexes and foreign keys dropped during the load
and rebuilt after, the schema checked to be exactly the migrated one, then VACUUM ANALYZE):

  - an org tree: 1 province, ``--counties`` counties with 2–6 towns each, a community (社区) and a
    site (安置点) per town, paths as ``computed_path`` builds them;
  - N households spread over the sites (centralised, 搬迁脱贫户/同步搬迁户), 1–5 persons each (3 on
    average; ages 0–90, a few % of the 7–14-year-olds 非在校生, ~1.3 % without basic medical
    insurance);
  - incomes (家庭收支) of 2025 and 2026 for 60 % of the households (some only one of the years), a
    few % under the line, at its edge, sharply down, or with large rigid spending;
  - some hundred leads (农户自主申报), and department feeds (部门筛查预警) with some thousand
    signals, some repeated from an earlier feed and some in a later month;
  - the monitoring parameters at the province (``policies.services.set_value``): income line
    7000, edge band 10 %, drop 30 %, rigid spending 50 %, door check within 5 working days.

Without ``--generate`` it uses the database as it is (the parameters above must be in force).
Then, in the same run, it

  1. deletes every warning and what hangs on it (signals, steps, measures), VACUUM ANALYZE, and
     times the first, full scan of ``2026-11`` (``monitoring.scan.scan``): seconds, households
     per second, warnings and signals written, and where the time went: every statement the scan
     sends through Django timed by rule or kind, the commits (where PostgreSQL runs the deferred
     foreign-key checks) apart, the rest is Python; and the slowest regions (subtrees with their own parameters);
  2. times a re-run and checks that it writes nothing: the outcome says 0/0, the two tables hold
     the same rows, and PostgreSQL's counters of inserted tuples did not move;
  3. times one hand-written query computing the same (household, rule, fact) hits over all
     households, with the thresholds written in, and checks that its counts, per rule, equal what
     the scan wrote (and, untimed, that the two sets are the same), then prints the ratio.

``--explain`` first prints EXPLAIN ANALYZE of every statement of the largest county's scan, in a
transaction rolled back; ``--set random_page_cost=1.1`` (repeatable) runs the scan and the query
with a session setting, for experiments. The goal (the issue): the scan under 60 s at 3,000,000
households and within 2× the hand-written query.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anju.settings.base")
os.environ.setdefault("ANJU_SECRET_KEY", "bench")
os.environ.setdefault("ANJU_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/anju_scan")

PERIOD = "2026-11"
# The parameters the generator sets and the baseline writes in as constants.
PARAMETERS = {
    "monitoring.income_line": "7000",
    "monitoring.edge_band": "10",
    "monitoring.drop_share": "30",
    "monitoring.rigid_share": "50",
    "monitoring.door_check_days": "5",
}
INCOME_LINE, EDGE_BAND, DROP_SHARE, RIGID_SHARE = 7000, 10, 30, 50
RULES = [
    "income_below_line",
    "income_edge",
    "income_drop",
    "rigid_spending",
    "out_of_school",
    "no_medical_insurance",
    "lead",
    "department",
]
# The tables the generator loads with their secondary indexes and foreign keys dropped.
LOADED = ("registry_household", "registry_person", "monitoring_income")


def _recreate_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


# ---------------------------------------------------------------- generation


class Steps:
    """Prints each step of the generation with its time."""

    def __init__(self):
        self.started = self.last = time.perf_counter()

    def done(self, what: str) -> None:
        now = time.perf_counter()
        print(f"  {what:<58} {now - self.last:7.1f} s", flush=True)
        self.last = now

    @property
    def total(self) -> float:
        return time.perf_counter() - self.started


def _org_tree(counties: int):
    """1 province, the counties, 2–6 towns each, a community and a site per town; paths as
    ``computed_path`` builds them (a level at a time: bulk_create, then the paths)."""
    from anju.orgs.models import AdminUnit, Site

    def level(objs, model=AdminUnit):
        objs = model.objects.bulk_create(objs)
        for obj in objs:
            obj.path = obj.computed_path()
        model.objects.bulk_update(objs, ["path"])
        return objs

    (province,) = level([AdminUnit(name="测试省（基准）", level="province", code="")])
    county_objs = level(
        [
            AdminUnit(name=f"第{i + 1:03d}县", level="county", parent=province)
            for i in range(counties)
        ]
    )
    towns = level(
        [
            AdminUnit(name=f"{county.name}第{j + 1}镇", level="town", parent=county)
            for i, county in enumerate(county_objs)
            for j in range(2 + i % 5)
        ]
    )
    communities = level(
        [
            AdminUnit(name=f"{town.name}安置社区", level="village", is_community=True, parent=town)
            for town in towns
        ]
    )
    sites = level(
        [Site(name=f"{c.name}安置点", admin_unit=c) for c in communities],
        Site,
    )
    county_of = {town.pk: town.parent_id for town in towns}
    site_rows = [
        (i, s.pk, county_of[communities[i].parent_id], s.path) for i, s in enumerate(sites)
    ]
    return province, site_rows


def _schema(cur) -> set:
    """Every index and constraint of the public schema, as PostgreSQL prints them."""
    cur.execute(
        "SELECT 'index', tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
        "UNION ALL SELECT 'constraint', c.conrelid::regclass::text, c.conname, "
        "pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_namespace n "
        "ON n.oid = c.connamespace WHERE n.nspname = 'public'"
    )
    return set(cur.fetchall())


def _drop_secondary(cur, tables) -> list[str]:
    """Drop the tables' foreign keys, unique constraints and indexes other than the primary
    key; return the statements that rebuild them as they were."""
    rebuild = []
    for table in tables:
        cur.execute(
            "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC",
            [table],
        )
        constraints = cur.fetchall()
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
            "AND tablename = %s AND indexname NOT IN (SELECT conname FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'x'))",
            [table, table],
        )
        indexes = cur.fetchall()
        for name, _definition, _kind in sorted(constraints, key=lambda c: c[2] != "f"):
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        # Unique constraints before the foreign keys (a key may rest on one), then indexes.
        rebuild += [
            f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
            for name, definition, kind in sorted(constraints, key=lambda c: c[2] == "f")
        ]
        rebuild += [definition for _name, definition in indexes]
    return rebuild


def generate(households: int, counties: int, seed: float) -> float:
    from django.db import connection

    from anju.policies import services as policies

    steps = Steps()
    province, site_rows = _org_tree(counties)
    for key, value in PARAMETERS.items():
        policies.set_value(None, key=key, unit=province, valid_from=date(2026, 1, 1), value=value)
    steps.done(f"org tree: {len(site_rows)} sites in {counties} counties, parameters")

    n = households
    with connection.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cur.execute("SET maintenance_work_mem = '1GB'")
        cur.execute("SET work_mem = '256MB'")
        before = _schema(cur)
        rebuild = _drop_secondary(cur, LOADED)
        steps.done(f"dropped {len(rebuild)} indexes and constraints of {', '.join(LOADED)}")

        cur.execute(
            "CREATE TEMPORARY TABLE gen_site (idx int PRIMARY KEY, site_id bigint, "
            "county_id bigint, path varchar(255))"
        )
        cur.executemany("INSERT INTO gen_site VALUES (%s, %s, %s, %s)", site_rows)
        # Households in blocks by site (a county's households are imported together), numbered
        # H000000001…: unique everywhere, so unique in each county.
        cur.execute("SELECT setseed(%s)", [seed])
        cur.execute(
            "INSERT INTO registry_household (id, number, county_id, category, settlement, site_id, "
            "destination_id, building_id, unit_no, room_no, origin_town, origin_village, "
            "move_in_date, dwelling_area, safety_net, phone, path, updated_at) "
            "SELECT g, 'H' || lpad(g::text, 9, '0'), s.county_id, "
            "CASE WHEN random() < 0.8 THEN 'lifted' ELSE 'co_relocated' END, 'centralized', "
            "s.site_id, NULL, NULL, '', '', '', '', date '2018-01-01' + (g %% 1500)::int, NULL, "
            "CASE WHEN random() < 0.05 THEN 'dibao' ELSE '' END, '', s.path, now() "
            "FROM generate_series(1, %(n)s::bigint) g "
            "JOIN gen_site s ON s.idx = (g - 1) * %(sites)s / %(n)s",
            {"n": n, "sites": len(site_rows)},
        )
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('registry_household', 'id'), "
            "(SELECT max(id) FROM registry_household))"
        )
        steps.done(f"{n:,} households")

        # 1–5 persons a household (3 on average), the head an adult; ages 0–90 on 2026-11-15.
        # Schooling by age as the demo draws it; 3 % of the 7–14-year-olds out of school.
        # Identity numbers: 6, the household id × 8 + the member's rank, the birth date: unique.
        cur.execute("SELECT setseed(%s)", [seed / 2])
        cur.execute(
            "INSERT INTO registry_person (household_id, name, id_number, birth_date, sex, "
            "relation, ethnicity, political_status, education, schooling, health, labour_skill, "
            "hukou_status, medical_insurance, pension_insurance, phone, path, category, "
            "updated_at) "
            "SELECT hid, "
            "(ARRAY['张','王','李','赵','刘','陈','杨','黄','周','吴'])[1 + (hid % 10)::int] "
            "|| (ARRAY['伟','芳','娜','敏','静','丽','强','磊','军','洋','勇','艳'])"
            "[1 + ((hid * 7 + k) % 12)::int], "
            "'6' || lpad((hid * 8 + k)::text, 9, '0') || to_char(b, 'YYYYMMDD'), b, "
            "CASE WHEN r1 < 0.5 THEN 'M' ELSE 'F' END, "
            "CASE k WHEN 1 THEN '户主' WHEN 2 THEN '配偶' ELSE '之子' END, '汉族', '群众', "
            "CASE WHEN b > date '2019-11-01' THEN '' WHEN b > date '2008-11-01' THEN '小学' "
            "ELSE '初中' END, "
            "CASE WHEN b > date '2023-11-01' THEN '学龄前儿童' "
            "WHEN b > date '2020-11-01' THEN '学前教育' "
            "WHEN b > date '2019-11-01' THEN '小学' "
            "WHEN b > date '2011-11-01' AND r2 < 0.03 THEN '非在校生' "
            "WHEN b > date '2014-11-01' THEN '小学' "
            "WHEN b > date '2011-11-01' THEN '七至九年级' "
            "WHEN b > date '2008-11-01' THEN '普通高中' ELSE '非在校生' END, "
            "'[\"健康\"]'::jsonb, "
            "CASE WHEN b > date '2008-11-01' THEN '无劳动力' ELSE '普通劳动力' END, "
            "'已迁入安置地', "
            "CASE WHEN r3 < 0.010 THEN '[]' "
            "WHEN r3 < 0.013 THEN '[\"大病保险\"]' "
            "WHEN r3 < 0.150 THEN '[\"职工基本医疗保险\"]' "
            'WHEN r3 < 0.300 THEN \'["城乡居民基本医疗保险", "大病保险"]\' '
            "ELSE '[\"城乡居民基本医疗保险\"]' END::jsonb, "
            "'[]'::jsonb, '', path, category, now() "
            "FROM (SELECT h.id AS hid, h.path, h.category, k, "
            "date '2026-11-15' - (CASE WHEN k = 1 THEN 6575 + random() * 26300 "
            "ELSE random() * 32872 END)::int AS b, random() AS r1, random() AS r2, random() AS r3 "
            "FROM registry_household h, generate_series(1, 1 + (h.id * 7919 % 5)::int) k) x"
        )
        persons = cur.rowcount
        steps.done(f"{persons:,} persons")

        # Incomes for 60 % of the households: both years for most, 2025 only for a tenth of
        # them (2026 not in yet), 2026 only for a twentieth. 2025's per-capita income: 3 % under
        # the line, 2 % at its edge, the rest 7,800–29,800; 2026's: 3 % down by 31–70 %, the rest
        # −3 %…+12 %. Medical and schooling costs: 2 % above half the net income.
        cur.execute("SELECT setseed(%s)", [seed / 3])
        cur.execute(
            "CREATE TEMPORARY TABLE gen_income AS "
            "SELECT hid, path, members, u, round((CASE WHEN a < 0.03 THEN 2000 + b * 4999 "
            "WHEN a < 0.05 THEN 7000 + b * 700 ELSE 7800 + b * 22000 END)::numeric, 2) AS npc25, "
            "c, d FROM (SELECT h.id AS hid, h.path, 1 + (h.id * 7919 % 5)::int AS members, "
            "random() AS u, random() AS a, random() AS b, random() AS c, random() AS d "
            "FROM registry_household h) x WHERE u < 0.6"
        )
        insert_income = (
            "INSERT INTO monitoring_income (household_id, year, reference_date, wage, business, "
            "property_income, transfer, business_cost, medical_cost, schooling_cost, members, "
            "net_income, net_per_capita, source, recorded_by, path, updated_at) "
            "SELECT hid, %(year)s, %(reference)s, net - round(net * 0.2, 2), 0, 0, "
            "round(net * 0.2, 2), 0, CASE WHEN r < 0.02 THEN round(net * (0.55 + r * 40)::numeric, 2) "
            "ELSE round((random() * 300)::numeric, 2) END, "
            "CASE WHEN random() < 0.3 THEN round((random() * 1000)::numeric, 2) ELSE 0 END, "
            "members, net, npc, 'import', '', path, now() "
            "FROM (SELECT hid, path, members, npc, npc * members AS net, random() AS r "
            "FROM (SELECT hid, path, members, {npc} AS npc FROM gen_income WHERE {which}) y) x"
        )
        cur.execute(
            insert_income.format(npc="npc25", which="u >= 0.03"),
            {"year": 2025, "reference": date(2025, 12, 31)},
        )
        incomes = cur.rowcount
        cur.execute(
            insert_income.format(
                npc="round(npc25 * (CASE WHEN c < 0.03 THEN 0.30 + d * 0.39 "
                "ELSE 0.97 + d * 0.15 END)::numeric, 2)",
                which="u < 0.03 OR u >= 0.09",
            ),
            {"year": 2026, "reference": date(2026, 10, 31)},
        )
        incomes += cur.rowcount
        steps.done(f"{incomes:,} incomes (2025, 2026)")

        # Leads (农户自主申报): 600, a fifth already checked, some raised after the month.
        cur.execute("SELECT setseed(%s)", [seed / 4])
        cur.execute(
            "INSERT INTO monitoring_lead (household_id, visit_id, source, hardships, description, "
            "contact_phone, status, path, created_at) "
            "SELECT h.id, NULL, 'self_report', '[\"illness\"]', '家人住院，医疗费用多', '', "
            "CASE WHEN g %% 5 = 0 THEN 'checked' ELSE 'new' END, h.path, "
            "timestamptz '2026-01-01 00:00+08' + random() * interval '364 days' "
            "FROM (SELECT g, 1 + floor(random() * %(n)s)::bigint AS hid "
            "FROM generate_series(1, 600) g) x JOIN registry_household h ON h.id = x.hid",
            {"n": n},
        )
        leads = cur.rowcount
        # Department feeds: one a department and month; a later month's file (2026-12) that
        # the scan of 2026-11 must not read; a civil-affairs file repeating 300 events of its
        # earlier one (the same fact twice is one signal); 20 household-level rows.
        feeds = [
            ("medical_insurance", "2026-10", "medical_out_of_pocket", 1500),
            ("medical_insurance", "2026-11", "medical_out_of_pocket", 1500),
            ("civil_affairs", "2026-09", "dibao_stopped", 800),
            ("civil_affairs", "2026-11", "dibao_stopped", 500),
            ("education", "2026-11", "dropout", 200),
            ("hrss", "2026-11", "job_loss", 1000),
            ("hrss", "2026-12", "job_loss", 700),
        ]
        cur.execute("SELECT min(id), max(id) FROM registry_person")
        low, high = cur.fetchone()
        signals = 0
        for i, (department, period, indicator, rows) in enumerate(feeds):
            cur.execute(
                "INSERT INTO monitoring_feed (department, period, file_name, uploaded_by_id, "
                "uploaded_by_name, rows, matched, unmatched, path, created_at) VALUES "
                "(%s, %s, %s, NULL, '基准', %s, %s, '[]', %s, now()) RETURNING id",
                [department, period, f"{department}-{period}.xlsx", rows, rows, province.path],
            )
            feed_id = cur.fetchone()[0]
            year, month = (int(p) for p in period.split("-"))
            cur.execute("SELECT setseed(%s)", [seed / (5 + i)])
            cur.execute(
                "INSERT INTO monitoring_signal (feed_id, department, indicator, value, "
                "occurred_on, note, person_id, household_id, row, path) "
                "SELECT %(feed)s, %(department)s, %(indicator)s, "
                "CASE WHEN %(numeric)s THEN round((500 + random() * 20000)::numeric, 2) END, "
                "%(first)s + (random() * 27)::int, '', "
                "CASE WHEN g > 20 THEN p.id END, p.household_id, g, p.path "
                "FROM (SELECT g, %(low)s + floor(random() * (%(high)s - %(low)s + 1))::bigint "
                "AS pid FROM generate_series(1, %(rows)s) g) x "
                "JOIN registry_person p ON p.id = x.pid",
                {
                    "feed": feed_id,
                    "department": department,
                    "indicator": indicator,
                    "numeric": department == "medical_insurance",
                    "first": date(year, month, 1),
                    "low": low,
                    "high": high,
                    "rows": rows,
                },
            )
            signals += cur.rowcount
            if (department, period) == ("civil_affairs", "2026-11"):
                cur.execute(
                    "INSERT INTO monitoring_signal (feed_id, department, indicator, value, "
                    "occurred_on, note, person_id, household_id, row, path) "
                    "SELECT %(feed)s, department, indicator, value, occurred_on, '上月已报', "
                    "person_id, household_id, 1000 + row, path FROM monitoring_signal "
                    "WHERE feed_id = %(earlier)s ORDER BY row LIMIT 300",
                    {"feed": feed_id, "earlier": feed_id - 1},
                )
                signals += cur.rowcount
        steps.done(f"{leads} leads, {len(feeds)} department feeds with {signals:,} signals")

        cur.execute("DROP TABLE gen_site")
        cur.execute("DROP TABLE gen_income")
        for statement in rebuild:
            cur.execute(statement)
        after = _schema(cur)
        if after != before:
            raise SystemExit(
                "schema differs from the migrated one: "
                f"missing {sorted(before - after)}, extra {sorted(after - before)}"
            )
        steps.done(f"rebuilt {len(rebuild)} indexes and constraints (schema as migrated)")
        cur.execute("VACUUM ANALYZE")
        steps.done("VACUUM ANALYZE")
        # The timings below run with the server's settings.
        cur.execute("RESET ALL")
    # The roll-ups the services keep as they write: the scan reads them to skip empty regions.
    from django.core.management import call_command

    call_command("rebuild", "aggregates", stdout=open(os.devnull, "w"))  # noqa: SIM115
    steps.done("roll-ups (anju rebuild aggregates)")
    print(f"generate: {n:,} households, {persons:,} persons in {steps.total:.1f} s")
    return steps.total


# ---------------------------------------------------------------- timing the scan


class Profile:
    """Times every statement the scan sends through Django, by rule or kind of statement."""

    RULE = re.compile(r"SELECT t\.household_id, '(\w+)'")
    COMMIT = "commit (deferred foreign-key checks)"

    def __init__(self):
        self.seconds = defaultdict(float)
        self.rows = defaultdict(int)
        self.calls = defaultdict(int)

    def kind(self, sql: str) -> str:
        if sql.startswith("WITH latest"):
            return "rules on incomes (one statement)"
        if sql.startswith("WITH persons"):
            return "rules on persons (one statement)"
        if sql.startswith("INSERT INTO scan_hits"):
            match = self.RULE.search(sql)
            return f"rule {match.group(1) if match else '?'}"
        if sql.startswith("DELETE FROM scan_hits"):
            return "delete facts already recorded"
        if sql.startswith("INSERT INTO monitoring_warningsignal"):
            return "insert warning signals"
        if sql.startswith("INSERT INTO monitoring_warning "):
            return "insert warnings"
        if sql.startswith("SELECT COUNT(*) FROM scan_hits"):
            return "count hits"
        if sql.startswith(("CREATE TEMPORARY", "DROP TABLE", "ANALYZE scan_hits")):
            return "temporary tables"
        return "other (parameters, regions, counties)"

    def add(self, kind: str, seconds: float, rows: int = 0) -> None:
        self.seconds[kind] += seconds
        self.calls[kind] += 1
        self.rows[kind] += rows

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            rowcount = context["cursor"].rowcount
            written = sql.startswith(("INSERT", "DELETE")) and rowcount and rowcount > 0
            self.add(self.kind(sql), time.perf_counter() - started, rowcount if written else 0)

    def report(self, total: float) -> None:
        print(f"    {'statement':<40} {'calls':>6} {'rows':>10} {'seconds':>8} {'share':>6}")
        for kind, seconds in sorted(self.seconds.items(), key=lambda kv: -kv[1]):
            print(
                f"    {kind:<40} {self.calls[kind]:>6} {self.rows[kind]:>10,} "
                f"{seconds:>8.2f} {seconds / total:>6.0%}"
            )
        outside = total - sum(self.seconds.values())
        print(
            f"    {'Python (outside statements)':<40} {'':>6} {'':>10} {outside:>8.2f} "
            f"{outside / total:>6.0%}"
        )


def _timed_scan(period: str):
    """Run the scan with a profile; return (seconds, outcome, profile, [(county, seconds)])."""
    from django.db import connection

    from anju.monitoring import scan

    profile = Profile()
    chunks: list[tuple[str, float]] = []
    last = [0.0]

    def say(line: str) -> None:
        now = time.perf_counter()
        chunks.append((line.split("：")[0], now - last[0]))
        last[0] = now

    # Commits are not statements: time them too (the deferred foreign-key checks run there).
    commit = connection._commit

    def timed_commit():
        started = time.perf_counter()
        try:
            return commit()
        finally:
            profile.add(Profile.COMMIT, time.perf_counter() - started)

    connection._commit = timed_commit
    try:
        with connection.execute_wrapper(profile):
            started = last[0] = time.perf_counter()
            outcome = scan.scan(period, say=say)
            seconds = time.perf_counter() - started
    finally:
        del connection._commit
    return seconds, outcome, profile, chunks


def _counts(cur) -> tuple[int, int]:
    cur.execute(
        "SELECT (SELECT count(*) FROM monitoring_warning), "
        "(SELECT count(*) FROM monitoring_warningsignal)"
    )
    return cur.fetchone()


def _inserted(cur) -> tuple[int, int]:
    """Tuples ever inserted into the two tables, by PostgreSQL's statistics (flushed first)."""
    cur.execute("SELECT pg_stat_force_next_flush()")
    cur.execute("SELECT pg_stat_clear_snapshot()")
    cur.execute(
        "SELECT relname, n_tup_ins FROM pg_stat_user_tables "
        "WHERE relname IN ('monitoring_warning', 'monitoring_warningsignal')"
    )
    found = dict(cur.fetchall())
    return found["monitoring_warning"], found["monitoring_warningsignal"]


def _explain(period: str) -> None:
    """EXPLAIN ANALYZE of every statement of the largest county's scan, rolled back."""
    from django.db import connection, transaction
    from django.db.models import Count

    from anju.monitoring import scan
    from anju.orgs.models import AdminUnit
    from anju.registry.models import Household

    top = (
        Household.objects.values("county_id")
        .order_by()
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    county = AdminUnit.objects.get(pk=top["county_id"])
    print(f"\nEXPLAIN ANALYZE of the scan of {county.name} ({top['n']:,} households), rolled back:")

    def explain(execute, sql, params, many, context):
        if not sql.startswith(("INSERT", "DELETE")):
            return execute(sql, params, many, context)
        result = execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params, many, context)
        plan = [row[0] for row in context["cursor"].fetchall()]
        print(f"\n--- {Profile().kind(sql)}\n" + "\n".join(plan))
        return result

    class Rollback(Exception):
        pass

    from anju.core import periods
    from anju.monitoring import rules

    first, _last = periods.bounds(period)
    region = scan.Region(county.path, county.name, [], rules.params_for(county, first))
    try:
        with transaction.atomic(), connection.execute_wrapper(explain):
            scan.scan_region(region, period, outcome=scan.Outcome(period))
            raise Rollback
    except Rollback:
        pass


# ---------------------------------------------------------------- the hand-written query


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def baseline_hits(period: str) -> str:
    """Every (household, rule, fact) the month's rules find, in one statement, as one would write
    it by hand: each household's latest income (this year's, or last year's while this year's is
    not in) with the year before it, once; then one SELECT a rule, thresholds written in."""
    year, month = (int(p) for p in period.split("-"))
    first = date(year, month, 1)
    until = date(year + (month == 12), month % 12 + 1, 1)
    born_after, born_by = _years_before(first, 15), _years_before(first, 7)
    line = f"{INCOME_LINE:.2f}"
    edge = f"{INCOME_LINE * (100 + EDGE_BAND) / 100:.2f}"
    factor = f"{(100 - DROP_SHARE) / 100:.2f}"
    share = f"{RIGID_SHARE / 100:.2f}"
    return f"""
        WITH latest AS MATERIALIZED (
            SELECT t.household_id, t.year, t.net_per_capita AS npc, t.net_income,
                   t.medical_cost + t.schooling_cost AS rigid, prev.net_per_capita AS prev_npc
            FROM monitoring_income t LEFT JOIN monitoring_income prev
                 ON prev.household_id = t.household_id AND prev.year = t.year - 1
            WHERE t.year = {year} OR (t.year = {year - 1} AND NOT EXISTS (
                SELECT 1 FROM monitoring_income j
                WHERE j.household_id = t.household_id AND j.year = {year}))
        )
        SELECT household_id, 'income_below_line' AS rule, 'income:' || year AS fact_key
        FROM latest WHERE npc < {line}
        UNION ALL
        SELECT household_id, 'income_edge', 'income:' || year
        FROM latest WHERE npc >= {line} AND npc <= {edge}
        UNION ALL
        SELECT household_id, 'income_drop', 'drop:' || year
        FROM latest WHERE prev_npc > 0 AND npc < prev_npc * {factor}
        UNION ALL
        SELECT household_id, 'rigid_spending', 'rigid:' || year
        FROM latest WHERE rigid > 0 AND rigid > net_income * {share}
        UNION ALL
        SELECT household_id, 'out_of_school', 'school:' || id || ':{year}'
        FROM registry_person WHERE birth_date > '{born_after}' AND birth_date <= '{born_by}'
            AND schooling = '非在校生'
        UNION ALL
        SELECT household_id, 'no_medical_insurance', 'insurance:' || id || ':{year}'
        FROM registry_person
        WHERE NOT (medical_insurance ?| ARRAY['城乡居民基本医疗保险', '职工基本医疗保险'])
        UNION ALL
        SELECT household_id, 'lead', 'lead:' || id FROM monitoring_lead
        WHERE status = 'new' AND created_at < timestamptz '{until} 00:00+08'
        UNION ALL
        SELECT s.household_id, 'department', 'dept:' || s.department || ':' || s.indicator
            || ':' || COALESCE(s.person_id, 0) || ':' || s.occurred_on
        FROM monitoring_signal s JOIN monitoring_feed f ON f.id = s.feed_id
        WHERE f.period <= '{year:04d}-{month:02d}'
    """


def baseline(cur, period: str) -> tuple[float, dict, int]:
    """Time the hand-written query: hits per rule, and households with any hit."""
    started = time.perf_counter()
    cur.execute(
        "SELECT rule, count(*), count(DISTINCT household_id) FROM "
        f"(SELECT DISTINCT household_id, rule, fact_key FROM ({baseline_hits(period)}) h) d "
        "GROUP BY GROUPING SETS ((rule), ())"
    )
    rows = cur.fetchall()
    seconds = time.perf_counter() - started
    per_rule = {rule: count for rule, count, _ in rows if rule is not None}
    households = next(distinct for rule, _, distinct in rows if rule is None)
    return seconds, per_rule, households


# ---------------------------------------------------------------- main


def _version() -> str:
    """The commit the scan's code is at, and whether the monitoring app has changes on top."""
    import subprocess

    def git(*args):
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    changed = git("status", "--porcelain", "--", "anju/monitoring")
    return git("log", "-1", "--format=%h %ad %s", "--date=iso")[:90] + (
        " (+ uncommitted changes in anju/monitoring)" if changed else ""
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generate", type=int, default=0, help="先生成这么多户（重建数据库）")
    parser.add_argument("--counties", type=int, default=100)
    parser.add_argument("--seed", type=float, default=0.42, help="setseed 的种子（-1…1）")
    parser.add_argument(
        "--explain", action="store_true", help="先打印最大县各语句的 EXPLAIN ANALYZE"
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="实验：扫描和手写查询前先 SET（如 random_page_cost=1.1），可重复",
    )
    args = parser.parse_args()

    if args.generate:
        _recreate_database(os.environ["ANJU_DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from anju.orgs.models import AdminUnit
    from anju.registry.models import Household, Person

    generated = None
    if args.generate:
        call_command("migrate", verbosity=0)
        print(f"generate {args.generate:,} households in {args.counties} counties:")
        generated = generate(args.generate, args.counties, args.seed)
    households = Household.objects.count()
    persons = Person.objects.count()
    counties = AdminUnit.objects.filter(level="county").count()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT (SELECT count(*) FROM monitoring_income), (SELECT count(*) FROM "
            "monitoring_lead), (SELECT count(*) FROM monitoring_signal)"
        )
        incomes, leads, signals = cur.fetchone()
    print(
        f"\ndatabase: {households:,} households, {persons:,} persons, {counties} counties, "
        f"{incomes:,} incomes, {leads:,} leads, {signals:,} department signals"
    )

    version = _version()
    print(f"code: {version}")

    with connection.cursor() as cur:
        # Rows that hang on a warning (its signals, steps, measures …) go with it.
        cur.execute(
            "SELECT conrelid::regclass::text FROM pg_constraint WHERE contype = 'f' "
            "AND confrelid = 'monitoring_warning'::regclass"
        )
        dependent = sorted({table for (table,) in cur.fetchall()})
        for table in dependent:
            cur.execute(f"DELETE FROM {table}")
        cur.execute("DELETE FROM monitoring_warning")
        cur.execute(f"VACUUM ANALYZE {', '.join(['monitoring_warning', *dependent])}")
        for setting in args.set:
            name, _, value = setting.partition("=")
            cur.execute(f"SET {name} = %s", [value])
            print(f"session setting: {name} = {value}")
    if args.explain:
        _explain(PERIOD)

    # 1. The first, full scan.
    first_s, first, profile, chunks = _timed_scan(PERIOD)
    with connection.cursor() as cur:
        counts = _counts(cur)
    print(
        f"\nfirst scan of {PERIOD}: {first_s:.1f} s, {households / first_s:,.0f} households/s, "
        f"{first.chunks} regions, {first.warnings:,} warnings, {first.signals:,} signals"
    )
    if first.skipped:
        print(f"  rules not run: {'、'.join(first.skipped)}")
    profile.report(first_s)
    slowest = sorted(chunks, key=lambda c: -c[1])[:3]
    print("    slowest regions: " + ", ".join(f"{name} {s:.2f} s" for name, s in slowest))
    if counts != (first.warnings, first.signals):
        raise SystemExit(f"FAIL: the tables hold {counts}, the outcome says {first}")

    # 2. The re-run writes nothing.
    with connection.cursor() as cur:
        inserted_before = _inserted(cur)
    rerun_s, rerun, rerun_profile, _ = _timed_scan(PERIOD)
    with connection.cursor() as cur:
        counts_after = _counts(cur)
        inserted_after = _inserted(cur)
    print(
        f"\nre-run: {rerun_s:.1f} s, outcome {rerun.warnings} warnings / {rerun.signals} signals; "
        f"rows {counts[0]:,} / {counts[1]:,} → {counts_after[0]:,} / {counts_after[1]:,}; "
        f"tuples inserted (pg_stat) {inserted_before[0]:,} / {inserted_before[1]:,} → "
        f"{inserted_after[0]:,} / {inserted_after[1]:,}"
    )
    rerun_profile.report(rerun_s)
    wrote_nothing = (
        (rerun.warnings, rerun.signals) == (0, 0)
        and counts_after == counts
        and inserted_after == inserted_before
    )
    if not wrote_nothing:
        raise SystemExit("FAIL: the re-run wrote something")

    # 3. The hand-written query.
    with connection.cursor() as cur:
        base_s, per_rule, base_households = baseline(cur, PERIOD)
        cur.execute("SELECT rule, count(*) FROM monitoring_warningsignal GROUP BY rule")
        written = dict(cur.fetchall())
    print(f"\nhand-written query: {base_s:.1f} s")
    print(f"    {'rule':<22} {'query':>9} {'scan':>9}")
    for rule in RULES:
        mark = "" if per_rule.get(rule, 0) == written.get(rule, 0) else "  ≠"
        print(f"    {rule:<22} {per_rule.get(rule, 0):>9,} {written.get(rule, 0):>9,}{mark}")
    base_signals = sum(per_rule.values())
    print(f"    {'households (warnings)':<22} {base_households:>9,} {counts[0]:>9,}")
    if per_rule != written or base_signals != first.signals or base_households != first.warnings:
        raise SystemExit("FAIL: the hand-written query and the scan disagree")
    # Untimed: the very same facts, not only as many.
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT count(*) FROM ((SELECT household_id, rule, fact_key FROM "
            f"({baseline_hits(PERIOD)}) h EXCEPT SELECT household_id, rule, fact_key "
            "FROM monitoring_warningsignal) UNION ALL (SELECT household_id, rule, fact_key "
            f"FROM monitoring_warningsignal EXCEPT SELECT household_id, rule, fact_key FROM "
            f"({baseline_hits(PERIOD)}) h)) d"
        )
        differ = cur.fetchone()[0]
    if differ:
        raise SystemExit(f"FAIL: {differ} facts are found by only one of the two")
    ratio = first_s / base_s

    print("\n=== summary ===")
    print(f"code              {version}")
    if _version() != version:
        print(f"                  CHANGED during the run, now: {_version()}")
    if args.set:
        print(f"session settings  {', '.join(args.set)}")
    if generated is not None:
        print(f"generation        {generated:8.1f} s  ({args.generate:,} households)")
    print(f"households        {households:>10,}  persons {persons:,}  counties {counties}")
    print(
        f"first scan        {first_s:8.1f} s  {households / first_s:,.0f} households/s  "
        f"{first.warnings:,} warnings  {first.signals:,} signals"
    )
    print(f"re-run            {rerun_s:8.1f} s  wrote nothing: yes (outcome 0/0, rows, pg_stat)")
    print(f"hand-written SQL  {base_s:8.1f} s  same facts: yes")
    print(
        f"ratio             {ratio:8.2f}×  goal: scan < 60 s "
        f"({'met' if first_s < 60 else 'NOT met'}), ≤ 2× the query "
        f"({'met' if ratio <= 2 else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
