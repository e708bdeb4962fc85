"""Site coordinates, the 20-minute circle (《关于做好易地扶贫搬迁后续扶持工作巩固拓展脱贫攻坚成果的行动方案》:
车间工坊建在安置点周边 20 分钟生活圈内), set-based matching held to ``explain()``, and the batch
per site (批量推荐)."""

from __future__ import annotations

import io
import itertools
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command

from anju.employment import matching, matchsql, selectors, services
from anju.employment.models import Posting, Recommendation, Seeker
from anju.policies import services as policy_services
from anju.registry import services as registry_services
from anju.registry.tests.sheets import make_id

CODES = ["91110000600037341L", "91350100M000100Y43"]
SITE = (Decimal("37.087000"), Decimal("110.121000"))
NEAR = (Decimal("37.115779"), Decimal("110.121000"))  # 3.2 km north of the site
FAR = (Decimal("37.455721"), Decimal("110.121000"))  # 41 km north


@pytest.fixture(autouse=True)
def november():
    with time_machine.travel("2026-11-20 10:00 +08:00", tick=False):
        yield


def _employer(path, n=0):
    employer = services.create_employer(None, name=f"用工单位{n}", credit_code=CODES[n])
    employer.path = path
    employer.save(update_fields=["path"])
    return employer


def _posting(employer, title, **more):
    values = dict(
        head_count=3,
        place="工业园区",
        area="county",
        pay_kind="monthly",
        pay_min=Decimal("3500"),
        valid_from=date(2026, 11, 1),
        valid_to=date(2027, 3, 31),
        source="county_park",
    )
    values.update(more)
    return services.create_posting(None, employer, title=title, **values)


@pytest.fixture
def placed(world):
    registry_services.save_profile(
        None, world.a.site, latitude=SITE[0], longitude=SITE[1], source="测试"
    )
    head = world.a.household.members.get(relation="户主")  # born 1980, 男, 初中
    seeker = services.save_seeker(None, head, where="any", near_site=True)
    return world, head, seeker, _employer(world.a.unit.path)


def test_coordinates_are_checked_with_chinese_messages(placed):
    world, head, seeker, employer = placed
    with pytest.raises(ValidationError, match="纬度应在 -90 至 90 度之间"):
        registry_services.save_profile(None, world.a.site, latitude=Decimal("95"), longitude=1)
    with pytest.raises(ValidationError, match="经度和纬度须同时填写"):
        registry_services.save_profile(None, world.a.site, latitude=Decimal("37"), longitude=None)
    with pytest.raises(ValidationError, match="经度应在 -180 至 180 度之间") as caught:
        _posting(employer, "坐标错", latitude=Decimal("37"), longitude=Decimal("200"))
    assert "longitude" in caught.value.message_dict
    assert not Posting.objects.filter(title="坐标错").exists()
    with pytest.raises(ValidationError, match="距离「0」应在 0 至 1000 公里之间"):
        policy_services.set_value(
            None,
            key="employment.circle_km",
            unit=world.county,
            valid_from=date(2026, 1, 1),
            value="0",
            source="测试",
        )


def test_the_20_minute_circle_is_explained_and_a_far_posting_excluded(placed):
    world, head, seeker, employer = placed
    near = _posting(employer, "车间工", latitude=NEAR[0], longitude=NEAR[1])
    far = _posting(employer, "园区工", latitude=FAR[0], longitude=FAR[1])
    unplaced = _posting(employer, "未标注")
    at_home = _posting(employer, "手工", home_based=True, latitude=FAR[0], longitude=FAR[1])
    seeker = selectors.seekers(world.users["whole_county"]).get(pk=seeker.pk)
    said = {p.title: matching.explain(p, seeker) for p in (near, far, unplaced, at_home)}
    circle = {t: next(c for c in m.checks if c.label == "生活圈") for t, m in said.items()}
    assert circle["车间工"].text == "距安置点 3.2 公里，在 20 分钟生活圈内"
    assert circle["园区工"].text == "距安置点 41.0 公里，超出 20 分钟生活圈（5 公里）36.0 公里"
    assert said["园区工"].excluded and not said["车间工"].excluded
    assert said["未标注"].score == 100 - matching.NO_PLACE_PENALTY and not said["未标注"].excluded
    assert circle["手工"].met  # done at home: always within reach
    ranked = matching.postings_for(seeker, selectors.postings(world.users["whole_county"]))
    assert [m.posting.title for m in ranked] == ["车间工", "手工", "未标注"]
    # The county widens the circle to 50 km: the far one now fits.
    policy_services.set_value(
        None,
        key="employment.circle_km",
        unit=world.county,
        valid_from=date(2026, 1, 1),
        value="50",
        source="县人社局设定",
    )
    assert not matching.explain(far, seeker).excluded
    assert matching.circles([world.a.site])[world.a.site.pk] == Decimal("50.0")


