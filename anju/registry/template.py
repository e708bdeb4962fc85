"""The downloadable import template: the sheet's columns with a drop-down list for every
enumeration, a 说明 sheet (how to fill it in, with an example row), and the hidden option lists."""

from __future__ import annotations

import io
from urllib.parse import quote

import xlsxwriter
from django.http import HttpResponse
from xlsxwriter.utility import xl_col_to_name

from .columns import COLUMNS
from .sheetio import HEADER_SEARCH_ROWS

ROWS_WITH_LISTS = 5000

# One household of three, as it would be typed (identity numbers are valid but fictitious).
EXAMPLE = [
    {
        "number": "QJ0001",
        "name": "王大山",
        "id_number": "612731197003120113",
        "relation": "户主",
        "sex": "男",
        "birth_date": "1970-03-12",
        "site": "下七里湾集中安置点",
        "category": "搬迁脱贫户",
        "settlement": "集中安置",
        "origin_town": "折家坪镇",
        "origin_village": "冯家沟村",
        "building": "3号楼",
        "unit_no": "1",
        "room_no": "101",
        "move_in_date": "2019-08-20",
        "dwelling_area": "75",
        "household_phone": "13800000001",
        "ethnicity": "汉族",
        "political_status": "群众",
        "education": "初中",
        "schooling": "非在校生",
        "health": "健康",
        "labour_skill": "普通劳动力",
        "hukou_status": "已迁入安置地",
        "medical_insurance": "城乡居民基本医疗保险",
        "pension_insurance": "城乡居民养老保险",
    },
]

RULES = [
    "一人一行：同一户的每个成员各占一行，户编号、安置点、楼栋、房号等户信息在每行重复填写，且必须一致。",
    "必填列：户编号、姓名、身份证号、与户主关系（表头中标为橙色）。每户须有且只有一名“户主”。",
    "身份证号一列已设为“文本”格式，请勿改成“常规”或“数值”：18 位数字存成数值会被 Excel 四舍五入，"
    "无法还原，系统会拒绝这样的文件。",
    "性别、出生日期可不填，由身份证号推出；填写时须与身份证号一致。",
    "带下拉箭头的列请从下拉列表中选择；健康状况、医疗保险、养老保险可填多项，用“、”分隔。",
    "集中安置户填写安置点（须是您管辖范围内的安置点名称）；分散安置户填写安置点或迁入村（社区）。",
    "日期可写 2019-08-20、2019/8/20、2019年8月20日 或 2019.08。",
    f"表头上方可以保留标题行（系统在前 {HEADER_SEARCH_ROWS} 行中查找表头）。系统依次查看每个可见的"
    "工作表，读取第一个含表头的工作表，即“台账”；本说明页不会被导入。",
    "全部通过校验才会写入；有任何错误，整份文件都不导入，并一次列出全部错误和标注了错误的文件。"
    "有警告（例如地区码在出生年份尚未启用的身份证号）时，须核对后点击“确认导入”。",
    "重复导入同一文件不会产生变化；修改后的文件只更新改动的行。在搬迁户台账页面用"
    "“导出（含完整证件号）”导出的文件可以修改后直接导回；普通导出的身份证号已脱敏，不能导入。",
]


def build() -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("台账")
    guide = book.add_worksheet("说明")
    lists = book.add_worksheet("选项")
    title = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True})
    required = book.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1})
    text = book.add_format({"num_format": "@"})
    example = book.add_format({"num_format": "@", "font_color": "#595959", "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet.merge_range(0, 0, 0, 8, "易地扶贫搬迁后续扶持台账（导入模板，一人一行）", title)
    for col, column in enumerate(COLUMNS):
        sheet.write_string(1, col, column.label, required if column.required else head)
        sheet.set_column(col, col, column.width, text)
        note = ("必填。" if column.required else "") + column.note
        if column.multiple:
            note += "可填多项，用“、”分隔。"
        if note:
            sheet.write_comment(1, col, note)
        if not column.options:
            continue
        lists.write_string(0, col, column.label)
        for r, option in enumerate(column.options, start=1):
            lists.write_string(r, col, option)
        letter = xl_col_to_name(col)
        rule = {
            "validate": "list",
            "source": f"=选项!${letter}$2:${letter}${len(column.options) + 1}",
            "error_title": "无效的值",
            "error_message": f"请从下拉列表中选择{column.label}。",
        }
        if column.multiple:
            # A list offers one value; several are typed with 、 — so only a reminder, no refusal.
            rule.update(
                error_type="information",
                error_message=f"{column.label}可填多项，用“、”分隔，每项须是下拉列表中的值。",
            )
        sheet.data_validation(2, col, ROWS_WITH_LISTS, col, rule)
    sheet.freeze_panes(2, 3)

    guide.set_column(0, 0, 16)
    guide.set_column(1, 1, 24)
    guide.set_column(2, 2, 70, wrap)
    guide.write_string(0, 0, "填写说明", title)
    for r, rule in enumerate(RULES, start=1):
        guide.write_string(r, 0, f"{r}. {rule}")
    # The example is laid out one column per line (列 | 示例 | 填写要求), so that this sheet is
    # never taken for the ledger: it carries no header row.
    start = len(RULES) + 2
    guide.write_string(start, 0, "示例：一户的户主（请在“台账”页填写，本页不会被导入）", title)
    for c, label in enumerate(("列", "示例", "填写要求")):
        guide.write_string(start + 1, c, label, head)
    for r, column in enumerate(COLUMNS, start=start + 2):
        guide.write_string(r, 0, column.label, required if column.required else head)
        guide.write_string(r, 1, EXAMPLE[0].get(column.key, ""), example)
        hint = ("必填。" if column.required else "") + column.note
        if column.options:
            shown = "、".join(column.options[:8]) + ("……" if len(column.options) > 8 else "")
            hint += ("可多选：" if column.multiple else "从下拉列表选择：") + shown
        guide.write_string(r, 2, hint, wrap)
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
