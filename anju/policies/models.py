from django.db import models

from anju.core import paths
from anju.core.scope import ScopedQuerySet
from anju.orgs.models import AdminUnit


class ParameterValue(models.Model):
    """A parameter's value for one unit (and its subtree) during an effective period."""

    scope_path_field = "path"

    key = models.CharField("参数", max_length=80, db_index=True)
    unit = models.ForeignKey(
        AdminUnit,
        verbose_name="适用单位",
        on_delete=models.PROTECT,
        related_name="parameter_values",
    )
    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("截止日期", null=True, blank=True, help_text="留空表示长期有效")
    value = models.JSONField("参数值")
    source = models.CharField("依据", max_length=200, blank=True, default="")
    path = models.CharField(max_length=255, editable=False, default="")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "政策参数值"
        verbose_name_plural = "政策参数值"
        ordering = ["key", "path", "-valid_from"]
        indexes = [
            models.Index(fields=["key", "path"], name="policies_key_path"),
            models.Index(fields=["path"], name="policies_path", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.key}@{self.unit.name} {self.valid_from}"

    @property
    def definition(self):
        from .registry import KEYS

        return KEYS.get(self.key)

    @property
    def display_value(self) -> str:
        from .registry import display

        return display(self.definition, self.value) if self.definition else str(self.value)


paths.register(ParameterValue)


class WorkdayOverride(models.Model):
    """A day an administrator marks as a working day or a holiday: for a year the
    ``chinese-calendar`` package does not know yet (the State Council publishes next year's
    holidays in November), or to correct it. Overrides win over the package."""

    day = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("上班", help_text="勾选为上班（调休），不勾选为放假")
    note = models.CharField("说明", max_length=100, blank=True, default="")
    created_by = models.CharField("添加人", max_length=100, blank=True, default="")

    class Meta:
        verbose_name = "工作日调整"
        verbose_name_plural = "工作日调整"
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day.isoformat()} {'上班' if self.is_workday else '放假'}"
