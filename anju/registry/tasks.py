from celery import shared_task

from . import services


@shared_task(name="registry.import_batch")
def import_batch(batch_id: int) -> str:
    return services.run_batch(batch_id).status


@shared_task(name="registry.fail_stale_imports")
def fail_stale_imports() -> int:
    """Periodic: batches whose worker died end failed, their files removed."""
    return services.fail_stale_batches()
