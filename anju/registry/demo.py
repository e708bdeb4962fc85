"""Person-level demo households generated deterministically from the seeds' site figures.

For each 清涧县 site the generator builds households and persons whose summary reproduces what
the plan reports (000) wherever the plan agrees with itself: households and persons by category,
age bands, education, persons with labour capacity, households with labour, safety-net
households and persons. Where the plan contradicts itself the generator keeps the figure the
other figures agree with, and the declared figure stays on the site profile, so the data quality
page shows the gap. The rows are written through the registry import, like any county's sheet.
"""

from __future__ import annotations

import csv
import random
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from stdnum.cn import ric

from anju.orgs.models import AdminUnit, Building, Site

from . import people as draw
from . import services
from .columns import COLUMNS
from .models import DwellingType, SiteProfile
from .seed_conflicts import CONFLICTS, source_of
from .seed_sites import SITES as SEED

AS_OF = date(2020, 6, 30)  # the plans' reporting time; ages in the summaries are taken on it
SCHEME_BANDS = {"A": [(0, 17), (18, 60), (61, 85)], "B": [(0, 17), (19, 35), (36, 59), (60, 85)]}
FIVE = {
    "文盲": ["文盲或半文盲"],
    "小学": ["小学"],
    "初中": ["初中"],
    "高中及中专": ["高中", "中专"],
    "大专及以上": ["大专", "本科及以上"],
}
THREE = {
    "文盲": ["文盲或半文盲"],
    "小学至高中": ["小学", "初中", "高中"],
    "中专以上": ["中专", "大专", "本科及以上"],
    "大专及以上": ["中专", "大专", "本科及以上"],
}


@dataclass
class Plan:
    site: str
    households: int
    persons: int
    lifted_households: int
    lifted_persons: int
    scheme: str | None
    age_counts: list[int] | None
    education_population: str | None  # "all" or "labour"
    education_labels: list[str] | None
    education_counts: list[int] | None
    labour_persons: int | None
    labour_households: int | None
    safety_households: int
    safety_persons: int
    # Households as the plan lists them, where it does: (size, origin town, origin village,
    # dwelling area ㎡). None = the plan gives no per-household facts.
    households_spec: list[tuple[int, str, str, Decimal | None]] | None = None


def plan_for(name: str) -> Plan:
    fig = SEED[name]
    ages = fig.get("age_counts")
    persons = fig["persons"]
    if ages and fig.get("lifted_persons") in (None, persons) and sum(ages) != persons:
        persons = sum(ages)  # 牛家湾: 151 declared, every breakdown counts 150
    lifted_h = (
        fig.get("lifted_households") or fig.get("lifted_households_derived") or fig["households"]
    )
    lifted_p = fig.get("lifted_persons") or fig.get("lifted_persons_derived") or persons
    lifted_p = min(lifted_p, persons)
    population = None
    if fig.get("education_counts"):
        text = fig.get("education_population") or ""
        population = "labour" if "劳动" in text and "NOT the" not in text else "all"
        if name == "康家湾集中安置点":
            population = "labour"  # the plan gives no population; its labour figure is nearest
    return Plan(
        site=name,
        households=fig["households"],
        persons=persons,
        lifted_households=lifted_h,
        lifted_persons=lifted_p,
        scheme=fig.get("age_scheme") if ages else None,
        age_counts=ages,
        education_population=population,
        education_labels=fig.get("education_labels"),
        education_counts=fig.get("education_counts"),
        labour_persons=fig.get("labour_persons"),
        labour_households=fig.get("labour_households"),
        safety_households=fig.get("safety_net_households") or 0,
        safety_persons=fig.get("safety_net_persons") or 0,
        households_spec=households_spec(name, random.Random(name)),
    )


def households_spec(name: str, rng: random.Random) -> list | None:
    """The households of a site as its plan states them: origin town or village with household
    and person counts, and household sizes by dwelling type (高杰村: a 1-person dwelling of 25㎡
    for each 1-person household …). None when the plan states neither."""
    fig = SEED[name]
    origins = fig.get("origin_town_breakdown") or fig.get("origin_breakdown")
    if not origins:
        return None
    township = fig["township"]
    if "origin_town_breakdown" in fig:
        # 下七里湾: 宽州镇 23户97人, other towns 33户147人 (the plan does not name them).
        others = [t for t in QINGJIAN_ORIGIN_TOWNS if t != township]
        groups = []
        for town, counts in origins.items():
            sizes = spread_sizes(rng, counts["households"], counts["persons"])
            for size in sizes:
                place = town if town in QINGJIAN_ORIGIN_TOWNS else rng.choice(others)
                groups.append((size, place, origin_village(rng, place), None))
        return groups
    # 高杰村: ten origin villages (of 高杰村镇), sizes from the dwelling types.
    by_size = {}
    for item in fig.get("dwelling_types") or []:
        by_size[item["persons_per_dwelling"]] = (item["count"], Decimal(str(item["area_m2"])))
    pool = {size: count for size, (count, _) in by_size.items()}
    villages = [(v, c["households"], c["persons"]) for v, c in origins.items()]
    plan = partition_sizes(villages, pool)
    return [
        (size, township, village, by_size[size][1])
        for village, sizes in plan.items()
        for size in sizes
    ]


