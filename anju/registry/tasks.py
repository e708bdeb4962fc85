from celery import shared_task

from . import quality, services


@shared_task(name="registry.import_batch")
def import_batch(batch_id: int) -> str:
    batch = services.run_batch(batch_id)
    quality.enqueue_after_import(batch)  # the data quality checks for the importer's unit
    return batch.status


@shared_task(name="registry.quality_run")
def run_quality(run_id: int) -> str:
    return quality.execute(run_id).status


@shared_task(name="registry.quality_nightly")
def quality_nightly() -> str:
    """The nightly run over everything (CELERY_BEAT_SCHEDULE)."""
    run = quality.check_now("", reason="nightly")
    return run.status if run else "already running"


@shared_task(name="registry.fail_stale_imports")
def fail_stale_imports() -> int:
    """Periodic: batches whose worker died end failed, their files removed."""
    return services.fail_stale_batches()
