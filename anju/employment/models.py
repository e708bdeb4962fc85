"""就业帮扶: who works where (一人一档), and who lost a job and is being helped back into work."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from anju.core.scope import ScopedQuerySet

from .choices import END_REASONS, KINDS


class EmploymentRecord(models.Model):
    """One job of one person, from its start to its end (open while ``ended_on`` is empty). A
    person holds one open record: a second job is recorded when the first ends."""

    scope_path_field = "path"

    person = models.ForeignKey(
        "registry.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="jobs"
    )
    household = models.ForeignKey(
        "registry.Household", verbose_name="所在户", on_delete=models.PROTECT, related_name="jobs"
    )
    kind = models.CharField("就业类型", max_length=20, choices=KINDS)
    employer = models.CharField("就业单位或地点", max_length=200, blank=True, default="")
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    end_reason = models.CharField(
        "结束原因", max_length=10, choices=END_REASONS, blank=True, default=""
    )
    monthly_income = models.DecimalField(
        "月收入（元）", max_digits=10, decimal_places=2, null=True, blank=True
    )
    contract_months = models.PositiveSmallIntegerField("劳动合同期限（月）", null=True, blank=True)
    social_insurance = models.BooleanField("缴纳社会保险", default=False)
    note = models.CharField("备注", max_length=300, blank=True, default="")
    recorded_by = models.CharField("录入人", max_length=100, blank=True, default="")
    path = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField("记录时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "就业记录"
        verbose_name_plural = "就业记录"
        ordering = ["path", "household_id", "person_id", "-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(ended_on__isnull=True),
                name="employment_one_open_job",
                violation_error_message="此人已有未结束的就业记录，请先结束原记录。",
            )
        ]
        indexes = [models.Index(fields=["path"], name="employment_record_path")]

    def __str__(self) -> str:
        return f"{self.person.name} {self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None

    def get_absolute_url(self) -> str:
        return f"/employment/persons/{self.person_id}/"


class Unemployment(models.Model):
    """就业失业登记 of a person who lost a job, and the one-to-one help (一对一帮扶) it opens:
    closed when the person works again."""

    scope_path_field = "path"

    class Status(models.TextChoices):
        HELPING = "helping", "帮扶中"
        EMPLOYED = "employed", "已再就业"

    person = models.ForeignKey(
        "registry.Person",
        verbose_name="人员",
        on_delete=models.PROTECT,
        related_name="unemployment",
    )
    household = models.ForeignKey(
        "registry.Household", verbose_name="所在户", on_delete=models.PROTECT, related_name="+"
    )
    lost_job = models.OneToOneField(
        EmploymentRecord,
        verbose_name="失去的工作",
        null=True,
        on_delete=models.SET_NULL,
        related_name="unemployment",
    )
    registered_on = models.DateField("失业登记日期")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.HELPING)
    helper = models.CharField("一对一帮扶人", max_length=100, blank=True, default="")
    closed_on = models.DateField("再就业日期", null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    path = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField("记录时间", default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "就业失业登记"
        verbose_name_plural = "就业失业登记"
        ordering = ["-registered_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="helping"),
                name="employment_one_open_help",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person.name} 失业登记 {self.registered_on}"
