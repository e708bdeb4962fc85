"""Writes to accounts and roles: validate, check scope, write, audit, in one transaction."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from anju.audit import services as audit
from anju.core.scope import covers, home_path, path_q, scope_paths
from anju.orgs.models import node_ref

from . import access
from .models import ApiToken, Membership, Role, User
from .roles import BUILTIN_ROLES

USER_FIELDS = ["username", "full_name", "phone", "department", "role", "is_active"]
ROLE_FIELDS = ["name", "description", "modules", "can_reveal_identity"]
TOKEN_PREFIX = "anju_"


def ensure_builtin_roles() -> int:
    """Create the shipped platform roles that are missing; never overwrite an adjusted one."""
    have = set(Role.objects.filter(unit=None).values_list("code", flat=True))
    missing = [
        Role(
            code=r["code"],
            name=r["name"],
            description=r["description"],
            modules=r["modules"],
            can_reveal_identity=r["reveal"],
            is_builtin=True,
        )
        for r in BUILTIN_ROLES
        if r["code"] not in have
    ]
    Role.objects.bulk_create(missing)
    return len(missing)


def _validate_modules(modules: dict) -> dict:
    clean = {}
    for module, level in (modules or {}).items():
        if module not in access.MODULES:
            raise ValidationError({"modules": f"未知模块「{module}」。"})
        if level in ("", None):
            continue
        if level not in access.LEVELS:
            raise ValidationError(
                {
                    "modules": f"模块「{access.MODULES[module]}」的权限「{level}」无效，"
                    "只能是只读（read）或读写（write）。"
                }
            )
        clean[module] = level
    return clean


def require_role_write(actor, role: Role) -> None:
    """Platform roles are the platform administrator's; a county edits only its own roles."""
    if actor is None:
        return
    access.require(actor, "accounts", "write")
    if role.unit_id is None:
        if not actor.is_superuser:
            raise PermissionDenied(
                "全平台角色只能由平台管理员修改；请先“为本单位调整”生成本单位的角色。"
            )
    elif not covers(actor, role.path):
        raise Http404("角色不存在或不在您的管辖范围内。")


@transaction.atomic
def update_role(actor, role: Role, **changes) -> Role:
    require_role_write(actor, role)
    unknown = set(changes) - set(ROLE_FIELDS)
    if unknown:
        raise ValidationError(f"不能修改字段：{'、'.join(sorted(unknown))}")
    if "modules" in changes:
        changes["modules"] = _validate_modules(changes["modules"])
    before = audit.snapshot(role, ROLE_FIELDS)
    for name, value in changes.items():
        setattr(role, name, value)
    role.full_clean()
    role.save()
    audit.record_update(actor, role, before, ROLE_FIELDS, unit_path=role.path)
    return role


@transaction.atomic
def adapt_role(actor, template: Role, unit) -> Role:
    """A unit's own copy of a platform role; the unit's users holding the template move to it,
    so the adjustment takes effect for them and for nobody else."""
    if template.unit_id is not None:
        raise ValidationError("只能基于全平台角色生成本单位角色。")
    if actor is not None:
        access.require(actor, "accounts", "write")
        if not covers(actor, unit.path):
            raise Http404("单位不存在或不在您的管辖范围内。")
    existing = Role.objects.filter(unit=unit, code=template.code).first()
    if existing:
        return existing
    role = Role(
        code=template.code,
        name=template.name,
        description=template.description,
        modules=dict(template.modules),
        can_reveal_identity=template.can_reveal_identity,
        unit=unit,
        path=unit.path,
    )
    role.full_clean(exclude=["path"])
    role.save()
    movers = visible_users_under(unit.path).filter(role=template)
    moved = list(movers.values_list("username", flat=True))
    User.objects.filter(pk__in=movers.values("pk")).update(role=role)
    audit.record_create(
        actor,
        role,
        ["code", *ROLE_FIELDS, "unit"],
        unit_path=role.path,
        note=f"由全平台角色「{template.name}」生成；{len(moved)} 个账号改用本单位角色",
    )
    return role


