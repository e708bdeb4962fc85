"""A household that moves (its site or village changes, by hand or by an import) takes its
monitoring rows along: the incomes, the self-report card, the leads, the department signals, the
warnings with their signals, steps and measures now sit under the new place, where its staff run
the loop (a lead is followed up where the household lives, 《石城县2022年强化易地扶贫搬迁后续扶持
工作的实施方案》第3条: 分散安置的由迁入地所在村（社区）开展每月回访).

Two kinds of row stay where they were: a visit counts for the place it was made in (coverage),
and a frozen month's ledger is a snapshot of where the household was then.
"""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from anju.registry.models import Household

from .models import Income, Lead, Measure, ReportCard, Signal, Step, Warning, WarningSignal

FOLLOW = [Income, ReportCard, Lead, Signal, Warning, WarningSignal]
BY_WARNING = [Step, Measure]
CHUNK = 500  # ids per statement: SQLite's limit on parameters, and short statements


def follow(sender=None, *, household_ids, **kwargs) -> int:
    """Set-based: one UPDATE per model and chunk, touching only rows whose path differs."""
    ids = list(household_ids)
    changed = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        home = Household.objects.filter(pk=OuterRef("household_id")).values("path")[:1]
        for model in FOLLOW:
            rows = model._base_manager.filter(household_id__in=chunk)
            changed += rows.exclude(path=Subquery(home)).update(path=Subquery(home))
        warning_path = Warning._base_manager.filter(pk=OuterRef("warning_id")).values("path")[:1]
        for model in BY_WARNING:
            rows = model._base_manager.filter(warning__household_id__in=chunk)
            changed += rows.exclude(path=Subquery(warning_path)).update(
                path=Subquery(warning_path)
            )
    return changed
