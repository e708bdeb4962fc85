"""The organisation tree: administrative units, resettlement sites, grids and buildings.

Every node stores ``path``: its ancestors' keys and its own (``u1/u7/s3/g2/``). The path is what
data scope filters on, for these nodes and for every row attached to them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from anju.core import paths
from anju.core.scope import ScopedQuerySet


class Node(models.Model):
    PREFIX = ""
    scope_path_field = "path"

    name = models.CharField("名称", max_length=100)
    path = models.CharField("路径", max_length=255, editable=False, default="")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def key(self) -> str:
        return f"{self.PREFIX}{self.pk}"

    def parent_node(self) -> Node | None:
        raise NotImplementedError

    def get_absolute_url(self) -> str:
        from anju.core.breadcrumbs import node_url

        return node_url(self)

    def computed_path(self) -> str:
        parent = self.parent_node()
        return (parent.path if parent else "") + f"{self.key}/"


class AdminUnit(Node):
    """行政区划: GB/T 2260 codes down to county; towns and villages are added by users."""

    PREFIX = "u"

    class Level(models.TextChoices):
        PROVINCE = "province", "省"
        CITY = "city", "市"
        COUNTY = "county", "县（区）"
        TOWN = "town", "乡镇（街道）"
        VILLAGE = "village", "村（社区）"

    LEVEL_ORDER = ["province", "city", "county", "town", "village"]

    code = models.CharField("区划代码", max_length=12, blank=True, default="")
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    is_community = models.BooleanField("社区", default=False, help_text="村级单位为城镇社区时勾选")
    parent = models.ForeignKey(
        "self",
        verbose_name="上级单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code", "name"]
        indexes = [
            models.Index(fields=["path"], name="orgs_unit_path", opclasses=["varchar_pattern_ops"])
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=~models.Q(code=""),
                name="orgs_unit_code_unique",
                violation_error_message="该区划代码已被其他单位使用。",
            ),
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="orgs_unit_name_unique",
                violation_error_message="同一上级单位下已有同名单位。",
            ),
        ]

    def parent_node(self):
        return self.parent

    @property
    def level_label(self) -> str:
        if self.level == self.Level.VILLAGE:
            return "社区" if self.is_community else "村"
        return self.get_level_display()

    def clean(self):
        if self.parent is None:
            if self.level != self.Level.PROVINCE:
                raise ValidationError({"parent": "只有省级单位可以没有上级单位。"})
            return
        order = self.LEVEL_ORDER
        if order.index(self.level) <= order.index(self.parent.level):
            raise ValidationError(
                {
                    "level": f"「{self.parent.get_level_display()}」下不能建「{self.get_level_display()}」。"
                }
            )
        if self.level in (self.Level.TOWN, self.Level.VILLAGE) and self.parent.level not in (
            self.Level.COUNTY,
            self.Level.TOWN,
        ):
            raise ValidationError({"parent": "乡镇须建在县（区）下，村（社区）须建在乡镇下。"})
        if self.level == self.Level.VILLAGE and self.parent.level != self.Level.TOWN:
            raise ValidationError({"parent": "村（社区）须建在乡镇（街道）下。"})
        if self.code and not self.code.isdigit():
            raise ValidationError({"code": "区划代码只能由数字组成。"})
        if self.level != self.Level.VILLAGE and self.is_community:
            raise ValidationError({"is_community": "只有村级单位可以标为社区。"})


class Site(Node):
    """安置点, run by a town or a village/community."""

    PREFIX = "s"

    class Kind(models.TextChoices):
        CENTRALIZED = "centralized", "集中安置"
        DISPERSED = "dispersed", "分散安置"

    admin_unit = models.ForeignKey(
        AdminUnit,
        verbose_name="所属乡镇/村（社区）",
        on_delete=models.PROTECT,
        related_name="sites",
    )
    kind = models.CharField(
        "安置方式", max_length=12, choices=Kind.choices, default=Kind.CENTRALIZED
    )
    address = models.CharField("地址", max_length=200, blank=True, default="")
    note = models.TextField("备注", blank=True, default="")

    class Meta:
        verbose_name = "安置点"
        verbose_name_plural = "安置点"
        ordering = ["path", "name"]
        indexes = [
            models.Index(fields=["path"], name="orgs_site_path", opclasses=["varchar_pattern_ops"])
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["admin_unit", "name"],
                name="orgs_site_name_unique",
                violation_error_message="该乡镇/村（社区）下已有同名安置点。",
            )
        ]

    def parent_node(self):
        return self.admin_unit

    def clean(self):
        if self.admin_unit_id and self.admin_unit.level not in (
            AdminUnit.Level.TOWN,
            AdminUnit.Level.VILLAGE,
        ):
            raise ValidationError({"admin_unit": "安置点须挂在乡镇（街道）或村（社区）下。"})


class Grid(Node):
    """网格: inside a site, or inside a community for dispersed households."""

    PREFIX = "g"

    class Kind(models.TextChoices):
        SERVICE = "service", "管理服务网格"
        SECURITY = "security", "治安网格"

    site = models.ForeignKey(
        Site,
        verbose_name="安置点",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grids",
    )
    community = models.ForeignKey(
        AdminUnit,
        verbose_name="村（社区）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grids",
    )
    kind = models.CharField("网格类型", max_length=10, choices=Kind.choices, default=Kind.SERVICE)

    class Meta:
        verbose_name = "网格"
        verbose_name_plural = "网格"
        ordering = ["path", "name"]
        indexes = [
            models.Index(fields=["path"], name="orgs_grid_path", opclasses=["varchar_pattern_ops"])
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(site__isnull=False, community__isnull=True)
                | models.Q(site__isnull=True, community__isnull=False),
                name="orgs_grid_one_parent",
                violation_error_message="网格须且只能属于一个安置点或一个村（社区）。",
            )
        ]

    def parent_node(self):
        return self.site or self.community

    def clean(self):
        if bool(self.site_id) == bool(self.community_id):
            raise ValidationError("网格须且只能属于一个安置点或一个村（社区）。")
        if self.community_id and self.community.level != AdminUnit.Level.VILLAGE:
            raise ValidationError({"community": "网格只能建在村（社区）或安置点内。"})


class Building(Node):
    """楼栋: inside a site, or inside one of its grids."""

    PREFIX = "b"

    site = models.ForeignKey(
        Site,
        verbose_name="安置点",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="buildings",
    )
    grid = models.ForeignKey(
        Grid,
        verbose_name="网格",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="buildings",
    )
    floors = models.PositiveSmallIntegerField("层数", null=True, blank=True)
    unit_count = models.PositiveSmallIntegerField("单元数", null=True, blank=True)

    class Meta:
        verbose_name = "楼栋"
        verbose_name_plural = "楼栋"
        ordering = ["path", "name"]
        indexes = [
            models.Index(fields=["path"], name="orgs_bldg_path", opclasses=["varchar_pattern_ops"])
        ]

    def parent_node(self):
        return self.grid or self.site

    def clean(self):
        if not self.site_id and not self.grid_id:
            raise ValidationError("楼栋须属于一个安置点或网格。")
        if self.grid_id and self.site_id and self.grid.site_id != self.site_id:
            raise ValidationError({"grid": "所选网格不在该安置点内。"})


class Position(models.Model):
    """A post held by a person at a node: 点长, 片长, 楼长, 网格员, 帮扶干部.

    The holder is a staff account, or a resident without one (name and phone only).
    """

    scope_path_field = "path"

    class Title(models.TextChoices):
        SITE_CHIEF = "site_chief", "点长"
        AREA_CHIEF = "area_chief", "片长"
        BUILDING_HEAD = "building_head", "楼长"
        GRID_WORKER = "grid_worker", "网格员"
        SUPPORT_CADRE = "support_cadre", "帮扶干部"

    title = models.CharField("职务", max_length=20, choices=Title.choices)
    admin_unit = models.ForeignKey(
        AdminUnit,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="positions",
        verbose_name="行政单位",
    )
    site = models.ForeignKey(
        Site,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="positions",
        verbose_name="安置点",
    )
    grid = models.ForeignKey(
        Grid,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="positions",
        verbose_name="网格",
    )
    building = models.ForeignKey(
        Building,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="positions",
        verbose_name="楼栋",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="positions",
        verbose_name="平台账号",
    )
    holder_name = models.CharField("姓名", max_length=50, blank=True, default="")
    phone = models.CharField("联系电话", max_length=20, blank=True, default="")
    start_date = models.DateField("任职日期", null=True, blank=True)
    end_date = models.DateField("离任日期", null=True, blank=True)
    path = models.CharField(max_length=255, editable=False, default="")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "岗位"
        verbose_name_plural = "岗位"
        ordering = ["path", "title"]
        indexes = [
            models.Index(fields=["path"], name="orgs_pos_path", opclasses=["varchar_pattern_ops"])
        ]

    def __str__(self) -> str:
        return f"{self.get_title_display()} {self.display_name}"

    @property
    def node(self):
        return self.building or self.grid or self.site or self.admin_unit

    def get_absolute_url(self) -> str:
        return self.node.get_absolute_url()

    @property
    def display_name(self) -> str:
        if self.user_id:
            return self.user.display_name
        return self.holder_name

    def clean(self):
        set_nodes = [
            n for n in (self.admin_unit_id, self.site_id, self.grid_id, self.building_id) if n
        ]
        if len(set_nodes) != 1:
            raise ValidationError("岗位须且只能挂在一个单位、安置点、网格或楼栋上。")
        if not self.user_id and not self.holder_name.strip():
            raise ValidationError({"holder_name": "请选择平台账号或填写任职人姓名。"})
        if self.phone and not self.phone.replace("-", "").isdigit():
            raise ValidationError({"phone": "联系电话只能包含数字和“-”。"})
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "离任日期不能早于任职日期。"})


NODE_MODELS = {"u": AdminUnit, "s": Site, "g": Grid, "b": Building}
# The foreign key by which a Position or a Membership points at a node of each kind.
NODE_FIELDS = {AdminUnit: "admin_unit", Site: "site", Grid: "grid", Building: "building"}


def node_ref(node) -> dict:
    """``{"site": node}`` and the like: the keyword that attaches a row to this node."""
    return {NODE_FIELDS[type(node)]: node}


for _model in (AdminUnit, Site, Grid, Building, Position):
    paths.register(_model)
