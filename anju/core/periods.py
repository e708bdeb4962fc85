"""Months as explicit periods ("2026-11"), in the platform's time zone (Asia/Shanghai)."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def current() -> str:
    """This month in Asia/Shanghai (TIME_ZONE), whatever the server's clock zone."""
    return timezone.localdate().strftime("%Y-%m")


def parse(text: str, field: str = "月份") -> str:
    """A period typed by a user or a program: ``2026-11`` (``2026-1`` and ``202611`` accepted)."""
    text = (text or "").strip()
    match = re.fullmatch(r"(\d{4})[-/年]?(\d{1,2})月?", text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValidationError({field: f"月份应写作 2026-11 这样的格式，收到「{text}」。"})
    return f"{match.group(1)}-{int(match.group(2)):02d}"


def bounds(period: str) -> tuple[date, date]:
    """The first and last day of the period."""
    year, month = (int(p) for p in period.split("-"))
    first = date(year, month, 1)
    last = date(year + (month == 12), month % 12 + 1, 1).toordinal() - 1
    return first, date.fromordinal(last)


def label(period: str) -> str:
    year, month = period.split("-")
    return f"{year}年{int(month)}月"


def from_request(request, name: str = "period") -> str:
    """The month a page asks for (``?period=2026-10``); this month when absent or mistyped."""
    try:
        return parse(request.GET.get(name) or current())
    except ValidationError:
        return current()


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, on the month's last day when it has no such day
    (31 August + 6 months → 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = bounds(f"{year}-{month + 1:02d}")[1].day
    return date(year, month + 1, min(day.day, last))
