"""岗位信息导入: postings from a sheet, all or nothing, as the registry's import is
(``anju import postings FILE [--dry-run] [--user NAME]``, the page 导入岗位, and
``POST /api/employment/postings/import/``).

One posting a row, with its employer's name and 统一社会信用代码: an employer not yet registered
is registered from its first row. The sheet is read by the registry's reader (a child process
with memory and size limits; the header anywhere in the first rows, below title lines). Every
error of every row is named by its row and its column's Chinese header; one error and nothing
is written. A dry run checks everything and counts what would be created.

Postings files are tens or hundreds of rows, so each row is written through the same services
as the form (``create_employer``, ``create_posting``: validation and audit in one place), in one
transaction."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse

from anju.accounts import access
from anju.audit import services as audit
from anju.core import importers
from anju.core.scope import home_path
from anju.registry import normalize
from anju.registry.importing import RowError
from anju.registry.reading import FileError, read_sheet
from anju.registry.sheetio import fold

from . import choices

# (key, header, aliases, required). Headers are the form's labels, so what a clerk sees on the
# page is what the sheet asks.
COLUMNS = [
    ("employer_name", "单位名称", ("用工单位", "企业名称", "用工单位名称"), True),
    ("credit_code", "统一社会信用代码", ("信用代码", "社会信用代码"), True),
    ("contact", "联系人", (), False),
    ("phone", "联系电话", ("电话",), False),
    ("title", "岗位名称", ("岗位", "招聘岗位"), True),
    ("head_count", "招聘人数", ("人数", "需求人数"), True),
    ("sex", "性别要求", ("性别",), False),
    ("age_min", "最低年龄", (), False),
    ("age_max", "最高年龄", (), False),
    ("education_min", "最低文化程度", ("学历要求", "文化程度"), False),
    ("skills", "技能要求", (), False),
    ("health", "健康要求", (), False),
    ("place", "工作地点", ("地点",), True),
    ("area", "地域", (), False),
    ("pay_kind", "计酬方式", (), False),
    ("pay_min", "薪酬下限（元）", ("薪酬下限", "最低工资", "薪酬"), True),
    ("pay_max", "薪酬上限（元）", ("薪酬上限", "最高工资"), False),
    ("benefits", "福利待遇", ("福利",), False),
    ("home_based", "可居家或计件", (), False),
    ("shifts", "班次", (), False),
    ("valid_from", "有效期自", ("开始日期",), True),
    ("valid_to", "有效期至", ("截止日期", "结束日期"), True),
    ("source", "岗位来源", ("来源",), True),
]
LABEL = {key: label for key, label, _, _ in COLUMNS}
TEXT_MAX = {
    "employer_name": 200,
    "contact": 50,
    "phone": 20,
    "title": 100,
    "skills": 200,
    "health": 100,
    "place": 200,
    "benefits": 300,
    "shifts": 100,
}
EXAMPLE = {
    "employer_name": "清涧县红枣加工有限公司",
    "credit_code": "91610830MA7000002C",
    "contact": "张经理",
    "phone": "13800000001",
    "title": "分拣包装工",
    "head_count": 20,
    "sex": "不限",
    "age_min": 18,
    "age_max": 55,
    "education_min": "小学",
    "place": "清涧县工业园区",
    "area": "县内",
    "pay_kind": "月薪",
    "pay_min": 3000,
    "pay_max": 4500,
    "benefits": "包午餐，缴纳社会保险",
    "home_based": "否",
    "shifts": "白班",
    "valid_from": "2026-11-01",
    "valid_to": "2027-01-31",
    "source": "县内园区企业",
}


def header_spec() -> dict:
    return {
        "labels": {fold(label): key for key, label, _, _ in COLUMNS},
        "aliases": {fold(a): fold(label) for _, label, aliases, _ in COLUMNS for a in aliases},
        "required": [fold(label) for _, label, _, required in COLUMNS if required],
    }


@dataclass
class Outcome:
    rows: int = 0
    postings: int = 0
    employers: int = 0  # new employers registered from the sheet
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    sheet: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    def describe(self) -> str:
        verb = "将" if self.dry_run else "已"
        return (
            f"{self.rows} 行，{verb}发布岗位 {self.postings} 个，"
            f"{verb}登记新用工单位 {self.employers} 家。"
        )


def _by_label(pairs, raw, what: str) -> str:
    """A code of ``pairs`` [(code, label)] typed as its label."""
    value = normalize.compact(raw)
    labels = {label: code for code, label in pairs}
    if value in labels:
        return labels[value]
    raise normalize.CellError(f"「{value}」不是有效的{what}，可选：{'、'.join(labels)}")


def _whole(raw, what: str) -> int | None:
    value = normalize.compact(raw)
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise normalize.CellError(f"{what}应为整数") from None
    if not number.is_integer() or number < 0 or number > 100000:
        raise normalize.CellError(f"{what}应为 0 至 100000 之间的整数")
    return int(number)


def _money(raw):
    from decimal import Decimal, InvalidOperation

    value = normalize.compact(raw).replace(",", "")
    if not value:
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise normalize.CellError("应为金额（元），如 3000 或 3000.50") from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1000000"):
        raise normalize.CellError("应为 0 至 100 万元之间的金额")
    return amount.quantize(Decimal("0.01"))


def _yes_no(raw) -> bool:
    value = normalize.compact(raw)
    if value in ("", "否", "不可", "N", "n", "0"):
        return False
    if value in ("是", "可", "可以", "Y", "y", "1"):
        return True
    raise normalize.CellError("请填“是”或“否”")


def _parse_row(cells: dict) -> tuple[dict, dict[str, str]]:
    """The row's values, and its errors by column key."""
    from anju.registry.choices import EDUCATION

    values, errors = {}, {}

    def take(key, parse):
        try:
            values[key] = parse(cells.get(key))
        except normalize.CellError as exc:
            errors[key] = str(exc)

    for key in TEXT_MAX:
        text = normalize.text(cells.get(key)) if cells.get(key) not in (None, "") else ""
        if len(text) > TEXT_MAX[key]:
            errors[key] = f"不能超过 {TEXT_MAX[key]} 字"
        values[key] = text
    for key in ("employer_name", "title", "place"):
        if not values.get(key) and key not in errors:
            errors[key] = f"请填写{LABEL[key]}"
    values["credit_code"] = normalize.compact(cells.get("credit_code")).upper()
    take("head_count", lambda raw: _whole(raw, "招聘人数"))
    take("age_min", lambda raw: _whole(raw, "最低年龄"))
    take("age_max", lambda raw: _whole(raw, "最高年龄"))
    take(
        "sex",
        lambda raw: _by_label(choices.SEXES, raw, "性别要求") if normalize.compact(raw) else "",
    )
    take(
        "education_min",
        lambda raw: normalize.choice(raw, list(EDUCATION), what="文化程度") if raw else "",
    )
    take(
        "area",
        lambda raw: _by_label(choices.AREAS, raw, "地域") if normalize.compact(raw) else "county",
    )
    take(
        "pay_kind",
        lambda raw: (
            _by_label(choices.PAY_KINDS, raw, "计酬方式") if normalize.compact(raw) else "monthly"
        ),
    )
    take("source", lambda raw: _by_label(choices.SOURCES, raw, "岗位来源"))
    take("pay_min", _money)
    take("pay_max", _money)
    take("home_based", _yes_no)
    take("valid_from", normalize.parse_date)
    take("valid_to", normalize.parse_date)
    for key in ("valid_from", "valid_to", "pay_min", "head_count"):
        if key not in errors and values.get(key) in (None, ""):
            errors[key] = f"请填写{LABEL[key]}"
    if "phone" not in errors and values["phone"]:
        try:
            values["phone"] = normalize.phone(values["phone"])
        except normalize.CellError as exc:
            errors["phone"] = str(exc)
    # The rules the form and the service share, over what could be read: every error of the
    # row at once, a column already wrong said once.
    from .services import _check_posting

    try:
        _check_posting({k: v for k, v in values.items() if k not in errors})
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, "；".join(messages).rstrip("。"))
    return values, errors


