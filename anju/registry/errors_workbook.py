"""The user's own workbook, back to them with an error column, so they can fix it in Excel."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import xlsxwriter

from anju.core.xlsx import neutralise

from .reading import FileError, read_sheet


def write_error_copy(source: Path, filename: str, errors, header_row: int, target: Path) -> Path:
    """The sheet that was read (title rows, header, data rows: only the header's columns) with
    the errors of each row in a column on the right. Read through the same guarded reader."""
    by_row: dict[int, list[str]] = defaultdict(list)
    for e in errors:
        by_row[e.row].append(f"{e.column}：{e.message}" + (f"（{e.value}）" if e.value else ""))
    try:
        sheet = read_sheet(source, filename)
    except FileError:
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(target), {"constant_memory": True})
    ws = book.add_worksheet("导入错误")
    red = book.add_format({"font_color": "#C00000", "bold": True})
    bold = book.add_format({"bold": True})
    width = len(sheet.labels)
    rows = [*sheet.prelude, (sheet.header_row, None), *sheet.rows]
    for number, cells in rows:
        if cells is None:
            for col, label in enumerate(sheet.labels):
                ws.write_string(number - 1, col, label)
            ws.write_string(number - 1, width, "错误说明", bold)
            continue
        for col, value in enumerate(cells[:width]):
            if isinstance(value, datetime | date):
                value = value.isoformat()
            if isinstance(value, str):
                ws.write_string(number - 1, col, neutralise(value))
            elif value is not None:
                ws.write(number - 1, col, value)
        if number in by_row:
            ws.write_string(number - 1, width, "；".join(by_row[number]), red)
    ws.set_column(width, width, 60)
    book.close()
    return target
