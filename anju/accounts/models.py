from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from anju.core import paths
from anju.core.scope import ScopedQuerySet, path_q, scope_paths
from anju.orgs.models import AdminUnit, Building, Grid, Site


class RoleQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Platform roles, the roles of units above the user (which apply to them) and the roles
        of units in the user's scope."""
        scope = scope_paths(user)
        if scope is None:
            return self
        above = {prefix for path in scope for prefix in paths.prefixes(path)}
        return self.filter(Q(unit__isnull=True) | Q(path__in=above) | path_q(scope, "path"))


class Role(models.Model):
    """A role is data: which modules it reads or writes, and whether it may reveal identities.

    Roles without a unit are the platform's templates. A county that wants different rights
    adapts a template into a role of its own (``unit``), which only its users carry.
    """

    scope_path_field = "path"

    code = models.SlugField("代码", max_length=40)
    name = models.CharField("名称", max_length=50)
    description = models.CharField("说明", max_length=200, blank=True, default="")
    modules = models.JSONField("模块权限", default=dict, blank=True)
    can_reveal_identity = models.BooleanField("可查看完整身份证号", default=False)
    is_builtin = models.BooleanField("内置", default=False, editable=False)
    unit = models.ForeignKey(
        AdminUnit,
        verbose_name="适用单位",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="roles",
        help_text="留空为全平台通用角色",
    )
    path = models.CharField(max_length=255, editable=False, default="")

    objects = RoleQuerySet.as_manager()

    class Meta:
        verbose_name = "角色"
        verbose_name_plural = "角色"
        ordering = ["path", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(unit__isnull=True),
                name="accounts_role_platform_code",
                violation_error_message="已有同代码的平台角色。",
            ),
            models.UniqueConstraint(
                fields=["unit", "code"],
                name="accounts_role_unit_code",
                violation_error_message="该单位已有同代码的角色。",
            ),
            models.UniqueConstraint(
                fields=["unit", "name"],
                name="accounts_role_unit_name",
                violation_error_message="该单位已有同名角色。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit.name}）" if self.unit_id else self.name

    @property
    def scope_label(self) -> str:
        return self.unit.name if self.unit_id else "全平台"


class User(AbstractUser):
    full_name = models.CharField("姓名", max_length=50, blank=True, default="")
    phone = models.CharField("联系电话", max_length=20, blank=True, default="")
    department = models.CharField("所在部门/单位", max_length=100, blank=True, default="")
    role = models.ForeignKey(
        Role,
        verbose_name="角色",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )

    objects = UserManager()

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"
        ordering = ["username"]

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def served_paths(self) -> list[str]:
        rows = Membership.objects.filter(user=self).select_related(
            "admin_unit", "site", "grid", "building"
        )
        return [m.node.path for m in rows]


class Membership(models.Model):
    """A unit the user serves. The user sees the subtree under it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    admin_unit = models.ForeignKey(
        AdminUnit, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    grid = models.ForeignKey(
        Grid, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    building = models.ForeignKey(
        Building, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )

    class Meta:
        verbose_name = "服务单位"
        verbose_name_plural = "服务单位"
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        admin_unit__isnull=False,
                        site__isnull=True,
                        grid__isnull=True,
                        building__isnull=True,
                    )
                    | models.Q(
                        admin_unit__isnull=True,
                        site__isnull=False,
                        grid__isnull=True,
                        building__isnull=True,
                    )
                    | models.Q(
                        admin_unit__isnull=True,
                        site__isnull=True,
                        grid__isnull=False,
                        building__isnull=True,
                    )
                    | models.Q(
                        admin_unit__isnull=True,
                        site__isnull=True,
                        grid__isnull=True,
                        building__isnull=False,
                    )
                ),
                name="accounts_membership_one_node",
                violation_error_message="每条服务单位记录只能指向一个单位、安置点、网格或楼栋。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.node}"

    @property
    def node(self):
        return self.admin_unit or self.site or self.grid or self.building

    def clean(self):
        if (
            sum(1 for n in (self.admin_unit_id, self.site_id, self.grid_id, self.building_id) if n)
            != 1
        ):
            raise ValidationError("每条服务单位记录只能指向一个单位、安置点、网格或楼栋。")


paths.register(Role)


class ApiToken(models.Model):
    """A key a machine client (a department's feed, the national system exchange) presents as
    ``Authorization: Token <key>``. Only the key's SHA-256 is stored; the key is shown once.

    A token acts as its owner, optionally narrowed to one node inside the owner's scope.
    """

    scope_path_field = "path"

    name = models.CharField("名称", max_length=100)
    user = models.ForeignKey(
        User, verbose_name="所属账号", on_delete=models.CASCADE, related_name="api_tokens"
    )
    prefix = models.CharField("令牌前缀", max_length=16, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    admin_unit = models.ForeignKey(
        AdminUnit, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    grid = models.ForeignKey(
        Grid, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    building = models.ForeignKey(
        Building, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The node the token is limited to, or the owner's home path when it is not narrowed.
    path = models.CharField(max_length=255, editable=False, default="")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(
        User,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField("有效期至", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @property
    def node(self):
        return self.admin_unit or self.site or self.grid or self.building

    @property
    def status(self) -> str:
        if self.revoked_at:
            return "已吊销"
        if self.expires_at and self.expires_at <= timezone.now():
            return "已过期"
        return "有效"


paths.register(ApiToken)
