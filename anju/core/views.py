from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from anju.core.scope import scope_paths


def home(request):
    from anju.accounts import access
    from anju.orgs import selectors
    from anju.registry import selectors as registry

    user = request.user
    counts = selectors.counts(user)
    if access.allows(user, "registry"):
        counts["households"] = registry.households(user).count()
        counts["persons"] = registry.persons(user).count()
    return render(
        request,
        "core/home.html",
        {
            "served": selectors.served_nodes(user),
            "counts": counts,
            "unrestricted": scope_paths(user) is None,
        },
    )


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_cache() -> str:
    cache.set("anju:healthz", "1", 10)
    if cache.get("anju:healthz") != "1":
        raise RuntimeError("缓存读写不一致")
    return "ok"


def _check_broker() -> str:
    from django.conf import settings

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    from anju.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=3)
    return "ok"


@login_not_required
def healthz(request):
    checks, healthy = {}, True
    for name, check in (
        ("database", _check_database),
        ("cache", _check_cache),
        ("broker", _check_broker),
    ):
        try:
            checks[name] = check()
        except Exception as exc:  # a health check reports every failure, whatever its kind
            checks[name] = f"error: {exc.__class__.__name__}: {exc}"[:200]
            healthy = False
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


def error_400(request, exception=None):
    return render(request, "400.html", status=400)


def error_403(request, exception=None):
    message = str(exception) if exception and str(exception) else "您的角色无权访问此页面。"
    return render(request, "403.html", {"message": message}, status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    return render(request, "500.html", status=500)


# Why Django refused a form (its reasons are English constants), in the users' words.
CSRF_REASONS = {
    "CSRF cookie not set.": "浏览器没有保存本站的安全校验 Cookie，请允许本站使用 Cookie 后刷新页面。",
    "CSRF token missing.": "提交的内容缺少安全校验码，请刷新页面后重新提交。",
    "Referer checking failed - no Referer.": "浏览器没有发送来源页面信息，请从本站页面提交。",
}
CSRF_DEFAULT = "页面已过期或来源无法验证，请刷新页面后重新提交；如果一直出现，请重新登录。"


def csrf_message(reason: str) -> str:
    reason = (reason or "").removeprefix("CSRF Failed: ")
    return "安全校验未通过：" + CSRF_REASONS.get(reason, CSRF_DEFAULT)


@login_not_required
def csrf_failure(request, reason=""):
    return render(request, "403.html", {"message": csrf_message(reason)}, status=403)
