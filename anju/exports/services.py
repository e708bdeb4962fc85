"""Background Excel exports: every write of an export job.

A ledger page streams its export while the user waits when the list is short. A longer list
(more than ``ANJU_EXPORT_INLINE_ROWS`` rows, 500 unless set: a ledger of 500 households
holds some 1,700 persons and takes a second) would hold a web process for seconds to minutes —
a site of 16,000 persons takes 10 s, a province far longer — so the page starts a job here and
sends the user to its status page. A Celery worker then replays the page's own request as the
same user (``run``), so the rows, their scope and the audit entry are exactly what the page
would have streamed; the file waits under ``var/exports`` for ``ANJU_EXPORT_KEEP_DAYS``.
"""

from __future__ import annotations

import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, QueryDict
from django.urls import Resolver404, resolve
from django.utils import timezone

from .models import ExportJob

log = logging.getLogger(__name__)


def inline_rows() -> int:
    return int(getattr(settings, "ANJU_EXPORT_INLINE_ROWS", 500))


def too_big(rows) -> bool:
    """Whether a list (a queryset) is longer than an export streamed while the user waits: at
    most ``inline_rows() + 1`` rows are counted."""
    limit = inline_rows()
    return rows.order_by()[: limit + 1].count() > limit


def directory() -> Path:
    path = Path(settings.VAR_DIR) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_path(job: ExportJob) -> Path | None:
    return directory() / job.stored_name if job.stored_name else None


def start(user, *, url: str, title: str) -> ExportJob:
    """Queue the export of the page at ``url`` (with its filters) for ``user``."""
    from . import tasks

    if not user.is_authenticated:
        raise PermissionDenied("请先登录。")
    url = url[:2000]
    with transaction.atomic():
        # Clicking 导出 again while the file is being made shows the same job.
        waiting = ExportJob.objects.filter(
            user=user, url=url, status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING]
        ).first()
        if waiting is not None:
            return waiting
        job = ExportJob.objects.create(user=user, url=url, title=title[:300])
        transaction.on_commit(lambda: tasks.run_export.delay(job.pk))
    return job


def _replay(job: ExportJob):
    """The page's response to its own request, made here as the job's user."""
    path, _, query = job.url.partition("?")
    try:
        match = resolve(path)
    except Resolver404:
        raise ValueError("导出的页面已不存在，请回到页面重新导出。") from None
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = path
    request.GET = QueryDict(query)
    request.META = {"REQUEST_METHOD": "GET", "QUERY_STRING": query, "SERVER_NAME": "anju"}
    request.user = job.user
    request.in_background = True  # the page streams the file instead of starting another job
    response = match.func(request, *match.args, **match.kwargs)
    return request, response


def _file_name(response, job: ExportJob) -> str:
    disposition = response.get("Content-Disposition", "")
    if "filename*=UTF-8''" in disposition:
        return unquote(disposition.split("filename*=UTF-8''", 1)[1])
    return f"{job.title}.xlsx"


def run(job_id: int) -> ExportJob:
    """Make the file of a queued job. A job delivered twice runs once; any failure ends the job
    as failed with a reason the user reads, never half a file."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().select_related("user").get(pk=job_id)
        if job.status != ExportJob.Status.QUEUED:
            return job
        job.status = ExportJob.Status.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    stored_name = f"{job.pk}-{secrets.token_hex(8)}.xlsx"
    target = directory() / stored_name
    partial = target.with_suffix(".part")
    try:
        if not job.user.is_active:
            raise PermissionDenied("申请导出的账号已停用，导出已取消。")
        request, response = _replay(job)
        if response.status_code != 200 or not getattr(response, "streaming", False):
            raise ValueError("页面没有返回 Excel 文件，请回到页面重新导出。")
        with open(partial, "wb") as out:
            for chunk in response.streaming_content:
                out.write(chunk)
        # Not response.close(): that signals the end of a web request, which closes the
        # worker's database connection mid-task. The temporary file is all there is to close.
        stream = getattr(response, "file_to_stream", None)
        if stream is not None:
            stream.close()
        os.replace(partial, target)
        job.status = ExportJob.Status.DONE
        job.stored_name = stored_name
        job.file_name = _file_name(response, job)
        job.rows = getattr(request, "export_rows", None)
        job.size = target.stat().st_size
        job.message = ""
    except PermissionDenied as exc:
        job.status, job.message = ExportJob.Status.FAILED, str(exc) or "无权导出这些数据。"
    except Exception as exc:  # the user must learn the job ended, whatever went wrong
        log.exception("export job %s failed", job.pk)
        job.status = ExportJob.Status.FAILED
        job.message = str(exc) if isinstance(exc, ValueError) else "导出时发生错误，请稍后重试。"
    finally:
        partial.unlink(missing_ok=True)
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "status",
            "stored_name",
            "file_name",
            "rows",
            "size",
            "message",
            "finished_at",
        ]
    )
    return job


def clean(now=None) -> int:
    """End jobs whose worker died (running longer than ``ANJU_EXPORT_STALE_SECONDS``, or queued
    for a day) as failed, and remove the files of jobs older than ``ANJU_EXPORT_KEEP_DAYS``.
    Returns how many jobs changed. Run periodically (task ``exports.clean``) and by
    ``anju exports clean``."""
    now = now or timezone.now()
    stale = timedelta(seconds=int(getattr(settings, "ANJU_EXPORT_STALE_SECONDS", 3600)))
    keep = timedelta(days=int(getattr(settings, "ANJU_EXPORT_KEEP_DAYS", 7)))
    changed = ExportJob.objects.filter(
        status=ExportJob.Status.RUNNING, started_at__lt=now - stale
    ).update(status=ExportJob.Status.FAILED, message="导出进程中断，请重新导出。", finished_at=now)
    changed += ExportJob.objects.filter(
        status=ExportJob.Status.QUEUED, created_at__lt=now - timedelta(days=1)
    ).update(status=ExportJob.Status.FAILED, message="导出未能开始，请重新导出。", finished_at=now)
    old = ExportJob.objects.filter(status=ExportJob.Status.DONE, finished_at__lt=now - keep)
    for job in old:
        path = file_path(job)
        if path is not None:
            path.unlink(missing_ok=True)
    changed += old.update(
        status=ExportJob.Status.EXPIRED, message=f"文件已保存 {keep.days} 天，已清理；请重新导出。"
    )
    return changed
