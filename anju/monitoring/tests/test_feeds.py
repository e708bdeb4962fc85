"""部门筛查预警: a department's monthly file, all or nothing, every error named by row and column,
unmatched identity numbers listed back; `anju import feed`."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
import xlsxwriter
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from anju.audit.models import AuditLog
from anju.monitoring.feeds import import_feed
from anju.monitoring.models import Feed, Signal
from anju.registry.tests.sheets import make_id

HEADER = ["公民身份号码", "姓名", "指标", "金额", "发生日期", "备注"]


def _xlsx(path, rows, header=HEADER):
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("医保数据")
    sheet.write_string(0, 0, "2026年11月医保自付费用比对结果")
    sheet.write_string(1, 0, "填报单位：县医保局")
    for col, label in enumerate(header):
        sheet.write_string(2, col, label)
    for r, row in enumerate(rows, start=3):
        for col, value in enumerate(row):
            if isinstance(value, int | float):
                sheet.write_number(r, col, value)
            else:
                sheet.write_string(r, col, value)
    book.close()
    return path


def _head(world):
    return world.a.household.members.get(relation="户主")


def test_a_medical_feed_is_matched_and_stored(world, tmp_path):
    head = _head(world)
    stranger = make_id("19700101", 77)
    path = _xlsx(
        tmp_path / "医保.xlsx",
        [
            [head.id_number, head.name, "个人自付医疗费用", "23,456.7", "2026-11-05", "住院"],
            [stranger, "外县人", "自付医疗费用", 800, "2026/11/2", ""],
        ],
    )
    outcome = import_feed(
        world.users["town_staff"], path, department="medical_insurance", period="2026-11"
    )
    assert outcome.ok, outcome.errors
    assert (outcome.rows, outcome.matched) == (2, 1)
    assert outcome.unmatched == [
        {"row": 5, "id_number": outcome.unmatched[0]["id_number"], "name": "外县人"}
    ]
    assert "*" in outcome.unmatched[0]["id_number"]  # listed back, masked
    signal = Signal.objects.get()
    assert (signal.indicator, signal.value, signal.household) == (
        "medical_out_of_pocket",
        Decimal("23456.70"),
        world.a.household,
    )
    assert signal.occurred_on.isoformat() == "2026-11-05" and signal.note == "住院"
    feed = Feed.objects.get()
    assert (feed.department, feed.period, feed.matched, len(feed.unmatched)) == (
        "medical_insurance",
        "2026-11",
        1,
        1,
    )
    assert AuditLog.objects.filter(object_type="monitoring.feed", action="import").exists()


def test_a_feed_with_bad_rows_is_refused_whole_with_every_error_named(world, tmp_path):
    head = _head(world)
    path = _xlsx(
        tmp_path / "民政.xlsx",
        [
            [head.id_number, head.name, "纳入低保", "", "2026-11-01", ""],  # a good row
            ["61273019750606010X", "某某", "新增危房", "", "2026-11-01", ""],
            [head.id_number, "别人", "死亡", "", "2026-12-03", ""],
            [612730197506060101, "数字", "停发低保", "-5", "明天", ""],
        ],
    )
    outcome = import_feed(
        world.users["town_staff"], path, department="civil_affairs", period="2026-11"
    )
    found = {(e.row, e.column) for e in outcome.errors}
    assert (5, "身份证号") in found  # a wrong check digit
    assert (5, "指标") in found  # not a 民政 indicator
    assert (6, "发生日期") in found  # after the month reported
    assert (7, "身份证号") in found and (7, "数值") in found and (7, "发生日期") in found
    messages = " ".join(e.message for e in outcome.errors)
    assert "可填：纳入低保、停发低保" in messages and "设置为“文本”格式" in messages
    assert not Feed.objects.exists() and not Signal.objects.exists()


def test_the_name_must_match_the_registry(world, tmp_path):
    head = _head(world)
    path = _xlsx(
        tmp_path / "残联.xlsx", [[head.id_number, "张冠李戴", "新增残疾", "", "2026-11-01", ""]]
    )
    outcome = import_feed(world.users["town_staff"], path, department="disabled", period="2026-11")
    assert [(e.row, e.column) for e in outcome.errors] == [(4, "姓名")]


def test_a_person_outside_the_importers_scope_is_unmatched_not_stored(world, tmp_path):
    b_head = world.b.household.members.get(relation="户主")
    path = _xlsx(
        tmp_path / "人社.xlsx", [[b_head.id_number, b_head.name, "失业", "", "2026-11-08", ""]]
    )
    outcome = import_feed(world.users["town_staff"], path, department="hrss", period="2026-11")
    assert outcome.ok and outcome.matched == 0 and len(outcome.unmatched) == 1
    assert not Signal.objects.exists()


def test_empty_files_unknown_departments_and_dry_runs(world, tmp_path):
    empty = _xlsx(tmp_path / "空.xlsx", [])
    outcome = import_feed(world.users["town_staff"], empty, department="water", period="2026-11")
    assert "没有数据行" in outcome.errors[0].message
    head = _head(world)
    good = _xlsx(tmp_path / "水利.xlsx", [[head.id_number, "", "饮水困难", "", "2026-11-09", ""]])
    dry = import_feed(
        world.users["town_staff"], good, department="water", period="2026-11", dry_run=True
    )
    assert dry.ok and dry.matched == 1 and not Signal.objects.exists()
    with pytest.raises(PermissionDenied, match="没有部门「weather」"):
        import_feed(None, good, department="weather", period="2026-11")
    with pytest.raises(PermissionDenied):
        import_feed(world.users["building_head"], good, department="water", period="2026-11")


def test_csv_feeds_and_the_cli(world, tmp_path):
    head = _head(world)
    csv = tmp_path / "应急.csv"
    csv.write_text(
        "身份证号,姓名,指标,数值,发生日期,备注\n"
        f"{head.id_number},{head.name},受灾,,2026-11-10,洪水冲毁院墙\n",
        encoding="utf-8-sig",
    )
    out = io.StringIO()
    call_command(
        "import",
        "feed",
        str(csv),
        "--department",
        "emergency",
        "--period",
        "2026-11",
        "--user",
        "a_town_staff",
        stdout=out,
    )
    assert "导入完成：1 行，匹配搬迁人口 1 行" in out.getvalue()
    assert Signal.objects.get().indicator == "disaster"
    with pytest.raises(SystemExit) as exit_code:
        call_command("import", "feed", str(csv), "--period", "2026-11", stderr=io.StringIO())
    assert exit_code.value.code == 2
    bad = tmp_path / "坏.csv"
    bad.write_text("身份证号,指标,发生日期\n123,受灾,2026-11-10\n", encoding="utf-8-sig")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_code:
        call_command(
            "import",
            "feed",
            str(bad),
            "--department",
            "emergency",
            "--period",
            "2026-11",
            stdout=out,
            stderr=io.StringIO(),
        )
    assert exit_code.value.code == 1 and "第 2 行\t身份证号" in out.getvalue()


def _upload(path, name=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name or path.name, path.read_bytes())


def test_the_upload_page_refuses_a_bad_file_whole_and_names_each_error(world, client_for, tmp_path):
    head = _head(world)
    client = client_for(world.users["dept_rural"])
    page = client.get("/monitoring/feeds/import/").content.decode()
    assert "医保" in page and "自付医疗费用" in page
    bad = _xlsx(
        tmp_path / "医保.xlsx",
        [
            [head.id_number, head.name, "个人自付医疗费用", "23456.7", "2026-11-05", "住院"],
            [head.id_number, head.name, "个人自付医疗费用", "", "2026-11-06", ""],
        ],
    )
    response = client.post(
        "/monitoring/feeds/import/",
        {"department": "medical_insurance", "period": "2026-11", "file": _upload(bad)},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "整份文件未导入" in body
    assert "第 5 行" in body and "该指标需要填写数值" in body
    assert not Feed.objects.exists()

    stranger = make_id("19700101", 77)
    good = _xlsx(
        tmp_path / "医保2.xlsx",
        [
            [head.id_number, head.name, "个人自付医疗费用", "23456.7", "2026-11-05", "住院"],
            [stranger, "外县人", "自付医疗费用", 800, "2026/11/2", ""],
        ],
    )
    dry = client.post(
        "/monitoring/feeds/import/",
        {
            "department": "medical_insurance",
            "period": "2026-11",
            "file": _upload(good),
            "dry_run": "on",
        },
    ).content.decode()
    assert "试导入通过" in dry and "外县人" in dry and stranger not in dry
    assert not Feed.objects.exists()
    done = client.post(
        "/monitoring/feeds/import/",
        {"department": "medical_insurance", "period": "2026-11", "file": _upload(good)},
    )
    feed = Feed.objects.get()
    assert done.status_code == 302 and done.url == feed.get_absolute_url()
    detail = client.get(feed.get_absolute_url()).content.decode()
    assert "外县人" in detail and "23456.70" in detail and head.name in detail
    listing = client.get("/monitoring/feeds/").content.decode()
    assert "医保" in listing and "医保2.xlsx" in listing
    # The matched household was warned at once.
    assert world.a.household.warnings.get().signals.filter(rule="department").exists()


def test_a_department_imports_its_own_data_only(world, client_for, tmp_path):
    head = _head(world)
    path = _xlsx(
        tmp_path / "人社.xlsx", [[head.id_number, head.name, "失业", "", "2026-11-03", ""]]
    )
    hrss = client_for(world.users["dept_hrss"])
    page = hrss.get("/monitoring/feeds/import/").content.decode()
    assert '<option value="hrss">人社</option>' in page and "medical_insurance" not in page
    refused = hrss.post(
        "/monitoring/feeds/import/",
        {"department": "medical_insurance", "period": "2026-11", "file": _upload(path)},
    )
    assert refused.status_code == 200 and not Feed.objects.exists()
    with pytest.raises(PermissionDenied, match="只能导入本部门"):
        import_feed(world.users["dept_hrss"], path, department="civil_affairs", period="2026-11")
    ok = hrss.post(
        "/monitoring/feeds/import/",
        {"department": "hrss", "period": "2026-11", "file": _upload(path)},
    )
    assert ok.status_code == 302 and Feed.objects.get().department == "hrss"
    assert client_for(world.users["dept_land"]).get("/monitoring/feeds/import/").status_code == 403


def test_the_api_imports_and_lists(world, client_for, tmp_path):
    head = _head(world)
    client = client_for(world.users["dept_rural"])
    bad = _xlsx(tmp_path / "教育.xlsx", [[head.id_number, head.name, "逃学", "", "2026-11-03", ""]])
    response = client.post(
        "/api/feeds/", {"department": "education", "period": "2026-11", "file": _upload(bad)}
    )
    assert response.status_code == 400
    assert (
        response.json()["errors"][0]["row"] == 4
        and response.json()["errors"][0]["column"] == "指标"
    )
    good = _xlsx(
        tmp_path / "教育2.xlsx", [[head.id_number, head.name, "辍学", "", "2026-11-03", ""]]
    )
    response = client.post(
        "/api/feeds/", {"department": "education", "period": "2026-11", "file": _upload(good)}
    )
    assert response.status_code == 201 and response.json()["matched"] == 1
    feeds = client.get("/api/feeds/").json()
    assert feeds["count"] == 1 and feeds["results"][0]["department_label"] == "教育"
    signals = client.get(f"/api/signals/?feed={response.json()['feed']}").json()
    assert signals["results"][0]["indicator_label"] == "辍学"
    assert signals["results"][0]["person_name"] == head.name
