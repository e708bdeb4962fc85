"""Issue 6 point 5: hostile and careless workbooks. Each workbook is built here, small."""

from __future__ import annotations

import pickle
import resource
import subprocess
import sys
import zipfile

import pytest
import xlsxwriter

from anju.registry.models import Household, ImportBatch, Person, PersonMove
from anju.registry.services import import_registry, run_batch

from .hostile import rows_xml, sheet_xml, write_book
from .sheets import HEADER, family, make_id, person, write_csv, write_xlsx


@pytest.fixture
def staff(world):
    Person.objects.all().delete()
    Household.objects.all().delete()
    return world.users["town_staff"]


def _rows(people: list[dict], start: int = 2) -> list[tuple[int, list]]:
    return [(1, HEADER)] + [
        (n, [p.get(label, "") for label in HEADER]) for n, p in enumerate(people, start=start)
    ]


def _child_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


# -- a value in a far cell -------------------------------------------------------------------


@pytest.mark.parametrize("far", [(1048575, 16383), (1999, 16383)])  # XFD1048576, XFD2000
def test_a_value_in_a_far_cell_reads_only_the_header_columns(world, staff, tmp_path, far):
    path = tmp_path / "far.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("台账")
    for col, label in enumerate(HEADER):
        sheet.write_string(0, col, label)
    for r, row in enumerate(family(), start=1):
        for col, label in enumerate(HEADER):
            sheet.write_string(r, col, str(row[label]))
    sheet.write_string(*far, "x")
    book.close()
    assert path.stat().st_size < 10_000
    outcome = import_registry(staff, path)
    assert outcome.ok, outcome.errors
    assert (outcome.rows, outcome.persons_new) == (3, 3)
    # Every reader child so far stayed small: no dense grid of the far cell was built.
    assert _child_peak_mb() < 600


