"""Benchmark: the registry import against PostgreSQL.

    ANJU_DATABASE_URL=postgres://postgres@127.0.0.1:5432/anju_bench .venv/bin/python bench/import_registry.py

Imports N persons (default 100,000) from an .xlsx workbook and prints persons per second, with
ratios measured in the same run on the same rows against
  (a) a raw COPY of the same cells into a bare table of text columns (reading the workbook with the
      same reader, and COPY alone),
  (b) django-import-export loading the same households and persons into the same models.
Then imports 1,000,000 persons from CSV in a child process and prints time and peak memory.
The database named by ANJU_DATABASE_URL is dropped and recreated.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anju.settings.base")
os.environ.setdefault("ANJU_SECRET_KEY", "bench")
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/anju_bench"
os.environ.setdefault("ANJU_DATABASE_URL", DEFAULT_URL)


def _recreate_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _setup_django(fresh: bool):
    if fresh:
        _recreate_database(os.environ["ANJU_DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    if fresh:
        call_command("migrate", verbosity=0)


SITES = 20
BUILDINGS_PER_SITE = 10


def _tree():
    """A county with towns, communities, SITES sites and their buildings, through the services."""
    from anju.orgs import services as org
    from anju.orgs.models import AdminUnit, Site

    if Site.objects.filter(name="基准安置点01").exists():
        return
    province = org.create_admin_unit(
        None, parent=None, name="陕西省", level="province", code="610000"
    )
    city = org.create_admin_unit(None, parent=province, name="榆林市", level="city", code="610800")
    county = org.create_admin_unit(None, parent=city, name="清涧县", level="county", code="610830")
    for t in range(4):
        town = org.create_admin_unit(None, parent=county, name=f"基准镇{t}", level="town")
        for c in range(SITES // 4):
            n = t * (SITES // 4) + c + 1
            community = org.create_admin_unit(
                None, parent=town, name=f"基准社区{n:02d}", level="village", is_community=True
            )
            site = org.create_site(None, admin_unit=community, name=f"基准安置点{n:02d}")
            for b in range(1, BUILDINGS_PER_SITE + 1):
                org.create_building(None, site=site, name=f"{b}号楼")
    assert AdminUnit.objects.filter(level="county").count() == 1


def rows(n: int, seed: int = 7):
    """n person rows in the import's layout, households of 1–6 persons, valid identity numbers."""
    from stdnum.cn import ric

    from anju.registry import choices

    rng = random.Random(seed)
    as_of = date(2020, 6, 30)
    made = 0
    household = 0
    used: set[str] = set()
    while made < n:
        household += 1
        size = min(rng.choice((1, 2, 3, 3, 4, 4, 5, 6)), n - made)
        site = household % SITES + 1
        base = {
            "户编号": f"BM{household:07d}",
            "安置点": f"基准安置点{site:02d}",
            "户类型": "搬迁脱贫户" if household % 7 else "同步搬迁户",
            "安置方式": "集中安置",
            "迁出乡镇": "折家坪镇",
            "迁出村": f"村{household % 50}",
            "楼栋": f"{household % 10 + 1}号楼",
            "单元": str(household % 3 + 1),
            "房号": f"{household % 17 + 1}{household % 4 + 1:02d}",
            "入住日期": "2019-08-20",
            "兜底保障": "低保" if household % 23 == 0 else "",
            "户联系电话": f"138{household:08d}",
        }
        for i in range(size):
            age = rng.randint(19, 80) if i == 0 else rng.randint(0, 80)
            birth = as_of - timedelta(days=365 * age + rng.randint(0, 364))
            region = "612731" if birth.year < 1999 else "610830"
            while True:
                body = f"{region}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
                number = body + ric.calc_check_digit(body + "0")
                if number not in used:
                    used.add(number)
                    break
            yield {
                **base,
                "姓名": f"基准{household}-{i}",
                "身份证号": number,
                "与户主关系": "户主" if i == 0 else rng.choice(["配偶", "之子", "之女"]),
                "民族": "汉族",
                "文化程度": rng.choice(choices.EDUCATION),
                "在校生状况": "非在校生",
                "健康状况": "健康",
                "劳动技能": "普通劳动力",
                "户籍状态": "已迁入安置地",
                "联系电话": "",
                "医疗保险": "城乡居民基本医疗保险",
                "养老保险": "城乡居民养老保险",
            }
            made += 1


