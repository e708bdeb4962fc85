"""The registry sheet's columns: one row per person, household columns repeated on each row.

The same list drives the import, the downloadable template (with drop-downs) and the ledger export.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import choices


@dataclass(frozen=True)
class SheetColumn:
    key: str
    label: str
    level: str  # "household" or "person"
    required: bool = False
    options: list[str] = field(default_factory=list)
    multiple: bool = False
    width: int = 12
    note: str = ""


def _labels(enum) -> list[str]:
    return [label for _, label in enum.choices]


COLUMNS: list[SheetColumn] = [
    SheetColumn("number", "户编号", "household", required=True, width=16),
    SheetColumn("name", "姓名", "person", required=True),
    SheetColumn("id_number", "身份证号", "person", required=True, width=22),
    SheetColumn("relation", "与户主关系", "person", required=True, options=choices.RELATIONS),
    SheetColumn(
        "sex", "性别", "person", options=_labels(choices.Sex), note="可不填，由身份证号推出"
    ),
    SheetColumn("birth_date", "出生日期", "person", note="可不填，由身份证号推出"),
    SheetColumn("site", "安置点", "household", width=20),
    SheetColumn("category", "户类型", "household", options=_labels(choices.Category)),
    SheetColumn("settlement", "安置方式", "household", options=_labels(choices.Settlement)),
    SheetColumn("destination", "迁入村（社区）", "household", note="分散安置户填写"),
    SheetColumn("origin_town", "迁出乡镇", "household"),
    SheetColumn("origin_village", "迁出村", "household"),
    SheetColumn("building", "楼栋", "household"),
    SheetColumn("unit_no", "单元", "household"),
    SheetColumn("room_no", "房号", "household"),
    SheetColumn("move_in_date", "入住日期", "household"),
    SheetColumn("dwelling_area", "住房面积", "household"),
    SheetColumn("safety_net", "兜底保障", "household", options=_labels(choices.SafetyNet)),
    SheetColumn("household_phone", "户联系电话", "household", width=14),
    SheetColumn("ethnicity", "民族", "person", options=choices.ETHNICITIES),
    SheetColumn("political_status", "政治面貌", "person", options=choices.POLITICAL),
    SheetColumn("education", "文化程度", "person", options=choices.EDUCATION),
    SheetColumn("schooling", "在校生状况", "person", options=choices.SCHOOLING),
    SheetColumn("health", "健康状况", "person", options=choices.HEALTH, multiple=True),
    SheetColumn("labour_skill", "劳动技能", "person", options=choices.LABOUR_SKILL, width=16),
    SheetColumn("hukou_status", "户籍状态", "person", options=choices.HUKOU, width=22),
    SheetColumn("phone", "联系电话", "person", width=14),
    SheetColumn(
        "medical_insurance",
        "医疗保险",
        "person",
        options=choices.MEDICAL_INSURANCE,
        multiple=True,
        width=22,
    ),
    SheetColumn(
        "pension_insurance",
        "养老保险",
        "person",
        options=choices.PENSION_INSURANCE,
        multiple=True,
        width=18,
    ),
]
BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED = [c for c in COLUMNS if c.required]
HOUSEHOLD_KEYS = [c.key for c in COLUMNS if c.level == "household" and c.key != "number"]

# Header spellings seen in county sheets, mapped to our labels.
HEADER_ALIASES = {
    "户号": "户编号",
    "家庭编号": "户编号",
    "户主编号": "户编号",
    "证件号码": "身份证号",
    "身份证号码": "身份证号",
    "公民身份号码": "身份证号",
    "与户主的关系": "与户主关系",
    "关系": "与户主关系",
    "安置点名称": "安置点",
    "户属性": "户类型",
    "搬迁类型": "户类型",
    "入住时间": "入住日期",
    "楼号": "楼栋",
    "楼栋号": "楼栋",
    "单元号": "单元",
    "门牌号": "房号",
    "兜底": "兜底保障",
    "是否兜底保障": "兜底保障",
    "电话": "联系电话",
    "手机号": "联系电话",
    "手机号码": "联系电话",
    "户籍": "户籍状态",
    "户口状态": "户籍状态",
    "学历": "文化程度",
    "在校情况": "在校生状况",
    "健康": "健康状况",
    "劳动能力": "劳动技能",
    "户联系方式": "户联系电话",
    "住房面积（㎡）": "住房面积",
    "住房面积(㎡)": "住房面积",
    "迁出镇": "迁出乡镇",
}
