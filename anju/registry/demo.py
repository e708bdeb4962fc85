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

from . import services
from .columns import COLUMNS
from .models import DwellingType, SiteProfile
from .seed_conflicts import CONFLICTS
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
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红梅鑫波斌宇浩凯健俊帆帅旭"
    "宁龙林欢佳阳建国文辉力冬雪琴云飞鹏"
)


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
    )


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

    def name(self, surname: str | None = None) -> str:
        surname = surname or self.rng.choice(SURNAMES)
        return surname + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))


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


def _schooling(age: int) -> str:
    if age < 3:
        return "学龄前儿童"
    if age < 6:
        return "学前教育"
    if age < 12:
        return "小学"
    if age < 15:
        return "七至九年级"
    if age < 18:
        return "普通高中"
    return "非在校生"


def lifted_people(gen: Generator, plan: Plan) -> list[dict]:
    """The lifted persons of a site, with age, labour and education fitting the plan."""
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
        p["schooling"] = "非在校生" if p["labour"] else _schooling(p["age"])
    if plan.education_population == "labour":
        labour = [p for p in people if p["labour"]]
        values = _education_values(gen, plan.education_labels, plan.education_counts, len(labour))
        gen.rng.shuffle(values)
        for p, value in zip(labour, values, strict=True):
            p["education"] = value
        for p in people:
            if not p["labour"]:
                p["education"] = _child_education(p["age"]) if p["age"] < 18 else "小学"
    elif plan.education_population == "all":
        values = _education_values(gen, plan.education_labels, plan.education_counts, len(people))
        ordered = sorted(people, key=lambda p: p["age"])
        children = [p for p in ordered if p["age"] < 18]
        for p, value in zip(children, values[: len(children)], strict=True):
            p["education"] = value
        rest = values[len(children) :]
        gen.rng.shuffle(rest)
        for p, value in zip(ordered[len(children) :], rest, strict=True):
            p["education"] = value
    else:
        for p in people:
            p["education"] = (
                _child_education(p["age"])
                if p["age"] < 18
                else gen.rng.choice(["小学", "初中", "初中", "高中"])
            )
    return people


def _child_education(age: int) -> str:
    return "文盲或半文盲" if age < 6 else ("小学" if age < 12 else "初中")


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
        people.append(
            {
                "age": age,
                "labour": labour,
                "schooling": "非在校生" if labour else _schooling(age),
                "education": _child_education(age)
                if age < 18
                else gen.rng.choice(["小学", "初中", "高中"]),
            }
        )
    return people


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


RELATION_BY_ORDER = ["户主", "配偶", "之子", "之女", "之孙子", "之孙女", "之父", "之母"]


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
    groups = [
        (g, "搬迁脱贫户", on_net)
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
        co_people.sort(key=lambda p: -(18 <= p["age"] < 70))
        sizes = _split(co_p, co_h)
        start = 0
        for size in sizes:
            members = sorted(
                co_people[start : start + size], key=lambda p: -p["age"] * (p["age"] >= 18)
            )
            groups.append((members, "同步搬迁户", False))
            start += size
    rows = []
    for n, (group, category, on_net) in enumerate(groups, start=1):
        number = f"{code}{n:04d}"
        surname = gen.rng.choice(SURNAMES)
        safety = ("低保" if n % 3 else "特困供养") if on_net else ""
        building = buildings[(n - 1) % len(buildings)] if buildings else ""
        household = {
            "户编号": number,
            "安置点": site.name,
            "户类型": category,
            "安置方式": "集中安置",
            "迁出乡镇": gen.rng.choice(towns),
            "迁出村": gen.rng.choice("东西南北前后上下") + "沟村",
            "楼栋": building,
            "单元": str(gen.rng.randint(1, 2)) if building else "",
            "房号": f"{gen.rng.randint(1, 17)}{n % 4 + 1:02d}" if building else f"{n}",
            "入住日期": "2019-08-20",
            "兜底保障": safety,
            "户联系电话": f"13{gen.rng.randint(0, 9)}{gen.rng.randint(10000000, 99999999)}",
        }
        for index, p in enumerate(group):
            birth = gen.birth(p["age"], p["age"])
            male = (index == 0) or gen.rng.random() < 0.5
            relation = RELATION_BY_ORDER[min(index, len(RELATION_BY_ORDER) - 1)]
            if index == 1:
                male = not male if group[0]["age"] >= 18 else male
            reg = region if birth.year >= 1999 else {"610830": "612731"}.get(region, region)
            if region == "610202" and birth.year < 1983:
                reg = "610200"
            skill = (
                (
                    "技能劳动力"
                    if p["education"] in ("中专", "大专", "本科及以上")
                    else "弱劳动力或半劳动力"
                    if p["age"] >= 60
                    else "普通劳动力"
                )
                if p["labour"]
                else ("无劳动力" if p["age"] < 18 else "丧失劳动力")
            )
            rows.append(
                {
                    **household,
                    "姓名": surname + gen.name()[1:]
                    if index == 0 or relation.startswith("之") and relation not in ("之父", "之母")
                    else gen.name(),
                    "身份证号": gen.id_number(birth, male, reg),
                    "与户主关系": relation,
                    "民族": "汉族",
                    "政治面貌": "群众",
                    "文化程度": p["education"],
                    "在校生状况": p["schooling"],
                    "劳动技能": skill,
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
        source=f"清涧县{fig.get('plan', '')}（种子文件 000）",
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
    if outcome.errors:
        raise RuntimeError(f"演示台账导入失败：{outcome.errors[:5]}")
    if stdout:
        stdout.write(f"搬迁户台账：{outcome.describe()}")
    return len(rows)
