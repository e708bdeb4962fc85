"""人岗匹配, explained: every requirement met or failed and by how much; a posting that fails one
stated requirement ranks below one that meets all, and its explanation names the failure."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from anju.employment import matching, selectors, services
from anju.employment.models import Push
from anju.registry import services as registry_services

CODE = "91110000600037341L"


@pytest.fixture(autouse=True)
def november():
    with time_machine.travel("2026-11-20 10:00 +08:00", tick=False):
        yield


def _posting(employer, title, **more):
    values = dict(
        head_count=5,
        place="清涧县工业园区",
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
def market(world):
    head = world.a.household.members.get(relation="户主")  # born 1980: 46, 初中, 男
    seeker = services.save_seeker(None, head, where="county", min_pay="3000")
    employer = services.create_employer(None, name="园区电子厂", credit_code=CODE)
    employer.path = world.a.unit.path
    employer.save(update_fields=["path"])
    return world, head, seeker, employer


def test_a_posting_failing_one_requirement_ranks_below_one_meeting_all(market):
    world, head, seeker, employer = market
    fits = _posting(employer, "装配工", age_min=18, age_max=50, education_min="初中")
    too_old = _posting(employer, "质检员", age_min=18, age_max=40, education_min="初中")
    ranked = matching.postings_for(seeker, selectors.postings(world.users["whole_county"]))
    assert [m.posting for m in ranked] == [fits, too_old]
    assert ranked[0].score == 100 and ranked[0].summary == "各项要求均满足"
    failed = ranked[1].failed
    assert [c.label for c in failed] == ["年龄"]
    assert failed[0].text == "46 岁，超过上限 40 岁 6 岁"
    assert ranked[1].score == 100 - (10 + 2 * 6)


def test_each_requirement_is_said_with_how_far_it_is_missed(market):
    world, head, seeker, employer = market
    posting = _posting(
        employer,
        "技术员",
        education_min="大专",
        pay_kind="daily",
        pay_min=Decimal("120"),
        area="outside",
        health="能适应高温作业",
    )
    registry_services.update_person(None, head, health=["长期慢性病"])
    services.save_seeker(None, head, where="county", min_pay="3000", home_based_only=True)
    seeker = selectors.seekers(world.users["whole_county"]).get(person=head)
    match = matching.explain(posting, seeker)
    said = {c.label: (c.met, c.text) for c in match.checks}
    assert said["文化程度"] == (False, "初中，低于要求的大专 3 级")
    assert said["薪酬"] == (False, "月薪约 2640 元，低于期望 3000.00 元 360.00 元")
    assert said["地域"] == (False, "岗位在省外，意向县内")
    assert said["居家就业"] == (False, "只能居家或就近灵活就业，岗位不能")
    assert said["健康"] == (True, "健康状况符合")  # a chronic illness is not a serious one
    assert not match.excluded and match.score == 0  # bent, not broken: still listed, last


def test_a_posting_for_women_only_or_out_of_date_excludes(market):
    world, head, seeker, employer = market
    _posting(employer, "缝纫工", sex="F")
    _posting(employer, "过期岗位", valid_from=date(2026, 1, 1), valid_to=date(2026, 6, 30))
    assert matching.postings_for(seeker, selectors.postings(world.users["whole_county"])) == []
    women = _posting(employer, "挑拣工", sex="F")
    with pytest.raises(ValidationError, match="岗位要求女性"):
        services.push(None, women, seeker)


def test_rural_staff_push_a_posting_and_follow_it(market, client_for):
    world, head, seeker, employer = market
    posting = _posting(employer, "装配工", age_max=50)
    client = client_for(world.users["dept_hrss"])
    page = client.get(f"/employment/postings/{posting.pk}/").content.decode()
    assert head.name in page and "年龄：46 岁，符合" in page and "推送" in page
    client.post(f"/employment/postings/{posting.pk}/push/{seeker.pk}/")
    item = Push.objects.get()
    assert item.score == 100 and item.status == "recommended"
    assert {"label": "年龄", "met": True, "text": "46 岁，符合", "penalty": 0} in item.explanation
    again = client.post(f"/employment/postings/{posting.pk}/push/{seeker.pk}/", follow=True)
    assert "已推送给此人" in again.content.decode() and Push.objects.count() == 1
    client.post(f"/employment/pushes/{item.pk}/advance/", {"status": "interviewed"})
    back = client.post(
        f"/employment/pushes/{item.pk}/advance/", {"status": "contacted"}, follow=True
    )
    assert "进展只能向前" in back.content.decode()
    silent = client.post(
        f"/employment/pushes/{item.pk}/advance/", {"status": "declined"}, follow=True
    )
    assert "须写明原因" in silent.content.decode()
    client.post(f"/employment/pushes/{item.pk}/advance/", {"status": "declined", "reason": "嫌远"})
    item.refresh_from_db()
    assert item.status == "declined" and item.reason == "嫌远"
    # The person's file recommends postings with the reasons.
    file = client.get(f"/employment/persons/{head.pk}/").content.decode()
    assert "推荐岗位" in file and "装配工" in file and "各项要求均满足" in file
    # Town 乙's staff cannot see the posting or push it.
    other = client_for(world.users["b_town_staff"])
    assert other.get(f"/employment/postings/{posting.pk}/").status_code in (403, 404)


def test_a_hire_records_the_job_and_brings_retention_checks_due(market, client_for):
    world, head, seeker, employer = market
    posting = _posting(employer, "装配工")
    client = client_for(world.users["dept_hrss"])
    client.post(f"/employment/postings/{posting.pk}/push/{seeker.pk}/")
    item = Push.objects.get()
    client.post(
        f"/employment/pushes/{item.pk}/advance/", {"status": "hired", "started_on": "2026-08-31"}
    )
    job = head.jobs.get()  # never typed twice: the hire is the job
    assert (job.kind, job.employer, job.started_on) == (
        "in_county",
        "园区电子厂",
        date(2026, 8, 31),
    )
    assert job.monthly_income == Decimal("3500.00")
    # 3 months after 31 August is 30 November; 6 months, the last day of February.
    checks = {r.months: r.due_on for r in item.retentions.all()}
    assert checks == {3: date(2026, 11, 30), 6: date(2027, 2, 28)}
    assert client.get("/api/employment/retentions/?state=due").json()["count"] == 0
    with time_machine.travel("2026-12-01 09:00 +08:00", tick=False):
        client = client_for(world.users["dept_hrss"])
        due = client.get("/employment/retentions/?state=due").content.decode()
        assert head.name in due and "已到期，待回访" in due and "录用后" in due
        api = client.get("/api/employment/retentions/?state=due").json()
        assert [r["months"] for r in api["results"]] == [3]
        check_id = api["results"][0]["id"]
        page = client.get(f"/employment/persons/{head.pk}/").content.decode()
        assert "岗位稳定性回访" in page and "记录回访" in page
        silent = client.post(
            f"/api/employment/retentions/{check_id}/check/",
            {"still_employed": False},
            content_type="application/json",
        )
        assert silent.status_code == 400 and "请写明原因" in silent.content.decode()
        done = client.post(
            f"/employment/retentions/{check_id}/check/", {"still_employed": "yes"}, follow=True
        )
        assert "回访已记录" in done.content.decode()
        again = client.post(
            f"/api/employment/retentions/{check_id}/check/",
            {"still_employed": True},
            content_type="application/json",
        )
        assert again.status_code == 400 and "已于 2026-12-01 完成" in again.content.decode()
        assert client.get("/api/employment/retentions/?state=due").json()["count"] == 0
    other = client_for(world.users["b_town_staff"])
    assert other.get("/api/employment/retentions/").json()["count"] == 0
    assert other.post(
        f"/employment/retentions/{check_id}/check/", {"still_employed": "yes"}
    ).status_code in (403, 404)
