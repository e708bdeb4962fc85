"""A household that moves (its site or village changes, by hand or by an import) takes its
monitoring rows along: the incomes, the self-report card, the leads, the department signals, the
warnings with their signals, steps and measures now sit under the new place, where its staff run
the loop (a lead is followed up where the household lives, 《石城县2022年强化易地扶贫搬迁后续扶持
工作的实施方案》第3条: 分散安置的由迁入地所在村（社区）开展每月回访).

Two kinds of row stay where they were: a visit counts for the place it was made in (coverage),
and a frozen month's ledger is a snapshot of where the household was then.
"""

from __future__ import annotations

from anju.registry.signals import follow as rows_follow

from .models import Income, Lead, Measure, ReportCard, Signal, Step, Warning, WarningSignal

FOLLOW = [Income, ReportCard, Lead, Signal, Warning, WarningSignal]
BY_WARNING = [Step, Measure]


def follow(sender=None, *, household_ids, **kwargs) -> int:
    ids = list(household_ids)
    # The warnings first: their steps and measures take the warning's new path.
    return rows_follow(FOLLOW, ids) + rows_follow(BY_WARNING, ids, via="warning")
