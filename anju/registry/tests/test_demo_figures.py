"""The demo registry reproduces the 清涧县 site plans' figures (seed 000) wherever the plan agrees
with itself, and the data quality page shows where it does not.

The expected figures are typed here from the seed document, line by line, not read from the
project's own data files, so the test checks the generator against the source.
"""

import pytest

from anju.accounts.models import User
from anju.core import demo
from anju.orgs.models import Site
from anju.registry.demo import AS_OF
from anju.registry.quality import check_now
from anju.registry.summary import for_node

# site: (households, persons, lifted households, lifted persons, age bands (A: <18/18–60/>60,
# B: ≤18/19–35/36–59/≥60), education (population, counts), labour persons, labour households,
# safety-net households, safety-net persons). None = the plan does not state it, or states it
# inconsistently (then the quality page must list it).
SEED = {
    "工业园区集中安置点": (
        929,
        3066,
        929,
        3066,
        ("A", [418, 2106, 542]),
        ("all", [262, 1287, 914, 292, 311]),
        1638,
        None,
        15,
        18,
    ),
    "和谐小区集中安置点": (
        45,
        161,
        45,
        161,
        ("A", [21, 120, 20]),
        ("all", [38, 54, 36, 15, 18]),
        None,
        None,
        None,
        None,
    ),
    "冯家沟集中安置点": (
        57,
        188,
        54,
        177,
        ("B", [26, 44, 64, 43]),
        ("labour", [15, 78, 15]),
        108,
        43,
        3,
        3,
    ),
    "麻池沟集中安置点": (73, 296, 38, 165, ("B", [33, 65, 51, 16]), None, 115, 37, 2, 4),
    "庵上集中安置点": (
        76,
        291,
        53,
        199,
        ("B", [57, 48, 71, 23]),
        ("labour", [14, 92, 13]),
        119,
        49,
        4,
        4,
    ),
    "牛家湾集中安置点": (
        39,
        None,
        39,
        None,
        ("B", [43, 39, 51, 17]),
        ("all", [13, 129, 8]),
        90,
        None,
        None,
        None,
    ),
    "下七里湾集中安置点": (56, 244, 56, 244, None, None, None, None, None, None),
    "高杰村集中安置点": (67, 166, 67, 166, None, None, None, None, None, None),
    "康家湾集中安置点": (83, 248, 83, 248, ("B", [33, 43, 92, 80]), None, 171, 66, 8, 15),
    "李家塔集中安置点": (58, 211, 58, 211, ("B", [30, 56, 74, 51]), None, 155, 57, 0, 0),
}


@pytest.fixture
def demo_world(db):
    demo.run()
    check_now()  # as setup_demo does: the quality page reads stored findings
    return User.objects.get(username="admin")


def test_demo_summaries_equal_the_seed(demo_world):
    user = demo_world
    for name, (
        hh,
        persons,
        lh,
        lp,
        ages,
        education,
        labour,
        labour_hh,
        safety_hh,
        safety_p,
    ) in SEED.items():
        site = Site.objects.get(name=name)
        everyone = for_node(user, site, on=AS_OF)
        lifted = for_node(user, site, on=AS_OF, category="lifted")
        assert everyone.households == hh, name
        if persons is not None:
            assert everyone.persons == persons, name
        assert lifted.by_category["lifted"]["households"] == lh, name
        if lp is not None:
            assert lifted.persons == lp, name
        if ages:
            scheme, counts = ages
            bounds = [18, 61] if scheme == "A" else [19, 36, 60]
            found = next(s for s in lifted.age_schemes if s["bounds"] == bounds)
            assert found["counts"] == counts, name
        if education:
            population, counts = education
            pool = lifted.education_labour if population == "labour" else lifted.education_all
            assert list(pool["five" if len(counts) == 5 else "three"].values()) == counts, name
        if labour is not None:
            assert lifted.labour_persons == labour, name
        if labour_hh is not None:
            assert lifted.labour_households == labour_hh, name
        if safety_hh is not None:
            assert (lifted.safety_net_households, lifted.safety_net_persons) == (
                safety_hh,
                safety_p,
            ), name


def test_quality_page_lists_the_seeds_contradictions(demo_world, client):
    client.force_login(demo_world)
    body = client.get("/registry/quality/").content.decode()
    # 牛家湾: 151 declared, 150 counted by every breakdown.
    assert "牛家湾集中安置点" in body and "申报 151，台账统计 150（差 -1）" in body
    # 麻池沟 education 116 vs 115 labour; 李家塔 111 vs 155; 康家湾 153 vs 171.
    assert "申报 116 人（文盲 11、小学至高中 87、中专以上 18），台账统计 115 人" in body
    assert "申报 111 人" in body and "台账统计 155 人" in body
    assert "申报 153 人" in body
    # Contradictions inside the plans' text: 冯家沟 54 vs 53 households, 康家湾 248 vs 256.
    assert "54户与53户不一致" in body and "248与256不一致" in body
    # Sites whose figures agree show no declared/counted gap.
    assert (
        "庵上集中安置点"
        not in body.split("申报资料内部不一致")[0].split("申报数与台账统计不符")[-1]
    )


def test_wangyi_sites(demo_world):
    from anju.registry.models import Household, Person

    sites = Site.objects.filter(name__in=["黄堡新镇区集中安置点", "王家河幸福居集中安置点"])
    assert Household.objects.filter(site__in=sites).count() == 45
    assert Person.objects.filter(household__site__in=sites).count() == 140
