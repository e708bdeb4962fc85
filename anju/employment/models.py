"""就业帮扶: who works where (一人一档), and who lost a job and is being helped back into work."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from anju.core.geo import LATITUDE, LONGITUDE, check_pair
from anju.core.scope import ScopedQuerySet

from .choices import (
    ALLOWANCE_CLASSES,
    AREAS,
    COURSE_KINDS,
    END_REASONS,
    KINDS,
    PAY_KINDS,
    POST_TYPES,
    PUSH_STATUSES,
    SEXES,
    SOURCES,
    WHERE,
    WORKSHOP_KINDS,
)
from .subsidies import CAUSES


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
    # A workshop's worker and a public-welfare post's holder are jobs like any other, so the
    # roster, the household rule and the monthly figures count them without a second entry.
    workshop = models.ForeignKey(
        "Workshop",
        verbose_name="帮扶车间",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="workers",
    )
    post_type = models.CharField(
        "公益岗位类型", max_length=20, choices=POST_TYPES, blank=True, default=""
    )
    # 有组织输出 (《榕江县易地扶贫搬迁培训和就业服务体系建设工作方案》第5条): the human-resources
    # agency, labour company or cooperative that placed the person; the job-search and
    # tracking-service subsidies ask for it, and the latter is paid to it.
    organised_by = models.CharField(
        "组织输出机构", max_length=200, blank=True, default="", help_text="有组织输出的填写"
    )
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


class EmploymentMonth(models.Model):
    """The month's employment figures of the households at one place (a household path: a
    site, grid or building, or the unit a dispersed household is registered at), computed
    set-based at the month's end (today for the month under way) by ``monthly.compute``.

    Pages and the API sum these rows for any unit and month and read the trend from them, so
    a county's or a province's figures never count persons per request. A household's labour,
    its rule and its employed members are taken as ``selectors.households`` takes them, with
    the labour ages and household rule in force at its county on the month's last day."""

    scope_path_field = "path"

    period = models.CharField("月份", max_length=7)
    path = models.CharField(max_length=255)
    households = models.PositiveIntegerField("有劳动力户数", default=0)
    below_rule = models.PositiveIntegerField("未达家庭就业要求户数", default=0)
    zero = models.PositiveIntegerField("零就业家庭户数", default=0)
    labour = models.PositiveIntegerField("劳动力人数", default=0)
    employed = models.PositiveIntegerField("就业人数", default=0)
    # {户类型: {就业类型: 人数}}: the plans report the relocated poor (搬迁脱贫户) on their own.
    by_kind = models.JSONField("按就业类型", default=dict)
    computed_at = models.DateTimeField("计算时间", default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "月度就业统计"
        verbose_name_plural = "月度就业统计"
        ordering = ["period", "path"]
        constraints = [
            models.UniqueConstraint(fields=["period", "path"], name="employment_month_once")
        ]
        indexes = [models.Index(fields=["path", "period"], name="employment_month_path")]

    def __str__(self) -> str:
        return f"{self.period} {self.path}"


class Retention(models.Model):
    """岗位稳定性回访: 3 and 6 months after a push ends in a hire, someone checks the person is
    still at work (the employment issue: retention is checked at 3 and 6 months). A check
    comes due on its day and stays on the list until it is done."""

    scope_path_field = "path"

    push = models.ForeignKey(
        Push, verbose_name="岗位推送", on_delete=models.CASCADE, related_name="retentions"
    )
    months = models.PositiveSmallIntegerField("录用后月数")
    due_on = models.DateField("应回访日期")
    checked_on = models.DateField("回访日期", null=True, blank=True)
    still_employed = models.BooleanField("仍在岗", null=True)
    note = models.CharField("回访情况", max_length=300, blank=True, default="")
    checked_by = models.CharField("回访人", max_length=100, blank=True, default="")
    path = models.CharField(max_length=255, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "岗位稳定性回访"
        verbose_name_plural = "岗位稳定性回访"
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["push", "months"], name="employment_retention_once")
        ]
        indexes = [models.Index(fields=["path", "due_on"], name="employment_retention_due")]

    def __str__(self) -> str:
        return f"{self.push.person.name} 录用后 {self.months} 个月回访"


