"""安置点基本情况: the population breakdowns the site plans report, counted from the registry.

Counted for one site, or rolled up for any unit (a town, a county), optionally for one household
category. Every figure comes from a handful of grouped queries over the unit's subtree, whatever
the number of sites below it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

from django.db.models import Count, Q

from anju.core.scope import UNRESTRICTED, scope_paths
from anju.policies.selectors import resolve

from . import choices, rollups

# The two education schemes the seeds use (000): five bands over everyone, three bands over
# working-age non-students with labour capacity.
EDUCATION_FIVE = [
    ("文盲", {"文盲或半文盲"}),
    ("小学", {"小学"}),
    ("初中", {"初中"}),
    ("高中及中专", {"高中", "中专"}),
    ("大专及以上", {"大专", "本科及以上"}),
]
EDUCATION_THREE = [
    ("文盲", {"文盲或半文盲"}),
    ("小学至高中", {"小学", "初中", "高中"}),
    ("中专以上", {"中专", "大专", "本科及以上"}),
]
DEFAULT_BANDS = [[19, 36, 60], [18, 61]]


@dataclass
class Summary:
    on: date
    households: int = 0
    persons: int = 0
    by_category: dict = field(default_factory=dict)
    age_schemes: list = field(default_factory=list)
    education_all: dict = field(default_factory=dict)
    education_labour: dict = field(default_factory=dict)
    labour_persons: int = 0
    labour_households: int = 0
    safety_net_households: int = 0
    safety_net_persons: int = 0
    safety_net: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "on": self.on.isoformat(),
            "households": self.households,
            "persons": self.persons,
            "by_category": self.by_category,
            "age_schemes": self.age_schemes,
            "education_all": self.education_all,
            "education_labour": self.education_labour,
            "labour_persons": self.labour_persons,
            "labour_households": self.labour_households,
            "safety_net_households": self.safety_net_households,
            "safety_net_persons": self.safety_net_persons,
            "safety_net": self.safety_net,
        }


def band_labels(bounds: list[int]) -> list[str]:
    starts = [0, *bounds]
    labels = [f"{starts[0]}–{bounds[0] - 1}岁" if bounds else "全部"]
    labels += [f"{a}–{b - 1}岁" for a, b in zip(starts[1:], bounds[1:], strict=False)]
    return [*labels, f"{bounds[-1]}岁及以上"]


def _band(age: int, bounds: list[int]) -> int:
    for index, bound in enumerate(bounds):
        if age < bound:
            return index
    return len(bounds)


def _schemes(node, on: date) -> list[list[int]]:
    schemes = []
    for key in ("registry.age_bands", "registry.age_bands_secondary"):
        value = resolve(key, node, on).value if node is not None else None
        if value and value not in schemes:
            schemes.append(value)
    return schemes or DEFAULT_BANDS


def education_bands(counter: Counter, scheme) -> dict[str, int]:
    return {label: sum(counter[v] for v in values) for label, values in scheme}


def education_schemes(counter: Counter) -> dict:
    """Both education schemes and the blanks, as summaries report them."""
    return {
        "five": education_bands(counter, EDUCATION_FIVE),
        "three": education_bands(counter, EDUCATION_THREE),
        "blank": counter[""],
    }


HOUSEHOLD_TOTALS = {
    "total": Count("id"),
    "lifted": Count("id", filter=Q(category=choices.Category.LIFTED)),
    "safety": Count("id", filter=~Q(safety_net="")),
    "dibao": Count("id", filter=Q(safety_net=choices.SafetyNet.DIBAO)),
    "tekun": Count("id", filter=Q(safety_net=choices.SafetyNet.TEKUN)),
}
PERSON_COLUMNS = (
    "household_id",
    "household__category",
    "household__safety_net",
    "birth_date",
    "education",
    "schooling",
    "labour_skill",
)


def summarise(households, persons, *, on: date, node=None, schemes=None) -> Summary:
    """Breakdowns of the given household and person querysets, counted person by person in
    Python: the independent count the roll-ups are checked against (tests, and nothing on a
    request path). Age bands come from ``schemes`` if given, else from the parameters in force
    for ``node``."""
    totals = households.aggregate(**HOUSEHOLD_TOTALS)
    rows = persons.values_list(*PERSON_COLUMNS).iterator(5000)
    return tally(totals, rows, on=on, schemes=schemes or _schemes(node, on))


def tally(totals: dict, rows, *, on: date, schemes: list[list[int]]) -> Summary:
    """A summary from household totals (``HOUSEHOLD_TOTALS``) and person rows
    (``PERSON_COLUMNS``): shared by one place's summary and the per-site quality checks."""
    s = Summary(on=on)
    s.households = totals["total"]
    by_cat_persons: Counter = Counter()
    education_all: Counter = Counter()
    education_labour: Counter = Counter()
    labour_households: set[int] = set()
    ages = [[0] * (len(b) + 1) for b in schemes]
    safety_persons: Counter = Counter()
    for hid, category, safety, birth, education, schooling, skill in rows:
        s.persons += 1
        by_cat_persons[category] += 1
        age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
        for index, bounds in enumerate(schemes):
            ages[index][_band(age, bounds)] += 1
        education_all[education] += 1
        if safety:
            safety_persons[safety] += 1
        if skill in choices.WITH_LABOUR:
            s.labour_persons += 1
            labour_households.add(hid)
            if schooling in ("", choices.NOT_IN_SCHOOL):
                education_labour[education] += 1
    s.labour_households = len(labour_households)
    s.by_category = {
        "lifted": {
            "label": "搬迁脱贫户",
            "households": totals["lifted"],
            "persons": by_cat_persons[choices.Category.LIFTED],
        },
        "co_relocated": {
            "label": "同步搬迁户",
            "households": totals["total"] - totals["lifted"],
            "persons": by_cat_persons[choices.Category.CO_RELOCATED],
        },
    }
    s.age_schemes = [
        {
            "bounds": b,
            "labels": band_labels(b),
            "counts": ages[i],
            "pairs": list(zip(band_labels(b), ages[i], strict=True)),
        }
        for i, b in enumerate(schemes)
    ]
    s.education_all = education_schemes(education_all)
    s.education_labour = education_schemes(education_labour)
    s.safety_net_households = totals["safety"]
    s.safety_net_persons = sum(safety_persons.values())
    s.safety_net = {
        "dibao": {"households": totals["dibao"], "persons": safety_persons["dibao"]},
        "tekun": {"households": totals["tekun"], "persons": safety_persons["tekun"]},
    }
    return s


