import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from anju.core import demo
from anju.core.xlsx import neutralise
from anju.orgs.models import AdminUnit, Site

ROOT = Path(__file__).resolve().parents[3]


def test_healthz_reports_database_cache_and_broker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "eager"},
    }


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.skipif(not _port_open(6379), reason="此机器未运行 Redis")
def test_healthz_with_redis_broker(client, db):
    from anju.celery import app

    url = "redis://127.0.0.1:6379/0"
    app.conf.broker_url = url
    try:
        with override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=url):
            assert client.get("/healthz").json()["checks"]["broker"] == "ok"
        app.conf.broker_url = "redis://127.0.0.1:1/0"
        with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
            response = client.get("/healthz")
        assert response.status_code == 503 and response.json()["status"] == "error"
    finally:
        app.conf.broker_url = None


def test_security_headers(client, db):
    response = client.get("/login/")
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_require_login_and_api_answers_403(client, db):
    assert client.get("/orgs/sites/").url.startswith("/login/")
    assert client.get("/api/sites/").status_code == 403


def test_csrf_is_enforced(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["town_staff"])
    response = client.post(f"/orgs/units/{world.a.community.pk}/sites/new/", {"name": "x"})
    assert response.status_code == 403


def test_chinese_error_pages(world, client_for):
    client = client_for(world.users["town_staff"])
    response = client.get("/orgs/sites/999999/")
    assert response.status_code == 404 and "不在您的管辖范围内" in response.content.decode()
    response = client.get("/accounts/roles/")
    assert response.status_code == 403 and "无权查看「账号与角色」" in response.content.decode()


def test_api_schema_and_docs(world, client_for):
    client = client_for(world.users["town_staff"])
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    assert "/api/sites/" in schema.json()["paths"]
    assert client.get("/api/docs/").status_code == 200


def test_me_endpoint(world, client_for):
    client = client_for(world.users["grid_worker"])
    data = client.get("/api/users/me/").json()
    assert data["role"] == "网格员" and data["modules"]["monitoring"] == "write"
    assert data["scope_paths"] == [world.a.grid.path]


def test_production_refuses_to_start_without_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "ANJU_SECRET_KEY"}
    env["DJANGO_SETTINGS_MODULE"] = "anju.settings.production"
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "安居拒绝启动：生产环境必须设置环境变量 ANJU_SECRET_KEY。"
    ]


def test_excel_cells_cannot_become_formulas():
    assert neutralise('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert neutralise("+86 138") == "'+86 138"
    assert neutralise("-1") == "'-1" and neutralise("@SUM") == "'@SUM"
    assert neutralise("清涧县") == "清涧县" and neutralise(12) == 12


def test_demo_data_is_complete_and_idempotent(db):
    demo.run()
    counts = (AdminUnit.objects.count(), Site.objects.count())
    demo.run()
    assert (AdminUnit.objects.count(), Site.objects.count()) == counts
    qingjian = AdminUnit.objects.get(code="610830")
    towns = set(AdminUnit.objects.filter(parent=qingjian).values_list("name", flat=True))
    assert towns == {"秀延街道办", "折家坪镇", "宽州镇", "高杰村镇", "石咀驿镇", "李家塔镇"}
    assert Site.objects.filter(path__startswith=qingjian.path).count() == 10
    assert (
        Site.objects.filter(path__startswith=AdminUnit.objects.get(code="522632").path).count() == 7
    )
    assert (
        Site.objects.filter(path__startswith=AdminUnit.objects.get(code="610202").path).count() == 2
    )
    for code in ("140800", "360735"):
        assert AdminUnit.objects.filter(code=code).exists()
    from anju.accounts.models import Role, User

    served = {u.role.code for u in User.objects.select_related("role")}
    assert served == set(Role.objects.values_list("code", flat=True))