class Workshop(models.Model):
    """A 帮扶车间 or 就业帮扶基地 and the sites it serves. It is kept at the common ancestor of
    the sites it serves (a site's own workshop at the site, one serving two towns at the
    county), so each site's staff see the workshops that serve them and no neighbour's."""

    scope_path_field = "path"

    name = models.CharField("名称", max_length=200)
    kind = models.CharField("类型", max_length=10, choices=WORKSHOP_KINDS, default="workshop")
    employer = models.ForeignKey(
        Employer,
        verbose_name="经营单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="workshops",
    )
    sites = models.ManyToManyField(
        "orgs.Site", verbose_name="服务的安置点", related_name="workshops", blank=True
    )
    address = models.CharField("地址", max_length=300, blank=True, default="")
    jobs = models.PositiveIntegerField("提供岗位数")
    opened_on = models.DateField("开办日期")
    home_based = models.BooleanField("可居家或计件", default=False)
    path = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "帮扶车间"
        verbose_name_plural = "帮扶车间"
        ordering = ["path", "name", "id"]
        indexes = [models.Index(fields=["path"], name="employment_workshop_path")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/employment/workshops/{self.pk}/"


class WorkshopQuarter(models.Model):
    """The quarterly monitoring of a workshop (《石城县2022年强化易地扶贫搬迁后续扶持工作的实施方案》
    责任清单第17项: 每季度进行一次监测): one per workshop and quarter. The relocated workers are
    entered as the workshop reports them; pages set them beside the workers on record."""

    scope_path_field = "path"

    workshop = models.ForeignKey(
        Workshop, verbose_name="帮扶车间", on_delete=models.CASCADE, related_name="quarters"
    )
    period = models.CharField("季度", max_length=7)  # "2026-Q4" (anju.employment.quarters)
    starts_on = models.DateField("季度起", editable=False)
    ends_on = models.DateField("季度止", editable=False)
    total_workers = models.PositiveIntegerField("用工人数")
    relocated_workers = models.PositiveIntegerField("其中搬迁劳动力（填报）")
    wages_paid = models.DecimalField("本季度发放工资（元）", max_digits=12, decimal_places=2)
    note = models.CharField("备注", max_length=300, blank=True, default="")
    recorded_by = models.CharField("填报人", max_length=100, blank=True, default="")
    path = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField("填报时间", default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "帮扶车间季度监测"
        verbose_name_plural = "帮扶车间季度监测"
        ordering = ["workshop_id", "-period"]
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "period"],
                name="employment_workshop_quarter_once",
                violation_error_message="该帮扶车间本季度已填报监测记录。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.workshop.name} {self.period}"


class PaymentBatch(models.Model):
    """发放批次: the subsidy of one cause for the eligible persons of one unit, as a payment list
    a finance office pays from. Draft (persons may be added or taken out) → submitted (locked)
    → paid."""

    scope_path_field = "path"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交财政"
        PAID = "paid", "已发放"

    number = models.CharField("批次号", max_length=40, unique=True)
    cause = models.CharField("补贴事由", max_length=20, choices=CAUSES)
    unit = models.ForeignKey(
        "orgs.AdminUnit", verbose_name="单位", on_delete=models.PROTECT, related_name="+"
    )
    counted_on = models.DateField("资格核算日期")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default="draft")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_name = models.CharField("建立人", max_length=100, blank=True, default="")
    submitted_on = models.DateField("提交日期", null=True, blank=True)
    paid_on = models.DateField("发放日期", null=True, blank=True)
    path = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField("建立时间", default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "补贴发放批次"
        verbose_name_plural = "补贴发放批次"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["path", "created_at"], name="employment_batch_path")]

    def __str__(self) -> str:
        return f"{self.number} {self.get_cause_display()}"

    @property
    def label(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return f"/employment/subsidies/batches/{self.pk}/"


class SubsidyPayment(models.Model):
    """One person's subsidy of one cause in a batch, with the job (or, for a training cause,
    the course enrolment) it is for, the day its conditions were met, the amount and the
    explanation as they were when listed. Once per person and cause for a job cause, once per
    person, course and cause for a training cause: a row taken out of a draft batch is kept as
    withdrawn and frees it."""

    scope_path_field = "path"

    class Status(models.TextChoices):
        PENDING = "pending", "待发放"
        PAID = "paid", "已发放"
        WITHDRAWN = "withdrawn", "已撤出"

    batch = models.ForeignKey(
        PaymentBatch, verbose_name="批次", on_delete=models.PROTECT, related_name="payments"
    )
    person = models.ForeignKey(
        "registry.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="subsidies"
    )
    household = models.ForeignKey(
        "registry.Household", verbose_name="所在户", on_delete=models.PROTECT, related_name="+"
    )
    record = models.ForeignKey(
        EmploymentRecord,
        verbose_name="就业记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The training causes (以工代训, 培训期间生活补助) pay for one course's months or days: a second
    # course earns them again, the same course never. The enrolment is the person × course (it
    # is unique per course and person), so it is what the payment is once for; it also keeps
    # the attended days the amount came from.
    enrolment = models.ForeignKey(
        "Enrolment",
        verbose_name="参训记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cause = models.CharField("补贴事由", max_length=20, choices=CAUSES)
    amount = models.DecimalField("金额（元）", max_digits=10, decimal_places=2)
    qualified_on = models.DateField("达到条件日期")
    payee = models.CharField("领取对象", max_length=200)
    explanation = models.TextField("资格说明")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default="pending")
    path = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField("列入时间", default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "就业补贴发放"
        verbose_name_plural = "就业补贴发放"
        ordering = ["batch_id", "path", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "cause"],
                condition=~Q(status="withdrawn") & Q(enrolment__isnull=True),
                name="employment_subsidy_once",
                violation_error_message="同一人同一补贴事由只发放一次。",
            ),
            models.UniqueConstraint(
                fields=["enrolment", "cause"],
                condition=~Q(status="withdrawn") & Q(enrolment__isnull=False),
                name="employment_subsidy_once_per_course",
                violation_error_message="同一人同一培训班同一补贴事由只发放一次。",
            ),
            # A payment is for a job or for a course enrolment, never both nor neither.
            models.CheckConstraint(
                condition=Q(record__isnull=False, enrolment__isnull=True)
                | Q(record__isnull=True, enrolment__isnull=False),
                name="employment_subsidy_job_or_course",
                violation_error_message="补贴须对应一条就业记录或一条参训记录。",
            ),
        ]
        indexes = [models.Index(fields=["path"], name="employment_subsidy_path")]

    def __str__(self) -> str:
        return f"{self.person.name} {self.get_cause_display()} {self.amount} 元"


class Course(models.Model):
    """培训档案: one training course (培训班), the provider that runs it, the site it serves, and
    when its plan was filed with 人社部门 (备案). The filing is checked against the policy
    parameter ``employment.training_filing_workdays`` on the working-day calendar when the
    course is saved (``services.save_course``); the result is kept here so the ledger can list
    late filings without recomputing the calendar per row."""

    scope_path_field = "path"

    kind = models.CharField("培训类型", max_length=20, choices=COURSE_KINDS)
    title = models.CharField("培训项目", max_length=200)
    provider = models.CharField("培训机构", max_length=200)
    allowance_class = models.CharField(
        "生活交通费补贴", max_length=4, choices=ALLOWANCE_CLASSES, blank=True, default=""
    )
    site = models.ForeignKey(
        "orgs.Site",
        verbose_name="服务安置点",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="courses",
    )
    starts_on = models.DateField("开班日期")
    ends_on = models.DateField("结业日期")
    planned_count = models.PositiveIntegerField("计划培训人数")
    filed_on = models.DateField("备案日期")
    # Working days from the filing to the start, and how many the rule asked (None: no rule in
    # force at the course's place on its start).
    workdays_ahead = models.PositiveSmallIntegerField("提前工作日数", default=0)
    workdays_required = models.PositiveSmallIntegerField("应提前工作日数", null=True, blank=True)
    filing_late = models.BooleanField("备案不及时", default=False)
    note = models.CharField("备注", max_length=300, blank=True, default="")
    recorded_by = models.CharField("录入人", max_length=100, blank=True, default="")
    path = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "培训班"
        verbose_name_plural = "培训班"
        ordering = ["-starts_on", "id"]
        indexes = [
            models.Index(fields=["path", "starts_on"], name="employment_course_path"),
            models.Index(fields=["site", "starts_on"], name="employment_course_site"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.starts_on}）"

    def get_absolute_url(self) -> str:
        return f"/employment/training/{self.pk}/"

    @property
    def allowance_daily(self):
        from decimal import Decimal

        return Decimal(self.allowance_class) if self.allowance_class else None

    @property
    def filing_note(self) -> str:
        """The filing as the ledger explains it."""
        if self.workdays_required is None:
            return f"提前 {self.workdays_ahead} 个工作日备案（本地未设定备案时限）"
        if self.filing_late:
            return (
                f"备案日 {self.filed_on}，开课 {self.starts_on}，只提前 {self.workdays_ahead} "
                f"个工作日，应至少提前 {self.workdays_required} 个工作日"
            )
        return f"提前 {self.workdays_ahead} 个工作日备案"


class Enrolment(models.Model):
    """A person on a course: the days attended and whether they finished. Whether they found
    work after it is read from the jobs (``selectors.enrolments``), never typed here."""

    scope_path_field = "path"

    course = models.ForeignKey(
        Course, verbose_name="培训班", on_delete=models.PROTECT, related_name="enrolments"
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name="人员",
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    household = models.ForeignKey(
        "registry.Household", verbose_name="所在户", on_delete=models.PROTECT, related_name="+"
    )
    attended_days = models.PositiveSmallIntegerField("出勤天数", default=0)
    completed = models.BooleanField("已结业", default=False)
    note = models.CharField("备注", max_length=300, blank=True, default="")
    path = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField("报名时间", default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "参训人员"
        verbose_name_plural = "参训人员"
        ordering = ["course_id", "path", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "person"],
                name="employment_enrol_once",
                violation_error_message="此人已报名这个培训班。",
            )
        ]
        indexes = [models.Index(fields=["path"], name="employment_enrolment_path")]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.course.title}"


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