def spread_sizes(rng: random.Random, households: int, persons: int) -> list[int]:
    """``households`` sizes summing to ``persons``, spread as real households are (1 to 8)."""
    sizes = _split(persons, households)
    for _ in range(households * 2):
        a, b = rng.randrange(households), rng.randrange(households)
        if a != b and sizes[a] > 1 and sizes[b] < 8:
            sizes[a] -= 1
            sizes[b] += 1
    return sizes


def partition_sizes(villages, pool: dict[int, int]) -> dict[str, list[int]]:
    """Give each origin village (name, households, persons) household sizes from ``pool``
    (size → number of households) so that every village's figures and the pool add up."""
    order = sorted(villages, key=lambda v: v[1])

    def place(index, left):
        if index == len(order):
            return {} if not any(left.values()) else None
        name, h, p = order[index]
        for sizes in _choices(sorted(s for s, n in left.items() if n), dict(left), h, p):
            rest = dict(left)
            for s in sizes:
                rest[s] -= 1
            found = place(index + 1, rest)
            if found is not None:
                found[name] = sizes
                return found
        return None

    result = place(0, dict(pool))
    if result is None:
        raise ValueError("迁出村户数、人数与户型无法对应")
    return result


def _choices(sizes, left, h, p, start=0):
    """Multisets of ``h`` sizes (ascending, within what is left) summing to ``p``."""
    if h == 0:
        if p == 0:
            yield []
        return
    for i in range(start, len(sizes)):
        s = sizes[i]
        if s * h > p:
            break
        if left[s] == 0 or s + sizes[-1] * (h - 1) < p:
            continue
        left[s] -= 1
        for tail in _choices(sizes, left, h - 1, p - s, i):
            yield [s, *tail]
        left[s] += 1


def origin_village(rng: random.Random, town: str) -> str:
    return rng.choice("东西南北前后上下") + rng.choice(("沟村", "湾村", "坪村", "山村"))


# 清涧县's towns people moved from (the plans name 9 towns and 5 便民中心 without listing them).
QINGJIAN_ORIGIN_TOWNS = [
    "宽州镇",
    "折家坪镇",
    "高杰村镇",
    "石咀驿镇",
    "李家塔镇",
    "店则沟镇",
    "解家沟镇",
    "下二十里铺镇",
    "玉家河镇",
]


