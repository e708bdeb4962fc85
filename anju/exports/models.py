"""An Excel export too large to stream while the user waits: made in the background."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ExportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"
        EXPIRED = "expired", "已过期"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField("导出内容", max_length=300)
    # The page and its filters (``/registry/?site=3&export=xlsx``), replayed by the worker as
    # the same user: the rows, their scope and the audit entry are exactly those of the page.
    url = models.CharField("页面地址", max_length=2000)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    file_name = models.CharField("文件名", max_length=300, blank=True, default="")
    # Where the file lies under var/exports: a random part, so a file is never taken for
    # another job's (ids restart when a database is rebuilt; the directory stays).
    stored_name = models.CharField("存储文件", max_length=100, blank=True, default="")
    rows = models.PositiveIntegerField("行数", null=True, blank=True)
    size = models.PositiveBigIntegerField("文件大小（字节）", null=True, blank=True)
    message = models.CharField("说明", max_length=500, blank=True, default="")
    created_at = models.DateTimeField("申请时间", default=timezone.now)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="exports_user_created")]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_status_display()}）"

    def get_absolute_url(self) -> str:
        return f"/exports/{self.pk}/"

    @property
    def pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