def _people(world):
    """Seekers as varied as the rules: ages either side of bounds, every schooling, a serious
    illness, wishes of pay, area, home and circle; town 乙's head too."""
    household = world.a.household
    specs = [
        ("19700315", 11, "小学", [], dict(min_pay="4000", where="county")),
        ("19990620", 12, "大专", [], dict(min_pay="3000")),
        ("20001120", 13, "高中", ["残疾"], dict(home_based_only=True)),
        ("19620101", 14, "文盲或半文盲", [], dict(where="outside", near_site=True)),
        ("19851121", 15, "", ["患有大病"], dict(min_pay="2700", near_site=True)),
        ("19930704", 16, "本科及以上", ["长期慢性病"], dict(where="province", min_pay="9000")),
    ]
    seekers = [Seeker.objects.get(person__household=household, person__relation="户主")]
    for i, (born, seq, school, health, wish) in enumerate(specs):
        person = registry_services.add_person(
            None,
            household,
            name=f"成员{i}",
            id_number=make_id(born, seq),
            relation="其他",
            education=school,
            labour_skill="普通劳动力",
            health=health,
        )
        seekers.append(services.save_seeker(None, person, **wish))
    b_head = world.b.household.members.get(relation="户主")
    seekers.append(services.save_seeker(None, b_head, where="any", min_pay="3200"))
    return seekers


def _jobs(world, employer):
    b_employer = _employer(world.b.unit.path, 1)
    combos = itertools.product(
        [None, 30],
        [None, 45],
        ["", "初中", "大专"],
        ["", "身体健康"],
        [("monthly", "3500"), ("daily", "120"), ("piece", "2000")],
    )
    postings = []
    for n, (low, high, school, health, (kind, pay)) in enumerate(combos):
        place = [NEAR, FAR, (None, None)][n % 3]
        postings.append(
            _posting(
                b_employer if n % 7 == 0 else employer,
                f"岗位{n}",
                age_min=low,
                age_max=high,
                education_min=school,
                health=health,
                pay_kind=kind,
                pay_min=Decimal(pay),
                area=["county", "province", "outside"][n % 3],
                home_based=n % 5 == 0,
                sex=["", "", "M", "F"][n % 4],
                latitude=place[0],
                longitude=place[1],
                valid_to=date(2027, 1, 1 + n % 20) if n % 11 else date(2026, 11, 10),
            )
        )
    return postings


def test_sql_scores_equal_explain_in_both_directions(placed):
    world, head, seeker, employer = placed
    seekers, postings = _people(world), _jobs(world, employer)
    user = world.users["whole_county"]
    mine, theirs = selectors.seekers(user), selectors.postings(user)
    on = date(2026, 11, 20)
    assert len(postings) == 72 and len(seekers) == 8
    # Every pair explain() keeps, with its score; the rest it excludes.
    kept = {}
    for s in mine.select_related("person__household__site__profile"):
        for p in theirs:
            m = matching.explain(p, s, on)
            if not m.excluded:
                kept[(s.pk, p.pk)] = m.score
    assert 0 < len(kept) < 8 * 72 and len(set(kept.values())) > 8  # varied, some excluded
    for per in ("seeker", "posting"):
        rows = matchsql.top_pairs(mine, theirs, on, top=1000, per=per)
        assert {(r[0], r[1]): r[4] for r in rows} == kept, per
        assert rows == matchsql.python_pairs(mine, theirs, on, top=1000, per=per), per
        top3 = matchsql.top_pairs(mine, theirs, on, top=3, per=per)
        assert top3 == matchsql.python_pairs(mine, theirs, on, top=3, per=per), per
        assert max(r[5] for r in top3) == 3


def test_a_site_batch_is_set_based_idempotent_scoped_and_explained(
    placed, client_for, django_assert_max_num_queries
):
    world, head, seeker, employer = placed
    _people(world)
    _jobs(world, employer)
    out = io.StringIO()
    call_command("employment", "match", "--site", "甲安置点", "--top", "3", stdout=out)
    assert "7 名求职人员，共 21 条推荐" in out.getvalue()
    first = list(Recommendation.objects.values_list("seeker", "posting", "score", "rank"))
    services.refresh_recommendations(None, site=world.a.site, top=3)
    again = list(Recommendation.objects.values_list("seeker", "posting", "score", "rank"))
    assert sorted(first) == sorted(again) and len(again) == 21
    # Town 乙's postings never reach town 甲's seekers.
    assert not Recommendation.objects.filter(posting__path__startswith=world.b.unit.path).exists()
    assert set(Recommendation.objects.values_list("site", flat=True)) == {world.a.site.pk}
    with pytest.raises(ValidationError, match="每人推荐岗位数"):
        services.refresh_recommendations(None, site=world.a.site, top=0)
    client = client_for(world.users["dept_hrss"])
    with django_assert_max_num_queries(14):
        page = client.get(f"/employment/recommendations/?site={world.a.site.pk}")
    text = page.content.decode()
    assert page.status_code == 200 and "批量推荐（甲安置点）" in text and "成员0" in text
    row = Recommendation.objects.select_related("posting", "seeker").filter(rank=1).first()
    shown = matching.explain(row.posting, row.seeker)
    assert shown.score == row.score and shown.summary in text
    api = client.get(f"/api/employment/recommendations/?site={world.a.site.pk}").json()
    assert api["count"] == 21 and {"名次", "得分", "匹配说明"} <= set(api["results"][0])
    # Refreshed from the page: the default 10 a seeker, still only town 甲's jobs.
    client.post("/employment/recommendations/refresh/", {"site": world.a.site.pk})
    assert Recommendation.objects.count() == 7 * services.TOP_DEFAULT
    assert not Recommendation.objects.filter(posting__path__startswith=world.b.unit.path).exists()
    b_staff = client_for(world.users["b_town_staff"])
    assert b_staff.post(
        "/employment/recommendations/refresh/", {"site": world.a.site.pk}
    ).status_code in (403, 404)
    with pytest.raises(Exception, match="没有名为"):
        call_command("employment", "match", "--site", "不存在安置点", stdout=out)
