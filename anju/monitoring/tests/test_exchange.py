"""Exchange with the national monitoring system: its 户信息 and 监测对象信息 sheets, out and in.
An exported workbook imports back unchanged; the national system's decisions set the platform's
monitoring state; a bad file is refused whole with every error named."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from django.core.management import call_command

from anju.audit.models import AuditLog
from anju.monitoring import exchange
from anju.monitoring.models import Warning
from anju.monitoring.tests.test_assistance import _identify
from anju.monitoring.tests.test_identification import _on
from anju.monitoring.tests.test_identification import warned as warned  # the fixture
from anju.registry.tests.sheets import make_id


def _book(response) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _upload(client, book: openpyxl.Workbook, *, dry_run=False, url="/monitoring/exchange/"):
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "全国系统导出.xlsx"
    return client.post(url, {"file": data, "dry_run": "on" if dry_run else ""})


@pytest.fixture
def identified(warned):
    world, warning = warned
    _identify(world, warning)
    return world, warning


def test_export_has_the_two_sheets_and_imports_back_unchanged(identified, client_for):
    world, warning = identified
    rural = world.users["county_rural"]
    head = world.a.household.members.get(relation="户主")
    with _on("2026-12-10"):
        client = client_for(rural)
        book = _book(client.get("/monitoring/exchange/?export=xlsx"))
        assert book.sheetnames == ["户信息", "监测对象信息"]
        households = list(book["户信息"].values)
        assert households[0][:8] == (
            "省",
            "市",
            "县",
            "乡镇",
            "村（社区）",
            "户编号",
            "户主姓名",
            "户主证件号码",
        )
        row = dict(zip(households[0], households[1], strict=True))
        assert len(households) == 2  # 乙001 is not monitored
        assert row["省"] == "陕西省" and row["县"] == "清涧县" and row["乡镇"] == "甲镇"
        assert row["村（社区）"] == "甲社区" and row["户主证件号码"] == head.id_number
        assert row["监测对象类别"] == "突发严重困难户" and row["风险类型"] == "因病"
        assert row["纳入监测时间"] == "2026-12-02" and row["风险是否消除"] == "否"
        assert row["家庭人口数"] == 2
        members = list(book["监测对象信息"].values)
        assert len(members) == 3 and members[1][2] == head.id_number
        assert AuditLog.objects.filter(object_type="monitoring.exchange").count() == 1
        before = Warning.objects.values().get(pk=warning.pk)
        page = _upload(client, book).content.decode()
        assert "匹配搬迁户 1 户：新纳入 0 户，更新 0 户，无变化 1 户" in page
        assert "核对监测对象 2 人，台账中没有的 0 人" in page
        assert Warning.objects.values().get(pk=warning.pk) == before


def test_the_national_systems_decisions_set_the_monitoring_state(identified, client_for):
    world, warning = identified
    rural = world.users["county_rural"]
    b_head = world.b.household.members.get(relation="户主")
    with _on("2026-12-10"):
        book = _book(client_for(rural).get("/monitoring/exchange/?export=xlsx"))
    sheet = book["户信息"]
    headers = [c.value for c in sheet[1]]
    col = {h: i + 1 for i, h in enumerate(headers)}
    sheet.cell(2, col["风险是否消除"], "是")
    sheet.cell(2, col["风险消除时间"], "2027-06-10")
    sheet.cell(2, col["风险消除方式"], "帮扶消除")
    new = {
        "户主姓名": b_head.name,
        "户主证件号码": b_head.id_number,
        "监测对象类别": "边缘易致贫户",
        "风险类型": "因务工就业不稳，因病",
        "纳入监测时间": "2026-10-15",
        "风险是否消除": "否",
    }
    outsider = {  # a rural household the national system monitors, not relocated
        "户主姓名": "丙某",
        "户主证件号码": make_id("19700101", 77),
        "监测对象类别": "脱贫不稳定户",
        "风险类型": "因残",
        "纳入监测时间": "2026-03-01",
        "风险是否消除": "否",
    }
    for values in (new, outsider):
        sheet.append([values.get(h, "") for h in headers])
    with _on("2027-06-20"):
        client = client_for(rural)
        dry = _upload(client, book, dry_run=True).content.decode()
        assert "试导入通过（未写入）" in dry and "新纳入 1 户，更新 1 户" in dry
        assert Warning.objects.count() == 1
        page = _upload(client, book).content.decode()
        assert "新纳入 1 户，更新 1 户，无变化 0 户" in page
        assert "非本平台搬迁户 1 行" in page and "丙某" in page
    warning.refresh_from_db()
    assert warning.status == "eliminated" and warning.eliminated_on == date(2027, 6, 10)
    assert warning.elimination_method == "by_assistance"
    b = world.b.household.warnings.get()
    assert b.status == "monitored" and b.category == "edge"
    assert b.risk_types == ["employment", "illness"] and b.identified_on == date(2026, 10, 15)
    assert (
        AuditLog.objects.filter(
            object_type="monitoring.warning", note="依据全国防返贫监测信息系统导入"
        ).count()
        == 2
    )
    # The same file again changes nothing.
    with _on("2027-06-21"):
        again = _upload(client_for(rural), book).content.decode()
    assert "新纳入 0 户，更新 0 户，无变化 2 户" in again
    with _on("2027-06-21"):
        # Town 甲's 乡村振兴 staff export their own town only, though 乙001 is now monitored.
        town = _book(client_for(world.users["dept_rural"]).get("/monitoring/exchange/?export=xlsx"))
        numbers = [r[5] for r in list(town["户信息"].values)[1:]]
        assert numbers == ["甲001"]
        assert {r[0] for r in list(town["监测对象信息"].values)[1:]} == {"甲001"}


def test_a_bad_file_is_refused_whole_with_every_error_named(identified, client_for, tmp_path):
    world, warning = identified
    rural = world.users["county_rural"]
    with _on("2026-12-10"):
        book = _book(client_for(rural).get("/monitoring/exchange/?export=xlsx"))
    sheet = book["户信息"]
    headers = [c.value for c in sheet[1]]
    b_head = world.b.household.members.get(relation="户主")
    rows = [
        {
            "户主证件号码": b_head.id_number,
            "户主姓名": b_head.name,
            "监测对象类别": "贫困户",
            "风险类型": "因病",
            "纳入监测时间": "2026-10-15",
            "风险是否消除": "否",
        },
        {
            "户主证件号码": "61083019800101001",
            "监测对象类别": "边缘易致贫户",
            "风险类型": "因懒",
            "纳入监测时间": "2026-13-01",
            "风险是否消除": "是",
        },
        {
            "户主证件号码": b_head.id_number,
            "户主姓名": "张冠李戴",
            "监测对象类别": "边缘易致贫户",
            "风险类型": "因病",
            "纳入监测时间": "2026-10-15",
            "风险是否消除": "否",
        },
    ]
    for values in rows:
        sheet.append([values.get(h, "") for h in headers])
    path = tmp_path / "bad.xlsx"
    book.save(path)
    with _on("2026-12-10"):
        outcome = exchange.import_file(rural, path)
        cli_out = io.StringIO()
        with pytest.raises(SystemExit) as exit_:
            call_command("import", "national", str(path), "--user", rural.username, stdout=cli_out)
    assert exit_.value.code == 1
    found = {(e.row, e.column) for e in outcome.errors}
    assert (3, "户信息·监测对象类别") in found
    assert {(4, "户信息·户主证件号码"), (4, "户信息·风险类型"), (4, "户信息·纳入监测时间")} <= found
    assert (4, "户信息·风险消除时间") in found and (4, "户信息·风险消除方式") in found
    assert (5, "户信息·户主姓名") in found
    assert "第 4 行\t户信息·风险类型\t因懒" in cli_out.getvalue()
    assert not Warning.objects.filter(household=world.b.household).exists()


def test_who_may_export_and_import(identified, client_for, tmp_path):
    world, _warning = identified
    with _on("2026-12-10"):
        # A county leader sees the loop but not full identity numbers.
        leader = client_for(world.users["whole_county"])
        assert leader.get("/monitoring/exchange/").status_code == 200
        assert leader.get("/monitoring/exchange/?export=xlsx").status_code == 403
        assert leader.get("/api/monitoring/exchange/").status_code == 403
        grid = client_for(world.users["grid_worker"])
        book = openpyxl.Workbook()
        assert _upload(grid, book).status_code == 403
        rural = client_for(world.users["county_rural"])
        api = rural.get("/api/monitoring/exchange/")
        assert api.status_code == 200 and _book(api).sheetnames == ["户信息", "监测对象信息"]
        empty = openpyxl.Workbook()
        empty.active.append(["户主证件号码", "监测对象类别", "纳入监测时间"])
        result = _upload(rural, empty, url="/api/monitoring/exchange/")
        assert result.status_code == 400 and result.json()["errors"][0]["message"]
        out = tmp_path / "out.xlsx"
        buffer = io.StringIO()
        call_command(
            "monitoring", "export", "--user", "county_rural", "--out", str(out), stdout=buffer
        )
        assert "户信息 1 户，监测对象信息 2 人" in buffer.getvalue()
        buffer = io.StringIO()
        call_command("import", "national", str(out), "--dry-run", stdout=buffer)
        assert "无变化 1 户" in buffer.getvalue()


def test_a_county_renames_the_columns_for_its_national_template(identified, client_for):
    from django.core.exceptions import ValidationError

    from anju.policies import services as policies

    world, warning = identified
    rural = world.users["county_rural"]
    with pytest.raises(ValidationError):
        policies.set_value(
            None,
            key="monitoring.exchange.households",
            unit=world.county,
            valid_from=date(2026, 1, 1),
            value="户主证件号码",  # no “=”
        )
    value = policies.set_value(
        None,
        key="monitoring.exchange.households",
        unit=world.county,
        valid_from=date(2026, 1, 1),
        value="户主证件号码=户主身份证号码；监测对象类别＝监测对象类型",
    )
    with _on("2026-12-10"):
        client = client_for(rural)
        book = _book(client.get("/monitoring/exchange/?export=xlsx"))
        headers = [c.value for c in book["户信息"][1]]
        assert "户主身份证号码" in headers and "监测对象类型" in headers
        assert "户主证件号码" not in headers
        page = _upload(client, book).content.decode()
        assert "无变化 1 户" in page
        # The errors name the column as the county's template writes it.
        sheet = book["户信息"]
        sheet.cell(2, headers.index("监测对象类型") + 1, "贫困户")
        page = _upload(client, book).content.decode()
        assert "户信息·监测对象类型" in page and "整份文件未导入" in page
        # A name that is no column of the sheet is said, not ignored.
        policies.update_value(None, value, value="户主证件号码=户主身份证号码；户主电话=联系方式")
        page = client.get("/monitoring/exchange/?export=xlsx", follow=True).content.decode()
        assert "「户主电话」不是“户信息”表的列" in page
        assert client.get("/api/monitoring/exchange/").status_code == 400
