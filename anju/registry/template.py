"""The downloadable import template: the sheet's columns, a drop-down list for every enumeration."""

from __future__ import annotations

import io
from urllib.parse import quote

import xlsxwriter
from django.http import HttpResponse
from xlsxwriter.utility import xl_col_to_name

from .columns import COLUMNS

ROWS_WITH_LISTS = 5000


def build() -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("台账")
    lists = book.add_worksheet("选项")
    title = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True})
    required = book.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1})
    text = book.add_format({"num_format": "@"})
    sheet.merge_range(0, 0, 0, 8, "易地扶贫搬迁后续扶持台账（导入模板，一人一行）", title)
    for col, column in enumerate(COLUMNS):
        sheet.write_string(1, col, column.label, required if column.required else head)
        sheet.set_column(col, col, column.width, text)
        note = ("必填。" if column.required else "") + column.note
        if column.multiple:
            note += "可填多项，用“、”分隔。"
        if note:
            sheet.write_comment(1, col, note)
        if column.options and not column.multiple:
            lists.write_string(0, col, column.label)
            for r, option in enumerate(column.options, start=1):
                lists.write_string(r, col, option)
            letter = xl_col_to_name(col)
            sheet.data_validation(
                2,
                col,
                ROWS_WITH_LISTS,
                col,
                {
                    "validate": "list",
                    "source": f"=选项!${letter}$2:${letter}${len(column.options) + 1}",
                    "error_title": "无效的值",
                    "error_message": f"请从下拉列表中选择{column.label}。",
                },
            )
    sheet.freeze_panes(2, 3)
    lists.hide()
    book.close()
    return buffer.getvalue()


def response() -> HttpResponse:
    reply = HttpResponse(
        build(), content_type=("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    )
    reply["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote('后续扶持台账导入模板.xlsx')}"
    )
    return reply
