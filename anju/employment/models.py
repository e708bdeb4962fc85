"""就业帮扶: who works where (一人一档), and who lost a job and is being helped back into work."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from anju.core.geo import LATITUDE, LONGITUDE, check_pair
from anju.core.scope import ScopedQuerySet

from .choices import AREAS, END_REASONS, KINDS, PAY_KINDS, PUSH_STATUSES, SEXES, SOURCES, WHERE


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


class Employer(models.Model):
    """An employer (用工单位) with its 统一社会信用代码, kept by the county that registered it."""

    scope_path_field = "path"

    name = models.CharField("单位名称", max_length=200)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    contact = models.CharField("联系人", max_length=50, blank=True, default="")
    phone = models.CharField("联系电话", max_length=20, blank=True, default="")
    address = models.CharField("地址", max_length=300, blank=True, default="")
    path = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "用工单位"
        verbose_name_plural = "用工单位"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Posting(models.Model):
    """A job posting (岗位信息): what it asks of a worker, where, what it pays, from when to
    when. Requirements left empty ask nothing."""

    scope_path_field = "path"

    employer = models.ForeignKey(
        Employer, verbose_name="用工单位", on_delete=models.PROTECT, related_name="postings"
    )
    title = models.CharField("岗位名称", max_length=100)
    head_count = models.PositiveIntegerField("招聘人数")
    sex = models.CharField("性别要求", max_length=1, choices=SEXES, blank=True, default="")
    age_min = models.PositiveSmallIntegerField("最低年龄", null=True, blank=True)
    age_max = models.PositiveSmallIntegerField("最高年龄", null=True, blank=True)
    education_min = models.CharField("最低文化程度", max_length=10, blank=True, default="")
    skills = models.CharField("技能要求", max_length=200, blank=True, default="")
    health = models.CharField("健康要求", max_length=100, blank=True, default="")
    place = models.CharField("工作地点", max_length=200)
    area = models.CharField("地域", max_length=10, choices=AREAS, default="county")
    # Where the work is, if known (WGS-84): whether it lies in a site's 20-minute circle.
    latitude = models.DecimalField(
        "工作地点纬度", max_digits=9, decimal_places=6, null=True, blank=True, validators=LATITUDE
    )
    longitude = models.DecimalField(
        "工作地点经度",
        max_digits=10,
        decimal_places=6,
        null=True,
        blank=True,
        validators=LONGITUDE,
    )
    pay_kind = models.CharField("计酬方式", max_length=10, choices=PAY_KINDS, default="monthly")
    pay_min = models.DecimalField("薪酬下限（元）", max_digits=10, decimal_places=2)
    pay_max = models.DecimalField(
        "薪酬上限（元）", max_digits=10, decimal_places=2, null=True, blank=True
    )
    benefits = models.CharField("福利待遇", max_length=300, blank=True, default="")
    home_based = models.BooleanField("可居家或计件", default=False)
    shifts = models.CharField("班次", max_length=100, blank=True, default="")
    valid_from = models.DateField("有效期自")
    valid_to = models.DateField("有效期至")
    source = models.CharField("岗位来源", max_length=12, choices=SOURCES)
    path = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField("发布时间", default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "岗位信息"
        verbose_name_plural = "岗位信息"
        ordering = ["-valid_to", "id"]
        indexes = [models.Index(fields=["path", "valid_to"], name="employment_posting_path")]

    def __str__(self) -> str:
        return f"{self.employer.name} · {self.title}"

    def get_absolute_url(self) -> str:
        return f"/employment/postings/{self.pk}/"

    def clean(self):
        check_pair(self.latitude, self.longitude)


class Seeker(models.Model):
    """就业需求清单: what a person of the labour roster wants — work, where, the least pay, what
    binds them (home-based only, part time) — while ``active``."""

    scope_path_field = "path"

    person = models.OneToOneField(
        "registry.Person", verbose_name="人员", on_delete=models.CASCADE, related_name="seeking"
    )
    wanted = models.CharField("求职意向", max_length=200, blank=True, default="")
    where = models.CharField("意向地域", max_length=10, choices=WHERE, default="any")
    min_pay = models.DecimalField(
        "期望月收入不低于（元）", max_digits=10, decimal_places=2, null=True, blank=True
    )
    home_based_only = models.BooleanField("只能居家或就近灵活就业", default=False)
    # Work only within the site's 20-minute circle (留守妇女、照顾老人孩子的): a posting whose
    # work place lies farther is excluded; one that can be done at home always fits.
    near_site = models.BooleanField("只在安置点 20 分钟生活圈内就业", default=False)
    part_time = models.BooleanField("只能兼职", default=False)
    skills = models.CharField("技能", max_length=200, blank=True, default="")
    active = models.BooleanField("求职中", default=True)
    path = models.CharField(max_length=255, editable=False)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "就业需求"
        verbose_name_plural = "就业需求"
        ordering = ["path", "id"]

    def __str__(self) -> str:
        return f"{self.person.name} 求职"


class Push(models.Model):
    """A posting pushed to a person (一对一推送、送岗入户), followed from recommended to hired or
    declined (with the reason)."""

    scope_path_field = "path"

    posting = models.ForeignKey(
        Posting, verbose_name="岗位", on_delete=models.CASCADE, related_name="pushes"
    )
    person = models.ForeignKey(
        "registry.Person", verbose_name="人员", on_delete=models.CASCADE, related_name="pushes"
    )
    score = models.PositiveSmallIntegerField("匹配得分")
    explanation = models.JSONField("匹配说明", default=list)
    status = models.CharField("进展", max_length=12, choices=PUSH_STATUSES, default="recommended")
    reason = models.CharField("未录用或放弃原因", max_length=200, blank=True, default="")
    pushed_by = models.CharField("推送人", max_length=100, blank=True, default="")
    path = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField("推送时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "岗位推送"
        verbose_name_plural = "岗位推送"
        ordering = ["-created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["posting", "person"],
                name="employment_push_once",
                violation_error_message="这个岗位已推送给此人。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.posting} → {self.person.name}"


class Recommendation(models.Model):
    """One line of a matching batch (批量推荐): the ``rank``-th best open posting for a seeker on
    ``batch_on``, with its score. Written set-based (``services.refresh_recommendations``), for a
    site or the whole scope at once; the explanation is not stored but said by
    ``matching.explain`` when shown, so it cannot drift from the score's rules."""

    scope_path_field = "path"

    seeker = models.ForeignKey(
        Seeker, verbose_name="求职人员", on_delete=models.CASCADE, related_name="recommendations"
    )
    posting = models.ForeignKey(
        Posting, verbose_name="岗位", on_delete=models.CASCADE, related_name="recommendations"
    )
    site = models.ForeignKey(
        "orgs.Site",
        verbose_name="安置点",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    score = models.PositiveSmallIntegerField("匹配得分")
    rank = models.PositiveSmallIntegerField("名次")
    batch_on = models.DateField("批次日期")
    path = models.CharField(max_length=255, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "批量推荐"
        verbose_name_plural = "批量推荐"
        ordering = ["path", "seeker_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["seeker", "rank"], name="employment_rec_rank"),
        ]
        indexes = [
            models.Index(fields=["site", "path", "seeker", "rank"], name="employment_rec_site"),
            models.Index(fields=["path"], name="employment_rec_path"),
        ]

    def __str__(self) -> str:
        return f"{self.seeker_id} 第 {self.rank} 名 → {self.posting_id}"
