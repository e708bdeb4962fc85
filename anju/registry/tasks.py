from celery import shared_task

from . import services


@shared_task(name="registry.import_batch")
def import_batch(batch_id: int) -> str:
    return services.run_batch(batch_id).status
