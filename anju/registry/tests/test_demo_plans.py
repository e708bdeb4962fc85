"""The demo carries what the 清涧县 plans state about origins, household sizes and land, and its
people look right to locals (sex-consistent relations and names, education fitting the age).

The expected figures are typed here from the plans (附件1-6, 1-7, 1-9), not read from the project.
"""

from collections import Counter
from decimal import Decimal

import pytest

from anju.core import demo
from anju.registry.models import Household, Person, SiteProfile

MALE_RELATIONS = {"之子", "之女婿", "之孙子", "之外孙子", "之父", "之岳父", "之公公", "之祖父"}
FEMALE_RELATIONS = {"之女", "之儿媳", "之孙女", "之外孙女", "之母", "之岳母", "之婆婆", "之祖母"}


@pytest.fixture
def demo_db(db):
    demo.run()


def test_xiaqiliwan_origin_towns(demo_db):
    # 附件1-6: 共安置贫困户56户244人，其中安置全镇贫困户23户97人，其它乡镇贫困户33户147人
    households = Household.objects.filter(site__name="下七里湾集中安置点")
    own = households.filter(origin_town="宽州镇")
    other = households.exclude(origin_town="宽州镇")
    assert own.count() == 23
    assert Person.objects.filter(household__in=own).count() == 97
    assert other.count() == 33
    assert Person.objects.filter(household__in=other).count() == 147
    assert not other.filter(origin_town="").exists()


def test_gaojiecun_origin_villages_and_sizes(demo_db):
    # 附件1-7: 高杰村村52户120人，大有坪1户2人，圪洞洼1户1人，后坪6户20人，刘家山1户2人，
    # 麻家山1户5人，木家山2户9人，西白家畔1户3人，辛关村1户2人，袁家沟村1户2人
    villages = {
        "高杰村村": (52, 120),
        "大有坪": (1, 2),
        "圪洞洼": (1, 1),
        "后坪": (6, 20),
        "刘家山": (1, 2),
        "麻家山": (1, 5),
        "木家山": (2, 9),
        "西白家畔": (1, 3),
        "辛关村": (1, 2),
        "袁家沟村": (1, 2),
    }
    households = Household.objects.filter(site__name="高杰村集中安置点")
    for village, (h, p) in villages.items():
        here = households.filter(origin_village=village)
        assert here.count() == h, village
        assert Person.objects.filter(household__in=here).count() == p, village
    assert households.count() == 67
    # 1人户14套每套25㎡，2人户29套每套50㎡，三人户9套每套75㎡，4人户8套每套100㎡，5人户7套每套120㎡
    sizes = Counter()
    for household in households.prefetch_related("members"):
        size = len(household.members.all())
        sizes[size] += 1
        assert household.dwelling_area == {1: 25, 2: 50, 3: 75, 4: 100, 5: 120}[size]
    assert sizes == {1: 14, 2: 29, 3: 9, 4: 8, 5: 7}


def test_land_area_in_square_metres(demo_db):
    # 附件1-6 占地4654㎡; 附件1-9 总占地面积4007.7平米; 附件1-2 项目总占地面积约20.9亩
    assert SiteProfile.objects.get(site__name="下七里湾集中安置点").land_area_m2 == Decimal("4654")
    assert SiteProfile.objects.get(site__name="李家塔集中安置点").land_area_m2 == Decimal("4007.7")
    fengjiagou = SiteProfile.objects.get(site__name="冯家沟集中安置点")
    assert fengjiagou.land_area_mu == Decimal("20.9") and fengjiagou.land_area_m2 is None


def test_demo_people_look_right(demo_db):
    from anju.registry.demo import AS_OF

    persons = list(Person.objects.select_related("household"))
    assert len(persons) > 5000
    heads = {p.household_id: p for p in persons if p.relation == "户主"}
    wrong = []
    assert len(heads) == len({p.household_id for p in persons})
    assert [h.name for h in heads.values() if h.age_on(AS_OF) < 18] == []
    for p in persons:
        head = heads[p.household_id]
        age = p.age_on(AS_OF)
        if p.relation == "配偶" and (p.sex == head.sex or abs(age - head.age_on(AS_OF)) > 12):
            wrong.append((p.name, p.relation, p.sex, head.sex))
        if p.relation in MALE_RELATIONS and p.sex != "M":
            wrong.append((p.name, p.relation, p.sex))
        if p.relation in FEMALE_RELATIONS and p.sex != "F":
            wrong.append((p.name, p.relation, p.sex))
        if p.relation in ("之子", "之女") and head.age_on(AS_OF) - age < 16:
            wrong.append((p.name, p.relation, age, head.age_on(AS_OF)))
        if p.relation in ("之父", "之母") and age - head.age_on(AS_OF) < 16:
            wrong.append((p.name, p.relation, age, head.age_on(AS_OF)))
        # A woman's given name is not recorded as 男, nor a man's as 女.
        given = p.name[1:]
        if p.sex == "M" and set(given) & set("芳娜秀英静丽艳娟兰霞桂萍梅琴燕凤珍娥翠莲婷"):
            wrong.append((p.name, p.sex))
        if p.sex == "F" and set(given) & set("伟强磊军勇刚斌浩凯帅龙建国鹏峰虎彪雄"):
            wrong.append((p.name, p.sex))
        # Education fits the cohort and the age.
        if p.education in ("大专", "本科及以上") and p.birth_date.year < 1965:
            wrong.append((p.name, p.birth_date, p.education))
        if age < 6 and p.education != "文盲或半文盲":
            wrong.append((p.name, age, p.education))
        if 6 <= age < 12 and p.education not in ("文盲或半文盲", "小学"):
            wrong.append((p.name, age, p.education))
        if age < 18 and p.education in ("大专", "本科及以上"):
            wrong.append((p.name, age, p.education))
        if 6 <= age < 12 and p.schooling != "小学":
            wrong.append((p.name, age, p.schooling))
    assert wrong == []
    # Older cohorts are mostly 文盲 or 小学.
    old = [p for p in persons if p.birth_date.year < 1950]
    low = sum(p.education in ("文盲或半文盲", "小学") for p in old)
    assert low / len(old) > 0.6
