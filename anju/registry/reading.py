"""Reading government sheets: .xlsx, .xls and .csv (UTF-8 or GB18030), header found by its labels."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from python_calamine import CalamineWorkbook

from .columns import BY_KEY, COLUMNS, HEADER_ALIASES, REQUIRED
from .normalize import text

HEADER_SEARCH_ROWS = 30


class FileError(ValueError):
    """The file as a whole cannot be read: wrong type, no header, unknown encoding."""


def _csv_rows(path: Path) -> Iterator[list]:
    with open(path, "rb") as handle:
        head = handle.read(1 << 16)
    encoding = "utf-8-sig"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A cut multi-byte character at the end of the sample is not a wrong guess.
        if exc.start < len(head) - 4:
            encoding = "gb18030"
    try:
        with open(path, encoding=encoding, newline="") as handle:
            yield from csv.reader(handle)
    except UnicodeDecodeError:
        raise FileError(
            "无法识别 CSV 文件的编码：请另存为 UTF-8 或 GB18030（Excel 的“CSV”）"
        ) from None


def _sheet_rows(path: Path) -> Iterator[list]:
    try:
        book = CalamineWorkbook.from_path(str(path))
        sheet = book.get_sheet_by_index(0)
    except Exception:  # calamine raises several kinds for an unreadable workbook
        raise FileError(
            "无法读取该 Excel 文件：文件可能已损坏、加了密码，或并非 Excel 文件"
        ) from None
    # Rows before the sheet's first used row still count for the row numbers people see.
    start = sheet.start[0] if sheet.start else 0
    for _ in range(start):
        yield []
    yield from sheet.iter_rows()


def read_rows(path: str | Path, filename: str = "") -> Iterator[list]:
    """Every row of the first sheet, cells as calamine gives them (str, float, date …)."""
    path = Path(path)
    suffix = Path(filename or path.name).suffix.lower()
    if suffix == ".csv":
        return _csv_rows(path)
    if suffix in (".xlsx", ".xls", ".xlsm"):
        return _sheet_rows(path)
    raise FileError("只支持 .xlsx、.xls 和 .csv 文件")


def _fold(label: str) -> str:
    """A header label as compared: full-width forms folded (（ → (), no spaces or stars."""
    return text(label).replace("\n", "").replace(" ", "").strip("*")


_ALIASES = {_fold(k): _fold(v) for k, v in HEADER_ALIASES.items()}


def _label(cell) -> str:
    label = _fold(cell)
    return _ALIASES.get(label, label)


def find_header(rows: Iterator[list]) -> tuple[int, dict[str, int], list[str]]:
    """The row (1-based) whose cells carry the required labels, and column index per key.

    Title rows and merged cells above the header are skipped: the header is recognised by its
    labels, wherever it is in the first rows.
    """
    labels = {_fold(c.label): c.key for c in COLUMNS}
    for number, row in enumerate(rows, start=1):
        seen = [_label(cell) for cell in row]
        if all(_fold(c.label) in seen for c in REQUIRED):
            positions = {}
            for index, label in enumerate(seen):
                key = labels.get(label)
                if key and key not in positions:
                    positions[key] = index
            return number, positions, [text(c) for c in row]
        if number >= HEADER_SEARCH_ROWS:
            break
    names = "、".join(c.label for c in REQUIRED)
    raise FileError(f"在前 {HEADER_SEARCH_ROWS} 行中没有找到表头：表头须包含 {names} 列")


def column_label(key: str) -> str:
    return BY_KEY[key].label
