"""The registry import: every kind of bad input is reported with row and column, a rejected file
leaves the database as it was, re-importing changes nothing, and an edited file updates exactly
the changed rows."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from anju.audit.models import AuditLog
from anju.registry.models import Household, HouseholdMove, Person, PersonMove
from anju.registry.services import import_registry

from .sheets import family, make_id, person, write_csv, write_xlsx


@pytest.fixture
def staff(world):
    # These tests start from an empty registry: the shared world's households are not theirs.
    Person.objects.all().delete()
    Household.objects.all().delete()
    return world.users["town_staff"]


def _snapshot():
    return (
        sorted(Household.objects.values_list("number", "category", "room_no", "path")),
        sorted(
            Person.objects.values_list(
                "id_number", "name", "household__number", "education", "path"
            )
        ),
    )


def test_a_clean_workbook_imports_with_header_below_a_title(world, staff, tmp_path):
    path = write_xlsx(
        tmp_path / "台账.xlsx",
        family() + family("QJ0002")[:1]
        and family() + [person("QJ0002", "赵四", make_id("19650101", 51))],
    )
    outcome = import_registry(staff, path)
    assert outcome.ok, outcome.errors
    assert outcome.header_row == 3
    assert (outcome.households_new, outcome.persons_new) == (2, 4)
    household = Household.objects.get(number="QJ0001")
    assert household.site == world.a.site and household.building == world.a.building
    assert household.path == world.a.building.path
    assert household.move_in_date == dt.date(2019, 8, 20)
    son = Person.objects.get(name="王小明")
    assert son.birth_date == dt.date(2010, 9, 1) and son.sex == "M"
    assert son.health == ["健康"] and son.path == household.path
    assert AuditLog.objects.filter(action="import", object_type="registry.import").count() == 1


def test_csv_in_gb18030_and_utf8(world, staff, tmp_path):
    for encoding in ("gb18030", "utf-8-sig"):
        path = write_csv(tmp_path / f"{encoding}.csv", family(), encoding=encoding)
        outcome = import_registry(staff, path)
        assert outcome.ok, (encoding, outcome.errors)
    assert Person.objects.count() == 3


def test_what_people_type_is_normalised(world, staff, tmp_path):
    pid = make_id("19800101", 13)
    wide = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in pid)  # full-width digits
    rows = [
        person(
            "QJ0009",
            " 张 三 ",
            wide[:6] + " " + wide[6:],
            入住日期="2019年8月20日",
            户联系电话="138 0000 0009",
        ),
        person(
            "QJ0009",
            "张小妹",
            make_id("20120202", 24).lower(),
            "之女",
            入住日期="2019年8月20日",
            户联系电话="13800000009",
            劳动技能="无劳动力",
            在校生状况="小学",
            健康状况="健康",
        ),
    ]
    outcome = import_registry(staff, write_xlsx(tmp_path / "typed.xlsx", rows))
    assert outcome.ok, outcome.errors
    assert Person.objects.get(id_number=pid).name == "张三"
    assert Household.objects.get(number="QJ0009").phone == "13800000009"


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("2019-08-20", dt.date(2019, 8, 20)),
        ("2019/8/20", dt.date(2019, 8, 20)),
        ("2019年8月20日", dt.date(2019, 8, 20)),
        ("2019.08", dt.date(2019, 8, 1)),
        (43697, dt.date(2019, 8, 20)),
        ("43697", dt.date(2019, 8, 20)),
    ],
)
def test_date_forms(world, staff, tmp_path, typed, expected):
    rows = [person("QJ0003", "刘一", make_id("19700101", 11), 入住日期=typed)]
    assert import_registry(staff, write_xlsx(tmp_path / "d.xlsx", rows)).ok
    assert Household.objects.get(number="QJ0003").move_in_date == expected


BAD_ROWS = [
    ({"身份证号": "61083019700312001"}, "身份证号", "18 位"),
    ({"身份证号": make_id("19700312", 11)[:-1] + "0"}, "身份证号", "校验位"),
    ({"姓名": ""}, "姓名", "不能为空"),
    ({"与户主关系": "邻居"}, "与户主关系", "不是有效的与户主关系"),
    ({"户类型": "普通户"}, "户类型", "不是有效的户类型"),
    ({"安置点": "乙安置点"}, "安置点", "不在您的管辖范围内"),
    ({"安置点": "不存在的安置点"}, "安置点", "不存在"),
    ({"入住日期": "去年八月"}, "入住日期", "日期格式"),
    ({"入住日期": "2019-02-30"}, "入住日期", "日期不存在"),
    ({"户联系电话": "12345"}, "户联系电话", "11 位手机号"),
    ({"文化程度": "博士后"}, "文化程度", "不是有效的文化程度"),
    ({"健康状况": "健康、很好"}, "健康状况", "不是有效的健康状况"),
    ({"民族": "火星族"}, "民族", "不是有效的民族"),
]


@pytest.mark.parametrize("change, column, message", BAD_ROWS)
def test_each_kind_of_bad_cell_is_reported(world, staff, tmp_path, change, column, message):
    rows = family()[:1]
    rows[0].update(change)
    outcome = import_registry(staff, write_xlsx(tmp_path / "bad.xlsx", rows))
    assert not outcome.ok
    error = outcome.errors[0]
    assert (error.row, error.column) == (4, column), outcome.errors
    assert message in error.message
    assert Person.objects.count() == 0 and Household.objects.count() == 0


def test_stated_sex_and_birth_date_must_match_the_id(world, staff, tmp_path):
    header_extra = ["性别", "出生日期"]
    from .sheets import HEADER

    rows = family()
    rows[0].update({"性别": "女", "出生日期": "1970-03-12"})
    rows[1].update({"性别": "女", "出生日期": "1972-05-07"})
    outcome = import_registry(
        staff, write_xlsx(tmp_path / "s.xlsx", rows, header=HEADER + header_extra)
    )
    found = {(e.row, e.column): e.message for e in outcome.errors}
    assert "身份证号显示为男性" in found[(4, "性别")]
    assert "1972-05-06" in found[(5, "出生日期")]


def test_household_columns_must_agree_and_ids_be_unique(world, staff, tmp_path):
    rows = family()
    rows[1]["房号"] = "102"
    rows[2]["身份证号"] = rows[0]["身份证号"]
    rows.append(person("QJ0001", "王二", make_id("19750101", 33), "户主"))
    outcome = import_registry(staff, write_xlsx(tmp_path / "agree.xlsx", rows))
    found = {(e.row, e.column): e.message for e in outcome.errors}
    assert "与第 4 行（同一户）不一致" in found[(5, "房号")]
    assert "与第 4 行身份证号重复" in found[(6, "身份证号")]
    assert "已在第 4 行填写户主" in found[(7, "与户主关系")]


def test_every_error_is_returned_at_once_with_an_annotated_copy(world, staff, tmp_path, settings):
    from anju.registry.models import ImportBatch
    from anju.registry.services import run_batch

    settings.VAR_DIR = tmp_path
    rows = family()
    rows[0]["身份证号"] = "123"
    rows[1]["文化程度"] = "博士后"
    rows[2]["入住日期"] = "昨天"
    source = write_xlsx(tmp_path / "three.xlsx", rows)
    batch = ImportBatch.objects.create(
        created_by=staff, file_name="three.xlsx", stored_file=str(source)
    )
    batch = run_batch(batch.pk)
    assert batch.status == "rejected" and batch.error_count == 3
    book = openpyxl.load_workbook(batch.error_file)
    sheet = book.active
    assert sheet.cell(3, 25).value == "错误说明"
    assert "身份证号" in sheet.cell(4, 25).value and "文化程度" in sheet.cell(5, 25).value
    assert sheet.cell(1, 1).value == "清涧县易地扶贫搬迁后续扶持台账"


def test_missing_header_and_wrong_type(world, staff, tmp_path):
    path = write_xlsx(tmp_path / "nohead.xlsx", family(), header=["户号码", "名字", "证件", "关系"])
    outcome = import_registry(staff, path)
    assert outcome.errors[0].row == 0 and "没有找到表头" in outcome.errors[0].message
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    assert "只支持" in import_registry(staff, other).errors[0].message


def test_reimport_is_idempotent_and_edits_update_exactly_the_changed_rows(world, staff, tmp_path):
    rows = family() + family("QJ0002", 房号="202")[:1]
    rows[-1]["身份证号"] = make_id("19600101", 55)
    rows[-1]["姓名"] = "孙老汉"
    first = import_registry(staff, write_xlsx(tmp_path / "v1.xlsx", rows))
    assert first.ok
    before = _snapshot()
    again = import_registry(staff, write_xlsx(tmp_path / "v1b.xlsx", rows))
    assert (
        again.households_new,
        again.households_changed,
        again.persons_new,
        again.persons_changed,
    ) == (0, 0, 0, 0)
    assert _snapshot() == before
    updates_before = AuditLog.objects.filter(action="update").count()

    rows[2]["文化程度"] = "高中"  # one person's fact
    for r in rows[:3]:
        r["房号"] = "301"  # one household moves room
    rows[-1]["户编号"] = "QJ0001"  # 孙老汉 joins household QJ0001
    rows[-1]["与户主关系"] = "之父"
    rows[-1]["房号"] = "301"
    edited = import_registry(staff, write_xlsx(tmp_path / "v2.xlsx", rows))
    assert edited.ok, edited.errors
    assert (edited.households_changed, edited.persons_changed, edited.persons_moved) == (1, 2, 1)
    assert Person.objects.get(name="王小明").education == "高中"
    assert Person.objects.get(name="孙老汉").household.number == "QJ0001"
    assert PersonMove.objects.get().from_household.number == "QJ0002"
    move = HouseholdMove.objects.get()
    assert "101" in move.before and "301" in move.after
    logs = AuditLog.objects.filter(action="update").order_by("id")[updates_before:]
    assert {log.object_repr for log in logs} == {"QJ0001", "王小明", "孙老汉"}


def test_dry_run_writes_nothing(world, staff, tmp_path):
    outcome = import_registry(staff, write_xlsx(tmp_path / "dry.xlsx", family()), dry_run=True)
    assert outcome.ok and outcome.persons_new == 3
    assert Person.objects.count() == 0 and Household.objects.count() == 0


def test_persons_of_other_towns_cannot_be_taken_over(world, staff, tmp_path):
    b_rows = family("QJB001", site="乙安置点", 楼栋="乙楼")
    assert import_registry(world.users["b_town_staff"], write_xlsx(tmp_path / "b.xlsx", b_rows)).ok
    outcome = import_registry(staff, write_xlsx(tmp_path / "a.xlsx", family()))
    assert not outcome.ok
    assert all("管辖范围以外" in e.message for e in outcome.errors)
    assert Household.objects.get(number="QJB001").members.count() == 3


def test_read_only_roles_cannot_import(world, tmp_path):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_registry(world.users["grid_worker"], write_xlsx(tmp_path / "x.xlsx", family()))