def test_a_sheet_that_lies_about_its_size_is_read_again_cell_by_cell(world, staff, tmp_path):
    """The <dimension> says A1:X4 but a cell sits at XFD1048576: the fast reader's child dies
    on the allocation; the file is read again streaming, and the web process never noticed."""
    body = rows_xml(_rows(family())) + (
        '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    )
    path = write_book(tmp_path / "lie.xlsx", [("台账", sheet_xml(body, "A1:X4"))])
    outcome = import_registry(staff, path)
    assert outcome.ok, outcome.errors
    assert outcome.persons_new == 3


def test_a_reader_that_dies_ends_in_one_clear_message_and_the_batch_ends(
    world, staff, tmp_path, settings
):
    settings.VAR_DIR = tmp_path
    settings.ANJU_IMPORT_READ_MEMORY = 8 << 20  # too little for the child even to start
    source = write_xlsx(tmp_path / "ok.xlsx", family())
    batch = ImportBatch.objects.create(
        created_by=staff, file_name="ok.xlsx", stored_file=str(source)
    )
    batch = run_batch(batch.pk)
    assert batch.status == ImportBatch.Status.REJECTED
    assert batch.error_count == 1 and "进程意外中止" in batch.errors[0]["message"]
    assert not source.exists()
    assert Person.objects.count() == 0


def test_rows_and_columns_are_capped(world, staff, tmp_path, settings):
    settings.ANJU_IMPORT_MAX_ROWS = 2
    outcome = import_registry(staff, write_xlsx(tmp_path / "rows.xlsx", family()))
    assert len(outcome.errors) == 1 and "超过 2 行" in outcome.errors[0].message
    outcome = import_registry(staff, write_csv(tmp_path / "rows.csv", family()))
    assert len(outcome.errors) == 1 and "超过 2 行" in outcome.errors[0].message
    settings.ANJU_IMPORT_MAX_ROWS = 100
    settings.ANJU_IMPORT_MAX_FILE_BYTES = 1000
    outcome = import_registry(staff, write_xlsx(tmp_path / "size.xlsx", family()))
    assert "超过" in outcome.errors[0].message and "上限" in outcome.errors[0].message


# -- a zip bomb -------------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_before_it_is_read(world, staff, tmp_path, settings):
    # 16 MB of empty rows (the same bytes over and over) in a file of a few kilobytes.
    body = rows_xml([(1, HEADER)]) + '<row r="2"/>' * ((16 << 20) // 12)
    path = write_book(tmp_path / "bomb.xlsx", [("台账", sheet_xml(body))])
    unzipped = sum(i.file_size for i in zipfile.ZipFile(path).infolist())
    assert unzipped > 15 << 20 and path.stat().st_size < 100_000
    settings.ANJU_IMPORT_MAX_UNCOMPRESSED = 4 << 20
    outcome = import_registry(staff, path)
    assert len(outcome.errors) == 1
    assert "解压后" in outcome.errors[0].message and "超过上限" in outcome.errors[0].message
    # Under the size cap, the ratio gives it away.
    settings.ANJU_IMPORT_MAX_UNCOMPRESSED = 64 << 20
    outcome = import_registry(staff, path)
    assert len(outcome.errors) == 1 and "压缩炸弹" in outcome.errors[0].message


# -- identity numbers stored as numbers ------------------------------------------------------


def test_identity_numbers_in_number_cells_are_refused_with_one_message(world, staff, tmp_path):
    rows = family()
    rows[0]["身份证号"] = float(rows[0]["身份证号"])  # what Excel keeps: 6.12730E+17
    rows[1]["身份证号"] = float(rows[1]["身份证号"])
    outcome = import_registry(staff, write_xlsx(tmp_path / "num.xlsx", rows))
    id_errors = [e for e in outcome.errors if e.column == "身份证号"]
    assert len(id_errors) == 1, outcome.errors
    assert "文本" in id_errors[0].message and "重新输入" in id_errors[0].message
    assert "第 4、5 行" in id_errors[0].message
    assert Person.objects.count() == 0


def test_a_csv_excel_wrote_in_scientific_notation_is_refused_too(world, staff, tmp_path):
    rows = family()
    rows[0]["身份证号"] = "6.1273E+17"
    outcome = import_registry(staff, write_csv(tmp_path / "num.csv", rows))
    assert [e.column for e in outcome.errors] == ["身份证号"]
    assert "文本" in outcome.errors[0].message


# -- the dry run tells the truth; no household loses its head --------------------------------


def _two_households(staff, tmp_path):
    rows = family() + [person("QJ0002", "孙老汉", make_id("19500101", 55))]
    rows += [person("QJ0002", "孙小妹", make_id("19900101", 62), "之女")]
    assert import_registry(staff, write_xlsx(tmp_path / "v1.xlsx", rows)).ok
    return rows


def test_the_dry_run_counts_the_moves_the_import_makes(world, staff, tmp_path):
    rows = _two_households(staff, tmp_path)
    moved = [r for r in rows if r["姓名"] != "孙老汉"]
    moved.append(person("QJ0001", "孙老汉", make_id("19500101", 55), "之父"))
    moved[-2]["与户主关系"] = "户主"  # 孙小妹 heads QJ0002 now
    path = write_xlsx(tmp_path / "v2.xlsx", moved)
    dry = import_registry(staff, path, dry_run=True)
    assert dry.ok, dry.errors
    real = import_registry(staff, path)
    assert real.ok, real.errors
    assert dry.summary() == real.summary()
    assert dry.persons_moved == real.persons_moved == PersonMove.objects.count() == 1
    assert "换户 1 人" in dry.describe()
    old = Household.objects.get(number="QJ0002")
    assert real.affected_household_ids >= {old.pk, Household.objects.get(number="QJ0001").pk}


def test_moving_a_head_away_from_members_is_an_error(world, staff, tmp_path):
    _two_households(staff, tmp_path)
    # 孙老汉 (户主 of QJ0002) moves into a new household; 孙小妹 would be left without a head.
    rows = [person("QJ0003", "孙老汉", make_id("19500101", 55))]
    outcome = import_registry(staff, write_xlsx(tmp_path / "away.xlsx", rows))
    assert not outcome.ok
    (error,) = outcome.errors
    assert error.row == 4 and "QJ0002" in error.message and "没有户主" in error.message
    assert Household.objects.filter(number="QJ0003").count() == 0
    # The dry run says the same.
    dry = import_registry(staff, write_xlsx(tmp_path / "away.xlsx", rows), dry_run=True)
    assert [e.message for e in dry.errors] == [error.message]


def test_a_household_of_the_sheet_without_a_head_is_refused_naming_its_rows(world, staff, tmp_path):
    rows = family()
    rows[0]["与户主关系"] = "配偶"
    rows[1]["与户主关系"] = "之子"
    outcome = import_registry(staff, write_xlsx(tmp_path / "nohead.xlsx", rows))
    messages = [e.message for e in outcome.errors]
    assert messages == ["户 QJ0001 没有户主（第 4、5、6 行）：请把该户一人的“与户主关系”填为“户主”"]
    # An existing head the sheet does not list still heads the household: no error.
    assert import_registry(staff, write_xlsx(tmp_path / "ok.xlsx", family())).ok
    newborn = [person("QJ0001", "王小宝", make_id("20200101", 71), "之孙子")]
    assert import_registry(staff, write_xlsx(tmp_path / "born.xlsx", newborn)).ok
    # But a sheet that demotes the head without naming a new one is refused.
    demoted = family()
    demoted[0]["与户主关系"] = "之父"
    outcome = import_registry(staff, write_xlsx(tmp_path / "demoted.xlsx", demoted))
    assert any("户 QJ0001 没有户主" in e.message for e in outcome.errors)


# -- formula neutralisation round trip -------------------------------------------------------


def test_an_exported_ledger_with_formula_like_names_imports_back_with_no_change(
    world, staff, client_for, tmp_path
):
    rows = family()
    for row, name in zip(rows, ["=HYPERLINK(1)", "+李秀英", "-王小明"], strict=True):
        row["姓名"] = name
    rows.append(person("QJ0002", "@孙老汉", make_id("19500101", 55)))
    rows.append(person("QJ0002", "'引号", make_id("19900101", 62), "之女"))
    assert import_registry(staff, write_xlsx(tmp_path / "v1.xlsx", rows)).ok
    names = set(Person.objects.values_list("name", flat=True))
    assert names == {"=HYPERLINK(1)", "+李秀英", "-王小明", "@孙老汉", "'引号"}
    response = client_for(staff).get("/registry/?export=xlsx&reveal=1")
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    outcome = import_registry(staff, path)
    assert outcome.ok, outcome.errors
    assert (
        outcome.persons_new,
        outcome.persons_changed,
        outcome.households_new,
        outcome.households_changed,
        outcome.persons_moved,
    ) == (0, 0, 0, 0, 0)
    assert set(Person.objects.values_list("name", flat=True)) == names


# -- which sheet is read; which column is missing --------------------------------------------


def test_the_first_sheet_with_a_header_is_read_and_named(world, staff, tmp_path):
    cover = sheet_xml(rows_xml([(1, ["填报说明：本表由甲镇填报"])]))
    data = sheet_xml(rows_xml(_rows(family())))
    path = write_book(tmp_path / "two.xlsx", [("封面", cover), ("台账", data)])
    outcome = import_registry(staff, path)
    assert outcome.ok, outcome.errors
    assert outcome.sheet == "台账" and "读取工作表「台账」" in outcome.describe()


def test_no_header_on_any_sheet_names_the_sheets_looked_at(world, staff, tmp_path):
    cover = sheet_xml(rows_xml([(1, ["填报说明"])]))
    other = sheet_xml(rows_xml([(1, ["名字", "证件"])]))
    path = write_book(tmp_path / "none.xlsx", [("封面", cover), ("Sheet2", other)])
    (error,) = import_registry(staff, path).errors
    assert "「封面」、「Sheet2」" in error.message
    assert "只读取第一个含表头的工作表" in error.message


def test_a_missing_required_column_is_named(world, staff, tmp_path):
    header = [h for h in HEADER if h != "身份证号"]
    (error,) = import_registry(
        staff, write_xlsx(tmp_path / "noid.xlsx", family(), header=header)
    ).errors
    assert "第 3 行像是表头，但缺少 身份证号 列" in error.message
    (error,) = import_registry(
        staff, write_csv(tmp_path / "noid.csv", family(), header=header)
    ).errors
    assert "第 2 行像是表头，但缺少 身份证号 列" in error.message


def test_the_reader_child_is_a_separate_process(tmp_path):
    """The child imports nothing of the project: it starts alone, with its own memory cap."""
    import json

    from anju.registry import sheetio
    from anju.registry.reading import caps, header_spec

    write_xlsx(tmp_path / "a.xlsx", family())
    job = {"caps": caps(), "path": str(tmp_path / "a.xlsx"), "suffix": ".xlsx"}
    job["spec"] = header_spec()
    done = subprocess.run(
        [sys.executable, sheetio.__file__, json.dumps(job), str(tmp_path / "out")],
        capture_output=True,
        env={"PATH": "/usr/bin"},
    )
    assert done.returncode == 0, done.stderr
    with open(tmp_path / "out", "rb") as handle:
        kind, meta = pickle.load(handle)
    assert kind == "meta" and meta["header_row"] == 3 and meta["sheet"] == "台账"


def test_a_hostile_upload_through_the_page_ends_rejected_and_its_file_removed(
    world, staff, client_for, tmp_path, settings
):
    settings.VAR_DIR = tmp_path
    settings.ANJU_IMPORT_MAX_UNCOMPRESSED = 4 << 20
    body = rows_xml([(1, HEADER)]) + '<row r="2"/>' * ((8 << 20) // 12)
    path = write_book(tmp_path / "bomb.xlsx", [("台账", sheet_xml(body))])
    client = client_for(staff)
    with open(path, "rb") as handle:
        assert client.post("/registry/import/", {"file": handle}).status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.REJECTED
    assert "解压后" in batch.errors[0]["message"]
    assert not list((tmp_path / "imports").glob("*.xlsx"))
    page = client.get(f"/registry/import/{batch.pk}/").content.decode()
    assert "解压后" in page


def test_an_identity_number_typed_with_a_leading_apostrophe_is_read(world, staff, tmp_path):
    rows = family()
    pid = rows[0]["身份证号"]
    rows[0]["身份证号"] = "'" + pid
    outcome = import_registry(staff, write_csv(tmp_path / "quote.csv", rows))
    assert outcome.ok, outcome.errors
    assert Person.objects.filter(id_number=pid).exists()


def test_a_wrong_relation_does_not_also_claim_the_household_has_no_head(world, staff, tmp_path):
    rows = family()
    rows[0]["与户主关系"] = "户长"
    outcome = import_registry(staff, write_xlsx(tmp_path / "rel.xlsx", rows))
    assert [(e.row, e.column) for e in outcome.errors] == [(4, "与户主关系")]
