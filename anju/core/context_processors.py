import re

from django.urls import reverse

from anju.accounts import access
from anju.core.scope import home_path, scope_paths

_SITE_IN_PATH = re.compile(r"(?:^|/)s(\d+)/")


def _own_site(user) -> int | None:
    """The site a grid worker or building head serves inside: their 安置点概况 is that site's."""
    paths = scope_paths(user)
    if not paths:
        return None
    sites = set()
    for path in paths:
        match = _SITE_IN_PATH.search(path)
        if match is None or path.endswith(f"s{match.group(1)}/"):
            return None  # serves a unit or a whole site: the site list shows theirs
        sites.add(match.group(1))
    return int(sites.pop()) if len(sites) == 1 else None


def _home_key(user) -> str | None:
    """The node whose figures and charts a user opens first: the one covering all they serve."""
    if scope_paths(user) is None:
        from anju.orgs.selectors import served_nodes

        roots = served_nodes(user)
        return roots[0].key if roots else None
    path = home_path(user)
    return path.rstrip("/").rsplit("/", 1)[-1] if path else None


# Menu entries an app adds for users its module rules do not open (a department's staff see the
# warnings of their own indicators): callables user → [(label, url)], registered in ready().
EXTRA_ITEMS: list = []


def uses_api(user) -> bool:
    """Who the API documentation is for: administrators who set up data exchanges."""
    return user.is_superuser or user.is_staff or access.allows(user, "accounts", "write")


def navigation(request):
    """The module menu: only the modules the user's role opens."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    items: list = [("首页", reverse("home"))]
    if access.allows(user, "orgs"):
        items.append(("组织架构", reverse("orgs:index")))
    if access.allows(user, "registry"):
        registry = [("搬迁户台账", reverse("registry:household-list"))]
        if access.allows(user, "registry", "write"):
            registry.append(("导入台账", reverse("registry:import")))
        site = _own_site(user)
        registry.append(
            (
                "安置点概况",
                reverse("registry:site-profile", args=[site])
                if site
                else reverse("registry:site-list"),
            )
        )
        key = _home_key(user)
        if key:
            registry.append(("统计图表", reverse("registry:summary", args=[key])))
        registry.append(("数据质量", reverse("registry:quality")))
        items.extend(registry)
    if access.allows(user, "monitoring"):
        items.append(
            (
                "监测帮扶",
                [
                    ("本月回访", reverse("monitoring:coverage")),
                    ("未回访户", reverse("monitoring:unvisited")),
                    ("每月回访台账", reverse("monitoring:visits")),
                    ("家庭收支台账", reverse("monitoring:incomes")),
                    ("监测预警", reverse("monitoring:warnings")),
                    ("三类人员监测帮扶台账", reverse("monitoring:ledger")),
                    ("政策享受台账", reverse("monitoring:policies")),
                    ("全国系统数据交换", reverse("monitoring:exchange")),
                    ("部门筛查数据", reverse("monitoring:feeds")),
                    ("监测线索", reverse("monitoring:leads")),
                ],
            )
        )
    for extra in EXTRA_ITEMS:
        items.extend(extra(user))
    if access.allows(user, "policies"):
        items.append(("政策参数", reverse("policies:index")))
    if access.allows(user, "accounts"):
        items.append(
            (
                "账号与权限",
                [
                    ("账号管理", reverse("accounts:user-list")),
                    ("角色权限", reverse("accounts:role-list")),
                    ("接口令牌", reverse("accounts:token-list")),
                ],
            )
        )
    if access.allows(user, "audit"):
        items.append(("审计日志", reverse("audit:list")))
    if uses_api(user):
        items.append(("接口文档", reverse("api-docs")))
    return {
        "nav_items": [
            (label, target if isinstance(target, list) else None, target) for label, target in items
        ],
        "can": {m: access.level(user, m) for m in access.MODULES},
    }