class Generator:
    def __init__(self, seed: int, ids: set[str]):
        self.rng = random.Random(seed)
        self.ids = ids  # shared by all sites: identity numbers are unique platform-wide

    def birth(self, age_low: int, age_high: int) -> date:
        age = self.rng.randint(age_low, age_high)
        day = self.rng.randint(0, 364)
        return AS_OF - timedelta(days=365 * age + (age // 4) + day + 1)

    def id_number(self, birth: date, male: bool, region: str) -> str:
        while True:
            seq = self.rng.randint(0, 499) * 2 + (1 if male else 0)
            body = f"{region}{birth:%Y%m%d}{seq:03d}"
            number = body + ric.calc_check_digit(body + "0")
            if number not in self.ids:
                self.ids.add(number)
                return number


def _ages_from_bands(gen: Generator, plan: Plan, count: int) -> list[int]:
    if plan.age_counts:
        ages = []
        for (low, high), n in zip(SCHEME_BANDS[plan.scheme], plan.age_counts, strict=True):
            ages += [gen.rng.randint(low, high) for _ in range(n)]
        return ages
    return [
        gen.rng.choice(
            [
                gen.rng.randint(0, 17),
                gen.rng.randint(19, 59),
                gen.rng.randint(19, 59),
                gen.rng.randint(60, 85),
            ]
        )
        for _ in range(count)
    ]


def _fit(counts: list[int], total: int) -> list[int]:
    """Band counts adjusted to a population of ``total`` (the largest band takes the gap)."""
    counts = list(counts)
    gap = total - sum(counts)
    counts[counts.index(max(counts))] += gap
    return counts


def _education_values(gen, labels, counts, total) -> list[str]:
    table = FIVE if len(labels) == 5 else THREE
    values = []
    for label, n in zip(labels, _fit(counts, total), strict=True):
        pool = table[label]
        values += [pool[i % len(pool)] for i in range(n)]
    return values


def lifted_people(gen: Generator, plan: Plan) -> list[dict]:
    """The lifted persons of a site, with age, labour and education fitting the plan; education
    goes to the persons whose birth cohort and age make it plausible (people.fit_education)."""
    ages = _ages_from_bands(gen, plan, plan.lifted_persons)
    people = [{"age": a} for a in ages]
    working = [p for p in people if 18 <= p["age"] < 60]
    elderly = sorted((p for p in people if p["age"] >= 60), key=lambda p: p["age"])
    teens = [p for p in people if 16 <= p["age"] < 18]
    wanted = plan.labour_persons
    if wanted is None:
        wanted = round(len(working) * 0.75)
    for p in (working + elderly + teens)[:wanted]:
        p["labour"] = True
    for p in people:
        p.setdefault("labour", False)
    year = AS_OF.year
    if plan.education_population == "labour":
        labour = [p for p in people if p["labour"]]
        values = _education_values(gen, plan.education_labels, plan.education_counts, len(labour))
        draw.fit_education(gen.rng, labour, values, year)
        for p in people:
            if not p["labour"]:
                p["education"] = draw.cohort_education(gen.rng, p["age"], year - p["age"] - 1)
    elif plan.education_population == "all":
        values = _education_values(gen, plan.education_labels, plan.education_counts, len(people))
        draw.fit_education(gen.rng, people, values, year)
    else:
        for p in people:
            p["education"] = draw.cohort_education(gen.rng, p["age"], year - p["age"] - 1)
    for p in people:
        p["schooling"] = draw.schooling_for(p["age"], p["education"], p["labour"])
    return people


def households_of(
    gen: Generator,
    people: list[dict],
    count: int,
    labour_households: int | None,
    safety: tuple[int, int],
) -> list[tuple[list[dict], bool]]:
    """Group persons into ``count`` households, ``labour_households`` of them with labour, and
    ``safety`` = (households, persons) on the safety net: made of persons without labour where the
    figures allow, else some of them also hold a worker (麻池沟: 37 of 38 households have labour,
    2 are on the safety net). Returns (members, on the safety net) per household."""
    labour = [p for p in people if p["labour"]]
    others = sorted((p for p in people if not p["labour"]), key=lambda p: -p["age"])
    safety_h, safety_p = safety
    if labour_households is None:
        labour_households = min(len(labour), count - safety_h - max(1, count // 20))
    both = max(0, labour_households + safety_h - count)
    sizes = _split(safety_p, safety_h) if safety_h else []
    fixed: list[tuple[list[dict], bool]] = []
    for size in sizes[: safety_h - both]:
        fixed.append(([others.pop(0) for _ in range(size)], True))
    for size in sizes[safety_h - both :]:
        fixed.append(([labour.pop(0)] + [others.pop(0) for _ in range(size - 1)], True))
    working = [[labour.pop(0)] for _ in range(labour_households - both)]
    plain = [[others.pop(0)] for _ in range(count - labour_households - (safety_h - both))]
    for i, p in enumerate(labour):
        working[i % len(working)].append(p)
    open_groups = working + plain
    for i, p in enumerate(others):
        open_groups[i % len(open_groups)].append(p)
    groups = fixed + [(g, False) for g in open_groups]
    for group, _ in groups:
        group.sort(key=lambda p: (not (p["age"] >= 18), -p["labour"], -p["age"]))
    return groups


def _other_people(gen: Generator, count: int) -> list[dict]:
    people = []
    for _ in range(count):
        age = gen.rng.choice(
            [
                gen.rng.randint(0, 17),
                gen.rng.randint(19, 59),
                gen.rng.randint(19, 59),
                gen.rng.randint(60, 80),
            ]
        )
        labour = 18 <= age < 60 and gen.rng.random() < 0.8
        education = draw.cohort_education(gen.rng, age, AS_OF.year - age - 1)
        people.append(
            {
                "age": age,
                "labour": labour,
                "education": education,
                "schooling": draw.schooling_for(age, education, labour),
            }
        )
    return people


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def households_by_spec(gen: Generator, people: list[dict], spec) -> list[list[dict]]:
    """Persons grouped into the plan's households (sizes as stated), an adult in each first."""
    adults = [p for p in people if p["age"] >= 18]
    gen.rng.shuffle(adults)
    heads = adults[: len(spec)]
    rest = [p for p in people if not any(p is h for h in heads)]
    gen.rng.shuffle(rest)
    groups = []
    for head, (size, *_rest) in zip(heads, spec, strict=True):
        groups.append([head] + [rest.pop() for _ in range(size - 1)])
    return groups


def site_rows(
    gen: Generator,
    site: Site,
    code: str,
    plan: Plan,
    *,
    region: str,
    towns: list[str],
    buildings: list[str],
) -> list[dict]:
    lifted = lifted_people(gen, plan)
    if plan.households_spec:
        groups = [
            (g, "搬迁脱贫户", False, item)
            for g, item in zip(
                households_by_spec(gen, lifted, plan.households_spec),
                plan.households_spec,
                strict=True,
            )
        ]
    else:
        groups = [
            (g, "搬迁脱贫户", on_net, None)
            for g, on_net in households_of(
                gen,
                lifted,
                plan.lifted_households,
                plan.labour_households,
                (plan.safety_households, plan.safety_persons),
            )
        ]
    co_h = plan.households - plan.lifted_households
    co_p = plan.persons - plan.lifted_persons
    if co_h > 0:
        co_people = _other_people(gen, co_p)
        spec = [(size, "", "", None) for size in _split(co_p, co_h)]
        for group in households_by_spec(gen, co_people, spec):
            groups.append((group, "同步搬迁户", False, None))
    rows = []
    for n, (group, category, on_net, item) in enumerate(groups, start=1):
        number = f"{code}{n:04d}"
        safety = ("低保" if n % 3 else "特困供养") if on_net else ""
        building = buildings[(n - 1) % len(buildings)] if buildings else ""
        if item:
            _, town, village, area = item
        else:
            town = gen.rng.choice(towns)
            village, area = origin_village(gen.rng, town), None
        household = {
            "户编号": number,
            "安置点": site.name,
            "户类型": category,
            "安置方式": "集中安置",
            "迁出乡镇": town,
            "迁出村": village,
            "楼栋": building,
            "单元": str(gen.rng.randint(1, 2)) if building else "",
            "房号": f"{gen.rng.randint(1, 17)}{n % 4 + 1:02d}" if building else f"{n}",
            "入住日期": "2019-08-20",
            "住房面积": str(area) if area else "",
            "兜底保障": safety,
            "户联系电话": f"13{gen.rng.randint(0, 9)}{gen.rng.randint(10000000, 99999999)}",
        }
        group = draw.head_first(group)
        members = draw.relations_for(gen.rng, [p["age"] for p in group])
        for p, member in zip(group, members, strict=True):
            birth = gen.birth(p["age"], p["age"])
            reg = region if birth.year >= 1999 else {"610830": "612731"}.get(region, region)
            if region == "610202" and birth.year < 1983:
                reg = "610200"
            rows.append(
                {
                    **household,
                    "姓名": member.name,
                    "身份证号": gen.id_number(birth, member.sex == draw.MALE, reg),
                    "与户主关系": member.relation,
                    "民族": "汉族",
                    "政治面貌": "群众",
                    "文化程度": p["education"],
                    "在校生状况": p["schooling"],
                    "劳动技能": draw.labour_skill(p["age"], p["education"], p["labour"]),
                    "健康状况": "健康"
                    if p["labour"] or p["age"] < 60
                    else gen.rng.choice(["健康", "长期慢性病"]),
                    "户籍状态": "已迁入安置地",
                    "联系电话": "",
                    "医疗保险": "城乡居民基本医疗保险",
                    "养老保险": "城乡居民养老保险" if p["age"] >= 16 else "",
                }
            )
    return rows


def _profile(site: Site, fig: dict) -> None:
    if SiteProfile.objects.filter(site=site).exists():
        return

    def dec(key):
        value = fig.get(key)
        return Decimal(str(value)) if isinstance(value, int | float) else None

    declared = {}
    if fig.get("age_counts"):
        declared["age"] = {
            "bounds": {"A": [18, 61], "B": [19, 36, 60]}[fig["age_scheme"]],
            "labels": fig["age_labels"],
            "counts": fig["age_counts"],
            "population": "lifted",
        }
    if fig.get("education_counts"):
        declared["education"] = {
            "labels": fig["education_labels"],
            "counts": fig["education_counts"],
            "population": plan_for(site.name).education_population,
        }
    for key in (
        "labour_persons",
        "labour_households",
        "safety_net_households",
        "safety_net_persons",
    ):
        if fig.get(key) is not None:
            declared[key] = fig[key]
    profile = services.save_profile(
        None,
        site,
        land_area_mu=dec("land_area_mu"),
        land_area_m2=dec("land_area_m2"),
        investment_wan=dec("investment_wan"),
        building_count=fig.get("buildings") if isinstance(fig.get("buildings"), int) else None,
        floors=_text(fig.get("floors_verbatim") or fig.get("floors")),
        floor_area_m2=dec("floor_area_m2"),
        build_cost_per_m2=dec("build_cost_per_m2"),
        move_in=_text(fig.get("move_in"))[:100],
        occupancy_rate=dec("occupancy_rate"),
        vacate_rate=dec("vacate_rate"),
        distance_to_town_km=dec("distance_to_town_km"),
        transport=_text(fig.get("transport")),
        schools=_text(fig.get("schools")),
        clinic=_text(fig.get("clinic")),
        property_management=_text(fig.get("property_management"))[:300],
        origin=_text(fig.get("origin"))[:500],
        declared_households=fig.get("households"),
        declared_persons=fig.get("persons"),
        declared_lifted_households=fig.get("lifted_households"),
        declared_lifted_persons=fig.get("lifted_persons"),
        declared_co_households=fig.get("co_households"),
        declared_co_persons=fig.get("co_persons"),
        declared_breakdowns=declared,
        declared_on=AS_OF,
        declared_conflicts=CONFLICTS.get(site.name, []),
        source=source_of(site.name),
    )
    for item in fig.get("dwelling_types") or []:
        if item.get("area_m2") and item.get("count"):
            DwellingType.objects.create(
                profile=profile,
                area_m2=Decimal(str(item["area_m2"])),
                count=item["count"],
                persons=str(item.get("persons_per_dwelling") or ""),
            )


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{v}" for k, v in value.items())
    return str(value)


WANGYI_SITES = {"黄堡新镇区集中安置点": (24, 75), "王家河幸福居集中安置点": (21, 65)}  # 45户140人


def build(stdout=None) -> int:
    """Generate and import the demo registry (idempotent: the import upserts)."""
    qingjian = AdminUnit.objects.get(code="610830")
    towns = list(AdminUnit.objects.filter(parent=qingjian).values_list("name", flat=True))
    rows: list[dict] = []
    ids: set[str] = set()
    for index, name in enumerate(SEED, start=1):
        site = Site.objects.get(name=name, path__startswith=qingjian.path)
        _profile(site, SEED[name])
        gen = Generator(seed=index, ids=ids)
        buildings = list(
            Building.objects.filter(site=site).order_by("id").values_list("name", flat=True)
        )
        rows += site_rows(
            gen,
            site,
            f"QJ{index:02d}",
            plan_for(name),
            region="610830",
            towns=towns,
            buildings=buildings,
        )
    wangyi = AdminUnit.objects.get(code="610202")
    for index, (name, (h, p)) in enumerate(WANGYI_SITES.items(), start=1):
        site = Site.objects.get(name=name, path__startswith=wangyi.path)
        plan = Plan(
            site=name,
            households=h,
            persons=p,
            lifted_households=h,
            lifted_persons=p,
            scheme=None,
            age_counts=None,
            education_population=None,
            education_labels=None,
            education_counts=None,
            labour_persons=None,
            labour_households=None,
            safety_households=1,
            safety_persons=2,
        )
        rows += site_rows(
            Generator(seed=100 + index, ids=ids),
            site,
            f"WY{index:02d}",
            plan,
            region="610202",
            towns=["黄堡镇", "王家河街道办"],
            buildings=[],
        )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo-registry.csv"
        with open(path, "w", encoding="utf-8", newline="") as handle:
            labels = [c.label for c in COLUMNS]
            writer = csv.writer(handle)
            writer.writerow(labels)
            for row in rows:
                writer.writerow([row.get(label, "") for label in labels])
        outcome = services.import_registry(None, path, "演示台账.csv")
    if outcome.errors or outcome.needs_confirmation:
        problems = outcome.errors or outcome.warnings
        raise RuntimeError(f"演示台账导入失败：{problems[:5]}")
    if stdout:
        stdout.write(f"搬迁户台账：{outcome.describe()}")
    return len(rows)
