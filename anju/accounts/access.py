"""What a role may do: each module (domain) is closed, readable or writable.

Roles are rows a county can edit (``Role.modules``); this module only interprets them.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

MODULES: dict[str, str] = {
    "orgs": "组织架构",
    "accounts": "账号与角色",
    "audit": "审计日志",
    "policies": "政策参数",
    "dashboard": "领导驾驶舱",
    "registry": "搬迁户台账",
    "monitoring": "防返贫监测",
    "employment": "就业帮扶",
    "safety_net": "兜底保障",
    "community": "社区治理",
    "schooling": "教育保障",
    "health": "健康医疗",
    "housing": "住房与安全",
    "land": "三块地",
    "industry": "产业帮扶",
    "cases": "诉求办理",
    "worklist": "责任清单",
}
LEVELS = {"read": 1, "write": 2}
LEVEL_LABELS = {"": "无权限", "read": "只读", "write": "读写"}


def level(user, module: str) -> str:
    if not user or not user.is_authenticated or not user.is_active:
        return ""
    if user.is_superuser:
        return "write"
    role = user.role
    if role is None:
        return ""
    return role.modules.get(module, "")


def allows(user, module: str, need: str = "read") -> bool:
    return LEVELS.get(level(user, module), 0) >= LEVELS[need]


def require(user, module: str, need: str = "read") -> None:
    if not allows(user, module, need):
        verb = "修改" if need == "write" else "查看"
        raise PermissionDenied(f"您的角色无权{verb}「{MODULES.get(module, module)}」。")


def can_reveal_identity(user) -> bool:
    if not user or not user.is_authenticated:
        return False
    return user.is_superuser or bool(user.role and user.role.can_reveal_identity)