def _check_role(actor, role: Role | None) -> None:
    """A role the actor may hand out: in their scope, and no stronger than their own."""
    if role is None or actor is None or actor.is_superuser:
        return
    if not Role.objects.visible_to(actor).filter(pk=role.pk).exists():
        raise ValidationError({"role": "所选角色不在您的管辖范围内。"})
    for module, level in role.modules.items():
        if access.LEVELS.get(level, 0) > access.LEVELS.get(access.level(actor, module), 0):
            raise ValidationError(
                {
                    "role": f"不能分配权限高于您本人的角色（「{access.MODULES.get(module, module)}」）。"
                }
            )
    if role.can_reveal_identity and not access.can_reveal_identity(actor):
        raise ValidationError({"role": "不能分配可查看完整身份证号的角色。"})


def _check_nodes(actor, nodes) -> None:
    if not nodes:
        raise ValidationError({"nodes": "请至少选择一个服务单位。"})
    for node in nodes:
        if actor is not None and not covers(actor, node.path):
            raise Http404("单位不存在或不在您的管辖范围内。")


def _membership_for(user, node) -> Membership:
    return Membership(user=user, **node_ref(node))


def _served(user) -> list[str]:
    return [
        m.node.name
        for m in user.memberships.select_related("admin_unit", "site", "grid", "building")
    ]


@transaction.atomic
def create_user(
    actor,
    *,
    username: str,
    password: str,
    role: Role,
    nodes: list,
    full_name: str = "",
    phone: str = "",
    department: str = "",
    is_superuser: bool = False,
) -> User:
    if actor is not None:
        access.require(actor, "accounts", "write")
        if is_superuser and not actor.is_superuser:
            raise PermissionDenied("只有平台管理员可以创建平台管理员。")
    if not is_superuser:
        _check_nodes(actor, nodes)
    _check_role(actor, role)
    user = User(
        username=username,
        full_name=full_name,
        phone=phone,
        department=department,
        role=role,
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    user.full_clean(exclude=["password"])
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.save()
    Membership.objects.bulk_create([_membership_for(user, n) for n in nodes])
    after = audit.snapshot(user, USER_FIELDS)
    after["served_units"] = "、".join(n.name for n in nodes)
    audit.record(
        actor,
        audit.AuditLog.Action.CREATE,
        object_type="accounts.user",
        object_id=user.pk,
        object_repr=user.display_name,
        unit_path=nodes[0].path if nodes else "",
        changes=audit.diff({}, after),
    )
    return user


def visible_users_under(path: str):
    """Accounts serving at least one node under a path."""
    q = Q()
    for field in ("admin_unit", "site", "grid", "building"):
        q |= Q(**{f"memberships__{field}__path__startswith": path})
    return User.objects.filter(pk__in=User.objects.filter(q).values("pk"))


def visible_users(actor):
    """Accounts serving at least one unit inside the actor's scope (platform admins excluded)."""
    users = User.objects.select_related("role").order_by("username")
    paths = scope_paths(actor)
    if paths is None:
        return users
    q = Q()
    for field in ("admin_unit", "site", "grid", "building"):
        q |= path_q(paths, f"{field}__path")
    member_ids = Membership.objects.filter(q).values("user_id")
    return users.filter(pk__in=member_ids, is_superuser=False)


@transaction.atomic
def update_user(
    actor, user: User, *, nodes: list | None = None, password: str | None = None, **changes
) -> User:
    access.require(actor, "accounts", "write")
    if not visible_users(actor).filter(pk=user.pk).exists():
        raise Http404("账号不存在或不在您的管辖范围内。")
    # An account that also serves units outside the actor's scope is not theirs to change.
    if not all(covers(actor, path) for path in user.served_paths()):
        raise PermissionDenied("该账号还服务于您管辖范围以外的单位，只能由上级管理员修改。")
    if user.pk == actor.pk and "role" in changes and changes["role"] != user.role:
        raise PermissionDenied("不能修改本人的角色。")
    unknown = set(changes) - set(USER_FIELDS)
    if unknown:
        raise ValidationError(f"不能修改字段：{'、'.join(sorted(unknown))}")
    _check_role(actor, changes.get("role"))
    before = audit.snapshot(user, USER_FIELDS)
    before["served_units"] = "、".join(_served(user))
    for name, value in changes.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
    user.save()
    if nodes is not None:
        _check_nodes(actor, nodes)
        user.memberships.all().delete()
        Membership.objects.bulk_create([_membership_for(user, n) for n in nodes])
    after = audit.snapshot(user, USER_FIELDS)
    after["served_units"] = "、".join(_served(user))
    changes_logged = audit.diff(before, after)
    if password:
        changes_logged["password"] = ["******", "******（已重置）"]
    if changes_logged:
        audit.record(
            actor,
            audit.AuditLog.Action.UPDATE,
            object_type="accounts.user",
            object_id=user.pk,
            object_repr=user.display_name,
            unit_path=home_path(user) or home_path(actor),
            changes=changes_logged,
        )
    return user


# API tokens ----------------------------------------------------------------------------------

TOKEN_FIELDS = ["name", "user", "prefix", "expires_at"]


def hash_token(key: str) -> str:
    # The keys are 256-bit random strings: a plain SHA-256 cannot be reversed or guessed, and
    # lets the authentication find the row by one indexed lookup.
    return hashlib.sha256(key.encode()).hexdigest()


def visible_tokens(actor):
    """Tokens of accounts inside the actor's scope; reading them needs 账号与角色."""
    access.require(actor, "accounts", "read")
    return ApiToken.objects.visible_to(actor).select_related(
        "user", "created_by", "admin_unit", "site", "grid", "building"
    )


@transaction.atomic
def create_token(
    actor, *, user: User, name: str, node=None, expires_at=None
) -> tuple[ApiToken, str]:
    """A new token for ``user``, limited to ``node`` if given. Returns the row and the key,
    which is shown once and never stored."""
    if actor is not None:
        access.require(actor, "accounts", "write")
        if user.pk != actor.pk and not visible_users(actor).filter(pk=user.pk).exists():
            raise Http404("账号不存在或不在您的管辖范围内。")
        if node is not None and not covers(actor, node.path):
            raise Http404("单位不存在或不在您的管辖范围内。")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写令牌名称，如“县人社局就业数据对接”。"})
    if not user.is_active:
        raise ValidationError({"user": "该账号已停用，不能为其创建令牌。"})
    if node is not None and not covers(user, node.path):
        raise ValidationError(
            {"node": f"「{node.name}」不在账号「{user.display_name}」的管辖范围内。"}
        )
    if node is None and not user.is_superuser and not scope_paths(user):
        raise ValidationError({"user": "该账号没有服务单位，令牌将看不到任何数据。"})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "有效期应晚于当前时间。"})
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name[:100],
        user=user,
        prefix=key[:12],
        key_hash=hash_token(key),
        path=node.path if node is not None else home_path(user),
        created_by=actor if actor is not None and actor.is_authenticated else None,
        expires_at=expires_at,
        **(node_ref(node) if node is not None else {}),
    )
    token.save()
    scope = node.name if node is not None else "账号全部服务单位"
    audit.record_create(
        actor, token, TOKEN_FIELDS, unit_path=token.path, note=f"接口令牌范围：{scope}"
    )
    return token, key


