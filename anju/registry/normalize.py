"""Turning what people type into Excel into clean values, or a Chinese reason why not.

Each parser takes the raw cell (str, number, date or None) and returns the clean value, or raises
:class:`CellError` with the message the user will read next to the row and column.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

from . import choices

EXCEL_EPOCH = date(1899, 12, 30)
_SPACES = re.compile(r"[\s\u3000\u00a0]+")
_SPLIT = re.compile(r"[、,，;；/|\s]+")


class CellError(ValueError):
    pass


def text(raw) -> str:
    """Full-width forms folded (ＡＢ１２ → AB12), surrounding spaces gone, and the apostrophe our
    exports put before a value starting with = + - @ (so Excel never runs it) taken off again."""
    if raw is None or raw == "":
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    value = raw if isinstance(raw, str) else str(raw)
    if value.startswith("'") and value[1:2] in NEUTRALISED:
        value = value[1:]
    if not value.isascii():
        value = unicodedata.normalize("NFKC", value)
    return value.strip()


# What anju.core.xlsx.neutralise puts an apostrophe before (kept here: normalize imports no app).
NEUTRALISED = ("=", "+", "-", "@", "\t", "\r", "'")
_SCIENTIFIC = re.compile(r"\d(\.\d+)?[eE]\+?\d+")


def is_number_cell(raw) -> bool:
    """A cell Excel stored as a number (or a CSV that Excel wrote as 6.1273E+17): an identity
    number in it has lost its last digits to the float and must be typed again as text."""
    if isinstance(raw, bool):
        return False
    if isinstance(raw, int | float):
        return True
    return isinstance(raw, str) and bool(_SCIENTIFIC.fullmatch(raw.strip()))


def id_number_cell(raw, *, strict_region: bool = True) -> str:
    """An identity number from a cell of another department's file (a feed, the national
    system's sheets): a number cell is refused with how to fix it, the rest as ``id_number``."""
    if is_number_cell(raw):
        raise CellError(
            "身份证号是数字单元格（Excel 显示为 6.12730E+17 这样的科学计数），已被四舍五入、"
            "无法还原：请把该列设置为“文本”格式，再重新输入"
        )
    return id_number(raw, strict_region=strict_region)


def compact(raw) -> str:
    """Text with every space removed (identity numbers, phones, codes)."""
    value = text(raw)
    return "".join(value.split()) if value and not value.isalnum() else value


def id_number(raw, *, strict_region: bool = True) -> str:
    """A checked identity number. ``strict_region=False`` leaves the region code's period to
    :func:`region_in_use`, for callers that warn instead of refusing."""
    # An apostrophe typed to keep Excel from turning the number into 6.12730E+17 is no digit.
    value = compact(raw).upper().lstrip("'")
    if not value:
        raise CellError("身份证号不能为空")
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise CellError("身份证号应为 18 位（最后一位可为 X）")
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise CellError("身份证号中的出生日期无效") from None
    if birth > date.today():
        raise CellError("身份证号中的出生日期无效")
    if value[-1] != ric.calc_check_digit(value):
        raise CellError("身份证号校验位不正确")
    status = region_status(value)
    if status == "unknown":
        raise CellError("身份证号前 6 位地区码无效")
    if strict_region and status != "ok":
        raise CellError("身份证号前 6 位地区码在出生年份尚未启用（或已停用）")
    return value


def region_in_use(value: str) -> bool:
    return region_status(value) == "ok"


def region_status(value: str) -> str:
    """ "ok", "unknown" (no such region code), or "not_in_use" in the birth year. Numbers of the
    last kind are genuine too (late registration, numbers re-issued after a code change)."""
    key = (value[:6], int(value[6:10]))
    known = _PLACES.get(key)
    if known is None:
        # stdnum's full check (region code in use in the birth year) once per region and year:
        # it looks the code up in a table, too slow to repeat for every row of a large sheet.
        if not _region_exists(value[:6]):
            known = "unknown"
        else:
            try:
                ric.validate(value)
                known = "ok"
            except (InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength):
                known = "not_in_use"
        _PLACES[key] = known
    return known


def _region_exists(code: str) -> bool:
    from stdnum import numdb

    return any("county" in props for _, props in numdb.get("cn/loc").info(code))


_PLACES: dict[tuple[str, int], str] = {}


def birth_date_of(number: str) -> date:
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def sex_of(number: str) -> str:
    return choices.Sex.MALE if int(number[16]) % 2 else choices.Sex.FEMALE


def parse_date(raw) -> date | None:
    """Excel serials, date cells and 2019-08-20 / 2019/8/20 / 2019年8月20日 / 2019.08 / 20190820."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, int | float):
        if 1 <= raw < 2958466:
            return EXCEL_EPOCH + timedelta(days=int(raw))
        raise CellError("日期数值超出 Excel 日期范围")
    value = compact(raw)
    if not value:
        return None
    if re.fullmatch(r"\d+(\.0+)?", value) and 20000 <= float(value) < 80000:
        return EXCEL_EPOCH + timedelta(days=int(float(value)))
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?", value) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})", value
    )
    if not m:
        raise CellError("日期格式应为 2019-08-20、2019/8/20、2019年8月20日 或 2019.08")
    year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError("日期不存在") from None


def decimal(raw, *, places: int = 2) -> Decimal | None:
    value = compact(raw).replace(",", "").removesuffix("㎡").removesuffix("平方米")
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise CellError("应为数字") from None
    if not number.is_finite() or number < 0:
        raise CellError("应为不小于 0 的数字")
    if number >= 100000:
        raise CellError("数值过大（不能超过 99999.99）")
    return number.quantize(Decimal(1).scaleb(-places))


def phone(raw) -> str:
    value = compact(raw).replace("-", "")
    if not value:
        return ""
    if value.startswith("+86"):
        value = value[3:]
    if not re.fullmatch(r"1\d{10}|0\d{9,11}|\d{7,8}", value):
        raise CellError("联系电话应为 11 位手机号或带区号的固定电话")
    return value


def choice(raw, labels, *, alias_group: str = "", what: str = "") -> str:
    """One value of an enumeration, by its label or an everyday alias."""
    value = compact(raw)
    if not value:
        return ""
    if value in labels:
        return value
    mapped = choices.ALIASES.get(alias_group, {}).get(value)
    if mapped:
        return mapped
    shown = "、".join(labels) if len(labels) <= 12 else "、".join(labels[:12]) + "……"
    raise CellError(f"「{value}」不是有效的{what}，可选：{shown}")


def many(raw, labels, *, alias_group: str = "", what: str = "") -> list[str]:
    """Several values of an enumeration in one cell, separated by 、 , ; / or spaces."""
    value = text(raw)
    if not value:
        return []
    picked = []
    for part in _SPLIT.split(value):
        if part:
            item = choice(part, labels, alias_group=alias_group, what=what)
            if item and item not in picked:
                picked.append(item)
    return picked


@lru_cache(maxsize=32)
def _codes(enum) -> tuple[list[str], dict[str, str]]:
    return [label for _, label in enum.choices], {label: code for code, label in enum.choices}


def coded_choice(raw, enum, *, alias_group: str, what: str, blank_ok: bool = False) -> str:
    """An enumeration stored as a code (category, settlement, safety net), typed as its label."""
    labels, codes = _codes(enum)
    value = compact(raw)
    if not value and blank_ok:
        return ""
    if not value:
        raise CellError(f"{what}不能为空")
    return codes[choice(value, labels, alias_group=alias_group, what=what)]
