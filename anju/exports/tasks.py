from celery import shared_task

from . import services


@shared_task(name="exports.run")
def run_export(job_id: int) -> str:
    return services.run(job_id).status


@shared_task(name="exports.clean")
def clean() -> int:
    """Periodic: jobs whose worker died end failed; files past their keeping time are removed."""
    return services.clean()
