"""Quarters as explicit periods ("2026-Q4"), like months in ``anju.core.periods``: a workshop's
monitoring is kept per quarter (《石城县2022年强化易地扶贫搬迁后续扶持工作的实施方案》责任清单第17项:
每季度进行一次监测，每季度最后一个月前)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

NUMBERS = "一二三四"


def of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def current() -> str:
    """This quarter in Asia/Shanghai."""
    return of(timezone.localdate())


def parse(text: str, field: str = "period") -> str:
    """``2026-Q4`` (also ``2026Q4``, ``2026-4``, ``2026年第4季度``, ``2026年第四季度``)."""
    raw = (text or "").strip()
    match = re.fullmatch(r"(\d{4})\s*[-/年]?\s*(?:[Qq]|第)?\s*([1-4一二三四])\s*(?:季度)?", raw)
    if not match:
        raise ValidationError({field: f"季度应写作 2026-Q4 这样的格式，收到「{raw}」。"})
    number = match.group(2)
    number = str(NUMBERS.index(number) + 1) if number in NUMBERS else number
    return f"{match.group(1)}-Q{number}"


def bounds(period: str) -> tuple[date, date]:
    """The first and the last day of the quarter."""
    year, number = int(period[:4]), int(period[-1])
    first = date(year, 3 * number - 2, 1)
    following = date(year + (number == 4), (3 * number) % 12 + 1, 1)
    return first, following - timedelta(days=1)


def due(period: str) -> date:
    """每季度最后一个月前: the record is due before the quarter's last month begins."""
    year, number = int(period[:4]), int(period[-1])
    return date(year, 3 * number, 1)


def label(period: str) -> str:
    return f"{period[:4]}年第{NUMBERS[int(period[-1]) - 1]}季度"


def from_request(request, name: str = "period") -> str:
    """The quarter a page asks for (``?period=2026-Q3``); this quarter when absent or mistyped."""
    try:
        return parse(request.GET.get(name) or current())
    except ValidationError:
        return current()
