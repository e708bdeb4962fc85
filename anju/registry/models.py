"""Who lives where: site profiles, households (搬迁户) and persons, with their history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from anju.core import paths
from anju.core.geo import LATITUDE, LONGITUDE, check_pair
from anju.core.scope import ScopedQuerySet
from anju.orgs.models import AdminUnit, Building, Site

from . import choices


class SiteProfile(models.Model):
    """The facts a site plan reports (000). Declared figures stay apart from counted ones."""

    scope_path_field = "site__path"

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="profile")
    land_area_mu = models.DecimalField(
        "占地面积（亩）", max_digits=10, decimal_places=2, null=True, blank=True
    )
    # Plans state land either in 亩 or in ㎡ (下七里湾 4,654 ㎡): each is kept as stated.
    land_area_m2 = models.DecimalField(
        "占地面积（㎡）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    investment_wan = models.DecimalField(
        "总投资（万元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    building_count = models.PositiveSmallIntegerField("楼栋数", null=True, blank=True)
    floors = models.CharField("层数", max_length=100, blank=True, default="")
    floor_area_m2 = models.DecimalField(
        "建筑面积（㎡）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    build_cost_per_m2 = models.DecimalField(
        "建设成本（元/㎡）", max_digits=10, decimal_places=2, null=True, blank=True
    )
    move_in = models.CharField("入住时间", max_length=100, blank=True, default="")
    occupancy_rate = models.DecimalField(
        "入住率（%）", max_digits=5, decimal_places=2, null=True, blank=True
    )
    vacate_rate = models.DecimalField(
        "旧房腾退率（%）", max_digits=5, decimal_places=2, null=True, blank=True
    )
    distance_to_town_km = models.DecimalField(
        "距集镇（公里）", max_digits=6, decimal_places=2, null=True, blank=True
    )
    # WGS-84 degrees (as a phone or a map app gives them): the centre of the 20-minute circle
    # (20 分钟生活圈) that matching measures a posting's work place against.
    latitude = models.DecimalField(
        "纬度（WGS-84）",
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=LATITUDE,
    )
    longitude = models.DecimalField(
        "经度（WGS-84）",
        max_digits=10,
        decimal_places=6,
        null=True,
        blank=True,
        validators=LONGITUDE,
    )
    transport = models.CharField("交通", max_length=300, blank=True, default="")
    schools = models.CharField("就近学校", max_length=300, blank=True, default="")
    clinic = models.CharField("卫生室/医院", max_length=300, blank=True, default="")
    property_management = models.CharField("物业管理", max_length=300, blank=True, default="")
    origin = models.CharField("迁出地", max_length=500, blank=True, default="")
    declared_households = models.PositiveIntegerField("申报户数", null=True, blank=True)
    declared_persons = models.PositiveIntegerField("申报人数", null=True, blank=True)
    declared_lifted_households = models.PositiveIntegerField(
        "申报搬迁脱贫户数", null=True, blank=True
    )
    declared_lifted_persons = models.PositiveIntegerField("申报搬迁脱贫人数", null=True, blank=True)
    declared_co_households = models.PositiveIntegerField("申报同步搬迁户数", null=True, blank=True)
    declared_co_persons = models.PositiveIntegerField("申报同步搬迁人数", null=True, blank=True)
    # The breakdowns a plan reports as it reports them ({"age": {"labels": [...], "counts": [...]}}).
    declared_breakdowns = models.JSONField("申报分项", default=dict, blank=True)
    declared_on = models.DateField("申报数据日期", null=True, blank=True)
    # Places where the plan disagrees with itself, as found when its figures were entered.
    declared_conflicts = models.JSONField("申报资料内部不一致", default=list, blank=True)
    source = models.CharField("资料来源", max_length=200, blank=True, default="")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "安置点概况"
        verbose_name_plural = "安置点概况"

    def __str__(self) -> str:
        return f"{self.site.name}概况"

    def clean(self):
        check_pair(self.latitude, self.longitude)


class DwellingType(models.Model):
    profile = models.ForeignKey(
        SiteProfile, on_delete=models.CASCADE, related_name="dwelling_types"
    )
    area_m2 = models.DecimalField("户型面积（㎡）", max_digits=7, decimal_places=2)
    count = models.PositiveIntegerField("套数")
    persons = models.CharField("适住人口", max_length=20, blank=True, default="")

    class Meta:
        verbose_name = "户型"
        verbose_name_plural = "户型"
        ordering = ["area_m2"]

    def __str__(self) -> str:
        return f"{self.area_m2}㎡×{self.count}"


class Household(models.Model):
    scope_path_field = "path"

    number = models.CharField("户编号", max_length=30)
    county = models.ForeignKey(
        AdminUnit, verbose_name="所属县", on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField("户类型", max_length=20, choices=choices.Category.choices)
    settlement = models.CharField(
        "安置方式",
        max_length=20,
        choices=choices.Settlement.choices,
        default=choices.Settlement.CENTRALIZED,
    )
    site = models.ForeignKey(
        Site,
        verbose_name="安置点",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="households",
    )
    destination = models.ForeignKey(
        AdminUnit,
        verbose_name="迁入村（社区）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dispersed_households",
        help_text="分散安置户由迁入村（社区）跟踪",
    )
    building = models.ForeignKey(
        Building,
        verbose_name="楼栋",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="households",
    )
    unit_no = models.CharField("单元", max_length=10, blank=True, default="")
    room_no = models.CharField("房号", max_length=20, blank=True, default="")
    origin_town = models.CharField("迁出乡镇", max_length=50, blank=True, default="")
    origin_village = models.CharField("迁出村", max_length=50, blank=True, default="")
    move_in_date = models.DateField("入住日期", null=True, blank=True)
    dwelling_area = models.DecimalField(
        "住房面积（㎡）", max_digits=7, decimal_places=2, null=True, blank=True
    )
    safety_net = models.CharField(
        "兜底保障", max_length=10, choices=choices.SafetyNet.choices, blank=True, default=""
    )
    phone = models.CharField("联系电话", max_length=20, blank=True, default="")
    path = models.CharField(max_length=255, editable=False, default="")
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "搬迁户"
        verbose_name_plural = "搬迁户"
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "number"],
                name="registry_household_number",
                violation_error_message="本县已有相同户编号的搬迁户。",
            )
        ]
        indexes = [
            # The subtree (path LIKE 'u1/u7/%') in ledger order, from one index: on PostgreSQL
            # the path column has the "C" collation (migration 0006), so the same btree serves
            # the prefix range and the ORDER BY, and a page of a million households needs no sort.
            models.Index(fields=["path", "number"], name="registry_hh_path_number"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return f"/registry/households/{self.pk}/"

    @property
    def place(self) -> str:
        parts = [
            self.building.name if self.building_id else "",
            self.unit_no and f"{self.unit_no}单元",
            self.room_no,
        ]
        return " ".join(p for p in parts if p)


class Person(models.Model):
    scope_path_field = "path"

    household = models.ForeignKey(
        Household, verbose_name="所在户", on_delete=models.PROTECT, related_name="members"
    )
    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("身份证号", max_length=18, unique=True)
    birth_date = models.DateField("出生日期")
    sex = models.CharField("性别", max_length=1, choices=choices.Sex.choices)
    relation = models.CharField("与户主关系", max_length=10)
    ethnicity = models.CharField("民族", max_length=10, blank=True, default="")
    political_status = models.CharField("政治面貌", max_length=10, blank=True, default="")
    education = models.CharField("文化程度", max_length=10, blank=True, default="")
    schooling = models.CharField("在校生状况", max_length=10, blank=True, default="")
    health = models.JSONField("健康状况", default=list, blank=True)
    labour_skill = models.CharField("劳动技能", max_length=12, blank=True, default="")
    hukou_status = models.CharField("户籍状态", max_length=20, blank=True, default="")
    medical_insurance = models.JSONField("医疗保险", default=list, blank=True)
    pension_insurance = models.JSONField("养老保险", default=list, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True, default="")
    path = models.CharField(max_length=255, editable=False, default="")
    # The household's category, kept beside the path by the same writes: the age roll-ups'
    # boundary-month count reads persons by (birth date, path, category) from the index alone.
    category = models.CharField(
        "户类型（随所在户）",
        max_length=20,
        choices=choices.Category.choices,
        editable=False,
        default="",
    )
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "家庭成员"
        verbose_name_plural = "家庭成员"
        ordering = ["household", "id"]
        indexes = [
            # A subtree's persons in entry order, from one index (the path is "C"-collated on
            # PostgreSQL, see Household's index).
            models.Index(fields=["path", "id"], name="registry_person_path_id"),
            models.Index(fields=["name"], name="registry_person_name"),
            # The boundary-month correction of the age roll-ups reads persons by birth date.
            models.Index(fields=["birth_date", "path", "category"], name="registry_person_birth"),
            # Duplicate detection probes (name, birth date) for each person of a unit; with the
            # household in the index the probe never reads the table (quality.py).
            models.Index(
                fields=["name", "birth_date", "household"], name="registry_person_name_birth"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/registry/persons/{self.pk}/"

    def age_on(self, day) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


class PersonMove(models.Model):
    """A person left one household for another: the history a person page shows."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="moves")
    from_household = models.ForeignKey(
        Household, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    to_household = models.ForeignKey(
        Household, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    moved_at = models.DateTimeField(default=timezone.now)
    actor_name = models.CharField(max_length=100, blank=True, default="")
    note = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-moved_at", "-id"]

    def __str__(self) -> str:
        return f"{self.person} {self.moved_at:%Y-%m-%d}"


class HouseholdMove(models.Model):
    """A household changed site, building or room: before and after, as people read them."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="moves")
    before = models.CharField(max_length=300)
    after = models.CharField(max_length=300)
    moved_at = models.DateTimeField(default=timezone.now)
    actor_name = models.CharField(max_length=100, blank=True, default="")
    note = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-moved_at", "-id"]

    def __str__(self) -> str:
        return f"{self.household} {self.moved_at:%Y-%m-%d}"


class ImportBatch(models.Model):
    """One uploaded workbook: its progress while it runs, and every error when it is rejected."""

    scope_path_field = "unit_path"

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "导入中"
        REJECTED = "rejected", "有错误，未导入"
        DONE = "done", "已导入"
        CHECKED = "checked", "校验通过（试导入，未写入）"
        WARNED = "warned", "有警告，待确认导入"
        FAILED = "failed", "导入进程意外中止，未导入"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=200)
    stored_file = models.CharField(max_length=500, blank=True, default="")
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    error_file = models.CharField(max_length=500, blank=True, default="")
    unit_path = models.CharField(max_length=255, blank=True, default="")
    # Findings the user confirms ("确认导入") before the file is imported.
    warnings = models.JSONField(default=list, blank=True)
    warning_count = models.PositiveIntegerField(default=0)
    confirmed = models.BooleanField(default=False)
    # Who runs the import ("host:pid") and since when: a batch whose runner died ends failed.
    started_at = models.DateTimeField(null=True, blank=True)
    runner = models.CharField(max_length=100, blank=True, default="")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def progress(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0


class QualityRun(models.Model):
    """One run of the data quality checks over a unit's subtree ("" = the whole platform)."""

    scope_path_field = "unit_path"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "检查中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    unit_path = models.CharField(max_length=255, blank=True, default="")
    unit_name = models.CharField("检查范围", max_length=100, blank=True, default="")
    reason = models.CharField("触发方式", max_length=20, blank=True, default="")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True, default="")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One queued or running run per unit: a double click cannot enqueue twice.
            models.UniqueConstraint(
                fields=["unit_path"],
                condition=models.Q(status__in=["queued", "running"]),
                name="registry_quality_one_active_run",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_name or '全部'} {self.created_at:%Y-%m-%d %H:%M}"


class QualityFinding(models.Model):
    """One problem a run found. The texts are written at run time, so the page needs no joins;
    the references are plain ids (no constraint), so deleting a person never touches findings."""

    scope_path_field = "path"

    run = models.ForeignKey(QualityRun, on_delete=models.CASCADE, related_name="findings")
    code = models.CharField("检查项", max_length=12)
    rank = models.PositiveSmallIntegerField(default=0)
    site = models.ForeignKey(
        Site, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    household = models.ForeignKey(
        Household, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    person = models.ForeignKey(
        Person, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    path = models.CharField(max_length=255, default="")
    place = models.CharField("安置点", max_length=100, blank=True, default="")
    subject = models.CharField("对象", max_length=200, blank=True, default="")
    message = models.TextField("说明")
    details = models.JSONField(default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["rank", "path", "id"]
        indexes = [
            models.Index(
                fields=["path"], name="registry_finding_path", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["code", "path"], name="registry_finding_code_path"),
        ]

    def __str__(self) -> str:
        return f"{self.subject}：{self.message}"

    @property
    def url(self) -> str:
        if self.person_id:
            return f"/registry/persons/{self.person_id}/"
        if self.household_id:
            return f"/registry/households/{self.household_id}/"
        if self.site_id:
            return f"/registry/sites/{self.site_id}/"
        return ""


for _model in (Household, Person, ImportBatch, QualityRun, QualityFinding):
    paths.register(_model, _model.scope_path_field)


# Roll-ups ---------------------------------------------------------------------------------------
# Population figures kept per organisation node so a county, province or national summary reads a
# few thousand rows instead of every person. Every node that is an administrative unit or a site
# keeps the figures of its whole subtree ("" keeps the whole platform's); grids and buildings are
# small and are counted from the registry itself. `anju/registry/rollups.py` maintains them.


class RollupNode(models.Model):
    """A household path and each node above it whose figures include that household.

    Ancestors are a pure function of the path string, so a row never goes stale: a node that
    moves gets new paths and new rows; the old rows describe paths nobody carries any more."""

    path = models.CharField(max_length=255)
    node_path = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["path", "node_path"], name="registry_rollupnode_key")
        ]

    def __str__(self) -> str:
        return f"{self.path} → {self.node_path or '全部'}"


class HouseholdRollup(models.Model):
    """Households and their members per node × category × safety net × whether anyone can work."""

    node_path = models.CharField(max_length=255)
    category = models.CharField(max_length=20)
    safety_net = models.CharField(max_length=10)
    has_labour = models.BooleanField()
    households = models.IntegerField(default=0)
    persons = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["node_path", "category", "safety_net", "has_labour"],
                name="registry_hhrollup_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.node_path} {self.category} {self.households}户"


class AgeRollup(models.Model):
    """Persons per node × category × birth month: age bands for any date and any band scheme
    are sums over months plus the persons born in each boundary month (read from `Person`)."""

    node_path = models.CharField(max_length=255)
    category = models.CharField(max_length=20)
    birth_month = models.DateField()
    persons = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["node_path", "category", "birth_month"], name="registry_agerollup_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.node_path} {self.birth_month:%Y-%m} {self.persons}人"


class SkillRollup(models.Model):
    """Persons per node × category × education × schooling × labour skill."""

    node_path = models.CharField(max_length=255)
    category = models.CharField(max_length=20)
    education = models.CharField(max_length=10)
    schooling = models.CharField(max_length=10)
    labour_skill = models.CharField(max_length=12)
    persons = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["node_path", "category", "education", "schooling", "labour_skill"],
                name="registry_skillrollup_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.node_path} {self.education} {self.persons}人"
