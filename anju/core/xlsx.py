"""Excel export: one streaming writer for every ledger, with formula injection neutralised."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from urllib.parse import quote

import xlsxwriter
from django.http import FileResponse
from django.utils import timezone

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A cell typed by a user must never become a formula in the reader's Excel.

    A value that itself starts with an apostrophe gets one more, so that the import can take
    exactly one apostrophe off whatever follows (an exported ledger imports back unchanged)."""
    if isinstance(value, str) and value.startswith((*FORMULA_PREFIXES, "'")):
        return "'" + value
    return value


def _cell(value):
    if isinstance(value, datetime):
        return (
            timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
            if timezone.is_aware(value)
            else value.strftime("%Y-%m-%d %H:%M:%S")
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return neutralise(value) if isinstance(value, str) else value


def write_book(handle, sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]) -> None:
    """Write (name, headers, rows) sheets to ``handle`` in constant memory."""
    book = xlsxwriter.Workbook(handle, {"constant_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    for sheet, headers, rows in sheets:
        ws = book.add_worksheet(sheet[:31])
        for col, title in enumerate(headers):
            ws.write_string(0, col, title, bold)
            ws.set_column(col, col, max(10, min(40, len(title) * 2 + 4)))
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                value = _cell(value)
                if isinstance(value, str):
                    ws.write_string(r, c, value)
                else:
                    ws.write(r, c, value)
        ws.freeze_panes(1, 0)
    book.close()


def book_response(filename: str, sheets) -> FileResponse:
    """A workbook of several sheets, written to a temporary file and streamed back."""
    # The file outlives this function: FileResponse streams it and closes it when done.
    handle = tempfile.TemporaryFile()  # noqa: SIM115
    write_book(handle, sheets)
    handle.seek(0)
    response = FileResponse(
        handle,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def xlsx_response(
    filename: str, sheet: str, headers: Sequence[str], rows: Iterable[Sequence]
) -> FileResponse:
    """One sheet of rows, streamed back."""
    return book_response(filename, [(sheet, headers, rows)])
