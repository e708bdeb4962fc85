from celery import shared_task
from django.utils import timezone

from anju.core import periods

from . import monthly, services


@shared_task(name="employment.rollup_nightly")
def rollup_nightly() -> list[str]:
    """Every night, the month under way; on the 1st also the month just closed, so it keeps
    the figures of its last day."""
    today = timezone.localdate()
    months = monthly.last_months(periods.current(), 2 if today.day == 1 else 1)
    for month in months:
        monthly.compute(month)
    return months


@shared_task(name="employment.match_nightly")
def match_nightly(top: int = services.TOP_DEFAULT) -> dict:
    """Every night, the batch recommendations over every site (CELERY_BEAT_SCHEDULE): a posting
    published or a wish changed today is in tomorrow's batch."""
    batch = services.refresh_recommendations(None, top=top)
    return {"batch_on": str(batch.batch_on), "seekers": batch.seekers, "rows": batch.rows}
