"""Drawing people who look right to locals: one module for the demo and the generator.

Given the ages of a household's members (head first), :func:`relations_for` infers who is whom
(配偶 of the opposite sex and a similar age, 之子/之女 a generation younger, 之父/之母 one older, an
adult son's wife as 之儿媳 …) and gives each a sex that matches the relation and a name that
matches the sex and the family (children take the family's surname, wives keep their own).
Education follows the birth cohort (older rural cohorts mostly 文盲 or 小学; 大专 and above only
for people born from 1966 on) and, for children, their age and schooling.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from dataclasses import dataclass

from stdnum.cn import ric

from .choices import EDUCATION

MALE, FEMALE = "M", "F"

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤拓惠折"
)
# Given-name characters people in northern Shaanxi read as a man's or a woman's.
MALE_GIVEN = (
    "伟强磊军勇杰涛明超刚波斌宇浩凯健俊帆帅旭宁龙林阳建国文辉力飞鹏峰东平海亮"
    "成志忠永胜利福贵生宝山虎彪德兴旺发武春雄鑫振"
)
FEMALE_GIVEN = (
    "芳娜秀英敏静丽艳娟兰霞桂玉萍红梅琴云雪燕凤珍花彩娥翠莲霞丹妮婷悦慧佳欣怡月荣巧叶蓉秀琳倩"
)

# Relations whose holder's sex the relation itself states.
SEX_OF_RELATION = {
    "之子": MALE,
    "之女": FEMALE,
    "之儿媳": FEMALE,
    "之女婿": MALE,
    "之孙子": MALE,
    "之孙女": FEMALE,
    "之外孙子": MALE,
    "之外孙女": FEMALE,
    "之父": MALE,
    "之母": FEMALE,
    "之岳父": MALE,
    "之岳母": FEMALE,
    "之公公": MALE,
    "之婆婆": FEMALE,
    "之祖父": MALE,
    "之祖母": FEMALE,
}
# Relations that carry the family's surname (the head's line, or the husband's line).
FAMILY_LINE = {"之子", "之女", "之孙子", "之孙女", "之父", "之祖父", "之兄弟姐妹"}


@dataclass
class Member:
    relation: str
    sex: str
    name: str


def given_name(rng: random.Random, sex: str) -> str:
    pool = MALE_GIVEN if sex == MALE else FEMALE_GIVEN
    if rng.random() < 0.4:
        return rng.choice(pool)
    return rng.choice(pool) + rng.choice(pool)


def head_first(members: list[dict]) -> list[dict]:
    """The member who heads the household first: the oldest adult under 70 (a working parent
    rather than a grandparent), else the oldest member."""
    adults = [m for m in members if 18 <= m["age"] < 70]
    head = max(adults or members, key=lambda m: m["age"])
    return [head] + [m for m in members if m is not head]


def labour_skill(age: int, education: str, labour: bool) -> str:
    if not labour:
        return "无劳动力" if age < 18 else "丧失劳动力"
    if education in ("中专", "大专", "本科及以上"):
        return "技能劳动力"
    return "弱劳动力或半劳动力" if age >= 60 else "普通劳动力"


def relations_for(rng: random.Random, ages: list[int]) -> list[Member]:
    """Relation, sex and name of each member; ``ages[0]`` is the head's age."""
    head_age = ages[0]
    head_male = rng.random() < (0.6 if head_age >= 70 else 0.85)
    head_sex = MALE if head_male else FEMALE
    out: list[Member | None] = [Member("户主", head_sex, "")] + [None] * (len(ages) - 1)
    taken: set[str] = set()
    spouse = None
    order = sorted(range(1, len(ages)), key=lambda i: abs(ages[i] - head_age))
    for i in order:
        d = ages[i] - head_age
        if spouse is None and ages[i] >= 20 and head_age >= 20 and abs(d) <= 12:
            spouse = i
            out[i] = Member("配偶", FEMALE if head_male else MALE, "")
            continue
        if d >= 38:
            rel = _free(rng, taken, "之祖父", "之祖母")
        elif d >= 16:
            rel = _free(rng, taken, "之父", "之母")
            if rel is None and spouse is not None:
                rel = _free(
                    rng, taken, *(("之岳父", "之岳母") if head_male else ("之公公", "之婆婆"))
                )
        elif d <= -38:
            rel = rng.choice(("之孙子", "之孙女"))
        elif d <= -16:
            rel = rng.choice(("之子", "之女"))
        else:
            rel = "之兄弟姐妹"
        rel = rel or "其他"
        taken.add(rel)
        sex = SEX_OF_RELATION.get(rel) or rng.choice((MALE, FEMALE))
        out[i] = Member(rel, sex, "")
    _marry_adult_children(rng, ages, out)
    _name(rng, out, spouse)
    return out  # type: ignore[return-value]


def _free(rng, taken, male_rel, female_rel):
    free = [r for r in (male_rel, female_rel) if r not in taken]
    return rng.choice(free) if free else None


def _marry_adult_children(rng, ages, out) -> None:
    """Two grown members of the children's generation close in age are a couple: the second is
    the first one's spouse (之儿媳 / 之女婿); their children are then 孙 or 外孙."""
    grown = sorted(
        (i for i, m in enumerate(out) if m.relation in ("之子", "之女") and ages[i] >= 20),
        key=lambda i: -ages[i],
    )
    if len(grown) < 2:
        return
    first, second = grown[0], grown[1]
    if abs(ages[first] - ages[second]) > 10 or rng.random() < 0.2:
        return
    # Married sons usually stay with their parents; a son-in-law moving in is the exception.
    if rng.random() < 0.85:
        out[first] = Member("之子", MALE, "")
        out[second] = Member("之儿媳", FEMALE, "")
    else:
        out[first] = Member("之女", FEMALE, "")
        out[second] = Member("之女婿", MALE, "")
        for m in out:
            if m.relation in ("之孙子", "之孙女"):
                m.relation = "之外" + m.relation[1:]


