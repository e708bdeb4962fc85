"""The demo's employment figures are the plans' (清涧县 site plans, 就业帮扶): for each site
whose plan breaks its employed relocated poor down by kind of work, the platform's own monthly
figures on the plans' reporting date give the same numbers, and every household with labour has
someone at work, as the plans state."""

from __future__ import annotations

import pytest
from django.db import transaction

from anju.accounts.models import User
from anju.core import demo
from anju.employment.models import Unemployment
from anju.orgs.models import Site

# Typed from the plans (就业帮扶 paragraphs): 易地扶贫搬迁贫困户实现就业 N 人（其中 …）.
PLANS = {
    # 《清涧县冯家沟集中安置点后续扶持方案》: 101 人（转移就业35人、农业就业56人、公益性岗位9人护林员1人）
    "冯家沟集中安置点": (101, {"转移就业": 35, "农业就业": 56, "公益性岗位": 9 + 1}),
    # 《清涧县折家坪镇麻池沟集中安置点后续扶持方案》: 108 人（转移就业23人、农业就业62人、公益性岗位6人、
    # 护林员1人、协管1人，北国枣业有限公司安排就业10人，自主创业5人）
    "麻池沟集中安置点": (
        108,
        {"转移就业": 23, "农业就业": 62, "公益性岗位": 6 + 1 + 1, "本地企业": 10, "自主创业": 5},
    ),
    # 《清涧县折家坪镇庵上集中安置点后续扶持方案》: 98 人（转移就业24人、北国枣业有限公司就业10人，
    # 农业就业55人、公益性岗位5人护林员1人、协管3人）
    "庵上集中安置点": (
        98,
        {"转移就业": 24, "本地企业": 10, "农业就业": 55, "公益性岗位": 5 + 1 + 3},
    ),
    # 《清涧县牛家湾集中安置点后续扶持方案》: 59 人（转移就业51人、公益性岗1人，保洁员4人，护林员1人，
    # 公益性扶贫专岗2人）
    "牛家湾集中安置点": (59, {"转移就业": 51, "公益性岗位": 1 + 4 + 1 + 2}),
    # 《清涧县李家塔集中安置点后续扶持方案》: 66 人（转移就业56人、公益性岗位8人，协理员2人）
    "李家塔集中安置点": (66, {"转移就业": 56, "公益性岗位": 8 + 2}),
}
# The plans' words for the platform's 就业类型.
KINDS = {
    "转移就业": ("in_province", "outside_province"),
    "农业就业": ("farming",),
    "公益性岗位": ("public_post",),
    "本地企业": ("local_enterprise",),
    "自主创业": ("self_employed",),
}
REPORTED = "2020-06"  # the plans' reporting date (registry demo: AS_OF)


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        demo.run()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def rsj(loaded, db):
    return User.objects.get(username="rsj")


@pytest.mark.parametrize("site_name", sorted(PLANS))
def test_the_plans_employment_figures_per_site(rsj, client_for, site_name):
    employed, by_plan = PLANS[site_name]
    site = Site.objects.get(name=site_name)
    figures = (
        client_for(rsj).get(f"/api/employment/months/?unit={site.key}&period={REPORTED}").json()
    )
    lifted = figures["by_kind"]["lifted"]
    assert sum(lifted.values()) == employed
    assert {
        word: sum(lifted.get(kind, 0) for kind in kinds)
        for word, kinds in KINDS.items()
        if word in by_plan
    } == by_plan
    assert sum(lifted.get(k, 0) for kinds in KINDS.values() for k in kinds) == employed
    # 有劳动力的搬迁户每户至少 1 人就业: no household with labour left without work.
    assert figures["households"] > 0 and figures["zero"] == 0


def test_the_story_job_loss_is_helped_and_listed(rsj, client_for):
    client = client_for(rsj)
    helping = Unemployment.objects.get(status="helping")
    zero = client.get("/employment/households/?status=zero").content.decode()
    assert helping.household.number in zero
    page = client.get(f"/employment/persons/{helping.person_id}/").content.decode()
    assert "一对一帮扶" in page or "帮扶中" in page
    assert Unemployment.objects.filter(status="employed").count() == 2
    postings = client.get("/employment/postings/").content.decode()
    assert "缝纫工" in postings and "电子装配普工" in postings


def test_the_workshop_and_the_public_posts(rsj, client_for):
    client = client_for(rsj)
    workshops = client.get("/api/employment/workshops/").json()["results"]
    assert [w["name"] for w in workshops] == ["幸福嘉苑服装加工帮扶车间"]
    # Its quarters are on record and most of its workers are relocated labour (≥ 50%).
    assert client.get("/api/employment/workshop-checks/?check=quarter").json()["count"] == 0
    share = client.get("/api/employment/workshop-checks/?check=share").json()
    assert share["count"] == 0
    # The plans' 护林员 are 生态护林 posts in the 公益岗位台账.
    posts = client.get("/employment/public-posts/?by=type").content.decode()
    assert "生态护林" in posts and "保洁保安" in posts