def import_postings(actor, path: str | Path, filename: str = "", *, dry_run=False) -> Outcome:
    from .models import Employer
    from .selectors import shared
    from .services import check_credit_code, create_employer, create_posting

    if actor is not None:
        access.require(actor, "employment", "write")
    outcome = Outcome(dry_run=dry_run)
    try:
        sheet = read_sheet(path, filename or Path(path).name, spec=header_spec())
    except FileError as exc:
        outcome.errors.append(RowError(0, "文件", "", str(exc)))
        return outcome
    outcome.sheet = sheet.name
    parsed = []
    for number, raw_cells in sheet.rows:
        outcome.rows += 1
        cells = {
            key: raw_cells[pos] if pos < len(raw_cells) else None
            for key, pos in sheet.columns.items()
        }
        values, errors = _parse_row(cells)
        try:
            values["credit_code"] = check_credit_code(values["credit_code"])
        except ValidationError as exc:
            errors["credit_code"] = "；".join(exc.message_dict["credit_code"]).rstrip("。")
        for key, message in errors.items():
            raw = cells.get(key)
            outcome.errors.append(
                RowError(number, LABEL[key], "" if raw is None else str(raw), message)
            )
        if not errors:
            parsed.append((number, values))
    if outcome.rows == 0 and not outcome.errors:
        outcome.errors.append(
            RowError(0, "文件", "", f"表头（第 {sheet.header_row} 行）下面没有数据行")
        )
    # Employers: one query for every code; a code registered where the importer does not see
    # it, or under another name, is an error of the row that names it.
    codes = {v["credit_code"] for _, v in parsed}
    known = {e.credit_code: e for e in Employer.objects.filter(credit_code__in=codes)}
    seen = (
        set(shared(Employer, actor).filter(credit_code__in=codes).values_list("pk", flat=True))
        if actor is not None
        else {e.pk for e in known.values()}
    )
    names: dict[str, str] = {code: e.name for code, e in known.items()}
    for number, values in parsed:
        code, name = values["credit_code"], values["employer_name"]
        employer = known.get(code)
        if employer is not None and employer.pk not in seen:
            outcome.errors.append(
                RowError(
                    number, LABEL["credit_code"], code, "该单位已由其他地区登记，不在您的管辖范围内"
                )
            )
        elif code in names and fold(names[code]) != fold(name):
            outcome.errors.append(
                RowError(
                    number,
                    LABEL["employer_name"],
                    name,
                    f"与该信用代码已有的单位名称「{names[code]}」不一致",
                )
            )
        names.setdefault(code, name)
    outcome.employers = len(codes - set(known))
    outcome.postings = len(parsed)
    if outcome.errors:
        outcome.postings = outcome.employers = 0
        return outcome
    if dry_run:
        return outcome
    with transaction.atomic():
        employers = dict(known)
        for _number, values in parsed:
            code = values["credit_code"]
            if code not in employers:
                employers[code] = create_employer(
                    actor,
                    name=values["employer_name"],
                    credit_code=code,
                    contact=values["contact"],
                    phone=values["phone"],
                )
            posting = {
                k: v
                for k, v in values.items()
                if k not in ("employer_name", "credit_code", "contact", "phone")
            }
            create_posting(actor, employers[code], **posting)
        audit.record(
            actor,
            audit.AuditLog.Action.IMPORT,
            object_type="employment.posting",
            object_repr=(filename or Path(path).name)[:200],
            unit_path=home_path(actor) if actor is not None else "",
            note=outcome.describe(),
        )
    return outcome


