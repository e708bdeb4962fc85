from celery import shared_task

from anju.core import periods

from . import scan


@shared_task(name="monitoring.scan_nightly")
def scan_nightly(period: str | None = None) -> dict:
    """Every night, the month's scan over everything (CELERY_BEAT_SCHEDULE). 部门 data is
    compared by the 25th (《石城县2022年强化易地扶贫搬迁后续扶持工作的实施方案》责任清单); scanning each
    night puts a signal in front of the staff the day after it arrives, and a night with
    nothing new writes nothing."""
    outcome = scan.scan(period or periods.current())
    return {"period": outcome.period, "warnings": outcome.warnings, "signals": outcome.signals}


@shared_task(name="monitoring.freeze_ledger")
def freeze_ledger() -> list[str]:
    """Each morning: freeze last month's 监测帮扶台账 once its day (the 3rd, or the next working
    day) has come."""
    from . import frozen

    return frozen.freeze_due()