def _name(rng, out: list[Member], spouse: int | None) -> None:
    head_surname = rng.choice(SURNAMES)
    family = head_surname
    if out[0].sex == FEMALE and spouse is not None:
        family = rng.choice(SURNAMES)  # the children take their father's surname
    in_law = rng.choice(SURNAMES)
    for index, m in enumerate(out):
        if index == 0 or m.relation in ("之父", "之祖父", "之兄弟姐妹"):
            surname = head_surname
        elif m.relation in FAMILY_LINE:
            surname = family
        elif m.relation in ("之女婿", "之外孙子", "之外孙女"):
            surname = in_law  # a daughter's children take her husband's surname
        else:
            surname = rng.choice(SURNAMES)
        m.name = surname + given_name(rng, m.sex)


# ---------------------------------------------------------------- education by cohort and age

LEVEL = {value: i for i, value in enumerate(EDUCATION)}  # 文盲或半文盲 0 … 本科及以上 6
# (born before, weights over EDUCATION): rural northern Shaanxi cohorts, oldest first.
COHORTS = [
    (1940, (60, 35, 4, 1, 0, 0, 0)),
    (1950, (45, 42, 10, 3, 0, 0, 0)),
    (1960, (28, 47, 20, 4, 1, 0, 0)),
    (1966, (12, 48, 32, 6, 2, 0, 0)),
    (1970, (10, 45, 35, 6, 3, 1, 0)),
    (1980, (5, 38, 43, 8, 3, 2, 1)),
    (1990, (2, 22, 50, 10, 6, 7, 3)),
    (9999, (1, 10, 45, 14, 10, 14, 6)),
]
_COHORT_YEARS = [year for year, _ in COHORTS]
_CUM = []
for _year, _weights in COHORTS:
    _total, _acc, _row = sum(_weights), 0, []
    for _w in _weights:
        _acc += _w
        _row.append(_acc / _total)
    _CUM.append(_row)
FIRST_COLLEGE_COHORT = 1966  # 大专 and above only for people born from this year on


def highest_level(age: int, birth_year: int) -> int:
    """The highest education a person of this age and cohort can plausibly have reached."""
    if age < 6:
        return 0
    if age < 12:
        return LEVEL["小学"]
    if age < 15:
        return LEVEL["初中"]
    if age < 18:
        return LEVEL["中专"]
    if age < 19 or birth_year < FIRST_COLLEGE_COHORT:
        return LEVEL["中专"]
    if age < 22:
        return LEVEL["大专"]
    return LEVEL["本科及以上"]


def child_education(rng: random.Random, age: int) -> str:
    """The level a child in school is at (preschool children count as 文盲或半文盲)."""
    if age < 6:
        return "文盲或半文盲"
    if age < 12:
        return "小学"
    if age < 15:
        return "初中"
    return "中专" if rng.random() < 0.2 else "高中"


def cohort_education(rng: random.Random, age: int, birth_year: int) -> str:
    if age < 18:
        return child_education(rng, age)
    row = _CUM[bisect_right(_COHORT_YEARS, birth_year)]
    x = rng.random()
    level = next(i for i, c in enumerate(row) if x <= c)
    return EDUCATION[min(level, highest_level(age, birth_year))]


def plausible(education: str, age: int, birth_year: int) -> bool:
    return LEVEL[education] <= highest_level(age, birth_year)


def fit_education(rng: random.Random, people: list[dict], values: list[str], year: int) -> None:
    """Give ``values`` (a plan's education counts, one value per person) to ``people`` (dicts
    with ``age``) so that each gets a value near what their cohort would draw: the k-th lowest
    drawn level gets the k-th lowest value. Then swap away any value a person cannot hold (a
    child above its age, 大专 before 1966) with someone who can, so the counts stay the plan's."""
    keyed = []
    for p in people:
        born = year - p["age"] - 1  # the earlier of the two possible birth years
        wish = LEVEL[cohort_education(rng, p["age"], born)]
        keyed.append((wish, p["age"] >= 18, rng.random(), p))
    keyed.sort(key=lambda k: k[:3])
    for (_, _, _, p), value in zip(keyed, sorted(values, key=LEVEL.__getitem__), strict=True):
        p["education"] = value
    for p in people:
        if plausible(p["education"], p["age"], year - p["age"] - 1):
            continue
        for q in people:
            if (
                q is not p
                and plausible(q["education"], p["age"], year - p["age"] - 1)
                and plausible(p["education"], q["age"], year - q["age"] - 1)
            ):
                p["education"], q["education"] = q["education"], p["education"]
                break


def schooling_for(age: int, education: str, labour: bool) -> str:
    """在校生状况 matching age and education (a worker is not in school)."""
    if labour:
        return "非在校生"
    if age < 3:
        return "学龄前儿童"
    if age < 6:
        return "学前教育"
    if age < 12:
        return "小学"
    if age < 15:
        return "七至九年级"
    if age < 18:
        return "中职" if education == "中专" else "普通高中"
    return "非在校生"


# ---------------------------------------------------------------- identity numbers


def id_number(region: str, birth_yyyymmdd: str, seq: int, male: bool) -> str:
    """A valid identity number: ``seq`` (0–499) numbers the persons of one sex born in this
    region on this day; men take odd order codes and women even ones."""
    order = seq * 2 + (1 if male else 0)
    body = f"{region}{birth_yyyymmdd}{order:03d}"
    return body + ric.calc_check_digit(body + "0")