def import_upload(actor, upload, *, dry_run=False) -> Outcome:
    from anju.monitoring.uploads import on_disk

    with on_disk(upload) as path:
        return import_postings(actor, path, upload.name, dry_run=dry_run)


def template_response() -> HttpResponse:
    """The sheet to fill in: the headers (required ones marked), one example row, a 说明 sheet."""
    import openpyxl
    from openpyxl.styles import Font, PatternFill

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "岗位信息"
    sheet.append([label for _, label, _, _ in COLUMNS])
    sheet.append([EXAMPLE.get(key, "") for key, _, _, _ in COLUMNS])
    orange = PatternFill("solid", fgColor="FFD8A8")
    for cell, (_, _, _, required) in zip(sheet[1], COLUMNS, strict=True):
        cell.font = Font(bold=True)
        if required:
            cell.fill = orange
        sheet.column_dimensions[cell.column_letter].width = 16
    notes = book.create_sheet("说明")
    for line in (
        "一个岗位一行；第 2 行是示例，导入前请删除或改成真实岗位。",
        "橙色表头为必填列。",
        "单位名称、统一社会信用代码：尚未登记的单位按首次出现的行登记（联系人、联系电话取该行）。",
        "性别要求：" + "、".join(label for _, label in choices.SEXES),
        "地域：" + "、".join(label for _, label in choices.AREAS) + "（不填为县内）",
        "计酬方式：" + "、".join(label for _, label in choices.PAY_KINDS) + "（不填为月薪）",
        "岗位来源：" + "、".join(label for _, label in choices.SOURCES),
        "可居家或计件：是 或 否。日期可写 2026-11-01、2026/11/1 或 2026年11月1日。",
        "有一处错误整份文件不导入，所有错误按行、列列出；可先勾选“只校验”试导入。",
    ):
        notes.append([line])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote('岗位信息导入模板.xlsx')}"
    )
    return response


def import_command(command, actor, path, user, dry_run, options) -> None:
    from django.core.exceptions import PermissionDenied

    try:
        outcome = import_postings(actor, path, path.name, dry_run=dry_run)
    except PermissionDenied:
        raise command.Refused(f"账号「{user}」的角色无权导入岗位，未导入。") from None
    if outcome.errors:
        for e in outcome.errors:
            where = f"第 {e.row} 行" if e.row else "文件"
            command.stdout.write(f"{where}\t{e.column}\t{e.value}\t{e.message}")
        raise command.Refused(f"发现 {len(outcome.errors)} 处错误，整份文件未导入。", 1)
    prefix = "试导入（未写入）：" if dry_run else "导入完成："
    command.stdout.write(prefix + outcome.describe())


POSTINGS = importers.Kind(
    name="postings",
    help="岗位信息（单位名称、统一社会信用代码、岗位名称、招聘人数……）",
    handle=import_command,
)
