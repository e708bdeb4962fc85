"""The organisation ledgers: one definition each for page, export and (column order of) API."""

from anju.core.masking import mask_phone
from anju.core.tables import Column, Ledger

UNITS = Ledger(
    "行政区划",
    (
        Column("区划代码", "code"),
        Column("名称", "name", link=lambda u: u.get_absolute_url()),
        Column("层级", "level_label"),
        Column("上级单位", lambda u: u.parent.name if u.parent else ""),
    ),
)

SITES = Ledger(
    "安置点",
    (
        Column("安置点", "name", link=lambda s: s.get_absolute_url()),
        Column("安置方式", "get_kind_display"),
        Column("所属乡镇/村（社区）", "admin_unit.name"),
        Column("地址", "address"),
    ),
)

GRIDS = Ledger(
    "网格",
    (
        Column("网格", "name", link=lambda g: g.get_absolute_url()),
        Column("网格类型", "get_kind_display"),
        Column("所属安置点/社区", lambda g: (g.site or g.community).name),
    ),
)

BUILDINGS = Ledger(
    "楼栋",
    (
        Column("楼栋", "name", link=lambda b: b.get_absolute_url()),
        Column("安置点", lambda b: b.site.name if b.site else ""),
        Column("网格", lambda b: b.grid.name if b.grid else ""),
        Column("层数", "floors"),
        Column("单元数", "unit_count"),
    ),
)

POSITIONS = Ledger(
    "岗位人员",
    (
        Column("职务", "get_title_display"),
        Column("姓名", "display_name"),
        Column("任职于", lambda p: p.node.name, link=lambda p: p.get_absolute_url()),
        Column("联系电话", lambda p: mask_phone(p.phone or (p.user.phone if p.user else ""))),
        Column("任职日期", "start_date"),
        Column("离任日期", "end_date"),
    ),
)
