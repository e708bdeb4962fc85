"""Issue 6 point 7: what a county user tripped on in the import, the template and the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import timezone

from anju.core.scope import home_path
from anju.registry.models import Household, ImportBatch, Person
from anju.registry.services import fail_stale_batches, import_registry, run_batch

from .sheets import HEADER, family, make_id, person, write_xlsx


@pytest.fixture
def staff(world):
    Person.objects.all().delete()
    Household.objects.all().delete()
    return world.users["town_staff"]


def test_a_masked_export_is_refused_in_one_line(world, client_for, tmp_path):
    client = client_for(world.users["county_leader"])  # may read, not reveal: masked export
    response = client.get("/registry/?export=xlsx")
    path = tmp_path / "masked.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    outcome = import_registry(world.users["town_staff"], path)
    assert len(outcome.errors) == 1, outcome.errors
    message = outcome.errors[0].message
    assert "脱敏" in message and "完整导出" in message


def test_the_sites_own_community_is_a_valid_destination(world, tmp_path):
    Person.objects.all().delete()
    Household.objects.all().delete()
    rows = family()
    for row in rows:
        row["迁入村（社区）"] = "甲社区"
    path = write_xlsx(tmp_path / "c.xlsx", rows, header=[*HEADER, "迁入村（社区）"])
    # The site's staff serve the site only; its community lies above their scope.
    outcome = import_registry(world.users["site_staff"], path)
    assert outcome.ok, outcome.errors
    assert Household.objects.get(number="QJ0001").destination == world.a.community
    # Another town's community is still refused.
    for row in rows:
        row["迁入村（社区）"] = "乙社区"
    path = write_xlsx(tmp_path / "d.xlsx", rows, header=[*HEADER, "迁入村（社区）"])
    outcome = import_registry(world.users["site_staff"], path)
    assert {e.column for e in outcome.errors} == {"迁入村（社区）"}


def test_every_error_of_every_row_comes_in_one_pass(world, staff, tmp_path):
    b_rows = family("QJB001", site="乙安置点", 楼栋="乙楼")
    assert import_registry(world.users["b_town_staff"], write_xlsx(tmp_path / "b.xlsx", b_rows)).ok
    rows = family()
    rows[0].update({"身份证号": "123", "文化程度": "博士后", "入住日期": "昨天"})
    rows[1].update({"安置点": "不存在的安置点"})
    rows.append(person("QJ0002", "外人", b_rows[0]["身份证号"]))  # registered in town B
    outcome = import_registry(staff, write_xlsx(tmp_path / "all.xlsx", rows))
    found = {(e.row, e.column) for e in outcome.errors}
    assert {(4, "身份证号"), (4, "文化程度"), (4, "入住日期")} <= found
    assert (7, "身份证号") in found  # the database check ran despite the cell errors
    assert any(e.row == 5 and e.column in ("安置点", "入住日期") for e in outcome.errors)


def test_the_template_has_drop_downs_an_example_and_instructions(world, client_for, tmp_path):
    response = client_for(world.users["town_staff"]).get("/registry/template.xlsx")
    path = tmp_path / "t.xlsx"
    path.write_bytes(response.content)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:2] == ["台账", "说明"]
    sheet = book["台账"]
    header = [c.value for c in sheet[2]]
    validated = set()
    for dv in sheet.data_validations.dataValidation:
        for cells in dv.sqref.ranges:
            validated.add(header[cells.min_col - 1])
    from anju.registry.columns import COLUMNS

    assert "健康状况" in validated
    assert validated == {c.label for c in COLUMNS if c.options}
    guide = book["说明"]
    text = "\n".join(str(c.value) for row in guide.iter_rows() for c in row if c.value)
    assert "身份证号" in text and "文本" in text and "确认导入" in text
    example = {row[0].value: row[1].value for row in guide.iter_rows() if row[0].value}
    assert example["户编号"] == "QJ0001" and example["与户主关系"] == "户主"
    # The blank template is a workbook with nothing to import, and says so.
    outcome = import_registry(world.users["town_staff"], path)
    (error,) = outcome.errors
    assert "没有可导入的内容" in error.message


def test_an_empty_sheet_says_there_is_nothing_to_import(world, staff, tmp_path):
    outcome = import_registry(staff, write_xlsx(tmp_path / "empty.xlsx", []))
    (error,) = outcome.errors
    assert "表头（第 3 行）下面没有数据行" in error.message


# -- a region code not yet in use: a warning the user confirms -------------------------------


def _late_registered_rows():
    rows = family()
    rows[2]["身份证号"] = make_id("20100901", 31, region="612731")  # 612731 ended in 1999
    return rows


def test_a_region_code_not_in_use_is_a_warning_to_confirm(world, staff, tmp_path):
    path = write_xlsx(tmp_path / "late.xlsx", _late_registered_rows())
    outcome = import_registry(staff, path)
    assert outcome.ok and outcome.needs_confirmation
    (warning,) = outcome.warnings
    assert warning.row == 6 and "地区码" in warning.message
    assert Person.objects.count() == 0
    confirmed = import_registry(staff, path, confirm_warnings=True)
    assert confirmed.ok and not confirmed.needs_confirmation
    assert Person.objects.count() == 3
    # A region code that never existed is still an error.
    rows = family()
    rows[0]["身份证号"] = make_id("19700312", 11, region="619999")
    (error,) = import_registry(staff, write_xlsx(tmp_path / "bad.xlsx", rows)).errors
    assert "地区码无效" in error.message


def test_the_batch_waits_for_confirm_and_imports_on_confirm(
    world, staff, client_for, tmp_path, settings
):
    settings.VAR_DIR = tmp_path
    client = client_for(staff)
    path = write_xlsx(tmp_path / "late.xlsx", _late_registered_rows())
    with open(path, "rb") as handle:
        response = client.post("/registry/import/", {"file": handle})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and batch.status == ImportBatch.Status.WARNED
    assert batch.warning_count == 1 and Person.objects.count() == 0
    page = client.get(f"/registry/import/{batch.pk}/").content.decode()
    assert "确认导入" in page and "地区码" in page
    other = client_for(world.users["whole_county"])
    assert other.post(f"/registry/import/{batch.pk}/confirm/").status_code == 403
    client = client_for(staff)  # the same test client, logged in as the uploader again
    client.post(f"/registry/import/{batch.pk}/confirm/")
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE and batch.confirmed
    assert Person.objects.count() == 3
    assert not os.path.exists(batch.stored_file)


# -- batches whose runner died ---------------------------------------------------------------


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_batch_whose_runner_died_ends_failed_with_its_file_removed(
    world, staff, client_for, tmp_path
):
    import socket

    stored = tmp_path / "upload.xlsx"
    stored.write_bytes(b"x")
    batch = ImportBatch.objects.create(
        created_by=staff,
        file_name="台账.xlsx",
        stored_file=str(stored),
        status=ImportBatch.Status.RUNNING,
        started_at=timezone.now(),
        runner=f"{socket.gethostname()}:{_dead_pid()}",
        unit_path=home_path(staff),
    )
    alive = ImportBatch.objects.create(
        created_by=staff,
        file_name="另一个.xlsx",
        status=ImportBatch.Status.RUNNING,
        started_at=timezone.now(),
        runner=f"{socket.gethostname()}:{os.getpid()}",
    )
    page = client_for(staff).get(f"/registry/import/{batch.pk}/").content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED and "导入进程意外中止" in page
    assert not stored.exists() and batch.stored_file == ""
    alive.refresh_from_db()
    assert alive.status == ImportBatch.Status.RUNNING
    # A runner on another machine that has not been heard of for too long ends failed too.
    alive.runner = "another-host:1"
    alive.started_at = timezone.now() - timedelta(hours=2)
    alive.save()
    assert fail_stale_batches() == 1
    alive.refresh_from_db()
    assert alive.status == ImportBatch.Status.FAILED


def test_a_batch_is_not_run_twice(world, staff, tmp_path, settings):
    settings.VAR_DIR = tmp_path
    source = write_xlsx(tmp_path / "a.xlsx", family())
    batch = ImportBatch.objects.create(
        created_by=staff, file_name="a.xlsx", stored_file=str(source)
    )
    assert run_batch(batch.pk).status == ImportBatch.Status.DONE
    assert run_batch(batch.pk).status == ImportBatch.Status.DONE
    assert Person.objects.count() == 3


# -- the CLI: one Chinese line and a non-zero exit -------------------------------------------


def _cli(capsys, *args, **options):
    with pytest.raises(SystemExit) as exit_:
        call_command("import", "registry", *args, **options)
    err = capsys.readouterr().err.strip()
    return exit_.value.code, err


@pytest.mark.parametrize(
    "case, expected",
    [
        ("grid_worker", "无权导入"),
        ("nobody", "不存在或已停用"),
        ("missing", "文件不存在"),
        ("extension", "只支持"),
    ],
)
def test_cli_refusals_are_one_chinese_line(world, staff, tmp_path, capsys, case, expected):
    path = write_xlsx(tmp_path / "a.xlsx", family())
    user = {"grid_worker": "a_grid_worker", "nobody": "nobody"}.get(case, "a_town_staff")
    if case == "missing":
        path = tmp_path / "gone.xlsx"
    if case == "extension":
        path = tmp_path / "a.txt"
        path.write_text("x")
    code, err = _cli(capsys, str(path), user=user)
    assert code != 0
    assert expected in err and "\n" not in err and "Traceback" not in err
    assert Person.objects.count() == 0


def test_cli_warnings_need_confirm_warnings(world, staff, tmp_path, capsys):
    path = write_xlsx(tmp_path / "late.xlsx", _late_registered_rows())
    code, err = _cli(capsys, str(path), user="a_town_staff")
    assert code == 3 and "--confirm-warnings" in err and Person.objects.count() == 0
    call_command("import", "registry", str(path), user="a_town_staff", confirm_warnings=True)
    assert "导入完成" in capsys.readouterr().out and Person.objects.count() == 3