def write_xlsx(path: Path, n: int) -> None:
    import xlsxwriter

    from anju.registry.columns import COLUMNS

    labels = [c.label for c in COLUMNS]
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("台账")
    sheet.write_string(0, 0, "基准测试台账")
    for col, label in enumerate(labels):
        sheet.write_string(1, col, label)
    for r, row in enumerate(rows(n), start=2):
        for col, label in enumerate(labels):
            value = row.get(label, "")
            if value:
                sheet.write_string(r, col, value)
    book.close()


def write_csv(path: Path, n: int) -> None:
    from anju.registry.columns import COLUMNS

    labels = [c.label for c in COLUMNS]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(labels)
        for row in rows(n):
            writer.writerow([row.get(label, "") for label in labels])


def _truncate():
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE registry_personmove, registry_householdmove, registry_person, "
            "registry_household, audit_auditlog RESTART IDENTITY CASCADE"
        )


def baseline_copy(path: Path) -> tuple[float, float, int]:
    """(read + COPY seconds, COPY-only seconds, rows): the same cells into a bare text table."""
    from django.db import connection

    from anju.registry.reading import read_rows

    start = time.perf_counter()
    data = [[("" if c is None else str(c)) for c in r] for r in read_rows(path)][2:]
    width = max(len(r) for r in data)
    read = time.perf_counter() - start
    cols = ", ".join(f"c{i} text" for i in range(width))
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_bare")
        cur.execute(f"CREATE UNLOGGED TABLE bench_bare ({cols})")
        copy_start = time.perf_counter()
        with cur.cursor.copy("COPY bench_bare FROM STDIN") as copy:
            for r in data:
                copy.write_row(r + [""] * (width - len(r)))
        copy_time = time.perf_counter() - copy_start
        cur.execute("DROP TABLE bench_bare")
    return read + copy_time, copy_time, len(data)


def ours(path: Path) -> tuple[float, object]:
    from anju.registry.services import import_registry

    start = time.perf_counter()
    outcome = import_registry(None, path)
    elapsed = time.perf_counter() - start
    if outcome.errors:
        raise SystemExit(f"import rejected: {outcome.errors[:3]}")
    return elapsed, outcome


def django_import_export(path: Path, limit: int | None) -> tuple[float, int]:
    """The same households and persons through django-import-export's ModelResource."""
    import tablib
    from import_export import fields, resources, widgets

    from anju.orgs.models import AdminUnit, Building, Site
    from anju.registry import normalize
    from anju.registry.models import Household, Person
    from anju.registry.reading import read_rows

    county = AdminUnit.objects.get(level="county")
    sites = {s.name: s for s in Site.objects.all()}
    buildings = {(b.site_id, b.name): b for b in Building.objects.all()}

    class HouseholdResource(resources.ModelResource):
        county = fields.Field(
            attribute="county", column_name="county", widget=widgets.ForeignKeyWidget(AdminUnit)
        )
        site = fields.Field(
            attribute="site", column_name="site", widget=widgets.ForeignKeyWidget(Site)
        )
        building = fields.Field(
            attribute="building", column_name="building", widget=widgets.ForeignKeyWidget(Building)
        )

        class Meta:
            model = Household
            import_id_fields = ["number"]
            fields = [
                "number",
                "county",
                "category",
                "settlement",
                "site",
                "building",
                "unit_no",
                "room_no",
                "origin_town",
                "origin_village",
                "move_in_date",
                "safety_net",
                "phone",
                "path",
            ]

    class PersonResource(resources.ModelResource):
        household = fields.Field(
            attribute="household",
            column_name="household",
            widget=widgets.ForeignKeyWidget(Household, "number"),
        )

        class Meta:
            model = Person
            import_id_fields = ["id_number"]
            fields = [
                "id_number",
                "household",
                "name",
                "birth_date",
                "sex",
                "relation",
                "ethnicity",
                "education",
                "schooling",
                "labour_skill",
                "hukou_status",
                "path",
            ]

    raw = list(read_rows(path))[2:]
    if limit:
        raw = raw[:limit]
    labels = [c for c in list(read_rows(path))[1]]
    col = {label: i for i, label in enumerate(labels)}
    start = time.perf_counter()
    hh = tablib.Dataset(headers=HouseholdResource.Meta.fields)
    people = tablib.Dataset(headers=PersonResource.Meta.fields)
    seen = set()
    for r in raw:
        get = lambda label, r=r: r[col[label]] if col[label] < len(r) else ""  # noqa: E731
        site = sites[get("安置点")]
        building = buildings[(site.pk, get("楼栋"))]
        number = get("户编号")
        if number not in seen:
            seen.add(number)
            hh.append(
                [
                    number,
                    county.pk,
                    "lifted" if get("户类型") == "搬迁脱贫户" else "co_relocated",
                    "centralized",
                    site.pk,
                    building.pk,
                    get("单元"),
                    get("房号"),
                    get("迁出乡镇"),
                    get("迁出村"),
                    get("入住日期"),
                    "dibao" if get("兜底保障") else "",
                    get("户联系电话"),
                    building.path,
                ]
            )
        pid = get("身份证号")
        people.append(
            [
                pid,
                number,
                get("姓名"),
                normalize.birth_date_of(pid).isoformat(),
                normalize.sex_of(pid),
                get("与户主关系"),
                get("民族"),
                get("文化程度"),
                get("在校生状况"),
                get("劳动技能"),
                get("户籍状态"),
                building.path,
            ]
        )
    result = HouseholdResource().import_data(hh, raise_errors=True)
    result_p = PersonResource().import_data(people, raise_errors=True)
    elapsed = time.perf_counter() - start
    assert not result.has_errors() and not result_p.has_errors()
    return elapsed, len(raw)


