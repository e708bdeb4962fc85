"""防止返贫动态监测: monthly visits (每月回访) and their coverage."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from anju.core import paths
from anju.core.scope import ScopedQuerySet

from .choices import CATEGORIES, MEASURE_KINDS, RISK_TYPES


class Visit(models.Model):
    """One household's visit of one month. Lists of codes (``choices.py``) name what was found:
    the changes among the five, the situations that need attention, the basic needs not met."""

    scope_path_field = "path"

    household = models.ForeignKey(
        "registry.Household", verbose_name="搬迁户", on_delete=models.PROTECT, related_name="visits"
    )
    period = models.CharField("回访月份", max_length=7)
    visited_on = models.DateField("回访日期")
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="回访人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    visitor_name = models.CharField("回访人姓名", max_length=100)
    changes = models.JSONField("五个变化（有变化的项）", default=list, blank=True)
    situations = models.JSONField("五种情况（需关注的项）", default=list, blank=True)
    needs_unmet = models.JSONField("两不愁三保障及饮水（未保障的项）", default=list, blank=True)
    note = models.TextField("情况说明", blank=True, default="")
    # What the visit changed in the registry (a newborn added, a death, a new illness), one
    # line each, so the visit shows what it did; the registry's audit entries name the visit.
    registry_changes = models.JSONField("台账变更", default=list, blank=True, db_default=[])
    # Where the household lived when visited: coverage counts the visit there, and the path
    # follows node moves like every scoped row.
    path = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField("记录时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "每月回访"
        verbose_name_plural = "每月回访"
        ordering = ["-period", "path", "household_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "period"],
                name="monitoring_visit_once_a_month",
                violation_error_message="该户本月已有回访记录，请修改原记录。",
            )
        ]
        indexes = [models.Index(fields=["period", "path"], name="monitoring_visit_period_path")]

    def __str__(self) -> str:
        return f"{self.household} {self.period} 回访"

    def get_absolute_url(self) -> str:
        return f"/monitoring/visits/{self.pk}/"

    @property
    def attention(self) -> bool:
        return bool(self.changes or self.situations or self.needs_unmet)


class VisitCoverage(models.Model):
    """Roll-up: households visited per node (the whole platform, every unit, every site) and
    month, kept by the visit service in the same transaction (``coverage.py``)."""

    node_path = models.CharField(max_length=255)
    period = models.CharField(max_length=7)
    visited = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["node_path", "period"], name="monitoring_coverage_key")
        ]

    def __str__(self) -> str:
        return f"{self.node_path or '全部'} {self.period}：{self.visited}"


paths.register(Visit)


def _money(label: str):
    return models.DecimalField(label, max_digits=12, decimal_places=2, default=0)


class Income(models.Model):
    """家庭收支: a household's income and spending for a year, as the national monitoring system
    records it. 家庭人均纯收入 = (工资性 + 生产经营性 + 财产性 + 转移性收入 − 生产经营性支出)
    ÷ 家庭人数 on the reference date, in Decimal, rounded to the fen half up."""

    scope_path_field = "path"

    class Source(models.TextChoices):
        VISIT = "visit", "入户回访"
        STAFF = "staff", "工作人员录入"
        IMPORT = "import", "表格导入"

    household = models.ForeignKey(
        "registry.Household",
        verbose_name="搬迁户",
        on_delete=models.PROTECT,
        related_name="incomes",
    )
    year = models.PositiveSmallIntegerField("年度")
    reference_date = models.DateField("计算日期")
    wage = _money("工资性收入")
    business = _money("生产经营性收入")
    property_income = _money("财产性收入")
    transfer = _money("转移性收入")
    business_cost = _money("生产经营性支出")
    medical_cost = _money("合规自付医疗支出")
    schooling_cost = _money("教育支出")
    members = models.PositiveSmallIntegerField("家庭人数")
    net_income = models.DecimalField("家庭纯收入", max_digits=13, decimal_places=2)
    net_per_capita = models.DecimalField("家庭人均纯收入", max_digits=13, decimal_places=2)
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.STAFF)
    recorded_by = models.CharField("录入人", max_length=100, blank=True, default="")
    path = models.CharField(max_length=255, editable=False)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "家庭收支"
        verbose_name_plural = "家庭收支"
        ordering = ["-year", "path", "household_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "year"],
                name="monitoring_income_once_a_year",
                violation_error_message="该户本年度已有收支记录，请修改原记录。",
            )
        ]
        indexes = [models.Index(fields=["year", "path"], name="monitoring_income_year_path")]

    def __str__(self) -> str:
        return f"{self.household} {self.year}年收支"

    def get_absolute_url(self) -> str:
        return f"/monitoring/households/{self.household_id}/income/?year={self.year}"


paths.register(Income)


class ReportCard(models.Model):
    """A household's self-report card (农户自主申报卡): the QR code on it opens a public page
    by a random token. The token names nothing; a new card (a lost one) replaces it."""

    scope_path_field = "path"

    household = models.OneToOneField(
        "registry.Household",
        verbose_name="搬迁户",
        on_delete=models.CASCADE,
        related_name="report_card",
    )
    token = models.CharField("二维码标识", max_length=64, unique=True)
    path = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField("制卡时间", default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "自主申报卡"
        verbose_name_plural = "自主申报卡"

    def __str__(self) -> str:
        return f"{self.household} 自主申报卡"


class Lead(models.Model):
    """A lead (监测线索): a possible risk found by the household itself, a visit or a department,
    waiting to be checked at the door. The identification loop starts here."""

    scope_path_field = "path"

    class Source(models.TextChoices):
        SELF_REPORT = "self_report", "农户自主申报"
        VISIT = "visit", "干部入户排查"
        DEPARTMENT = "department", "部门筛查预警"

    class Status(models.TextChoices):
        NEW = "new", "待核实"
        CHECKED = "checked", "已核实"
        DISMISSED = "dismissed", "不予纳入"

    household = models.ForeignKey(
        "registry.Household", verbose_name="搬迁户", on_delete=models.PROTECT, related_name="leads"
    )
    # The visit that found it (来源 干部入户排查): a corrected visit never makes a second lead.
    visit = models.OneToOneField(
        Visit,
        verbose_name="回访",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lead",
    )
    source = models.CharField("来源", max_length=12, choices=Source.choices)
    hardships = models.JSONField("困难类型", default=list, blank=True)
    description = models.TextField("情况说明", blank=True, default="")
    contact_phone = models.CharField("联系电话", max_length=20, blank=True, default="")
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.NEW, db_index=True
    )
    path = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField("发现时间", default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "监测线索"
        verbose_name_plural = "监测线索"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["path", "status"], name="monitoring_lead_path_status")]

    def __str__(self) -> str:
        return f"{self.household} {self.get_source_display()}"

    def get_absolute_url(self) -> str:
        return f"/monitoring/leads/{self.pk}/"


paths.register(ReportCard)
paths.register(Lead)


class Feed(models.Model):
    """One department's monthly screening file (部门筛查预警), as imported."""

    scope_path_field = "path"

    department = models.CharField("部门", max_length=20)
    period = models.CharField("月份", max_length=7)
    file_name = models.CharField("文件名", max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="导入人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_by_name = models.CharField("导入人姓名", max_length=100, blank=True, default="")
    rows = models.PositiveIntegerField("数据行数", default=0)
    matched = models.PositiveIntegerField("匹配到搬迁人口", default=0)
    # Rows whose identity number is in no household the importer sees: listed back, not stored.
    unmatched = models.JSONField("未匹配的行", default=list, blank=True)
    # The importer's unit: who may see the feed itself (its signals carry their own places).
    path = models.CharField(max_length=255, editable=False, default="")
    created_at = models.DateTimeField("导入时间", default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "部门筛查数据"
        verbose_name_plural = "部门筛查数据"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.department_label} {self.period} 筛查数据"

    @property
    def department_label(self) -> str:
        from .feeds import DEPARTMENTS

        return dict(DEPARTMENTS).get(self.department, self.department)

    def get_absolute_url(self) -> str:
        return f"/monitoring/feeds/{self.pk}/"


class Signal(models.Model):
    """One row of a department's feed matched to a relocated person: a warning signal."""

    scope_path_field = "path"

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="signals")
    department = models.CharField("部门", max_length=20)
    indicator = models.CharField("指标", max_length=40)
    value = models.DecimalField("数值", max_digits=14, decimal_places=2, null=True, blank=True)
    occurred_on = models.DateField("发生日期")
    note = models.CharField("备注", max_length=500, blank=True, default="")
    person = models.ForeignKey(
        "registry.Person",
        verbose_name="人员",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    household = models.ForeignKey(
        "registry.Household",
        verbose_name="搬迁户",
        on_delete=models.PROTECT,
        related_name="signals",
    )
    row = models.PositiveIntegerField("行号")
    path = models.CharField(max_length=255, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "预警信号"
        verbose_name_plural = "预警信号"
        ordering = ["feed", "row"]
        indexes = [models.Index(fields=["path", "occurred_on"], name="monitoring_signal_path")]

    def __str__(self) -> str:
        return f"{self.household} {self.indicator}"


paths.register(Feed)
paths.register(Signal)


class Warning(models.Model):
    """One household's passage through the loop (预警 → 纳入监测 → 风险消除): opened by the
    scan when a rule, a department, a visit or the household itself raises a signal, closed by
    rejection or elimination. A household has at most one open warning: later signals join it."""

    scope_path_field = "path"

    class Status(models.TextChoices):
        OPEN = "open", "待入户核实"
        REVIEWING = "reviewing", "认定中"
        MONITORED = "monitored", "已纳入监测"
        REJECTED = "rejected", "不予纳入"
        ELIMINATED = "eliminated", "风险已消除"

    OPEN_STATUSES = ("open", "reviewing", "monitored")

    household = models.ForeignKey(
        "registry.Household",
        verbose_name="搬迁户",
        on_delete=models.PROTECT,
        related_name="warnings",
    )
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.OPEN)
    opened_period = models.CharField("预警月份", max_length=7)
    opened_on = models.DateField("预警日期")
    # 入户核实时限 (policy parameter, working days) and the national 15 days to a decision.
    door_check_due = models.DateField("入户核实时限", null=True, blank=True)
    decision_due = models.DateField("认定时限")
    # What the door check found and the county decided (纳入监测). Columns the scan's
    # INSERT … SELECT does not name take database defaults.
    category = models.CharField(
        "监测对象类别", max_length=10, choices=CATEGORIES, blank=True, default="", db_default=""
    )
    risk_types = models.JSONField("风险类型", default=list, blank=True)
    commitment_signed = models.BooleanField("已签署承诺授权书", default=False, db_default=False)
    housing_safe = models.BooleanField("住房安全", null=True, blank=True)
    water_safe = models.BooleanField("饮水安全", null=True, blank=True)
    identified_on = models.DateField("纳入监测日期", null=True, blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    closed_reason = models.TextField("不予纳入理由", blank=True, default="", db_default="")
    # 双向帮扶: a responsible cadre at the destination and one at the origin.
    destination_cadre = models.CharField(
        "安置地帮扶责任人", max_length=100, blank=True, default="", db_default=""
    )
    origin_cadre = models.CharField(
        "迁出地帮扶责任人", max_length=100, blank=True, default="", db_default=""
    )
    eliminated_on = models.DateField("风险消除日期", null=True, blank=True)
    elimination_method = models.CharField(
        "消除方式",
        max_length=16,
        choices=[("by_assistance", "帮扶消除"), ("naturally", "自然消除")],
        blank=True,
        default="",
        db_default="",
    )
    path = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField("生成时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "监测预警"
        verbose_name_plural = "监测预警"
        ordering = ["-opened_on", "path", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(status__in=("open", "reviewing", "monitored")),
                name="monitoring_warning_one_open",
                violation_error_message="该户已有未办结的预警。",
            )
        ]
        indexes = [models.Index(fields=["path", "status"], name="monitoring_warning_path")]

    def __str__(self) -> str:
        return f"{self.household} {self.opened_period} 预警"

    def get_absolute_url(self) -> str:
        return f"/monitoring/warnings/{self.pk}/"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class WarningSignal(models.Model):
    """One fact behind a warning, with its source (``rules.RULES``). ``fact_key`` names the fact
    (the household's 2026 income, a person's insurance in 2026, a department's event, a lead):
    the same fact found again writes nothing, a new one joins the household's open warning."""

    scope_path_field = "path"

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="signals")
    # The warning's household, repeated for the unique key; no constraint of its own (the
    # warning's holds it), which spares the scan a foreign-key check per signal. No index of its
    # own either: the unique key (household, rule, fact) begins with it.
    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    rule = models.CharField("规则", max_length=30)
    fact_key = models.CharField(max_length=120)
    period = models.CharField("发现月份", max_length=7)
    # Indexed only where set (Meta.indexes): a person, a lead or a department's row is named by
    # few signals, and the scan inserts the others without touching these indexes.
    # The person has no database constraint: its check cost the first scan ~3 s of 16 at 3M
    # households (a row lock and a page write per signal). Persons are deleted through the ORM
    # (``registry.services.delete_person``), which sets this to NULL; the one raw delete
    # (``registry.generate.reset``) deletes the households too, which the warning's constrained
    # household key refuses while a warning exists.
    person = models.ForeignKey(
        "registry.Person",
        verbose_name="人员",
        null=True,
        on_delete=models.SET_NULL,
        db_index=False,
        db_constraint=False,
        related_name="+",
    )
    lead = models.ForeignKey(
        Lead, null=True, on_delete=models.SET_NULL, db_index=False, related_name="+"
    )
    signal = models.ForeignKey(
        Signal, null=True, on_delete=models.SET_NULL, db_index=False, related_name="+"
    )
    value = models.DecimalField("数值", max_digits=14, decimal_places=2, null=True)
    threshold = models.DecimalField("比较值", max_digits=14, decimal_places=2, null=True)
    ref = models.CharField(max_length=60, blank=True, default="")
    path = models.CharField(max_length=255, editable=False)
    found_at = models.DateTimeField("发现时间", default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "预警信号"
        verbose_name_plural = "预警信号"
        ordering = ["warning", "found_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "rule", "fact_key"], name="monitoring_signal_fact_once"
            )
        ]
        indexes = [
            models.Index(
                fields=[name],
                condition=models.Q(**{f"{name}__isnull": False}),
                name=f"monitoring_wsignal_{name}",
            )
            for name in ("person", "lead", "signal")
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.rule}"


paths.register(Warning)
paths.register(WarningSignal)


def _attachments():
    """Attachments (signed commitments, meeting minutes, photos) are kept outside the static
    and media trees and served only through a scoped view."""
    from django.core.files.storage import FileSystemStorage

    return FileSystemStorage(location=settings.VAR_DIR / "attachments")


class Step(models.Model):
    """One step of the identification (纳入监测) or elimination (风险消除) procedure, with its
    actor, date, decision and attachment: 入户核实 → 村级民主评议和公示 → 乡镇审核 → 县级审定."""

    scope_path_field = "path"

    class Procedure(models.TextChoices):
        IDENTIFY = "identify", "纳入监测"
        ELIMINATE = "eliminate", "风险消除"

    class Kind(models.TextChoices):
        DOOR_CHECK = "door_check", "入户核实"
        VILLAGE_REVIEW = "village_review", "村级民主评议和公示"
        TOWN_REVIEW = "town_review", "乡镇审核"
        COUNTY_DECISION = "county_decision", "县级审定"

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="steps")
    procedure = models.CharField("程序", max_length=10, choices=Procedure.choices)
    kind = models.CharField("环节", max_length=20, choices=Kind.choices)
    passed = models.BooleanField("通过")
    acted_on = models.DateField("日期")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField("经办人", max_length=100)
    note = models.TextField("意见", blank=True, default="")
    notice_from = models.DateField("公示开始", null=True, blank=True)
    notice_to = models.DateField("公示结束", null=True, blank=True)
    attachment = models.FileField(
        "附件", storage=_attachments, upload_to="steps/%Y/%m/", blank=True, max_length=200
    )
    path = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField("记录时间", default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "认定环节"
        verbose_name_plural = "认定环节"
        ordering = ["warning", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.warning.household} {self.get_kind_display()}"


paths.register(Step)


class Measure(models.Model):
    """One assistance measure (帮扶措施) of a monitored household's plan, tied to the risk it
    answers, with its planned and done dates and its outcome."""

    scope_path_field = "path"

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField("措施类型", max_length=24, choices=MEASURE_KINDS)
    risk_type = models.CharField("针对风险", max_length=12, choices=RISK_TYPES)
    content = models.TextField("措施内容")
    responsible = models.CharField("责任人", max_length=100, blank=True, default="")
    planned_on = models.DateField("计划完成日期")
    done_on = models.DateField("落实日期", null=True, blank=True)
    outcome = models.TextField("成效", blank=True, default="")
    path = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField("记录时间", default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "帮扶措施"
        verbose_name_plural = "帮扶措施"
        ordering = ["warning", "planned_on", "id"]

    def __str__(self) -> str:
        return f"{self.warning.household} {self.get_kind_display()}"


paths.register(Measure)


class LedgerMonth(models.Model):
    """A month of the 三类人员监测帮扶台账 frozen on the 3rd of the next month (《石城县2022年强化易地
    扶贫搬迁后续扶持工作的实施方案》责任清单: 次月3日前更新台账): its rows are a snapshot that later
    edits do not change."""

    period = models.CharField("月份", max_length=7, unique=True)
    frozen_at = models.DateTimeField("封存时间", default=timezone.now)
    rows = models.PositiveIntegerField("户数", default=0)

    class Meta:
        verbose_name = "监测台账封存"
        verbose_name_plural = "监测台账封存"
        ordering = ["-period"]

    def __str__(self) -> str:
        return f"{self.period} 监测帮扶台账（已封存）"


class LedgerRow(models.Model):
    """One monitored household in a frozen month, as it stood when the month was frozen."""

    scope_path_field = "path"

    period = models.CharField("月份", max_length=7)
    warning = models.ForeignKey(Warning, null=True, on_delete=models.SET_NULL, related_name="+")
    household = models.ForeignKey(
        "registry.Household", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    household_number = models.CharField("户编号", max_length=30)
    head_name = models.CharField("户主", max_length=50, blank=True, default="")
    members = models.PositiveSmallIntegerField("家庭人数", default=0)
    site_name = models.CharField("安置点", max_length=200, blank=True, default="")
    category = models.CharField("监测对象类别", max_length=10, choices=CATEGORIES, blank=True)
    risk_types = models.JSONField("风险类型", default=list)
    status = models.CharField("状态", max_length=12, choices=Warning.Status.choices)
    identified_on = models.DateField("纳入监测日期", null=True)
    eliminated_on = models.DateField("风险消除日期", null=True)
    measure_count = models.PositiveSmallIntegerField("帮扶措施", default=0)
    measures_done = models.PositiveSmallIntegerField("已落实措施", default=0)
    destination_cadre = models.CharField("安置地帮扶责任人", max_length=100, blank=True)
    origin_cadre = models.CharField("迁出地帮扶责任人", max_length=100, blank=True)
    path = models.CharField(max_length=255, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "监测台账行"
        verbose_name_plural = "监测台账行"
        ordering = ["period", "path", "household_number"]
        indexes = [models.Index(fields=["period", "path"], name="monitoring_ledger_period_path")]

    def __str__(self) -> str:
        return f"{self.period} {self.household_number}"


paths.register(LedgerRow)


class VisitPhoto(models.Model):
    """A photo taken on a visit (the household's door, a leaking pipe …): images only, size-
    limited, kept with the visit and served only to those who see the visit."""

    scope_path_field = "path"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(
        "照片", storage=_attachments, upload_to="visits/%Y/%m/", max_length=200
    )
    path = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField("上传时间", default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "回访照片"
        verbose_name_plural = "回访照片"
        ordering = ["visit", "id"]

    def __str__(self) -> str:
        return f"{self.visit} 照片"


paths.register(VisitPhoto)