ALL = "all"


def everywhere():
    """Stands for the whole platform where a page expects a node."""
    return SimpleNamespace(name="全部地区", path=rollups.ROOT, key=ALL, pk=None)


def roots_for(user, node_path: str) -> list[str]:
    """The subtrees of ``node_path`` the user sees: the node itself when the user serves it or a
    node above it, else the nodes the user serves inside it."""
    paths = scope_paths(user)
    if paths is UNRESTRICTED or any(node_path.startswith(p) for p in paths):
        return [node_path]
    return [p for p in paths if p.startswith(node_path)]


def for_node(user, node, *, on: date, category: str = "") -> Summary:
    """The summary of a site or any unit the user sees (its whole subtree), read from the
    roll-ups; ``node=None`` is the whole platform (for users who see all of it)."""
    path = node.path if node is not None else rollups.ROOT
    return for_roots(roots_for(user, path), on=on, category=category, node=node)


def for_roots(roots, *, on: date, category: str = "", node=None, schemes=None, raw=False):
    """The summary of the union of the subtrees at ``roots``. ``raw=True`` counts every person
    the naive way instead of reading the roll-ups (the benchmark's and the tests' baseline)."""
    schemes = schemes or _schemes(node, on)
    if not roots:
        return from_figures(rollups.Figures([], [], [], []), on=on, schemes=schemes)
    read = rollups.raw_figures if raw else rollups.figures
    return from_figures(read(roots, category=category), on=on, schemes=schemes, category=category)


