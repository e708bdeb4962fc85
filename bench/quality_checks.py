"""Benchmark: the background data quality run against PostgreSQL.

    ANJU_DATABASE_URL=postgres://postgres@127.0.0.1:5432/anju_bench \\
        .venv/bin/python bench/quality_checks.py --persons 100000

Builds one county (two towns, SITES sites with declared profiles) and N persons by COPY, with the
usual share of problems (missing skills, children marked 非在校生, mistyped identity numbers,
headless households, the same person in two households), then times ``quality.check_now`` over
everything and over one town, and prints the query plans of the per-person statements.
The database named by ANJU_DATABASE_URL is dropped and recreated.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anju.settings.base")
os.environ.setdefault("ANJU_SECRET_KEY", "bench")
os.environ.setdefault("ANJU_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/anju_bench")

SITES = 20
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰"
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def check_digit(body: str) -> str:
    value = (12 - sum(int(c) * w for c, w in zip(body, WEIGHTS, strict=True)) % 11) % 11
    return "X" if value == 10 else str(value)


def recreate(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def build(persons: int, seed: int = 6):
    from django.db import connection

    from anju.orgs import services as org
    from anju.registry import services as registry

    rng = random.Random(seed)
    province = org.create_admin_unit(
        None, parent=None, name="测试省", level="province", code="610000"
    )
    city = org.create_admin_unit(None, parent=province, name="测试市", level="city", code="610800")
    county = org.create_admin_unit(None, parent=city, name="测试县", level="county", code="610830")
    towns = [
        org.create_admin_unit(None, parent=county, name=f"{m}镇", level="town", code=f"61083010{i}")
        for i, m in enumerate("甲乙", 1)
    ]
    sites = [
        org.create_site(None, admin_unit=towns[i % 2], name=f"第{i + 1}安置点")
        for i in range(SITES)
    ]
    share = persons // SITES
    for site in sites:
        registry.save_profile(
            None,
            site,
            declared_households=share // 3,
            declared_persons=share,
            declared_breakdowns={
                "age": {"bounds": [19, 36, 60], "labels": ["a", "b", "c", "d"], "counts": [1] * 4},
                "labour_persons": share // 2,
            },
            declared_conflicts=["第 3 页户数与第 5 页户数不一致"],
        )
    households, people = io.StringIO(), io.StringIO()
    used: set[str] = set()
    hid, made, start = 0, 0, date(1930, 1, 1)
    now = "2026-01-01 00:00:00+08"
    while made < persons:
        hid += 1
        site = sites[hid % SITES]
        category = "lifted" if rng.random() < 0.8 else "co_relocated"
        safety = rng.choice(["", "", "", "dibao", "tekun"])
        households.write(
            f"{hid}\tH{hid:07d}\t{county.pk}\t{category}\tcentralized\t{site.pk}\t\\N\t\\N\t\t\t"
            f"\t\t\\N\t\\N\t{safety}\t\t{site.path}\t{now}\n"
        )
        size = min(rng.choice([1, 2, 3, 3, 4, 4, 5, 6]), persons - made)
        for j in range(size):
            while True:
                birth = start + timedelta(days=rng.randint(0, 33000))
                region = "612731" if birth.year < 1999 else "610830"  # 清涧县's two codes
                body = f"{region}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
                number = body + check_digit(body)
                if number not in used:
                    break
            if rng.random() < 0.01:  # a mistyped check digit
                number = body + ("0" if number[-1] != "0" else "1")
            used.add(number)
            relation = "户主" if j == 0 and rng.random() > 0.01 else "之子"
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            school = rng.choice(["", "小学", "初中", "非在校生"])
            skill = rng.choice(["", "普通劳动力", "技能劳动力", "无劳动力", "普通劳动力"])
            education = rng.choice(["小学", "初中", "高中", "文盲或半文盲", "大专"])
            sex = "男" if int(body[-1]) % 2 else "女"
            people.write(
                f"{hid}\t{name}\t{number}\t{birth}\t{sex}\t{relation}\t\t\t{education}\t{school}\t"
                f"[]\t{skill}\t\t[]\t[]\t\t{site.path}\t{now}\n"
            )
            made += 1
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(
            "COPY registry_household (id, number, county_id, category, settlement, site_id, "
            "destination_id, building_id, unit_no, room_no, origin_town, origin_village, "
            "move_in_date, dwelling_area, safety_net, phone, path, updated_at) FROM STDIN"
        ) as copy:
            copy.write(households.getvalue())
        with raw.copy(
            "COPY registry_person (household_id, name, id_number, birth_date, sex, relation, "
            "ethnicity, political_status, education, schooling, health, labour_skill, "
            "hukou_status, medical_insurance, pension_insurance, phone, path, updated_at) "
            "FROM STDIN"
        ) as copy:
            copy.write(people.getvalue())
        cursor.execute(
            "SELECT setval('registry_household_id_seq', (SELECT max(id) FROM registry_household))"
        )
        cursor.execute("ANALYZE registry_household; ANALYZE registry_person")
    return county, towns


def explain(unit_path: str) -> None:
    from django.db import connection

    from anju.registry import quality

    like = unit_path + "%"
    statements = {
        "duplicate (EXISTS probe per person)": (
            "SELECT p.id FROM registry_person p WHERE p.path LIKE %s AND EXISTS ("
            "SELECT 1 FROM registry_person q WHERE q.name = p.name AND q.birth_date = p.birth_date"
            " AND q.household_id <> p.household_id)",
            [like],
        ),
        "id (one expression per person)": (
            f"SELECT count(*) FROM {quality._with_id_value('registry_person')} p"
            f" WHERE p.path LIKE %s AND NOT {quality._id_valid_sql('p.v', 'p.id_number')}",
            [like, like],
        ),
        "head (grouped count of heads)": (
            "SELECT h.id FROM registry_household h LEFT JOIN (SELECT household_id, COUNT(*) AS n"
            " FROM registry_person WHERE relation = '户主' AND path LIKE %s GROUP BY household_id)"
            " c ON c.household_id = h.id WHERE h.path LIKE %s AND COALESCE(c.n, 0) <> 1",
            [like, like],
        ),
    }
    with connection.cursor() as cursor:
        for title, (sql, params) in statements.items():
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) " + sql, params)
            print(f"\n-- {title}")
            for (line,) in cursor.fetchall():
                print("   " + line)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="reuse the database as it is")
    args = parser.parse_args()
    if args.persons > 300_000:
        sys.exit("这台机器是共用的：最多 300,000 人。")
    if not args.keep:
        recreate(os.environ["ANJU_DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from anju.registry import quality
    from anju.registry.models import Person

    if not args.keep:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        county, towns = build(args.persons)
        with connection.cursor() as cursor:  # as autovacuum would: index-only probes
            cursor.execute("VACUUM ANALYZE registry_person")
        print(f"built {args.persons:,} persons in {time.perf_counter() - started:.1f} s")
    else:
        from anju.orgs.models import AdminUnit

        towns = list(AdminUnit.objects.filter(level="town").order_by("pk"))
    from anju.orgs.models import Site

    site = Site.objects.order_by("pk").first()
    total = Person.objects.count()
    timings: dict[str, float] = {}

    def timed(step):
        def run(ctx):
            started = time.perf_counter()
            step(ctx)
            timings[step.__name__] = time.perf_counter() - started

        run.__name__ = step.__name__
        return run

    quality.CHECK_STEPS = tuple(timed(step) for step in quality.CHECK_STEPS)
    for label, path in (
        ("everything", ""),
        (towns[0].name, towns[0].path),
        (site.name, site.path),
    ):
        for attempt in range(2):
            started = time.perf_counter()
            run = quality.check_now(path)
            seconds = time.perf_counter() - started
            n = total if not path else Person.objects.filter(path__startswith=path).count()
            print(
                f"run over {label} ({n:,} persons), attempt {attempt + 1}: {seconds:.2f} s, "
                f"{n / seconds:,.0f} persons/s, status {run.status}, findings {run.counts}"
            )
            print("   steps: " + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()))
    explain("")


if __name__ == "__main__":
    main()
