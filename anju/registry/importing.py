"""Importing the registry sheet: validate everything, then write everything, or nothing.

Rows are cleaned in Python and staged into temporary tables (PostgreSQL ``COPY``; SQLite batched
inserts); households and persons are then upserted with one set-based statement each, touching
only rows whose values changed. Any error rejects the whole file: the transaction is rolled back
and the user receives every error at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from anju.accounts import access
from anju.audit import services as audit
from anju.audit.models import AuditLog
from anju.core.masking import mask_field
from anju.core.scope import home_path
from anju.orgs import services as org_services
from anju.orgs.models import AdminUnit, Building, Site

from . import choices, rollups
from . import normalize as N
from .columns import BY_KEY
from .reading import read_sheet
from .signals import households_placed

BATCH = 5000


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    message: str

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


@dataclass
class Outcome:
    errors: list[RowError] = field(default_factory=list)
    # Findings that do not stop an import once the user has confirmed them (see ``needs_confirmation``).
    warnings: list[RowError] = field(default_factory=list)
    rows: int = 0
    households_new: int = 0
    households_changed: int = 0
    persons_new: int = 0
    persons_changed: int = 0
    persons_moved: int = 0
    buildings_new: int = 0
    header_row: int = 0
    sheet: str = ""
    dry_run: bool = False
    confirmed: bool = False
    # Households whose figures an import may change: new or changed households, households of
    # new or changed persons, and the households moved persons left (filled by a real import).
    affected_household_ids: set[int] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def needs_confirmation(self) -> bool:
        """Clean but with warnings the user has not confirmed: nothing was written."""
        return not self.errors and bool(self.warnings) and not self.confirmed

    def summary(self) -> dict:
        return {
            k: getattr(self, k)
            for k in (
                "rows",
                "households_new",
                "households_changed",
                "persons_new",
                "persons_changed",
                "persons_moved",
                "buildings_new",
            )
        }

    def describe(self) -> str:
        where = f"读取工作表「{self.sheet}」，" if self.sheet and self.sheet != "CSV" else ""
        if self.needs_confirmation:
            where = f"有 {len(self.warnings)} 条警告待确认，尚未写入；" + where
        return (
            f"{where}共 {self.rows} 行：新增 {self.households_new} 户、{self.persons_new} 人；"
            f"更新 {self.households_changed} 户、{self.persons_changed} 人；"
            f"换户 {self.persons_moved} 人；新建楼栋 {self.buildings_new} 栋"
        )


class Rejected(Exception):
    """Raised inside the transaction so that everything staged or written is rolled back."""


HOUSEHOLD_FIELDS = [
    "category",
    "settlement",
    "site_id",
    "destination_id",
    "building_id",
    "unit_no",
    "room_no",
    "origin_town",
    "origin_village",
    "move_in_date",
    "dwelling_area",
    "safety_net",
    "phone",
    "path",
]
PERSON_FIELDS = [
    "name",
    "birth_date",
    "sex",
    "relation",
    "ethnicity",
    "political_status",
    "education",
    "schooling",
    "health",
    "labour_skill",
    "hukou_status",
    "medical_insurance",
    "pension_insurance",
    "phone",
]
JSON_FIELDS = {"health", "medical_insurance", "pension_insurance"}
# Household columns compared across the rows of one household (what people type, cleaned).
AGREE = [
    "site",
    "category",
    "settlement",
    "destination",
    "origin_town",
    "origin_village",
    "building",
    "unit_no",
    "room_no",
    "move_in_date",
    "dwelling_area",
    "safety_net",
    "household_phone",
]


# The widths of the columns the values land in.
MAX_LENGTHS = {
    "number": 30,
    "name": 50,
    "unit_no": 10,
    "room_no": 20,
    "origin_town": 50,
    "origin_village": 50,
    "building": 100,
    "site": 100,
    "destination": 100,
}

# How each column's cell becomes a clean value (built once, used for every row).
PARSERS = {
    "number": lambda v: N.compact(v),
    "name": lambda v: N.text(v).replace(" ", ""),
    "category": lambda v: N.coded_choice(
        v, choices.Category, alias_group="category", what="户类型"
    ),
    "settlement": lambda v: (
        N.coded_choice(
            v, choices.Settlement, alias_group="settlement", what="安置方式", blank_ok=True
        )
        or "centralized"
    ),
    "safety_net": lambda v: N.coded_choice(
        v, choices.SafetyNet, alias_group="safety_net", what="兜底保障", blank_ok=True
    ),
    "origin_town": N.text,
    "origin_village": N.text,
    "building": N.compact,
    "unit_no": N.compact,
    "room_no": N.compact,
    "site": N.text,
    "destination": N.text,
    "move_in_date": N.parse_date,
    "dwelling_area": N.decimal,
    "household_phone": N.phone,
    "phone": N.phone,
}


def _enum_parser(labels, aliases, what):
    return lambda v: N.choice(v, labels, alias_group=aliases, what=what)


def _multi_parser(labels, what):
    return lambda v: N.many(v, labels, what=what)


PARSERS.update({f: _enum_parser(*spec) for f, spec in choices.PERSON_ENUMS.items()})
PARSERS.update({f: _multi_parser(*spec) for f, spec in choices.PERSON_MULTI.items()})


class Scope:
    """The sites, villages and counties the importing user may write to, looked up by name."""

    def __init__(self, actor):
        sites = (
            Site.objects.visible_to(actor).select_related("admin_unit")
            if actor
            else Site.objects.select_related("admin_unit")
        )
        self.sites: dict[str, Site | None] = {}
        for site in sites:
            # Two sites of one name in a user's scope cannot be told apart by name.
            self.sites[site.name] = None if site.name in self.sites else site
        villages = AdminUnit.objects.filter(level=AdminUnit.Level.VILLAGE)
        if actor:
            villages = villages.visible_to(actor)
        self.villages: dict[str, AdminUnit | None] = {}
        for village in villages:
            self.villages[village.name] = None if village.name in self.villages else village
        keys = {
            int(k[1:])
            for node in [*self.sites.values(), *self.villages.values()]
            if node
            for k in node.path.split("/")
            if k.startswith("u")
        }
        # A site's own village or community is a valid 迁入村 for the site's households, even for
        # a user who serves only the site (the community itself lies above their scope).
        self.site_villages: dict[int, AdminUnit] = {
            site.pk: site.admin_unit
            for site in self.sites.values()
            if site and site.admin_unit.level == AdminUnit.Level.VILLAGE
        }
        self.counties = {
            u.path: u.pk
            for u in AdminUnit.objects.filter(pk__in=keys, level=AdminUnit.Level.COUNTY)
        }

    def county_of(self, node) -> int | None:
        for path, pk in self.counties.items():
            if node.path.startswith(path):
                return pk
        return None


class RegistryImport:
    def __init__(
        self,
        actor,
        path,
        filename: str = "",
        *,
        dry_run: bool = False,
        confirm_warnings: bool = False,
        progress: Callable[[int], None] | None = None,
    ):
        self.actor = actor
        self.path = path
        self.filename = filename or str(path)
        self.dry_run = dry_run
        self.progress = progress or (lambda rows: None)
        self.outcome = Outcome(dry_run=dry_run, confirmed=confirm_warnings)
        self.numeric_ids: list[int] = []
        self.masked_ids: list[int] = []
        self.pg = connection.vendor == "postgresql"

    # -- validation ------------------------------------------------------------------------

    def _error(self, row: int, key: str, value, message: str) -> None:
        label = BY_KEY[key].label if key in BY_KEY else key
        shown = "" if value is None else str(value)
        self.outcome.errors.append(RowError(row, label, shown[:100], message))

    def _warn(self, row: int, key: str, value, message: str) -> None:
        label = BY_KEY[key].label if key in BY_KEY else key
        self.outcome.warnings.append(RowError(row, label, str(value)[:100], message))

    def _clean_row(self, number: int, cells: list, cols: dict[str, int]):
        """Every cell of one row, cleaned; every problem of the row is reported (not only the
        first), and the keys that failed are returned so later checks skip only those."""

        def raw(key):
            index = cols.get(key)
            return cells[index] if index is not None and index < len(cells) else None

        clean: dict = {}
        failed: set[str] = set()

        def error(key, value, message):
            failed.add(key)
            self._error(number, key, value, message)

        for key, parse in PARSERS.items():
            value = raw(key)
            try:
                clean[key] = parse(value)
            except N.CellError as exc:
                error(key, value, str(exc))
                clean[key] = None
        for key, limit in MAX_LENGTHS.items():
            value = clean.get(key)
            if isinstance(value, str) and len(value) > limit:
                error(key, value, f"「{BY_KEY[key].label}」不能超过 {limit} 个字")
        for key in ("number", "name"):
            if not clean.get(key) and key not in failed:
                error(key, raw(key), f"{BY_KEY[key].label}不能为空")
        if clean.get("relation") == "":
            error("relation", raw("relation"), "与户主关系不能为空")
        clean["id_number"] = self._identity(number, raw("id_number"), failed)
        if clean["id_number"]:
            clean["birth_date"] = N.birth_date_of(clean["id_number"])
            clean["sex"] = N.sex_of(clean["id_number"])
            stated_sex = N.compact(raw("sex"))
            if stated_sex and stated_sex not in ("男", "女"):
                error("sex", stated_sex, "性别只能填“男”或“女”")
            elif stated_sex and choices.Sex(clean["sex"]).label != stated_sex:
                error(
                    "sex",
                    stated_sex,
                    f"与身份证号不符：身份证号显示为{choices.Sex(clean['sex']).label}性",
                )
            try:
                stated_birth = N.parse_date(raw("birth_date"))
            except N.CellError as exc:
                error("birth_date", raw("birth_date"), str(exc))
            else:
                if stated_birth and stated_birth != clean["birth_date"]:
                    error(
                        "birth_date",
                        stated_birth.isoformat(),
                        f"与身份证号不符：身份证号显示为 {clean['birth_date'].isoformat()}",
                    )
        return clean, failed

    def _identity(self, number: int, value, failed: set[str]) -> str | None:
        """The identity number, or None (reported). Number cells and masked numbers are gathered
        and reported once for the whole file (see ``_file_level_errors``)."""
        if N.is_number_cell(value):
            self.numeric_ids.append(number)
            failed.add("id_number")
            return None
        try:
            pid = N.id_number(value, strict_region=False)
        except N.CellError as exc:
            failed.add("id_number")
            self._error(number, "id_number", value, str(exc))
            return None
        if not N.region_in_use(pid):
            self._warn(
                number,
                "id_number",
                pid,
                "身份证号前 6 位地区码在出生年份尚未启用：可能是补登户口或地区码调整后重新编号的"
                "真实号码，请核对；确认无误后选择“确认导入”",
            )
        return pid

    def _file_level_errors(self) -> None:
        if self.numeric_ids:
            rows = _rows_text(self.numeric_ids)
            self._error(
                self.numeric_ids[0],
                "id_number",
                "",
                f"{rows}的身份证号是数字单元格（Excel 显示为 6.12730E+17 这样的科学计数），"
                "超过 15 位的数字已被 Excel 四舍五入、无法还原：请把「身份证号」整列设置为“文本”格式，"
                "再重新输入这些身份证号",
            )
        if self.outcome.rows == 0 and not self.outcome.errors:
            self._error(
                0,
                "文件",
                "",
                f"表头（第 {self.outcome.header_row} 行）下面没有数据行，没有可导入的内容",
            )

    def _place(self, number: int, clean: dict, raw_cells) -> dict | None:
        """Site, destination village and county for a household's first row."""
        site = destination = None
        if clean["site"]:
            if clean["site"] not in self.scope.sites:
                self._error(number, "site", clean["site"], "安置点不存在或不在您的管辖范围内")
                return None
            site = self.scope.sites[clean["site"]]
            if site is None:
                self._error(
                    number, "site", clean["site"], "您的管辖范围内有多个同名安置点，无法区分"
                )
                return None
        if clean["destination"]:
            own = self.scope.site_villages.get(site.pk) if site else None
            if (
                clean["destination"] in self.scope.villages
                and self.scope.villages[clean["destination"]] is None
                and not (own is not None and own.name == clean["destination"])
            ):
                self._error(
                    number,
                    "destination",
                    clean["destination"],
                    "您的管辖范围内有多个同名村（社区），无法区分",
                )
                return None
            destination = self.scope.villages.get(clean["destination"])
            own = self.scope.site_villages.get(site.pk) if site else None
            if own is not None and own.name == clean["destination"]:
                destination = own
            if destination is None:
                self._error(
                    number,
                    "destination",
                    clean["destination"],
                    "迁入村（社区）不存在或不在您的管辖范围内",
                )
                return None
        if site is None and destination is None:
            self._error(
                number, "site", "", "集中安置户须填写安置点；分散安置户须填写安置点或迁入村（社区）"
            )
            return None
        if clean["building"] and site is None:
            self._error(number, "building", clean["building"], "填写楼栋时须同时填写安置点")
            return None
        node = site or destination
        return {
            "site_obj": site,
            "destination_obj": destination,
            "county_id": self.scope.county_of(node),
        }

    # -- the run ---------------------------------------------------------------------------

    def run(self) -> Outcome:
        sheet = read_sheet(self.path, self.filename)
        self.outcome.header_row = sheet.header_row
        self.outcome.sheet = sheet.name
        self.scope = Scope(self.actor)
        try:
            with transaction.atomic():
                self._stage(sheet.rows, sheet.columns)
                self._file_level_errors()
                if self.masked_ids:
                    # A masked ledger: one line instead of an error for every row.
                    self.outcome.errors = [self._masked_error()]
                    raise Rejected
                # Checks against the database run even when rows had errors, so that the user
                # gets every error of every row in one pass (not in rounds).
                self._check_against_database()
                if self.outcome.errors:
                    raise Rejected
                self._count_changes()
                if self.dry_run or self.outcome.needs_confirmation:
                    raise Rejected
                self._write()
        except Rejected:
            pass
        finally:
            self._drop_staging()
        self.outcome.errors.sort(key=lambda e: (e.row, e.column))
        self.outcome.warnings.sort(key=lambda e: (e.row, e.column))
        return self.outcome

    def _masked_error(self) -> RowError:
        return RowError(
            0,
            "身份证号",
            "",
            f"这是脱敏导出的台账（{_rows_text(self.masked_ids)}的身份证号含 ****），不能用来导入："
            "请在搬迁户台账页面用“导出（含完整证件号）”（完整导出）导出后修改再导入，"
            "或在导入模板中填写完整的身份证号",
        )

    def _stage(self, rows: Iterator[tuple[int, list]], cols: dict[str, int]) -> None:
        self._create_staging()
        households: dict[str, dict] = {}
        first_row: dict[str, int] = {}
        self.members: dict[str, list[int]] = {}
        self.unsure_heads: set[str] = set()
        heads: dict[str, int] = {}
        seen_ids: dict[str, int] = {}
        buffer: list[tuple] = []
        count = 0
        id_col = cols.get("id_number")
        for number, cells in rows:
            if not any(c not in (None, "") and str(c).strip() for c in cells):
                continue
            count += 1
            if count % 2000 == 0:
                self.progress(count)
            if id_col is not None and id_col < len(cells) and "*" in str(cells[id_col] or ""):
                self.masked_ids.append(number)
                continue
            clean, failed = self._clean_row(number, cells, cols)
            hh = clean["number"]
            pid = clean["id_number"]
            if pid:
                if pid in seen_ids:
                    self._error(number, "id_number", pid, f"与第 {seen_ids[pid]} 行身份证号重复")
                    continue
                seen_ids[pid] = number
            if not hh or "number" in failed:
                continue
            self.members.setdefault(hh, []).append(number)
            if "relation" in failed:
                self.unsure_heads.add(hh)  # its 户主 may be the row whose relation is wrong
            if clean["relation"] == choices.HEAD:
                if hh in heads:
                    self._error(number, "relation", "户主", f"同一户已在第 {heads[hh]} 行填写户主")
                else:
                    heads[hh] = number
            if hh not in households:
                if failed & {"site", "destination", "building"}:
                    continue
                place = self._place(number, clean, cells)
                if place is None:
                    continue
                households[hh] = {**{k: clean[k] for k in AGREE}, **place, "failed": failed}
                first_row[hh] = number
            else:
                known = households[hh]
                for key in AGREE:
                    if key in failed or key in known["failed"]:
                        continue
                    if clean[key] != known[key] and not (
                        key == "household_phone" and not clean[key]
                    ):
                        self._error(
                            number,
                            key,
                            clean[key],
                            f"与第 {first_row[hh]} 行（同一户）不一致：{known[key] or '空'}",
                        )
                        break
            if (
                clean.get("phone")
                and clean["relation"] == choices.HEAD
                and not households[hh]["household_phone"]
            ):
                households[hh]["head_phone"] = clean["phone"]
            if pid:
                buffer.append(self._person_tuple(number, clean, households[hh]["county_id"]))
            if len(buffer) >= BATCH:
                self._flush("stage_person", buffer)
        self._flush("stage_person", buffer)
        self.heads = heads
        self.outcome.rows = count
        self.progress(count)
        self._stage_households(households, first_row)

    def _person_tuple(self, number, clean, county_id) -> tuple:
        values = [number, county_id, clean["number"], clean["id_number"]]
        for name in PERSON_FIELDS:
            value = clean[name]
            values.append(json.dumps(value) if name in JSON_FIELDS else value)
        return tuple(values)

    def _stage_households(self, households: dict[str, dict], first_row: dict[str, int]) -> None:
        self.first_rows = {
            (hh["site_obj"].pk, hh["building"]): first_row[number]
            for number, hh in households.items()
            if hh["site_obj"] and hh["building"]
        }
        buildings = self._buildings(households)
        if self.outcome.errors:
            return
        rows = []
        for number, hh in households.items():
            site, destination = hh["site_obj"], hh["destination_obj"]
            building = buildings.get((site.pk, hh["building"])) if site and hh["building"] else None
            node = building or site or destination
            rows.append(
                (
                    number,
                    hh["county_id"],
                    hh["category"],
                    hh["settlement"],
                    site.pk if site else None,
                    destination.pk if destination else None,
                    building.pk if building else None,
                    hh["unit_no"],
                    hh["room_no"],
                    hh["origin_town"],
                    hh["origin_village"],
                    hh["move_in_date"],
                    hh["dwelling_area"],
                    hh["safety_net"],
                    hh["household_phone"] or hh.get("head_phone", ""),
                    node.path,
                )
            )
        self._flush("stage_household", rows)

    def _buildings(self, households) -> dict[tuple[int, str], Building]:
        wanted = {
            (hh["site_obj"].pk, hh["building"])
            for hh in households.values()
            if hh["site_obj"] and hh["building"]
        }
        site_ids = {s for s, _ in wanted}
        found = {(b.site_id, b.name): b for b in Building.objects.filter(site_id__in=site_ids)}
        sites = {s.pk: s for s in Site.objects.filter(pk__in=site_ids)}
        missing = sorted(wanted - set(found))
        if missing and self.actor is not None and not access.allows(self.actor, "orgs", "write"):
            for site_id, name in missing:
                self._error(
                    self.first_rows.get((site_id, name), 0),
                    "building",
                    name,
                    "楼栋不存在，且您的角色无权新建楼栋；请先在组织架构中建好楼栋",
                )
            return found
        for site_id, name in missing:
            if len(name) > 100:
                self._error(
                    self.first_rows.get((site_id, name), 0),
                    "building",
                    name,
                    "楼栋名称不能超过 100 个字",
                )
                continue
            if self.dry_run or self.outcome.errors:
                found[(site_id, name)] = Building(
                    site=sites[site_id], name=name, path=sites[site_id].path
                )
            else:
                found[(site_id, name)] = org_services.create_building(
                    self.actor, site=sites[site_id], name=name
                )
            self.outcome.buildings_new += 1
        return found

    # -- staging tables --------------------------------------------------------------------

    def _create_staging(self) -> None:
        json_type = "text"
        with connection.cursor() as cur:
            cur.execute(
                "CREATE TEMP TABLE stage_person (row_no integer, county_id bigint, number varchar(30), "
                "id_number varchar(18), name varchar(50), birth_date date, sex varchar(1), "
                "relation varchar(10), ethnicity varchar(10), political_status varchar(10), "
                "education varchar(10), schooling varchar(10), health " + json_type + ", "
                "labour_skill varchar(12), hukou_status varchar(20), medical_insurance "
                + json_type
                + ", pension_insurance "
                + json_type
                + ", phone varchar(20))"
            )
            cur.execute(
                "CREATE TEMP TABLE stage_household (number varchar(30), county_id bigint, "
                "category varchar(20), settlement varchar(20), site_id bigint, "
                "destination_id bigint, building_id bigint, unit_no varchar(10), "
                "room_no varchar(20), origin_town varchar(50), origin_village varchar(50), "
                "move_in_date date, dwelling_area decimal(7,2), safety_net varchar(10), "
                "phone varchar(20), path varchar(255))"
            )

    def _drop_staging(self) -> None:
        with connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS stage_person")
            cur.execute("DROP TABLE IF EXISTS stage_household")

    def _flush(self, table: str, rows: list[tuple]) -> None:
        if not rows:
            return
        with connection.cursor() as cur:
            if self.pg:
                with cur.cursor.copy(f"COPY {table} FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(rows[0]))
                cur.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
        rows.clear()

    # -- checks that need the database -----------------------------------------------------

    def _outside_scope(self, alias: str) -> tuple[str, list]:
        """SQL that is true for a row whose path lies outside the importing user's scope."""
        from anju.core.scope import scope_paths

        paths = scope_paths(self.actor) if self.actor else None
        if paths is None:
            return "1 = 0", []
        if not paths:
            return "1 = 1", []
        sql = " OR ".join(f"{alias}.path LIKE %s" for _ in paths)
        return f"NOT ({sql})", [p + "%" for p in paths]

    def _check_against_database(self) -> None:
        with connection.cursor() as cur:
            sql, params = self._outside_scope("p")
            cur.execute(
                "SELECT s.row_no, s.id_number FROM stage_person s JOIN registry_person p "
                f"ON p.id_number = s.id_number WHERE {sql} ORDER BY s.row_no",
                params,
            )
            for row_no, pid in cur.fetchall():
                self._error(row_no, "id_number", pid, "该身份证号已登记在您管辖范围以外的搬迁户中")
            sql, params = self._outside_scope("h")
            cur.execute(
                "SELECT MIN(s.row_no), s.number FROM stage_person s JOIN registry_household h "
                f"ON h.county_id = s.county_id AND h.number = s.number WHERE {sql} "
                "GROUP BY s.number",
                params,
            )
            for row_no, number in cur.fetchall():
                self._error(row_no, "number", number, "该户编号已被您管辖范围以外的搬迁户使用")
            cur.execute(
                "SELECT s.row_no, p.name FROM stage_person s JOIN registry_household h "
                "ON h.county_id = s.county_id AND h.number = s.number "
                "JOIN registry_person p ON p.household_id = h.id AND p.relation = %s "
                "WHERE s.relation = %s AND p.id_number <> s.id_number AND NOT EXISTS ("
                "SELECT 1 FROM stage_person s2 WHERE s2.id_number = p.id_number "
                "AND (s2.relation <> %s OR s2.number <> s.number)) ORDER BY s.row_no",
                [choices.HEAD, choices.HEAD, choices.HEAD],
            )
            for row_no, name in cur.fetchall():
                self._error(row_no, "relation", "户主", f"该户在台账中已有户主（{name}）")
            self._check_heads(cur)

    def _check_heads(self, cur) -> None:
        """After the import every household keeps a 户主: each household of the sheet has one
        (in the sheet, or an existing head the sheet does not list), and a 户主 who moves to
        another household does not leave members behind without one."""
        cur.execute(
            "SELECT DISTINCT h.number FROM registry_household h "
            "JOIN registry_person p ON p.household_id = h.id AND p.relation = %s "
            "WHERE EXISTS (SELECT 1 FROM stage_person s WHERE s.county_id = h.county_id "
            "AND s.number = h.number) "
            "AND NOT EXISTS (SELECT 1 FROM stage_person x WHERE x.id_number = p.id_number)",
            [choices.HEAD],
        )
        kept = {number for (number,) in cur.fetchall()}
        for number, rows in self.members.items():
            if number in self.heads or number in kept or number in self.unsure_heads:
                continue
            self._error(
                rows[0],
                "relation",
                "",
                f"户 {number} 没有户主（{_rows_text(rows)}）：请把该户一人的“与户主关系”填为“户主”",
            )
        cur.execute(
            "SELECT s.row_no, p.name, oh.number, s.number FROM stage_person s "
            "JOIN registry_person p ON p.id_number = s.id_number AND p.relation = %s "
            "JOIN registry_household oh ON oh.id = p.household_id "
            "WHERE (oh.county_id <> s.county_id OR oh.number <> s.number) "
            "AND NOT EXISTS (SELECT 1 FROM stage_person s3 WHERE s3.county_id = oh.county_id "
            "AND s3.number = oh.number) "
            "AND EXISTS (SELECT 1 FROM registry_person q WHERE q.household_id = oh.id "
            "AND NOT EXISTS (SELECT 1 FROM stage_person x WHERE x.id_number = q.id_number)) "
            "AND NOT EXISTS (SELECT 1 FROM registry_person q WHERE q.household_id = oh.id "
            "AND q.relation = %s AND q.id <> p.id AND NOT EXISTS ("
            "SELECT 1 FROM stage_person x WHERE x.id_number = q.id_number)) ORDER BY s.row_no",
            [choices.HEAD, choices.HEAD],
        )
        for row_no, name, old, new in cur.fetchall():
            self._error(
                row_no,
                "户编号",
                new,
                f"{name}是户 {old} 的户主，移入户 {new} 后原户的其他成员将没有户主：请在表中同时"
                f"列出户 {old} 的成员并指定新户主",
            )

    # -- counting and writing --------------------------------------------------------------

    def _distinct(self, left: str, right: str, fields: list[str], casts: dict | None = None) -> str:
        op = "IS DISTINCT FROM" if self.pg else "IS NOT"
        casts = casts or {}
        return " OR ".join(f"{left}.{f} {op} {right}.{f}{casts.get(f, '')}" for f in fields)

    def _json_casts(self) -> dict:
        return {f: "::jsonb" for f in JSON_FIELDS} if self.pg else {}

    def _changed_households(self, cur) -> list[tuple]:
        cols = ", ".join(f"h.{f}, s.{f}" for f in HOUSEHOLD_FIELDS)
        cur.execute(
            f"SELECT h.id, h.number, h.path, {cols} FROM registry_household h JOIN stage_household s "
            f"ON h.county_id = s.county_id AND h.number = s.number "
            f"WHERE {self._distinct('h', 's', HOUSEHOLD_FIELDS)}"
        )
        return cur.fetchall()

    def _changed_persons(self, cur) -> list[tuple]:
        cols = ", ".join(f"p.{f}, s.{f}" for f in PERSON_FIELDS)
        op = "IS DISTINCT FROM" if self.pg else "IS NOT"
        cur.execute(
            f"SELECT p.id, p.name, p.path, {cols}, h.number, s.number FROM registry_person p "
            "JOIN stage_person s ON p.id_number = s.id_number "
            "JOIN registry_household h ON h.id = p.household_id "
            f"WHERE {self._distinct('p', 's', PERSON_FIELDS, self._json_casts())} "
            f"OR h.county_id {op} s.county_id OR h.number <> s.number"
        )
        return cur.fetchall()

    def _count_changes(self) -> None:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT COUNT(*) FROM stage_household s WHERE NOT EXISTS (SELECT 1 FROM "
                "registry_household h WHERE h.county_id = s.county_id AND h.number = s.number)"
            )
            self.outcome.households_new = cur.fetchone()[0]
            cur.execute(
                "SELECT COUNT(*) FROM stage_person s WHERE NOT EXISTS (SELECT 1 FROM "
                "registry_person p WHERE p.id_number = s.id_number)"
            )
            self.outcome.persons_new = cur.fetchone()[0]
            cur.execute(
                "SELECT COUNT(*) FROM stage_person s JOIN registry_person p "
                "ON p.id_number = s.id_number JOIN registry_household h ON h.id = p.household_id "
                "WHERE h.county_id <> s.county_id OR h.number <> s.number"
            )
            # The same persons the write records a PersonMove for: the dry run tells the truth.
            self.outcome.persons_moved = cur.fetchone()[0]
            self.changed_households = self._changed_households(cur)
            self.changed_persons = self._changed_persons(cur)
        self.outcome.households_changed = len(self.changed_households)
        self.outcome.persons_changed = len(self.changed_persons)

    def _write(self) -> None:
        now = timezone.now()
        where = "" if self.pg else "WHERE true "
        hh_cols = ", ".join(HOUSEHOLD_FIELDS)
        hh_set = ", ".join(f"{f} = excluded.{f}" for f in [*HOUSEHOLD_FIELDS, "updated_at"])
        p_cols = ", ".join(PERSON_FIELDS)
        p_sel = ", ".join(
            f"s.{f}{'::jsonb' if self.pg and f in JSON_FIELDS else ''}" for f in PERSON_FIELDS
        )
        p_set = ", ".join(
            f"{f} = excluded.{f}"
            for f in [*PERSON_FIELDS, "household_id", "path", "category", "updated_at"]
        )
        op = "IS DISTINCT FROM" if self.pg else "IS NOT"
        tracking = self._track_rollups()
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO registry_household (number, county_id, {hh_cols}, updated_at) "
                f"SELECT s.number, s.county_id, {', '.join('s.' + f for f in HOUSEHOLD_FIELDS)}, %s "
                f"FROM stage_household s {where}"
                f"ON CONFLICT (county_id, number) DO UPDATE SET {hh_set} "
                f"WHERE {self._distinct('registry_household', 'excluded', HOUSEHOLD_FIELDS)} "
                "RETURNING id",
                [now],
            )
            affected = {hid for (hid,) in cur.fetchall()}
            cur.execute(
                "INSERT INTO registry_personmove (person_id, from_household_id, to_household_id, "
                "moved_at, actor_name, note) SELECT p.id, p.household_id, h.id, %s, %s, %s "
                "FROM registry_person p JOIN stage_person s ON s.id_number = p.id_number "
                "JOIN registry_household h ON h.county_id = s.county_id AND h.number = s.number "
                "WHERE p.household_id <> h.id RETURNING from_household_id, to_household_id",
                [now, self._actor_name(), f"导入 {self.filename}"],
            )
            moves = cur.fetchall()
            self.outcome.persons_moved = len(moves)  # as counted in _count_changes
            affected.update(hid for move in moves for hid in move)
            self._household_moves(cur, now)
            cur.execute(
                "INSERT INTO registry_person "
                f"(household_id, id_number, {p_cols}, path, category, updated_at) "
                f"SELECT h.id, s.id_number, {p_sel}, h.path, h.category, %s FROM stage_person s "
                "JOIN registry_household h ON h.county_id = s.county_id AND h.number = s.number "
                f"{where}ON CONFLICT (id_number) DO UPDATE SET {p_set} "
                f"WHERE {self._distinct('registry_person', 'excluded', PERSON_FIELDS)} "
                f"OR registry_person.household_id <> excluded.household_id "
                f"OR registry_person.path {op} excluded.path "
                f"OR registry_person.category {op} excluded.category RETURNING household_id",
                [now],
            )
            affected.update(hid for (hid,) in cur.fetchall())
            self.outcome.affected_household_ids = affected
            # Members the sheet does not list follow their household to its new place.
            # (Their household's category follows them too: the roll-ups read it on the person.)
            same = "SELECT h.{0} FROM registry_household h WHERE h.id = registry_person.household_id"
            cur.execute(
                f"UPDATE registry_person SET path = ({same.format('path')}), "
                f"category = ({same.format('category')}) WHERE household_id IN ("
                "SELECT h.id FROM registry_household h JOIN stage_household s "
                "ON h.county_id = s.county_id AND h.number = s.number) AND "
                f"(path <> ({same.format('path')}) OR category <> ({same.format('category')}))"
            )
        households_placed.send(None, household_ids=sorted(affected))
        self._finish_rollups(tracking)
        self._audit()

    # The households an import touches: those the sheet names and those its persons leave.
    TOUCHED = (
        "SELECT h.id FROM registry_household h JOIN stage_household s "
        "ON h.county_id = s.county_id AND h.number = s.number"
    )

    def _track_rollups(self) -> rollups.Tracking:
        with connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS rollup_touched")
            cur.execute("CREATE TEMP TABLE rollup_touched (id bigint PRIMARY KEY)")
            cur.execute(
                f"INSERT INTO rollup_touched (id) {self.TOUCHED} UNION "
                "SELECT p.household_id FROM registry_person p "
                "JOIN stage_person s ON s.id_number = p.id_number"
            )
        tracking = rollups.Tracking("h.id IN (SELECT id FROM rollup_touched)", [])
        tracking.start()
        return tracking

    def _finish_rollups(self, tracking: rollups.Tracking) -> None:
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO rollup_touched (id) {self.TOUCHED} "
                f"{'' if self.pg else 'WHERE true '}"
                "ON CONFLICT (id) DO NOTHING"
            )
        tracking.finish()
        with connection.cursor() as cur:
            cur.execute("DROP TABLE rollup_touched")

    def _household_moves(self, cur, now) -> None:
        placement = {"site_id", "building_id", "unit_no", "room_no", "destination_id"}
        moves = []
        index = {f: 3 + 2 * i for i, f in enumerate(HOUSEHOLD_FIELDS)}
        for row in self.changed_households:
            if any(row[index[f]] != row[index[f] + 1] for f in placement):
                moves.append((row[0], self._where(row, index, 0), self._where(row, index, 1)))
        if not moves:
            return
        from .models import HouseholdMove

        HouseholdMove.objects.bulk_create(
            [
                HouseholdMove(
                    household_id=hid,
                    before=before,
                    after=after,
                    moved_at=now,
                    actor_name=self._actor_name(),
                    note=f"导入 {self.filename}",
                )
                for hid, before, after in moves
            ]
        )

    def _where(self, row, index, side) -> str:
        names = self._names()
        site = names["s"].get(row[index["site_id"] + side], "")
        building = names["b"].get(row[index["building_id"] + side], "")
        village = names["u"].get(row[index["destination_id"] + side], "")
        unit, room = row[index["unit_no"] + side], row[index["room_no"] + side]
        parts = [site or village, building, f"{unit}单元" if unit else "", room]
        return " ".join(p for p in parts if p) or "—"

    def _names(self) -> dict:
        if not hasattr(self, "_name_cache"):
            self._name_cache = {
                "s": dict(Site.objects.values_list("id", "name")),
                "b": dict(
                    Building.objects.filter(
                        site__in=[s for s in self.scope.sites.values() if s]
                    ).values_list("id", "name")
                ),
                "u": {
                    **{v.pk: v.name for v in self.scope.villages.values() if v},
                    **{v.pk: v.name for v in self.scope.site_villages.values()},
                },
            }
        return self._name_cache

    def _actor_name(self) -> str:
        if self.actor is not None and getattr(self.actor, "is_authenticated", False):
            return self.actor.display_name
        return audit.SYSTEM_ACTOR

    def _audit(self) -> None:
        """One row for the import, and one per household or person whose values changed."""
        actor = self.actor if self.actor is not None and self.actor.is_authenticated else None
        name = self._actor_name()
        rows = [
            AuditLog(
                actor=actor,
                actor_name=name,
                action=AuditLog.Action.IMPORT,
                object_type="registry.import",
                object_repr=self.filename[:200],
                unit_path=home_path(actor) if actor else "",
                note=self.outcome.describe(),
            )
        ]
        index = {f: 3 + 2 * i for i, f in enumerate(HOUSEHOLD_FIELDS)}
        for row in self.changed_households:
            changes = {
                f.removesuffix("_id"): [
                    mask_field(f, _plain(row[index[f]])),
                    mask_field(f, _plain(row[index[f] + 1])),
                ]
                for f in HOUSEHOLD_FIELDS
                if row[index[f]] != row[index[f] + 1] and f != "path"
            }
            if changes:
                rows.append(
                    self._audit_row(
                        actor, name, "registry.household", row[0], row[1], row[2], changes
                    )
                )
        pindex = {f: 3 + 2 * i for i, f in enumerate(PERSON_FIELDS)}
        for row in self.changed_persons:
            changes = {}
            for f in PERSON_FIELDS:
                old, new = row[pindex[f]], row[pindex[f] + 1]
                if f in JSON_FIELDS:
                    old = old if isinstance(old, list) else json.loads(old or "[]")
                    new = json.loads(new or "[]")
                if old != new:
                    changes[f] = [mask_field(f, _plain(old)), mask_field(f, _plain(new))]
            if row[-2] != row[-1]:
                changes["household"] = [row[-2], row[-1]]
            if changes:
                rows.append(
                    self._audit_row(actor, name, "registry.person", row[0], row[1], row[2], changes)
                )
        AuditLog.objects.bulk_create(rows, batch_size=1000)

    @staticmethod
    def _audit_row(actor, name, object_type, pk, label, path, changes) -> AuditLog:
        return AuditLog(
            actor=actor,
            actor_name=name,
            action=AuditLog.Action.UPDATE,
            object_type=object_type,
            object_id=str(pk),
            object_repr=str(label)[:200],
            unit_path=path,
            changes=changes,
            note="导入更新",
        )


def _plain(value):
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | bool | list):
        return value
    return str(value)


def _rows_text(rows: list[int], limit: int = 10) -> str:
    """第 4、5、9 行 — or the first ten and how many in all."""
    shown = "、".join(str(r) for r in rows[:limit])
    return f"第 {shown} 行" + (f"等 {len(rows)} 行" if len(rows) > limit else "")
