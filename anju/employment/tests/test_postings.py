"""岗位信息数据库 (《榕江县易地扶贫搬迁后续扶持》附件2: 用工单位名称、岗位要求、工作地点、薪酬待遇):
employers with a checked 统一社会信用代码, postings with their requirements, pay and validity."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError

from anju.employment import services
from anju.employment.models import Employer, Posting

CODE = "91110000600037341L"  # a valid 统一社会信用代码 (check character L)


@pytest.fixture(autouse=True)
def november():
    with time_machine.travel("2026-11-20 10:00 +08:00", tick=False):
        yield


def test_employers_are_checked_by_their_credit_code(world, client_for):
    client = client_for(world.users["dept_hrss"])
    bad = client.post(
        "/employment/employers/new/", {"name": "某电子厂", "credit_code": "91110000600037341A"}
    )
    assert "不是有效的统一社会信用代码" in bad.content.decode()
    ok = client.post(
        "/employment/employers/new/",
        {"name": "某电子厂", "credit_code": CODE.lower(), "contact": "张经理"},
    )
    assert ok.status_code == 302
    assert Employer.objects.get().credit_code == CODE
    again = client.post("/employment/employers/new/", {"name": "重复", "credit_code": CODE})
    assert "已登记" in again.content.decode() and Employer.objects.count() == 1
    page = client.get("/employment/employers/").content.decode()
    assert "某电子厂" in page and "登记用工单位" in page


def test_postings_with_requirements_pay_and_validity(world, client_for):
    staff = world.users["dept_hrss"]
    employer = services.create_employer(staff, name="园区服装厂", credit_code=CODE)
    client = client_for(staff)
    form = {
        "employer": employer.pk,
        "title": "缝纫工",
        "head_count": "20",
        "sex": "F",
        "age_min": "18",
        "age_max": "50",
        "education_min": "初中",
        "place": "清涧县工业园区",
        "area": "county",
        "pay_kind": "monthly",
        "pay_min": "3000",
        "pay_max": "4500",
        "home_based": "on",
        "valid_from": "2026-11-01",
        "valid_to": "2027-02-28",
        "source": "county_park",
    }
    bad = client.post("/employment/postings/new/", {**form, "age_max": "17", "pay_max": "100"})
    errors = bad.context["form"].errors
    assert "最高年龄小于最低年龄" in str(errors["age_max"]) and "薪酬上限小于下限" in str(
        errors["pay_max"]
    )
    assert not Posting.objects.exists()
    assert client.post("/employment/postings/new/", form).status_code == 302
    page = client.get("/employment/postings/?current=true").content.decode()
    assert "缝纫工" in page and "女，18–50岁，初中及以上" in page and "3000.00–4500.00元/月" in page
    api = client.get("/api/employment/postings/").json()
    assert (
        api["results"][0]["title"] == "缝纫工"
        and api["results"][0]["employer_name"] == "园区服装厂"
    )
    with pytest.raises(ValidationError) as refused:
        services.create_posting(
            staff,
            employer,
            title="普工",
            head_count=0,
            place="园区",
            pay_kind="daily",
            pay_min=120,
            valid_from=date(2026, 12, 1),
            valid_to=date(2026, 11, 1),
            source="local",
        )
    assert {"head_count", "valid_to"} <= set(refused.value.message_dict)
    # Town 乙's staff do not see town 甲's employers and postings.
    other = client_for(world.users["b_town_staff"])
    assert "园区服装厂" not in other.get("/employment/postings/").content.decode()
    assert other.get("/api/employment/employers/").json()["count"] == 0


def test_the_api_registers_an_employer_with_a_chinese_refusal(world, client_for):
    client = client_for(world.users["dept_hrss"])
    bad = client.post(
        "/api/employment/employers/",
        {"name": "某厂", "credit_code": "123"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "统一社会信用代码" in bad.content.decode()
    ok = client.post(
        "/api/employment/employers/",
        {"name": "某厂", "credit_code": CODE},
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["open_postings"] == 0
