"""Every write to the registry: validate, check scope, write, audit, in one transaction."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from anju.accounts import access

from .errors_workbook import write_error_copy
from .importing import Outcome, RegistryImport, RowError
from .models import ImportBatch
from .reading import FileError


def imports_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def import_registry(
    actor, path, filename: str = "", *, dry_run: bool = False, progress=None
) -> Outcome:
    """Import a registry sheet; all or nothing. File-level problems come back as row-0 errors."""
    if actor is not None:
        access.require(actor, "registry", "write")
    try:
        return RegistryImport(actor, path, filename, dry_run=dry_run, progress=progress).run()
    except FileError as exc:
        return Outcome(
            errors=[RowError(0, "文件", Path(filename or str(path)).name, str(exc))],
            dry_run=dry_run,
        )


def progress_key(batch_id: int) -> str:
    return f"anju:import:{batch_id}:rows"


def run_batch(batch_id: int) -> ImportBatch:
    """The background part of an upload: run the import and record its outcome on the batch."""
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    batch.status = ImportBatch.Status.RUNNING
    batch.save(update_fields=["status"])
    path = Path(batch.stored_file)

    def progress(rows: int) -> None:
        cache.set(progress_key(batch.pk), rows, 3600)

    outcome = import_registry(
        batch.created_by, path, batch.file_name, dry_run=batch.dry_run, progress=progress
    )
    batch.total_rows = batch.processed_rows = outcome.rows
    batch.errors = [e.as_dict() for e in outcome.errors[:5000]]
    batch.error_count = len(outcome.errors)
    batch.summary = {**outcome.summary(), "text": outcome.describe()}
    if outcome.errors:
        batch.status = ImportBatch.Status.REJECTED
        if outcome.header_row:
            target = imports_dir() / f"{batch.pk}-错误标注.xlsx"
            write_error_copy(path, batch.file_name, outcome.errors, outcome.header_row, target)
            batch.error_file = str(target)
    else:
        batch.status = ImportBatch.Status.CHECKED if batch.dry_run else ImportBatch.Status.DONE
    batch.finished_at = timezone.now()
    batch.save()
    return batch
