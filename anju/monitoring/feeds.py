"""部门筛查预警: a department's monthly file of signals, one row per event, matched to the
relocated persons by identity number (《石城县2022年强化易地扶贫搬迁后续扶持工作的实施方案》第3条:
部门数据筛查; its responsibility list asks the departments to compare data by the 25th).

The file: 身份证号, 姓名, 指标, 数值, 发生日期, 备注, the header anywhere in the first rows below
title lines, common aliases accepted; read by the registry's reader (a child process with memory
and size limits). All or nothing: one bad row refuses the file, every error of every row is named
with its row and column. Rows whose identity number is in no household the importer sees are
listed back with the result, never dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction

from anju.accounts import access
from anju.audit import services as audit
from anju.core import periods
from anju.core.masking import mask_id_number
from anju.core.scope import home_path
from anju.registry import normalize
from anju.registry.importing import RowError
from anju.registry.models import Person
from anju.registry.reading import FileError, read_sheet
from anju.registry.sheetio import fold

from .models import Feed, Signal
from .selectors import departments_of

DEPARTMENTS = [
    ("medical_insurance", "医保"),
    ("civil_affairs", "民政"),
    ("disabled", "残联"),
    ("education", "教育"),
    ("hrss", "人社"),
    ("housing", "住建"),
    ("police", "公安"),
    ("water", "水利"),
    ("emergency", "应急管理"),
]

# department → [(code, label, aliases, numeric)]: the indicators each department sends.
INDICATORS: dict[str, list[tuple[str, str, tuple[str, ...], bool]]] = {
    "medical_insurance": [
        (
            "medical_out_of_pocket",
            "自付医疗费用",
            ("个人自付医疗费用", "合规自付医疗费用", "医疗自付"),
            True,
        ),
    ],
    "civil_affairs": [
        ("dibao_granted", "纳入低保", ("新增低保", "低保新增"), False),
        ("dibao_stopped", "停发低保", ("低保停发", "退出低保"), False),
        ("tekun_granted", "纳入特困供养", ("新增特困", "特困新增"), False),
        ("tekun_stopped", "停发特困供养", ("特困停发",), False),
        ("death", "死亡", ("火化", "死亡销户"), False),
    ],
    "disabled": [("new_disability", "新增残疾", ("新办残疾证", "残疾认定"), False)],
    "education": [("dropout", "辍学", ("失学辍学", "失学", "控辍保学"), False)],
    "hrss": [
        ("job_loss", "失业", ("失去工作", "离职"), False),
        ("unemployment_registered", "失业登记", ("就业失业登记",), False),
    ],
    "housing": [("unsafe_housing", "住房不安全", ("危房", "住房安全隐患"), False)],
    "police": [
        ("death", "死亡", ("死亡注销", "注销户口"), False),
        ("hukou_change", "户籍变动", ("户口迁移", "户籍迁移", "迁出"), False),
    ],
    "water": [("unsafe_water", "饮水不安全", ("饮水安全问题", "饮水困难"), False)],
    "emergency": [("disaster", "受灾", ("遭受自然灾害", "灾情", "受灾户"), False)],
}

COLUMNS = [
    ("id_number", "身份证号", ("公民身份号码", "身份证号码", "证件号码", "证件号")),
    ("name", "姓名", ("人员姓名", "户主姓名")),
    ("indicator", "指标", ("指标名称", "预警指标", "预警类型", "事项")),
    ("value", "数值", ("金额", "金额（元）", "数额", "值")),
    ("occurred_on", "发生日期", ("日期", "发生时间", "时间")),
    ("note", "备注", ("说明", "情况说明")),
]
REQUIRED = ("身份证号", "指标", "发生日期")
LABEL = {key: label for key, label, _ in COLUMNS}
NOTE_MAX = 500


def departments_for(actor) -> list[str]:
    """The departments whose files the user may import: all for the loop's staff (乡村振兴局,
    towns), its own for a department's staff (人社局 imports 人社 data)."""
    own = departments_of(actor)
    if own is not None:
        return list(own)
    return [code for code, _ in DEPARTMENTS] if access.allows(actor, "monitoring", "write") else []


def import_upload(actor, upload, *, department: str, period: str, dry_run=False) -> Outcome:
    """An uploaded file (page or API): written to a temporary file the reader's child process
    can open, imported, removed."""
    from .uploads import on_disk

    with on_disk(upload) as path:
        return import_feed(
            actor, path, upload.name, department=department, period=period, dry_run=dry_run
        )


def header_spec() -> dict:
    return {
        "labels": {fold(label): key for key, label, _ in COLUMNS},
        "aliases": {fold(a): fold(label) for _, label, aliases in COLUMNS for a in aliases},
        "required": [fold(label) for label in REQUIRED],
    }


def indicator_label(department: str, code: str) -> str:
    return next((label for c, label, _, _ in INDICATORS.get(department, []) if c == code), code)


@dataclass
class Outcome:
    rows: int = 0
    matched: int = 0
    errors: list[RowError] = field(default_factory=list)
    unmatched: list[dict] = field(default_factory=list)
    feed: Feed | None = None
    sheet: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


def _indicators(department: str) -> dict[str, tuple[str, bool]]:
    known = {}
    for code, label, aliases, numeric in INDICATORS[department]:
        for name in (label, *aliases):
            known[fold(name)] = (code, numeric)
    return known


def _text(raw) -> str:
    return normalize.text(raw) if raw not in (None, "") else ""


