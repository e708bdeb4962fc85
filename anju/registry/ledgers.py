"""Registry ledgers, defined once for page, export and API column order."""

from anju.core.masking import mask_id_number, mask_phone
from anju.core.tables import Column, Ledger

from . import choices
from .columns import COLUMNS

HOUSEHOLDS = Ledger(
    "搬迁户",
    (
        Column("户编号", "number", link=lambda h: h.get_absolute_url()),
        Column("户主", "head_name"),
        Column("人数", "size"),
        Column("户类型", "get_category_display"),
        Column(
            "安置点",
            lambda h: h.site.name if h.site else (h.destination.name if h.destination else ""),
        ),
        Column("楼栋/房号", "place"),
        Column("迁出地", lambda h: f"{h.origin_town}{h.origin_village}"),
        Column("兜底保障", "get_safety_net_display"),
        Column("入住日期", "move_in_date"),
        Column("联系电话", lambda h: mask_phone(h.phone)),
    ),
)


def _person_value(key: str, reveal: bool):
    def get(p):
        h = p.household
        if key == "id_number":
            return p.id_number if reveal else mask_id_number(p.id_number)
        if key in ("phone", "household_phone"):
            value = p.phone if key == "phone" else h.phone
            return value if reveal else mask_phone(value)
        if key == "number":
            return h.number
        if key == "site":
            return h.site.name if h.site else ""
        if key == "destination":
            return h.destination.name if h.destination else ""
        if key == "building":
            return h.building.name if h.building else ""
        if key == "category":
            return h.get_category_display()
        if key == "settlement":
            return h.get_settlement_display()
        if key == "safety_net":
            return h.get_safety_net_display() if h.safety_net else ""
        if key == "sex":
            return choices.Sex(p.sex).label
        if key in (
            "origin_town",
            "origin_village",
            "unit_no",
            "room_no",
            "move_in_date",
            "dwelling_area",
        ):
            return getattr(h, key)
        value = getattr(p, key)
        return "、".join(value) if isinstance(value, list) else value

    return get


def person_ledger(reveal: bool = False) -> Ledger:
    """后续扶持台账: one row per person with the household's columns, in the import's layout, so
    an exported ledger can be edited and imported again."""
    return Ledger(
        "后续扶持台账", tuple(Column(c.label, _person_value(c.key, reveal)) for c in COLUMNS)
    )
