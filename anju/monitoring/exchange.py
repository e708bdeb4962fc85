"""Exchange with the national monitoring system (全国防止返贫监测信息系统), both ways, in its two
sheets: 户信息 (one row per monitored household) and 监测对象信息 (one row per member).

Out: the monitored and eliminated households the user sees, with full identity numbers (the
national system matches on them), so only a role allowed to see full identity numbers exports,
and the export is audited as a reveal.

In: the county's download from the national system. Its 户信息 rows set the platform's
monitoring state where the national system has decided (纳入监测 with category, risk types and
date; 风险消除 with date and method): the identification and elimination procedures are recorded
there, and the county's ledgers must agree with it. Households are matched by the head's identity
number; the national system covers every rural household, so rows of households not in the
relocation registry are listed back (never dropped silently, never an error). The 监测对象信息
sheet, when present, is checked: its members are matched to the registry and those missing here
are listed; the registry itself changes only through its own import. All or nothing: one bad row
refuses the file, every error named with its sheet, row and column.

The layout is data: ``HOUSEHOLD_COLUMNS`` and ``MEMBER_COLUMNS`` are the default, each column
with the other spellings the import accepts; a county whose national template writes a header
differently renames it with the policy parameters ``monitoring.exchange.households`` /
``.members`` (``layout``), from the date its template changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from anju.accounts import access
from anju.audit import services as audit
from anju.core.masking import mask_id_number
from anju.core.paths import prefixes
from anju.core.scope import home_path
from anju.orgs.models import AdminUnit
from anju.registry import normalize
from anju.registry.choices import HEAD
from anju.registry.importing import RowError
from anju.registry.models import Person
from anju.registry.reading import FileError, read_sheet
from anju.registry.sheetio import fold

from . import choices
from .models import Income, Warning

HOUSEHOLD_SHEET = "户信息"
MEMBER_SHEET = "监测对象信息"

# (key, header, aliases)
HOUSEHOLD_COLUMNS = [
    ("province", "省", ("省（区、市）", "省份")),
    ("city", "市", ("市（地、州、盟）", "地市")),
    ("county", "县", ("县（市、区、旗）", "区县")),
    ("town", "乡镇", ("乡（镇）", "乡镇（街道）")),
    ("village", "村（社区）", ("行政村", "村", "社区")),
    ("number", "户编号", ("家庭编号",)),
    ("head_name", "户主姓名", ("户主",)),
    ("head_id", "户主证件号码", ("户主身份证号", "户主身份证号码", "证件号码")),
    ("size", "家庭人口数", ("家庭人数", "人口数")),
    ("phone", "联系电话", ("电话", "户主联系电话")),
    ("category", "监测对象类别", ("监测类型", "监测对象类型", "户类型")),
    ("risk_types", "风险类型", ("致贫返贫风险", "返贫致贫风险", "主要风险")),
    ("identified_on", "纳入监测时间", ("识别时间", "纳入时间", "识别监测时间")),
    ("income", "家庭年人均纯收入（元）", ("人均纯收入", "家庭人均纯收入")),
    ("eliminated", "风险是否消除", ("是否消除风险", "风险消除")),
    ("eliminated_on", "风险消除时间", ("消除时间",)),
    ("method", "风险消除方式", ("消除方式",)),
    ("site", "安置点", ("易地搬迁安置点",)),
]
MEMBER_COLUMNS = [
    ("number", "户编号", ("家庭编号",)),
    ("name", "姓名", ("成员姓名",)),
    ("id_number", "证件号码", ("身份证号", "身份证号码", "公民身份号码")),
    ("sex", "性别", ()),
    ("relation", "与户主关系", ()),
    ("ethnicity", "民族", ()),
    ("education", "文化程度", ()),
    ("schooling", "在校生状况", ()),
    ("health", "健康状况", ()),
    ("labour_skill", "劳动技能", ()),
    ("medical", "是否参加基本医疗保险", ("是否参加城乡居民基本医疗保险",)),
    ("serious", "是否参加大病保险", ()),
    ("pension", "是否参加基本养老保险", ("是否参加城乡居民基本养老保险",)),
]
HOUSEHOLD_REQUIRED = ("head_id", "category", "identified_on")
MEMBER_REQUIRED = ("id_number", "relation")
LAYOUT_KEYS = {
    HOUSEHOLD_SHEET: (HOUSEHOLD_COLUMNS, "monitoring.exchange.households"),
    MEMBER_SHEET: (MEMBER_COLUMNS, "monitoring.exchange.members"),
}

CATEGORY_ALIASES = {
    "脱贫不稳定户": "unstable",
    "边缘易致贫户": "edge",
    "突发严重困难户": "hardship",
}
CATEGORY_ALIASES.update({"不稳定户": "unstable", "边缘户": "edge", "突发严重困难": "hardship"})
RISK_ALIASES = {label: code for code, label in choices.RISK_TYPES}
RISK_ALIASES.update({"病": "illness", "学": "schooling", "残": "disability", "因灾": "disaster"})
RISK_ALIASES.update({"因意外": "accident", "因产业": "business", "因务工": "employment"})
RISK_ALIASES.update({"因就业": "employment", "因务工就业": "employment", "缺劳力": "labour"})
NOTE = "依据全国防返贫监测信息系统导入"
METHODS = {"帮扶消除": "by_assistance", "自然消除": "naturally"}
YES, NO = {"是", "已消除", "消除", "y", "yes", "1"}, {"否", "未消除", "", "n", "no", "0"}


class LayoutError(ValueError):
    """The county's column names (a policy parameter) name a column the sheet does not have."""