def million(n: int) -> None:
    """Runs in a child process so its peak memory is its own."""
    _setup_django(fresh=False)
    _truncate()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "million.csv"
        start = time.perf_counter()
        write_csv(path, n)
        written = time.perf_counter() - start
        elapsed, outcome = ours(path)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{n:,} persons from CSV (written in {written:.0f} s): imported in {elapsed:.1f} s "
        f"= {n / elapsed:,.0f} persons/s; peak memory {peak:,.0f} MB "
        f"({outcome.households_new:,} households)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--million", type=int, default=1_000_000, help="0 to skip")
    parser.add_argument(
        "--die-rows",
        type=int,
        default=0,
        help="rows for django-import-export (0 = all the same rows)",
    )
    parser.add_argument("--child-million", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_million:
        million(args.child_million)
        return
    _setup_django(fresh=True)
    _tree()
    n = args.persons
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "registry.xlsx"
        t = time.perf_counter()
        write_xlsx(path, n)
        print(
            f"workbook of {n:,} persons written in {time.perf_counter() - t:.1f} s "
            f"({path.stat().st_size / 1e6:.1f} MB)"
        )

        bare, copy_only, copied = baseline_copy(path)
        assert copied == n
        _truncate()
        elapsed, outcome = ours(path)
        again, second = ours(path)
        print(
            f"anju import: {n:,} persons, {outcome.households_new:,} households in "
            f"{elapsed:.2f} s = {n / elapsed:,.0f} persons/s"
        )
        print(
            f"  re-import of the same file: {again:.2f} s, changed "
            f"{second.households_changed + second.persons_changed} rows"
        )
        print(
            f"(a) raw COPY baseline: read + COPY {bare:.2f} s ({n / bare:,.0f} rows/s), "
            f"COPY alone {copy_only:.2f} s -> anju is {elapsed / bare:.1f}x read+COPY, "
            f"{elapsed / copy_only:.1f}x COPY alone (goal: within 5x)"
        )

        _truncate()
        die_time, die_rows = django_import_export(path, args.die_rows or None)
        die_rate = die_rows / die_time
        print(
            f"(b) django-import-export: {die_rows:,} persons in {die_time:.1f} s = "
            f"{die_rate:,.0f} persons/s -> anju is {(n / elapsed) / die_rate:.1f}x faster "
            f"(goal: at least 10x)"
        )
    if args.million:
        subprocess.run(
            [sys.executable, __file__, "--child-million", str(args.million)],
            check=True,
            env=os.environ.copy(),
        )


if __name__ == "__main__":
    main()
