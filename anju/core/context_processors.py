from anju.accounts import access


def navigation(request):
    """The module menu: only the modules the user's role opens."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    items = [
        ("首页", "home", None),
        ("组织架构", "orgs:index", "orgs"),
        ("搬迁户台账", "registry:household-list", "registry"),
        ("安置点概况", "registry:site-list", "registry"),
        ("数据质量", "registry:quality", "registry"),
        ("政策参数", "policies:index", "policies"),
        ("账号管理", "accounts:user-list", "accounts"),
        ("角色权限", "accounts:role-list", "accounts"),
        ("审计日志", "audit:list", "audit"),
    ]
    return {
        "nav_items": [
            (label, url)
            for label, url, module in items
            if module is None or access.allows(user, module)
        ],
        "can": {m: access.level(user, m) for m in access.MODULES},
    }
