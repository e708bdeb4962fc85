"""岗位信息导入 (`anju import postings FILE [--dry-run]`, the page and the API): all or nothing as
the registry import is, every error named by its row and its Chinese column, a new employer
registered from its first row, a dry run writing nothing."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from anju.audit.models import AuditLog
from anju.employment import services
from anju.employment.importing import COLUMNS
from anju.employment.models import Employer, Posting

HEADERS = [label for _, label, _, _ in COLUMNS]
NEW_CODE = "91610830MA70000019"  # not yet registered
KNOWN_CODE = "91110000600037341L"  # registered at the county before the import
B_CODE = "91350100M000100Y43"  # registered by town 乙


@pytest.fixture(autouse=True)
def november():
    with time_machine.travel("2026-11-20 10:00 +08:00", tick=False):
        yield


def _row(**over) -> list:
    values = {
        "单位名称": "清涧县红枣加工有限公司",
        "统一社会信用代码": NEW_CODE,
        "联系人": "张经理",
        "联系电话": "13800000001",
        "岗位名称": "分拣包装工",
        "招聘人数": 20,
        "性别要求": "不限",
        "最低年龄": 18,
        "最高年龄": 55,
        "最低文化程度": "小学",
        "技能要求": "",
        "健康要求": "身体健康",
        "工作地点": "清涧县工业园区",
        "地域": "县内",
        "计酬方式": "月薪",
        "薪酬下限（元）": 3000,
        "薪酬上限（元）": 4500,
        "福利待遇": "包午餐",
        "可居家或计件": "否",
        "班次": "白班",
        "有效期自": "2026-11-01",
        "有效期至": "2027-01-31",
        "岗位来源": "县内园区企业",
    }
    values.update(over)
    return [values[h] for h in HEADERS]


def _book(rows, title=True) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.append(["清涧县2026年11月岗位信息表"])  # a title line above the header
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _file(tmp_path, rows, name="岗位.xlsx"):
    path = tmp_path / name
    path.write_bytes(_book(rows))
    return path


@pytest.fixture
def known(world):
    employer = services.create_employer(None, name="园区服装厂", credit_code=KNOWN_CODE)
    employer.path = world.county.path
    employer.save(update_fields=["path"])
    other = services.create_employer(None, name="乙镇砖厂", credit_code=B_CODE)
    other.path = world.b.unit.path
    other.save(update_fields=["path"])
    return employer


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_a_good_file_creates_postings_and_new_employers(world, known, tmp_path):
    path = _file(
        tmp_path,
        [
            _row(),
            _row(**{"岗位名称": "叉车司机", "招聘人数": 2, "性别要求": "男", "最低文化程度": ""}),
            _row(
                **{
                    "单位名称": "园区服装厂",
                    "统一社会信用代码": KNOWN_CODE,
                    "岗位名称": "缝纫工",
                    "性别要求": "女",
                    "计酬方式": "计件",
                    "可居家或计件": "是",
                    "岗位来源": "帮扶车间",
                    "薪酬上限（元）": "",
                }
            ),
        ],
    )
    code, out, err = _run("postings", str(path), "--user", "a_dept_hrss")
    assert code == 0, out + err
    assert out.strip() == "导入完成：3 行，已发布岗位 3 个，已登记新用工单位 1 家。"
    new = Employer.objects.get(credit_code=NEW_CODE)
    assert (new.name, new.contact, new.path) == (
        "清涧县红枣加工有限公司",
        "张经理",
        world.a.unit.path,
    )
    assert set(new.postings.values_list("title", flat=True)) == {"分拣包装工", "叉车司机"}
    sewing = Posting.objects.get(title="缝纫工")
    assert sewing.employer == known and sewing.sex == "F" and sewing.home_based
    assert (sewing.pay_kind, sewing.source, sewing.pay_max) == ("piece", "workshop", None)
    packing = Posting.objects.get(title="分拣包装工")
    assert packing.pay_min == Decimal("3000.00") and packing.valid_to == date(2027, 1, 31)
    assert packing.path == world.a.unit.path
    assert AuditLog.objects.filter(object_type="employment.posting", action="import").exists()
    assert AuditLog.objects.filter(object_type="employment.posting", action="create").count() == 3


def test_bad_rows_are_named_and_nothing_is_written(world, known, tmp_path):
    path = _file(
        tmp_path,
        [
            _row(),  # good, and still not written
            _row(**{"统一社会信用代码": "91610830MA70000018"}),
            _row(**{"薪酬下限（元）": 5000, "薪酬上限（元）": 4000, "岗位名称": ""}),
            _row(**{"有效期至": "2027-02-30", "岗位来源": "劳务公司", "最低年龄": "十八"}),
            _row(**{"单位名称": "别的名字", "统一社会信用代码": KNOWN_CODE}),
            _row(**{"统一社会信用代码": B_CODE, "单位名称": "乙镇砖厂"}),
        ],
    )
    code, out, err = _run("postings", str(path), "--user", "a_dept_hrss")
    assert code == 1
    assert err.strip() == "发现 8 处错误，整份文件未导入。"
    lines = {tuple(line.split("\t")[:2]) for line in out.strip().splitlines()}
    # Row numbers are the sheet's: the title line is row 1, the header row 2.
    assert lines == {
        ("第 4 行", "统一社会信用代码"),
        ("第 5 行", "岗位名称"),
        ("第 5 行", "薪酬上限（元）"),
        ("第 6 行", "有效期至"),
        ("第 6 行", "岗位来源"),
        ("第 6 行", "最低年龄"),
        ("第 7 行", "单位名称"),
        ("第 8 行", "统一社会信用代码"),
    }
    assert "薪酬上限小于下限" in out and "与该信用代码已有的单位名称「园区服装厂」不一致" in out
    assert "不在您的管辖范围内" in out and "可选：对口帮扶城市" in out
    assert Posting.objects.count() == 0 and Employer.objects.count() == 2


def test_a_dry_run_counts_and_writes_nothing(world, known, tmp_path):
    path = _file(tmp_path, [_row(), _row(**{"岗位名称": "质检员"})])
    code, out, _ = _run("postings", str(path), "--dry-run", "--user", "a_dept_hrss")
    assert code == 0
    assert out.strip() == "试导入（未写入）：2 行，将发布岗位 2 个，将登记新用工单位 1 家。"
    assert Posting.objects.count() == 0 and Employer.objects.count() == 2


def test_a_role_that_only_reads_is_refused(world, tmp_path):
    path = _file(tmp_path, [_row()])
    code, _, err = _run("postings", str(path), "--user", "a_county_leader")
    assert code == 2 and "无权导入岗位" in err
    assert not Posting.objects.exists()


def test_the_page_the_api_and_the_template(world, known, client_for):
    client = client_for(world.users["dept_hrss"])
    template = client.get("/employment/postings/template.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    assert [c.value for c in book["岗位信息"][1]] == HEADERS
    # The template's own example row imports as it is.
    upload = SimpleUploadedFile("模板.xlsx", template.content)
    dry = client.post("/employment/postings/import/", {"file": upload, "dry_run": "on"})
    assert "试导入通过：1 行，将发布岗位 1 个" in dry.content.decode()
    assert not Posting.objects.exists()
    bad = SimpleUploadedFile("岗位.xlsx", _book([_row(**{"招聘人数": 0})]))
    page = client.post("/employment/postings/import/", {"file": bad}).content.decode()
    assert "第 3 行" in page and "招聘人数" in page and "整份文件未导入" in page
    good = SimpleUploadedFile("岗位.xlsx", _book([_row()]))
    assert client.post("/employment/postings/import/", {"file": good}).status_code == 302
    assert Posting.objects.count() == 1
    api_bad = client.post(
        "/api/employment/postings/import/",
        {"file": SimpleUploadedFile("岗位.xlsx", _book([_row(**{"有效期自": "明天"})]))},
    )
    assert api_bad.status_code == 400
    assert api_bad.json()["errors"][0]["row"] == 3
    assert api_bad.json()["errors"][0]["column"] == "有效期自"
    api_ok = client.post(
        "/api/employment/postings/import/",
        {"file": SimpleUploadedFile("岗位.xlsx", _book([_row(**{"岗位名称": "质检员"})]))},
    )
    assert api_ok.status_code == 201 and api_ok.json()["postings"] == 1
    assert Posting.objects.count() == 2
    reader = client_for(world.users["county_leader"])
    assert reader.get("/employment/postings/import/").status_code == 403
    assert reader.post("/api/employment/postings/import/", {}).status_code == 403