@transaction.atomic
def revoke_token(actor, token: ApiToken) -> ApiToken:
    if actor is not None:
        access.require(actor, "accounts", "write")
        if not ApiToken.objects.visible_to(actor).filter(pk=token.pk).exists():
            raise Http404("令牌不存在或不在您的管辖范围内。")
    if token.revoked_at:
        raise ValidationError("该令牌已吊销。")
    before = audit.snapshot(token, ["revoked_at"])
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        actor,
        audit.AuditLog.Action.UPDATE,
        object_type=audit.object_type_of(token),
        object_id=token.pk,
        object_repr=str(token),
        unit_path=token.path,
        changes=audit.diff(before, audit.snapshot(token, ["revoked_at"])),
        note="吊销接口令牌",
    )
    return token


def token_used(token: ApiToken, request_line: str, *, write: bool) -> None:
    """Every request a token authenticates moves its 最近使用; a write request is logged too."""
    now = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    if write:
        audit.record(
            token.user,
            audit.AuditLog.Action.UPDATE,
            object_type=audit.object_type_of(token),
            object_id=token.pk,
            object_repr=str(token),
            unit_path=token.path,
            changes={"last_used_at": [audit._plain(token.last_used_at), audit._plain(now)]},
            note=f"经接口令牌发起写请求：{request_line}"[:500],
        )
    token.last_used_at = now