def import_feed(
    actor, path: str | Path, filename: str = "", *, department: str, period: str, dry_run=False
) -> Outcome:
    """Read, check and (unless ``dry_run``) store a department's feed for a month."""
    if department not in INDICATORS:
        names = "、".join(f"{code}（{label}）" for code, label in DEPARTMENTS)
        raise PermissionDenied(f"没有部门「{department}」，可选：{names}")
    if actor is not None and department not in departments_for(actor):
        if not departments_of(actor):
            access.require(actor, "monitoring", "write")  # says which module the role lacks
        label = dict(DEPARTMENTS)[department]
        raise PermissionDenied(f"您只能导入本部门的筛查数据，不能导入{label}的。")
    period = periods.parse(period, "period")
    _first, last_day = periods.bounds(period)
    outcome = Outcome()
    try:
        sheet = read_sheet(path, filename or Path(path).name, spec=header_spec())
    except FileError as exc:
        outcome.errors.append(RowError(0, "文件", "", str(exc)))
        return outcome
    outcome.sheet = sheet.name
    cols = sheet.columns
    known = _indicators(department)
    parsed = []

    def cell(cells, key):
        position = cols.get(key)
        return cells[position] if position is not None and position < len(cells) else None

    for number, cells in sheet.rows:
        outcome.rows += 1
        row_errors = []

        def fail(key, raw, message, number=number, row_errors=row_errors):
            row_errors.append(
                RowError(number, LABEL[key], "" if raw is None else str(raw), message)
            )

        raw_id = cell(cells, "id_number")
        pid = ""
        try:
            pid = normalize.id_number_cell(raw_id)
        except normalize.CellError as exc:
            fail("id_number", raw_id, str(exc))
        raw_indicator = cell(cells, "indicator")
        indicator = known.get(fold(_text(raw_indicator)))
        if indicator is None:
            allowed = "、".join(label for _, label, _, _ in INDICATORS[department])
            fail(
                "indicator",
                raw_indicator,
                f"不是{dict(DEPARTMENTS)[department]}的指标，可填：{allowed}",
            )
        raw_value = cell(cells, "value")
        value = None
        if raw_value not in (None, ""):
            try:
                value = Decimal(str(raw_value).replace(",", "").strip())
                if not value.is_finite() or value < 0 or value >= Decimal("1e12"):
                    raise InvalidOperation
                value = value.quantize(Decimal("0.01"))
            except InvalidOperation:
                fail("value", raw_value, "数值应为不小于 0 的数字")
                value = None
        elif indicator is not None and indicator[1]:
            fail("value", raw_value, "该指标需要填写数值（如金额，单位元）")
        raw_day = cell(cells, "occurred_on")
        day = None
        try:
            day = normalize.parse_date(raw_day)
            if day is None:
                fail("occurred_on", raw_day, "请填写发生日期")
            elif day > last_day:
                fail("occurred_on", raw_day, f"发生日期晚于所报月份 {periods.label(period)}")
        except normalize.CellError as exc:
            fail("occurred_on", raw_day, str(exc))
        note = _text(cell(cells, "note"))
        if len(note) > NOTE_MAX:
            fail("note", note[:20] + "……", f"备注请不超过 {NOTE_MAX} 字")
        outcome.errors.extend(row_errors)
        if not row_errors:
            parsed.append((number, pid, _text(cell(cells, "name")), indicator[0], value, day, note))
    if outcome.rows == 0 and not outcome.errors:
        outcome.errors.append(
            RowError(
                0, "文件", "", f"表头（第 {sheet.header_row} 行）下面没有数据行，没有可导入的内容"
            )
        )
    people = Person.objects.visible_to(actor) if actor is not None else Person.objects.all()
    found = {
        p.id_number: p
        for p in people.filter(id_number__in={r[1] for r in parsed}).select_related("household")
    }
    for number, pid, name, _code, _value, _day, _note in parsed:
        person = found.get(pid)
        if person is None:
            outcome.unmatched.append(
                {"row": number, "id_number": mask_id_number(pid), "name": name}
            )
        elif name and fold(name) != fold(person.name):
            outcome.errors.append(
                RowError(number, "姓名", name, "姓名与该身份证号在台账中的姓名不一致，请核对")
            )
    outcome.matched = len(parsed) - len(outcome.unmatched)
    if outcome.errors or dry_run:
        return outcome
    with transaction.atomic():
        feed = Feed.objects.create(
            department=department,
            period=period,
            file_name=(filename or Path(path).name)[:255],
            uploaded_by=actor,
            uploaded_by_name=actor.display_name if actor else "系统",
            rows=outcome.rows,
            matched=outcome.matched,
            unmatched=outcome.unmatched,
            path=home_path(actor) if actor is not None else "",
        )
        Signal.objects.bulk_create(
            Signal(
                feed=feed,
                department=department,
                indicator=code,
                value=value,
                occurred_on=day,
                note=note,
                person=found[pid],
                household=found[pid].household,
                row=number,
                path=found[pid].household.path,
            )
            for number, pid, _name, code, value, day, note in parsed
            if pid in found
        )
        audit.record(
            actor,
            audit.AuditLog.Action.IMPORT,
            object_type="monitoring.feed",
            object_id=feed.pk,
            object_repr=str(feed),
            unit_path=feed.path,
            note=f"{outcome.rows} 行，匹配 {outcome.matched} 行，未匹配 {len(outcome.unmatched)} 行",
        )
        # The department's signals become warnings now (or join the open ones).
        from . import scan

        scan.scan(
            period, households=sorted({found[r[1]].household_id for r in parsed if r[1] in found})
        )
    outcome.feed = feed
    return outcome
