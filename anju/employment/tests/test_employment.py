"""Employment as the seeds ask it: the labour roster from the registry, the household rule of
《石城县2022年强化易地扶贫搬迁后续扶持工作的实施方案》第12条 (5 人及以下至少 1 人就业，5 人以上至少 2 人，
有两人及以上劳动能力时) and of the other seeds (每户至少 1 人), and a lost job that registers
unemployment, opens one-to-one help, puts the household on the zero-employment list and raises the
monitoring signal."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from anju.employment import selectors, services
from anju.employment.models import Unemployment
from anju.monitoring.models import WarningSignal
from anju.policies import services as policies
from anju.registry import services as registry_services
from anju.registry.tests.sheets import make_id


@pytest.fixture(autouse=True)
def november():
    with time_machine.travel("2026-11-20 10:00 +08:00", tick=False):
        yield


def _set(unit, key, value):
    return policies.set_value(None, key=key, unit=unit, valid_from=date(2026, 1, 1), value=value)


@pytest.fixture
def county(world):
    _set(world.county, "employment.labour_age_min", "16")
    _set(world.county, "employment.labour_age_max", "60")
    return world


def _big_family(world, workers: int, others: int):
    """A household of six or more: ``workers`` adults able to work, ``others`` who cannot."""
    household = registry_services.create_household(
        None, number="甲100", category="lifted", site=world.a.site
    )
    for i in range(workers):
        registry_services.add_person(
            None,
            household,
            name=f"劳力{i}",
            id_number=make_id(f"19{80 + i}0101", 40 + i),
            relation="户主" if i == 0 else "之子",
            labour_skill="普通劳动力",
        )
    for i in range(others):
        registry_services.add_person(
            None,
            household,
            name=f"老幼{i}",
            id_number=make_id(f"19{40 + i}0101", 60 + i),
            relation="之父" if i == 0 else "其他",
            labour_skill="无劳动力",
        )
    return household


def _numbers(rows) -> dict:
    return {h.number: (h.labour, h.employed, h.needed) for h in rows}


def test_the_household_rule_under_both_seed_policies(county, client_for):
    big = _big_family(county, workers=3, others=3)  # 6 persons, 3 able to work
    first = big.members.get(name="劳力0")
    services.record_job(None, first, kind="local_enterprise", started_on=date(2026, 3, 1))
    user = county.users["whole_county"]
    # 石城: a family of more than five with two or more able to work needs two at work.
    _set(county.county, "employment.min_employed_per_household", "5:1; *:2")
    assert _numbers(selectors.households(user))["甲100"] == (3, 1, 2)
    assert "甲100" in _numbers(selectors.below_rule(user))
    # Two-person 甲001 has one worker (the son is 14): one at work is asked, none is.
    assert _numbers(selectors.households(user))["甲001"] == (1, 0, 1)
    page = client_for(user).get("/employment/households/?status=below").content.decode()
    assert "甲100" in page and "未达到家庭就业要求" in page
    assert "家庭就业要求：1–5 人：1；6 人及以上：2" in page  # the rule in force, said
    # The other seeds: one at work in every household with labour.
    policies.update_value(None, _value(county), value="*:1")
    assert _numbers(selectors.households(user))["甲100"] == (3, 1, 1)
    assert "甲100" not in _numbers(selectors.below_rule(user))
    # Not more than it can: a big family with one worker needs that one.
    policies.update_value(None, _value(county), value="5:1; *:2")
    services.end_job(None, first.jobs.get(), ended_on=date(2026, 11, 2), reason="retired")
    registry_services.update_person(None, big.members.get(name="劳力1"), labour_skill="无劳动力")
    registry_services.update_person(None, big.members.get(name="劳力2"), labour_skill="无劳动力")
    assert _numbers(selectors.households(user))["甲100"] == (1, 0, 1)


def _value(county):
    from anju.policies.models import ParameterValue

    return ParameterValue.objects.get(
        key="employment.min_employed_per_household", unit=county.county
    )


def test_a_lost_job_opens_help_warns_and_lists_the_household(county, client_for):
    household = county.a.household
    head = household.members.get(relation="户主")
    staff = county.users["dept_hrss"]
    client = client_for(staff)
    page = client.get(f"/employment/persons/{head.pk}/").content.decode()
    assert "登记就业" in page and "未就业" in page
    response = client.post(
        f"/employment/persons/{head.pk}/job/",
        {
            "kind": "outside_province",
            "employer": "苏州某电子厂",
            "started_on": "2026-03-01",
            "monthly_income": "4200",
            "contract_months": "12",
            "social_insurance": "on",
        },
    )
    assert response.status_code == 302
    roster = client.get("/employment/").content.decode()
    assert head.name in roster and "省外转移就业" in roster
    assert "甲之子" not in roster  # 14 and unable to work: not labour
    job = head.jobs.get()
    response = client.post(
        f"/employment/jobs/{job.pk}/end/",
        {"ended_on": "2026-11-10", "reason": "lost", "helper": "人社局王干部"},
    )
    assert response.status_code == 302
    help_ = Unemployment.objects.get(person=head)
    assert help_.status == "helping" and help_.helper == "人社局王干部"
    assert help_.registered_on == date(2026, 11, 10)
    # The household, with labour and no one at work, is on the list and warned at once.
    zero = client.get("/employment/households/?status=zero").content.decode()
    assert household.number in zero and "零就业" in zero
    signal = WarningSignal.objects.get(household=household, rule="no_one_employed")
    assert signal.warning.status == "open"
    rural = client_for(county.users["dept_rural"])
    warning_page = rural.get(signal.warning.get_absolute_url()).content.decode()
    assert "家中有劳动力 1 人，2026-11-10 起无人就业" in warning_page
    assert "数据比对（就业记录）" in warning_page
    # A new job closes the help and takes the household off the list.
    with time_machine.travel("2026-11-25 10:00 +08:00", tick=False):
        client = client_for(staff)
        workshop = services.create_workshop(
            None, name="社区帮扶车间", sites=[county.a.site], jobs=20, opened_on=date(2026, 1, 1)
        )
        client.post(
            f"/employment/persons/{head.pk}/job/",
            {"kind": "workshop", "workshop": workshop.pk, "started_on": "2026-11-24"},
        )
        help_.refresh_from_db()
        assert help_.status == "employed" and help_.closed_on == date(2026, 11, 24)
        assert household.number not in _numbers(selectors.zero_employment(staff))


def test_bad_input_is_refused_with_its_field(county, client_for):
    head = county.a.household.members.get(relation="户主")
    client = client_for(county.users["dept_hrss"])
    response = client.post(f"/employment/persons/{head.pk}/job/", {"started_on": "2026-11-01"})
    assert "kind" in response.context["job_form"].errors
    response = client.post(
        f"/employment/persons/{head.pk}/job/", {"kind": "flexible", "started_on": "2026-12-01"}
    )
    assert "开始日期不能晚于今天" in str(response.context["job_form"].errors["started_on"])
    response = client.post(
        f"/employment/persons/{head.pk}/job/",
        {"kind": "flexible", "started_on": "2026-11-01", "monthly_income": "-5"},
    )
    assert "monthly_income" in response.context["job_form"].errors
    assert not head.jobs.exists()
    services.record_job(None, head, kind="in_county", started_on=date(2026, 5, 1))
    with pytest.raises(Exception, match="未结束的就业记录"):
        services.record_job(None, head, kind="flexible", started_on=date(2026, 6, 1))
    job = head.jobs.get()
    response = client.post(
        f"/employment/jobs/{job.pk}/end/", {"ended_on": "2026-04-01", "reason": "lost"}
    )
    assert "结束日期早于开始日期" in response.content.decode()
    assert not Unemployment.objects.exists() and head.jobs.get().ended_on is None


def test_scope_and_roles(county, client_for):
    a_head = county.a.household.members.get(relation="户主")
    b_head = county.b.household.members.get(relation="户主")
    services.record_job(None, b_head, kind="in_county", started_on=date(2026, 5, 1))
    b_staff = client_for(county.users["b_town_staff"])
    assert b_staff.get(f"/employment/persons/{a_head.pk}/").status_code == 404
    assert a_head.name not in b_staff.get("/employment/").content.decode()
    hrss = client_for(county.users["dept_hrss"])  # serves town 甲
    assert "乙" not in hrss.get("/employment/records/").content.decode()
    # A grid worker's role has no employment module; the 人社局 of town 甲 cannot end 乙's job.
    assert client_for(county.users["grid_worker"]).get("/employment/").status_code == 403
    job = b_head.jobs.get()
    hrss = client_for(county.users["dept_hrss"])
    response = hrss.post(
        f"/employment/jobs/{job.pk}/end/", {"ended_on": "2026-11-10", "reason": "lost"}
    )
    assert response.status_code == 404 and b_head.jobs.get().ended_on is None


def test_the_api_records_ends_and_lists_as_the_pages_do(county, client_for):
    head = county.a.household.members.get(relation="户主")
    client = client_for(county.users["dept_hrss"])
    created = client.post(
        "/api/employment/records/",
        {
            "person": head.pk,
            "kind": "public_post",
            "post_type": "保洁员",
            "employer": "社区保洁",
            "started_on": "2026-04-01",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    roster = client.get("/api/employment/roster/").json()
    mine = [r for r in roster["results"] if r["姓名"] == head.name]
    assert mine and mine[0]["就业状况"] == "公益岗位"
    again = client.post(
        "/api/employment/records/",
        {"person": head.pk, "kind": "flexible", "started_on": "2026-05-01"},
        content_type="application/json",
    )
    assert again.status_code == 400 and "未结束的就业记录" in again.content.decode()
    record = created.json()["id"]
    ended = client.post(
        f"/api/employment/records/{record}/end/",
        {"ended_on": "2026-11-15", "reason": "lost", "helper": "王干部"},
        content_type="application/json",
    )
    assert ended.status_code == 200 and ended.json()["end_reason"] == "lost"
    helps = client.get("/api/employment/helps/").json()
    assert helps["results"][0]["status"] == "helping"
    zero = client.get("/api/employment/households/?status=zero").json()
    assert [r["户编号"] for r in zero["results"]] == ["甲001"]
    assert zero["results"][0]["状况"] == "零就业"


def test_lists_page_with_a_fixed_number_of_queries(
    county, client_for, django_assert_max_num_queries
):
    for n in range(10):
        household = registry_services.create_household(
            None, number=f"甲2{n:02d}", category="lifted", site=county.a.site
        )
        person = registry_services.add_person(
            None,
            household,
            name=f"工{n}",
            id_number=make_id("19900101", 100 + n),
            relation="户主",
            labour_skill="技能劳动力",
        )
        services.record_job(None, person, kind="in_county", started_on=date(2026, 1, 1))
    client = client_for(county.users["whole_county"])
    for url in ("/employment/", "/employment/households/", "/employment/records/"):
        client.get(url)
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200, url


def test_the_prefecture_lists_of_migrant_and_self_employed_workers(county, client_for):
    a_head = county.a.household.members.get(relation="户主")
    b_head = county.b.household.members.get(relation="户主")
    services.record_job(
        None, a_head, kind="outside_province", employer="苏州某电子厂", started_on=date(2026, 3, 1)
    )
    services.record_job(
        None, b_head, kind="self_employed", employer="安置点小超市", started_on=date(2026, 5, 1)
    )
    client = client_for(county.users["whole_county"])
    migrants = client.get("/employment/records/?list=migrant").content.decode()
    assert "外出务工人员清单" in migrants and "苏州某电子厂" in migrants
    assert "安置点小超市" not in migrants
    own = client.get("/api/employment/records/?list=self").json()
    assert [r["employer"] for r in own["results"]] == ["安置点小超市"]
    import io

    import openpyxl

    export = client.get("/employment/records/?list=self&export=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row]
    assert "经营项目或地点" in cells and "安置点小超市" in cells and "苏州某电子厂" not in cells
    # A job that ended leaves the list.
    services.end_job(None, a_head.jobs.get(), ended_on=date(2026, 11, 1), reason="changed")
    assert "苏州某电子厂" not in client.get("/employment/records/?list=migrant").content.decode()