def from_figures(fig, *, on: date, schemes: list[list[int]], category: str = "") -> Summary:
    """A summary assembled from grouped figures (``rollups.Figures``)."""
    s = Summary(on=on)
    hh: Counter = Counter()
    persons_by: Counter = Counter()
    for cat, safety, has_labour, households, persons in fig.households:
        hh["total"] += households
        hh[cat] += households
        persons_by[cat] += persons
        if safety:
            hh["safety"] += households
            hh["safety_persons"] += persons
            hh[f"{safety}_households"] += households
            hh[f"{safety}_persons"] += persons
        if has_labour:
            s.labour_households += households
    months: Counter = Counter()
    for _cat, month, persons in fig.ages:
        months[month] += persons
    education_all: Counter = Counter()
    education_labour: Counter = Counter()
    for _cat, education, schooling, skill, persons in fig.skills:
        education_all[education] += persons
        if skill in choices.WITH_LABOUR:
            s.labour_persons += persons
            if schooling in ("", choices.NOT_IN_SCHOOL):
                education_labour[education] += persons
    s.households = hh["total"]
    s.persons = sum(persons_by.values())
    s.by_category = {
        "lifted": {
            "label": "搬迁脱贫户",
            "households": hh[choices.Category.LIFTED],
            "persons": persons_by[choices.Category.LIFTED],
        },
        "co_relocated": {
            "label": "同步搬迁户",
            "households": hh["total"] - hh[choices.Category.LIFTED],
            "persons": persons_by[choices.Category.CO_RELOCATED],
        },
    }
    bounds = sorted({b for scheme in schemes for b in scheme})
    at_least = rollups.at_least(fig.roots, on, bounds, months, category=category)
    s.age_schemes = []
    for scheme in schemes:
        reached = [s.persons, *(at_least[b] for b in scheme), 0]
        counts = [reached[i] - reached[i + 1] for i in range(len(scheme) + 1)]
        labels = band_labels(scheme)
        s.age_schemes.append(
            {
                "bounds": scheme,
                "labels": labels,
                "counts": counts,
                "pairs": list(zip(labels, counts, strict=True)),
            }
        )
    s.education_all = education_schemes(education_all)
    s.education_labour = education_schemes(education_labour)
    s.safety_net_households = hh["safety"]
    s.safety_net_persons = hh["safety_persons"]
    s.safety_net = {
        "dibao": {"households": hh["dibao_households"], "persons": hh["dibao_persons"]},
        "tekun": {"households": hh["tekun_households"], "persons": hh["tekun_persons"]},
    }
    return s


def rows(s: Summary) -> list[list]:
    """The summary as (item, sub-item, count) rows for the Excel export."""
    out = [["户数", "合计", s.households], ["人数", "合计", s.persons]]
    for item in s.by_category.values():
        out += [
            ["户数", item["label"], item["households"]],
            ["人数", item["label"], item["persons"]],
        ]
    for scheme in s.age_schemes:
        for label, count in zip(scheme["labels"], scheme["counts"], strict=True):
            out.append([f"年龄（{'、'.join(map(str, scheme['bounds']))} 分段）", label, count])
    for title, pool in (
        ("文化程度（全部人口）", s.education_all),
        ("文化程度（有劳动能力的非在校人口）", s.education_labour),
    ):
        for scheme in ("five", "three"):
            for label, count in pool[scheme].items():
                out.append([title, label, count])
    out += [
        ["劳动力", "有劳动能力人数", s.labour_persons],
        ["劳动力", "有劳动力户数", s.labour_households],
        ["兜底保障", "户数", s.safety_net_households],
        ["兜底保障", "人数", s.safety_net_persons],
        ["兜底保障", "低保户数", s.safety_net["dibao"]["households"]],
        ["兜底保障", "特困供养户数", s.safety_net["tekun"]["households"]],
    ]
    return out