def layout(user, sheet: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """The sheet's columns as (key, header, other spellings) where the user works: the default
    headers, less those the county renamed (policy parameter ``monitoring.exchange.*``, so a
    new national template is a new value from its date, not a code change)."""
    from types import SimpleNamespace

    from anju.policies.selectors import resolve

    columns, key = LAYOUT_KEYS[sheet]
    place = SimpleNamespace(path=home_path(user) if user is not None else "")
    resolution = resolve(key, place, timezone.localdate())
    mapping = resolution.value or {}
    labels = [label for _, label, _ in columns]
    unknown = [name for name in mapping if name not in labels]
    if unknown:
        raise LayoutError(
            f"政策参数「{resolution.key.name}」中的「{'、'.join(unknown)}」不是“{sheet}”表的列；"
            f"可写：{'、'.join(labels)}"
        )
    return [
        (k, mapping.get(label, label), (*aliases, label) if label in mapping else aliases)
        for k, label, aliases in columns
    ]


def _spec(columns, required) -> dict:
    return {
        "labels": {fold(header): key for key, header, _ in columns},
        "aliases": {fold(a): fold(header) for _, header, aliases in columns for a in aliases},
        "required": [fold(header) for key, header, _ in columns if key in required],
    }


# ---------------------------------------------------------------------------------------------
# Out


def require_export(user) -> None:
    access.require(user, "monitoring", "read")
    if not access.can_reveal_identity(user):
        raise PermissionDenied(
            "交换表含完整身份证号（全国系统按身份证号比对），您的角色没有查看完整身份证号的权限。"
        )


def monitored(user):
    """The monitored and eliminated households' latest warnings the user sees."""
    from .selectors import warnings

    # Only the warning and its household are written out: none of the list's prefetches.
    rows = warnings(user).filter(status__in=("monitored", "eliminated")).prefetch_related(None)
    latest = {}
    for w in rows.order_by("household_id", "-identified_on", "-id"):
        latest.setdefault(w.household_id, w)
    return sorted(latest.values(), key=lambda w: (w.path, w.household.number))


def monitored_count(user) -> int:
    """How many households ``monitored`` would write, counted by the database."""
    from .selectors import warnings

    rows = warnings(user).filter(status__in=("monitored", "eliminated"))
    return rows.order_by().values("household_id").distinct().count()


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def sheets(user) -> list[tuple[str, list[str], list[list]]]:
    """The two sheets, as (name, headers, rows), of what the user sees."""
    require_export(user)
    households_layout, members_layout = layout(user, HOUSEHOLD_SHEET), layout(user, MEMBER_SHEET)
    chosen = monitored(user)
    ids = [w.household_id for w in chosen]
    people = (
        Person.objects.visible_to(user)
        .filter(household_id__in=ids)
        .select_related("household")
        .order_by("household__path", "household__number", "id")
    )
    members: dict[int, list[Person]] = {}
    for p in people:
        members.setdefault(p.household_id, []).append(p)
    incomes: dict[int, Income] = {}
    visible_incomes = Income.objects.visible_to(user).filter(household_id__in=ids)
    for income in visible_incomes.order_by("household_id", "-year"):
        incomes.setdefault(income.household_id, income)
    wanted = {p for w in chosen for p in prefixes(w.path)}
    units = {u.path: u for u in AdminUnit.objects.filter(path__in=wanted)}

    def unit(path: str, level: str) -> str:
        found = [units[p] for p in prefixes(path) if p in units and units[p].level == level]
        return found[-1].name if found else ""

    categories, risks = dict(choices.CATEGORIES), dict(choices.RISK_TYPES)
    household_rows, member_rows = [], []
    for w in chosen:
        h, people_of = w.household, members.get(w.household_id, [])
        head = next((p for p in people_of if p.relation == HEAD), None)
        income = incomes.get(w.household_id)
        household_rows.append(
            [
                unit(w.path, "province"),
                unit(w.path, "city"),
                unit(w.path, "county"),
                unit(w.path, "town"),
                unit(w.path, "village"),
                h.number,
                head.name if head else "",
                head.id_number if head else "",
                len(people_of),
                h.phone,
                categories.get(w.category, ""),
                "、".join(risks.get(r, r) for r in w.risk_types),
                w.identified_on,
                income.net_per_capita if income else "",
                _yes(w.status == "eliminated"),
                w.eliminated_on if w.status == "eliminated" else "",
                w.get_elimination_method_display() if w.status == "eliminated" else "",
                h.site.name if h.site_id else "",
            ]
        )
        for p in people_of:
            member_rows.append(
                [
                    h.number,
                    p.name,
                    p.id_number,
                    p.get_sex_display(),
                    p.relation,
                    p.ethnicity,
                    p.education,
                    p.schooling,
                    "、".join(p.health),
                    p.labour_skill,
                    _yes(
                        bool(
                            {"城乡居民基本医疗保险", "职工基本医疗保险"} & set(p.medical_insurance)
                        )
                    ),
                    _yes("大病保险" in p.medical_insurance),
                    _yes(bool(p.pension_insurance)),
                ]
            )
    return [
        (HOUSEHOLD_SHEET, [header for _, header, _ in households_layout], household_rows),
        (MEMBER_SHEET, [header for _, header, _ in members_layout], member_rows),
    ]


def record_export(user, households: int) -> None:
    audit.record(
        user,
        audit.AuditLog.Action.REVEAL,
        object_type="monitoring.exchange",
        object_repr="全国防返贫监测信息系统交换表",
        unit_path=home_path(user),
        note=f"导出含完整身份证号的户信息、监测对象信息：{households} 户",
    )


# ---------------------------------------------------------------------------------------------
# In


@dataclass
class Outcome:
    rows: int = 0
    matched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    members_checked: int = 0
    errors: list[RowError] = field(default_factory=list)
    unmatched: list[dict] = field(default_factory=list)
    members_missing: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def describe(self) -> str:
        return (
            f"户信息 {self.rows} 行，匹配搬迁户 {self.matched} 户：新纳入 {self.created} 户，"
            f"更新 {self.updated} 户，无变化 {self.unchanged} 户；"
            f"非本平台搬迁户 {len(self.unmatched)} 行（已列出，未导入）；"
            f"核对监测对象 {self.members_checked} 人，台账中没有的 {len(self.members_missing)} 人。"
        )


@dataclass
class _Row:
    number: int
    head_id: str
    head_name: str
    category: str
    risk_types: list[str]
    identified_on: date
    eliminated_on: date | None
    method: str


def _error(errors, sheet: str, row: int, label: str, raw, message: str) -> None:
    errors.append(RowError(row, f"{sheet}·{label}", "" if raw is None else str(raw), message))


def _cells(sheet):
    cols = sheet.columns

    def cell(cells, key):
        position = cols.get(key)
        return cells[position] if position is not None and position < len(cells) else None

    return cell


def _household_rows(path, filename, outcome, columns) -> list[_Row]:
    label = {key: header for key, header, _ in columns}
    sheet = read_sheet(path, filename, spec=_spec(columns, HOUSEHOLD_REQUIRED))
    cell = _cells(sheet)
    today = timezone.localdate()
    parsed = []
    for number, cells in sheet.rows:
        outcome.rows += 1
        errors: list[RowError] = []

        def fail(key, raw, message, number=number, errors=errors):
            _error(errors, HOUSEHOLD_SHEET, number, label[key], raw, message)

        raw = cell(cells, "head_id")
        head_id = ""
        try:
            head_id = normalize.id_number_cell(raw, strict_region=False)
        except normalize.CellError as exc:
            fail("head_id", raw, str(exc))
        raw = cell(cells, "category")
        category = CATEGORY_ALIASES.get(normalize.compact(raw or ""))
        if category is None:
            fail("category", raw, "可填：" + "、".join(lbl for _, lbl in choices.CATEGORIES))
        raw = cell(cells, "risk_types")
        risks = []
        for part in normalize.text(raw or "").replace("，", "、").replace(",", "、").split("、"):
            part = part.strip()
            if not part:
                continue
            code = RISK_ALIASES.get(part)
            if code is None:
                fail(
                    "risk_types",
                    raw,
                    f"「{part}」不是风险类型，可填："
                    + "、".join(lbl for _, lbl in choices.RISK_TYPES),
                )
            elif code not in risks:
                risks.append(code)
        if not risks and category is not None:
            fail("risk_types", raw, "监测对象至少有一种风险类型")

        def day_of(key, required, cells=cells):
            raw = cell(cells, key)
            try:
                day = normalize.parse_date(raw)
            except normalize.CellError as exc:
                fail(key, raw, str(exc))
                return None
            if day is None and required:
                fail(key, raw, "请填写日期")
            elif day is not None and day > today:
                fail(key, raw, "日期晚于今天")
            return day

        identified_on = day_of("identified_on", True)
        raw = cell(cells, "eliminated")
        flag = normalize.compact(raw or "").lower()
        eliminated = flag in YES
        if flag not in YES | NO:
            fail("eliminated", raw, "请填“是”或“否”")
        eliminated_on, method = None, ""
        if eliminated:
            eliminated_on = day_of("eliminated_on", True)
            raw = cell(cells, "method")
            method = METHODS.get(normalize.compact(raw or ""), "")
            if not method:
                fail("method", raw, "风险已消除的户请填消除方式：帮扶消除 或 自然消除")
            if eliminated_on and identified_on and eliminated_on < identified_on:
                fail("eliminated_on", eliminated_on, "风险消除时间早于纳入监测时间")
        outcome.errors.extend(errors)
        if not errors:
            parsed.append(
                _Row(
                    number,
                    head_id,
                    normalize.text(cell(cells, "head_name") or ""),
                    category,
                    risks,
                    identified_on,
                    eliminated_on,
                    method,
                )
            )
    if outcome.rows == 0 and not outcome.errors:
        _error(outcome.errors, HOUSEHOLD_SHEET, 0, "文件", "", "表头下面没有数据行")
    return parsed


def _check_members(path, filename, outcome, people_seen, columns) -> None:
    """The member sheet, when the workbook has one: every identity number readable, and the
    members not in the registry listed."""
    try:
        sheet = read_sheet(path, filename, spec=_spec(columns, MEMBER_REQUIRED))
    except FileError:
        return  # no member sheet: the households alone are enough
    if sheet.name == HOUSEHOLD_SHEET:
        return
    cell = _cells(sheet)
    label = {key: header for key, header, _ in columns}
    wanted = []
    for number, cells in sheet.rows:
        raw = cell(cells, "id_number")
        try:
            wanted.append(
                (
                    number,
                    normalize.id_number_cell(raw, strict_region=False),
                    normalize.text(cell(cells, "name") or ""),
                )
            )
        except normalize.CellError as exc:
            _error(outcome.errors, MEMBER_SHEET, number, label["id_number"], raw, str(exc))
    known = set(
        people_seen.filter(id_number__in=[w[1] for w in wanted]).values_list("id_number", flat=True)
    )
    outcome.members_checked = len(wanted)
    outcome.members_missing = [
        {"row": n, "id_number": mask_id_number(pid), "name": name}
        for n, pid, name in wanted
        if pid not in known
    ]


def may_import(actor) -> bool:
    """The national system's decisions are the county's (县级审定): imported by the loop's staff
    serving a county or above, not by a town, a site or a grid."""
    from anju.core.scope import UNRESTRICTED, scope_paths

    if not access.allows(actor, "monitoring", "write"):
        return False
    paths = scope_paths(actor)
    if paths is UNRESTRICTED:
        return True
    above = (AdminUnit.Level.PROVINCE, AdminUnit.Level.CITY, AdminUnit.Level.COUNTY)
    return AdminUnit.objects.filter(path__in=paths, level__in=above).exists()


def import_upload(actor, upload, *, dry_run=False) -> Outcome:
    """An uploaded file (page or API), through a temporary file the reader's child can open."""
    from .uploads import on_disk

    with on_disk(upload) as path:
        return import_file(actor, path, upload.name, dry_run=dry_run)


def import_file(actor, path: str | Path, filename: str = "", *, dry_run=False) -> Outcome:
    """Read, check and (unless ``dry_run``) apply the national system's 户信息 sheet."""
    if actor is not None and not may_import(actor):
        access.require(actor, "monitoring", "write")  # names the module the role lacks
        raise PermissionDenied("全国系统的认定结果由县级（及以上）负责监测帮扶的干部导入。")
    filename = filename or Path(path).name
    outcome = Outcome()
    try:
        households_layout, members_layout = (
            layout(actor, HOUSEHOLD_SHEET),
            layout(actor, MEMBER_SHEET),
        )
        parsed = _household_rows(path, filename, outcome, households_layout)
    except (FileError, LayoutError) as exc:
        outcome.errors.append(RowError(0, "文件", "", str(exc)))
        return outcome
    header = {key: text for key, text, _ in households_layout}
    people = Person.objects.visible_to(actor) if actor is not None else Person.objects.all()
    _check_members(path, filename, outcome, people, members_layout)
    heads = {
        p.id_number: p
        for p in people.filter(id_number__in=[r.head_id for r in parsed]).select_related(
            "household"
        )
    }
    matched = []
    seen_households = {}
    for row in parsed:
        person = heads.get(row.head_id)
        if person is None:
            outcome.unmatched.append(
                {"row": row.number, "id_number": mask_id_number(row.head_id), "name": row.head_name}
            )
            continue
        if row.head_name and fold(row.head_name) != fold(person.name):
            _error(
                outcome.errors,
                HOUSEHOLD_SHEET,
                row.number,
                header["head_name"],
                row.head_name,
                "姓名与该证件号码在台账中的姓名不一致，请核对",
            )
            continue
        first = seen_households.setdefault(person.household_id, row.number)
        if first != row.number:
            _error(
                outcome.errors,
                HOUSEHOLD_SHEET,
                row.number,
                header["head_id"],
                row.head_id,
                f"与第 {first} 行是同一户，请只保留一行",
            )
            continue
        matched.append((row, person.household))
    outcome.matched = len(matched)
    if outcome.errors:
        return outcome
    with transaction.atomic():
        # The matched households' warnings in one locking read, not one per row.
        by_household: dict[int, list[Warning]] = {}
        ids = [household.pk for _row, household in matched]
        for start in range(0, len(ids), 500):  # SQLite's limit on parameters
            found = Warning.objects.select_for_update().filter(
                household_id__in=ids[start : start + 500]
            )
            for warning in found.order_by("-id"):
                by_household.setdefault(warning.household_id, []).append(warning)
        for row, household in matched:
            _apply(actor, row, household, by_household.get(household.pk, []), outcome)
        if dry_run:  # the counts of what would change, then nothing written
            transaction.set_rollback(True)
    return outcome


def _apply(actor, row: _Row, household, warnings: list[Warning], outcome: Outcome) -> None:
    """One household's state as the national system has it: the warning it decided on (same
    date of identification), else the one still open, else a new one. ``warnings``: the
    household's, newest first."""
    warning = next((w for w in warnings if w.identified_on == row.identified_on), None)
    warning = warning or next((w for w in warnings if w.status in Warning.OPEN_STATUSES), None)
    status = "eliminated" if row.eliminated_on else "monitored"
    wanted = {
        "status": status,
        "category": row.category,
        "risk_types": row.risk_types,
        "identified_on": row.identified_on,
        "eliminated_on": row.eliminated_on,
        "elimination_method": row.method,
    }
    fields = list(wanted)
    if warning is None:
        warning = Warning(
            household=household,
            opened_period=f"{row.identified_on:%Y-%m}",
            opened_on=row.identified_on,
            decision_due=row.identified_on,
            closed_on=row.eliminated_on,
            path=household.path,
            **wanted,
        )
        warning.save()
        outcome.created += 1
        audit.record_create(actor, warning, fields, note=NOTE)
        return
    before = audit.snapshot(warning, fields)
    if {k: getattr(warning, k) for k in wanted} == wanted:
        outcome.unchanged += 1
        return
    for key, value in wanted.items():
        setattr(warning, key, value)
    warning.closed_on = row.eliminated_on
    warning.updated_at = timezone.now()
    warning.save()
    outcome.updated += 1
    audit.record(
        actor,
        audit.AuditLog.Action.UPDATE,
        object_type=audit.object_type_of(warning),
        object_id=warning.pk,
        object_repr=str(warning),
        unit_path=warning.path,
        changes=audit.diff(before, audit.snapshot(warning, fields)),
        note=NOTE,
    )
