"""Building registry workbooks the way county staff send them: a title row, merged cells above
the header, then one row per person."""

from __future__ import annotations

import csv
from pathlib import Path

import xlsxwriter
from stdnum.cn import ric

HEADER = [
    "户编号",
    "姓名",
    "身份证号",
    "与户主关系",
    "安置点",
    "户类型",
    "安置方式",
    "迁出乡镇",
    "迁出村",
    "楼栋",
    "单元",
    "房号",
    "入住日期",
    "兜底保障",
    "户联系电话",
    "民族",
    "文化程度",
    "在校生状况",
    "健康状况",
    "劳动技能",
    "户籍状态",
    "联系电话",
    "医疗保险",
    "养老保险",
]


def make_id(birth: str, seq: int, region: str = "") -> str:
    """A valid identity number; odd sequence = male. 清涧县 was 612731 until 1999, then 610830."""
    region = region or ("612731" if int(birth[:4]) < 1999 else "610830")
    body = f"{region}{birth}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")  # the function ignores the last character


def person(number, name, pid, relation="户主", site="甲安置点", **extra) -> dict:
    row = {
        "户编号": number,
        "姓名": name,
        "身份证号": pid,
        "与户主关系": relation,
        "安置点": site,
        "户类型": "搬迁脱贫户",
        "安置方式": "集中",
        "迁出乡镇": "折家坪镇",
        "迁出村": "冯家沟村",
        "楼栋": "甲楼",
        "单元": "1",
        "房号": "101",
        "入住日期": "2019-08-20",
        "兜底保障": "",
        "户联系电话": "13800000001",
        "民族": "汉族",
        "文化程度": "初中",
        "在校生状况": "非在校生",
        "健康状况": "健康",
        "劳动技能": "普通劳动力",
        "户籍状态": "已迁入安置地",
        "联系电话": "",
        "医疗保险": "城乡居民基本医疗保险",
        "养老保险": "城乡居民养老保险",
    }
    row.update(extra)
    return row


def family(number="QJ0001", site="甲安置点", **extra) -> list[dict]:
    return [
        person(number, "王大山", make_id("19700312", 11), site=site, **extra),
        person(number, "李秀英", make_id("19720506", 22), "配偶", site=site, **extra),
        person(
            number,
            "王小明",
            make_id("20100901", 31),
            "之子",
            site=site,
            文化程度="小学",
            在校生状况="小学",
            劳动技能="无劳动力",
            **extra,
        ),
    ]


def write_xlsx(
    path: Path, rows: list[dict], header=HEADER, title="清涧县易地扶贫搬迁后续扶持台账"
) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("台账")
    sheet.merge_range(0, 0, 0, len(header) - 1, title)
    sheet.merge_range(1, 0, 1, 5, "填报单位：甲镇（盖章）")
    for col, label in enumerate(header):
        sheet.write_string(2, col, label)
    for r, row in enumerate(rows, start=3):
        for col, label in enumerate(header):
            value = row.get(label, "")
            if isinstance(value, int | float):
                sheet.write_number(r, col, value)
            else:
                sheet.write_string(r, col, str(value))
    book.close()
    return path


def write_csv(path: Path, rows: list[dict], encoding="utf-8-sig", header=HEADER) -> Path:
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["清涧县易地扶贫搬迁后续扶持台账"])
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(label, "") for label in header])
    return path
