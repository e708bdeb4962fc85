from django.conf import settings
from django.db import models
from django.utils import timezone

from anju.core import paths
from anju.core.scope import ScopedQuerySet


class AuditLog(models.Model):
    """Who did what to which object, where in the tree, and which fields changed (old → new)."""

    scope_path_field = "unit_path"

    class Action(models.TextChoices):
        CREATE = "create", "新增"
        UPDATE = "update", "修改"
        DELETE = "delete", "删除"
        REVEAL = "reveal", "查看敏感信息"
        EXPORT = "export", "导出"
        IMPORT = "import", "导入"

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField("操作人姓名", max_length=100, blank=True, default="")
    action = models.CharField("操作", max_length=10, choices=Action.choices, db_index=True)
    object_type = models.CharField("对象类型", max_length=50, db_index=True)
    object_id = models.CharField("对象编号", max_length=50, blank=True, default="")
    object_repr = models.CharField("对象", max_length=200, blank=True, default="")
    unit_path = models.CharField("所属单位路径", max_length=255, blank=True, default="")
    changes = models.JSONField("变更内容", default=dict, blank=True)
    note = models.CharField("说明", max_length=500, blank=True, default="")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(
                fields=["unit_path"], name="audit_unit_path", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()} {self.object_repr}"


paths.register(AuditLog, "unit_path")
