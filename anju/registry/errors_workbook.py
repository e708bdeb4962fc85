"""The user's own workbook, back to them with an error column, so they can fix it in Excel."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import xlsxwriter

from anju.core.xlsx import neutralise

from .reading import read_rows


def write_error_copy(source: Path, filename: str, errors, header_row: int, target: Path) -> Path:
    by_row: dict[int, list[str]] = defaultdict(list)
    for e in errors:
        by_row[e.row].append(f"{e.column}：{e.message}" + (f"（{e.value}）" if e.value else ""))
    target.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(target), {"constant_memory": True})
    sheet = book.add_worksheet("导入错误")
    red = book.add_format({"font_color": "#C00000", "bold": True})
    bold = book.add_format({"bold": True})
    rows = list(read_rows(source, filename)) if not by_row.get(0) else []
    width = max((len(cells) for cells in rows), default=0)
    for index, cells in enumerate(rows, start=1):
        for col, value in enumerate(cells):
            if isinstance(value, datetime | date):
                value = value.isoformat()
            if isinstance(value, str):
                sheet.write_string(index - 1, col, neutralise(value))
            elif value is not None:
                sheet.write(index - 1, col, value)
        if index == header_row:
            sheet.write_string(index - 1, width, "错误说明", bold)
        elif index in by_row:
            sheet.write_string(index - 1, width, "；".join(by_row[index]), red)
    sheet.set_column(width, width, 60)
    book.close()
    return target
