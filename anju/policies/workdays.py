"""The Chinese working-day calendar: deadlines ("次月3日前", "15 个工作日内") move by it.

A day is a working day by, in order: a day an administrator added (``WorkdayOverride``), the
``chinese-calendar`` package (statutory holidays and 调休 weekend workdays it knows), and for a
year neither knows, Monday to Friday. ``unknown_years`` tells the page which years still need
their holidays entered.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

from .models import WorkdayOverride


def _overrides(start: date, end: date) -> dict[date, bool]:
    return dict(
        WorkdayOverride.objects.filter(day__range=(start, end)).values_list("day", "is_workday")
    )


@lru_cache(maxsize=4096)
def _package_knows(day: date) -> bool | None:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def known_by_package(year: int) -> bool:
    return _package_knows(date(year, 6, 1)) is not None


def _is_workday(day: date, overrides: dict[date, bool]) -> bool:
    if day in overrides:
        return overrides[day]
    known = _package_knows(day)
    return known if known is not None else day.weekday() < 5


def is_workday(day: date) -> bool:
    return _is_workday(day, _overrides(day, day))


def on_or_after(day: date) -> date:
    """The day itself if it is a working day, else the next working day: a due date that falls
    on a holiday moves to the first working day after it."""
    overrides = _overrides(day, day + timedelta(days=40))
    while not _is_workday(day, overrides):
        day += timedelta(days=1)
    return day


def add(day: date, workdays: int) -> date:
    """The ``workdays``-th working day after ``day`` (``day`` itself not counted)."""
    overrides = _overrides(day, day + timedelta(days=workdays * 2 + 40))
    while workdays > 0:
        day += timedelta(days=1)
        if _is_workday(day, overrides):
            workdays -= 1
    return day


def unknown_years(around: date) -> list[int]:
    """This year and next, where neither the package nor an administrator has entered any
    holiday: deadlines there fall back to Monday–Friday and may be wrong around festivals."""
    years = []
    for year in (around.year, around.year + 1):
        if known_by_package(year):
            continue
        if not WorkdayOverride.objects.filter(day__year=year).exists():
            years.append(year)
    return years


def count(first: date, before: date) -> int:
    """The working days from ``first`` up to the day before ``before`` (``first`` counts when it
    is a working day): how far ahead of a start something was done ("开班前 10 个工作日备案")."""
    if before <= first:
        return 0
    overrides = _overrides(first, before)
    days = (before - first).days
    return sum(_is_workday(first + timedelta(days=n), overrides) for n in range(days))
