from celery import shared_task

from . import services


@shared_task(name="employment.match_nightly")
def match_nightly(top: int = services.TOP_DEFAULT) -> dict:
    """Every night, the batch recommendations over every site (CELERY_BEAT_SCHEDULE): a posting
    published or a wish changed today is in tomorrow's batch."""
    batch = services.refresh_recommendations(None, top=top)
    return {"batch_on": str(batch.batch_on), "seekers": batch.seekers, "rows": batch.rows}
